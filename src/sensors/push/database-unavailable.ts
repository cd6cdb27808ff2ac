/**
 * Whether an error means the database cannot be reached right now (so a push answers 503 with Retry-After and the
 * sender retries), rather than that the request was wrong: no connection, a connection cut by a restart or an
 * administrator, a database not accepting connections, the pool waiting in vain for a connection.
 */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown (terminated by an administrator, a restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections
  '3D000', // the database is gone (being restored)
]);
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
// 55000 (object_not_in_prerequisite_state) says more than this, so the database's refusal is known by its message.
const MESSAGES = [/is not currently accepting connections/i, /Connection terminated/i, /timeout exceeded when trying to connect/i, /Client has encountered a connection error/i, /Connection ended unexpectedly/i, /not queryable/i];

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const x = e as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof x.code === 'string' && (x.code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(x.code) || NODE_CODES.has(x.code))) return true;
    if (typeof x.message === 'string' && MESSAGES.some((m) => m.test(x.message as string))) return true;
    e = x.driverError ?? x.cause;
  }
  return false;
}
