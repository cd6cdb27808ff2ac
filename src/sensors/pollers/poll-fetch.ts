import type { FetchLimits } from '../../common/guarded-fetch';
import type { AppConfig } from '../../config/env';
import { guardedFetchIfChanged, guardedFetchText, type FetchIfChanged, type FetchText } from '../ingest/http-fetch';

/** The largest answer a poller reads: a station list with time series, a DATEX II publication of a region. */
const MAX_POLL_BYTES = 50 * 1024 * 1024;

/**
 * How pollers fetch: the one guarded fetch (http(s) only; private addresses only where the loader may reach them,
 * LOADER_ALLOW_PRIVATE_ADDRESSES; the loader's time limit), with the credentials a source names sent as Basic auth.
 */
export function pollFetch(config: AppConfig, accept: string, credentials?: { username?: string; password?: string }): FetchText {
  return guardedFetchText(pollLimits(config, credentials), accept);
}

/** pollFetch for a document fetched again and again that rarely changes (a site table): conditional requests. */
export function pollFetchIfChanged(config: AppConfig, accept: string, credentials?: { username?: string; password?: string }): FetchIfChanged {
  return guardedFetchIfChanged(pollLimits(config, credentials), accept);
}

function pollLimits(config: AppConfig, credentials?: { username?: string; password?: string }): FetchLimits {
  const headers: Record<string, string> = {};
  if (credentials?.username) headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password ?? ''}`).toString('base64')}`;
  return {
    maxBytes: Math.min(MAX_POLL_BYTES, config.LOADER_MAX_BYTES),
    timeoutMs: config.LOADER_FETCH_TIMEOUT_SECONDS * 1000,
    allowPrivate: config.LOADER_ALLOW_PRIVATE_ADDRESSES,
    settings: { maxBytes: 'LOADER_MAX_BYTES', timeout: 'LOADER_FETCH_TIMEOUT_SECONDS' },
    headers,
  };
}
