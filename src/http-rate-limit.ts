import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { helpUrl, rateLimitedBody } from './api/ckan-envelope';
import type { Authenticator } from './auth/authenticator';
import type { Logger } from './common/logger';
import { AddressList, addressKey } from './common/address-list';
import type { AppConfig } from './config/env';

const JSON_TYPE = 'application/json;charset=utf-8';
const ACTION = /^\/+api\/+(?:3\/+)?action\/+([^/?#]*)/;
/** Never limited: CKAN's health check, which load balancers and monitors poll. */
const EXEMPT_ACTIONS = new Set(['status_show']);
/** Keys the in-memory store holds; when full, the one not seen longest is forgotten (its count starts again). */
const STORE_KEYS = 50_000;

/** Whose budget a request spends: its valid API token's, else its address's. */
interface Budget {
  key: string;
  max: number;
  what: string;
}

/**
 * Request rate limits with @fastify/rate-limit's counting and in-memory store (per process): a request with a valid
 * API token spends that token's budget (RATE_LIMIT_TOKEN), wherever it comes from; any other spends its address's
 * (RATE_LIMIT_ANONYMOUS; IPv6 by /64). Sysadmins' tokens, RATE_LIMIT_EXEMPT_ADDRESSES and status_show are never
 * limited; 0 turns a limit off. Over the limit: 429 with Retry-After, in CKAN's envelope on the action API and as
 * `{error: {code, message}}` elsewhere. Runs first on every request (onRequest), before any body is read.
 */
export async function installRateLimit(fastify: FastifyInstance, config: AppConfig, authenticator: Authenticator, log: Logger): Promise<void> {
  const anonymous = config.RATE_LIMIT_ANONYMOUS;
  const perToken = config.RATE_LIMIT_TOKEN;
  if (anonymous === 0 && perToken === 0) return;
  const windowSeconds = config.RATE_LIMIT_WINDOW_SECONDS;
  const exempt = new AddressList(config.RATE_LIMIT_EXEMPT_ADDRESSES);
  const budgets = new WeakMap<FastifyRequest, Budget>();

  await fastify.register(rateLimit, {
    global: false,
    cache: STORE_KEYS,
    timeWindow: windowSeconds * 1000,
    keyGenerator: (req) => budgets.get(req)!.key,
    max: (req) => budgets.get(req)!.max,
  });
  const limiter = fastify.createRateLimit();

  const budgetOf = async (req: FastifyRequest): Promise<Budget | undefined> => {
    let identity = null;
    try {
      identity = await authenticator.identify(req.headers);
    } catch (err) {
      // The database is away: the route will say so; here the request counts as its address's.
      log.warn({ err, reqId: req.id }, 'could not look up the API token for the rate limit');
    }
    if (identity?.caller.sysadmin) return undefined;
    if (identity) return perToken ? { key: `token:${identity.tokenId}`, max: perToken, what: 'this API token' } : undefined;
    return anonymous ? { key: `address:${addressKey(req.ip)}`, max: anonymous, what: 'this address' } : undefined;
  };

  fastify.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (reply.sent) return;
    const action = ACTION.exec(req.url)?.[1];
    if ((action !== undefined && EXEMPT_ACTIONS.has(action)) || exempt.has(req.ip)) return;
    const budget = await budgetOf(req);
    if (!budget) return;
    budgets.set(req, budget);
    const r = await limiter(req);
    if (r.isAllowed) return;
    void reply.headers({ 'x-ratelimit-limit': r.max, 'x-ratelimit-remaining': r.remaining, 'x-ratelimit-reset': r.ttlInSeconds });
    if (!r.isExceeded) return;
    const message = `Too many requests from ${budget.what}: at most ${r.max} per ${windowSeconds} seconds; try again in ${r.ttlInSeconds} seconds`;
    const body = action !== undefined ? rateLimitedBody(helpUrl(config.SITE_URL, decodeName(action)), message) : { error: { code: 429, message } };
    await reply.code(429).headers({ 'retry-after': r.ttlInSeconds, 'content-type': JSON_TYPE }).send(JSON.stringify(body));
    return reply;
  });
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
