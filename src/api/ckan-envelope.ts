import type { Logger } from '../common/logger';
import { CkanError, TooManyRequests } from './errors';

export interface EnvelopeResponse {
  status: number;
  body: unknown;
  /** Headers the answer must carry besides the content type (Retry-After). */
  headers?: Record<string, string>;
}

/** The envelope of a 429: the action routes' rate limit and the password-check limit answer alike. */
export function rateLimitedBody(help: string, message: string): unknown {
  return { help, success: false, error: { __type: 'Rate Limit Error', message } };
}

/** The `help` URL of an action's answers: CKAN's help_show link for it. */
export const helpUrl = (siteUrl: string, action: string): string => `${siteUrl}/api/3/action/help_show?name=${encodeURIComponent(action)}`;

/** The bytes a success envelope starts with, up to its result (which follows, then `}`). */
export const successPrefix = (help: string): string => `{"help":${JSON.stringify(help)},"success":true,"result":`;

/** `{help, success: true, result}` */
export function successBody(help: string, result: unknown): unknown {
  return { help, success: true, result };
}

/**
 * Maps a thrown error to CKAN's status and body (ckan/views/api.py). The switch is exhaustive over
 * CkanError kinds: adding a kind without mapping it does not compile.
 */
export function errorResponse(err: unknown, help: string, log: Logger): EnvelopeResponse {
  if (!(err instanceof CkanError)) {
    log.error({ err }, 'action failed with an unexpected error');
    return { status: 500, body: { help, success: false, error: { __type: 'Internal Server Error', message: 'Internal Server Error' } } };
  }
  const fail = (status: number, error: Record<string, unknown>): EnvelopeResponse => ({ status, body: { help, success: false, error } });
  switch (err.kind) {
    case 'not_found':
      return fail(404, { __type: 'Not Found Error', message: err.message ? `Not found: ${err.message}` : 'Not found' });
    case 'not_authorized':
      return fail(403, { __type: 'Authorization Error', message: err.message ? `Access denied: ${err.message}` : 'Access denied' });
    case 'validation':
      return fail(409, { ...(err as CkanError & { fields: Record<string, unknown> }).fields, __type: 'Validation Error' });
    case 'data':
      return fail(400, { __type: 'Integrity Error', message: err.message, data: (err as CkanError & { data?: unknown }).data ?? null });
    case 'search_query':
      return fail(400, { __type: 'Search Query Error', message: `Search Query is invalid: ${err.message}` });
    case 'search':
      return fail(409, { __type: 'Search Error', message: `Search error: ${err.message}` });
    case 'rate_limited': {
      const retryAfter = String((err as TooManyRequests).retryAfterSeconds);
      return { status: 429, body: rateLimitedBody(help, err.message), headers: { 'retry-after': retryAfter } };
    }
    case 'bad_request':
      // CKAN answers these with a bare JSON string, no envelope.
      return { status: 400, body: `Bad request - ${err.message}` };
    default: {
      const unmapped: never = err.kind;
      throw new Error(`unmapped error kind ${String(unmapped)}`);
    }
  }
}
