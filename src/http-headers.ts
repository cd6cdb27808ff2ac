import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The request headers that carry a caller's token; an answer to a request with one may differ per caller. */
const TOKEN_HEADERS = ['authorization', 'x-ckan-api-key'] as const;
const VARY_BY_TOKEN = ['Authorization', 'X-CKAN-API-Key'];

/** CKAN's set_cors_headers_for_response values (we take the token in both headers CKAN has used). */
const CORS_METHODS = 'POST, PUT, GET, DELETE, OPTIONS';
const CORS_HEADERS = 'X-CKAN-API-KEY, Authorization, Content-Type';

/**
 * Query parameters whose values are secrets, compared without case, `-` or `_`. Tokens in the
 * query string are ignored (only headers authenticate) but must not reach the access log either.
 */
const SECRET_PARAMS = new Set([
  'apikey', 'apitoken', 'token', 'accesstoken', 'authtoken', 'refreshtoken', 'idtoken', 'authorization', 'xckanapikey',
  'password', 'passwd', 'secret', 'clientsecret', 'jwt', 'sessionid', 'signature', 'sig',
]);

const paramName = (raw: string): string => {
  let name = raw;
  try {
    name = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: compare the raw text.
  }
  return name.toLowerCase().replace(/[-_\s]/g, '');
};

/** The URL with the values of secret query parameters replaced by `[REDACTED]`; everything else as sent. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url.slice(q + 1).split('&').map((part) => {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    return SECRET_PARAMS.has(paramName(name)) ? `${name}=[REDACTED]` : part;
  });
  return `${url.slice(0, q + 1)}${parts.join('&')}`;
}

/**
 * `CORS_ORIGINS` as CKAN's two settings: unset → no CORS headers (CKAN's default); `*` →
 * ckan.cors.origin_allow_all; a list of origins (comma or space separated) → ckan.cors.origin_whitelist.
 */
export type CorsPolicy = { kind: 'none' } | { kind: 'all' } | { kind: 'list'; origins: Set<string> };

export function corsPolicy(setting: string | undefined): CorsPolicy {
  const entries = (setting ?? '').split(/[\s,]+/).filter(Boolean);
  if (!entries.length) return { kind: 'none' };
  if (entries.includes('*')) return { kind: 'all' };
  return { kind: 'list', origins: new Set(entries) };
}

/** Adds names to the Vary header, keeping what the route set (DCAT's `Accept`). */
function addVary(reply: FastifyReply, names: string[]): void {
  const current = reply.getHeader('vary');
  const have = (Array.isArray(current) ? current.join(',') : String(current ?? '')).split(',').map((s) => s.trim()).filter(Boolean);
  const lower = new Set(have.map((s) => s.toLowerCase()));
  for (const n of names) if (!lower.has(n.toLowerCase())) have.push(n);
  void reply.header('vary', have.join(', '));
}

const hasToken = (req: FastifyRequest): boolean => TOKEN_HEADERS.some((h) => typeof req.headers[h] === 'string' && req.headers[h] !== '');

/**
 * Headers every answer gets, and CORS preflights:
 * - `X-Content-Type-Options: nosniff` everywhere, so no answer is ever read as another type.
 * - `Vary: Authorization, X-CKAN-API-Key` everywhere: the same URL can answer differently per token
 *   (private datasets, user_show, 403s), so no cache may hand one caller's answer to another.
 * - `Cache-Control: private` on answers to requests that carry a token, unless the route chose its
 *   own (downloads do): CKAN marks answers to logged-in users private the same way.
 * - CORS as CKAN's set_cors_headers_for_response: allow-origin, methods and headers on every answer to
 *   an allowed Origin; OPTIONS under /api (Flask answers it for every route) and any preflight from an
 *   allowed origin answer 200 with an empty body.
 */
export class ResponseHeaders {
  private readonly cors: CorsPolicy;

  constructor(corsSetting: string | undefined) {
    this.cors = corsPolicy(corsSetting);
  }

  private allowedOrigin(req: FastifyRequest): string | undefined {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !origin || this.cors.kind === 'none') return undefined;
    if (this.cors.kind === 'all') return '*';
    return this.cors.origins.has(origin) ? origin : undefined;
  }

  /** Sets the headers on an answer about to be sent (also answers Fastify writes outside any route). */
  apply(req: FastifyRequest, reply: FastifyReply): void {
    void reply.header('x-request-id', req.id);
    void reply.header('x-content-type-options', 'nosniff');
    addVary(reply, VARY_BY_TOKEN);
    if (hasToken(req) && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'private');
    if (this.cors.kind === 'list') addVary(reply, ['Origin']);
    const origin = this.allowedOrigin(req);
    if (origin !== undefined) {
      void reply.header('access-control-allow-origin', origin);
      void reply.header('access-control-allow-methods', CORS_METHODS);
      void reply.header('access-control-allow-headers', CORS_HEADERS);
    }
  }

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', async (req, reply) => {
      if (req.method !== 'OPTIONS') return;
      const preflight = typeof req.headers['access-control-request-method'] === 'string' && this.allowedOrigin(req) !== undefined;
      if (!preflight && !/^\/+api(\/|$)/.test(req.url)) return;
      await reply.code(200).header('allow', 'GET, HEAD, OPTIONS, POST').send('');
    });
    fastify.addHook('onSend', async (req, reply) => this.apply(req, reply));
  }
}
