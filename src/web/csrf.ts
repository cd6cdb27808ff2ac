import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** Whether a form's token is the expected one (constant time; a missing one never matches). */
export function csrfMatches(given: string | null | undefined, expected: string | undefined): boolean {
  if (!given || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A new random token (the login form's, before there is a session). */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Whether a POST comes from this site's own pages by its `Origin` header: when a browser sends one it must name the
 * host the request was sent to, or SITE_URL's (a proxy that passes its own Host upstream). Without the header (older
 * browsers, some privacy settings) the token alone decides.
 */
export function sameOrigin(req: FastifyRequest, siteUrl?: string): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (origin === 'null') return false;
  try {
    const host = new URL(origin).host;
    return host === req.host || (!!siteUrl && host === new URL(siteUrl).host);
  } catch {
    return false;
  }
}

/** Whether the request reached us over HTTPS (directly, or through a proxy TRUST_PROXY believes): cookies get `Secure`. */
export function overHttps(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}
