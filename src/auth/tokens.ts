import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'odp_';

/** A new API token secret: 256 random bits, prefixed so leaked tokens are easy to recognise in logs and scanners. */
export function newTokenSecret(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Tokens are stored only as SHA-256. Unlike passwords they carry 256 bits of entropy, so a fast
 * hash is safe and a per-request lookup by hash stays cheap; a database leak reveals no usable token.
 */
export function hashTokenSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: raw in `Authorization` (CKAN ≥ 2.10), `Bearer <token>`, or `X-CKAN-API-Key` (≤ 2.9, ckanapi). */
export function tokenFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const pick = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
  const auth = pick(headers['authorization']);
  if (auth) return auth.replace(/^Bearer\s+/i, '');
  return pick(headers['x-ckan-api-key']);
}
