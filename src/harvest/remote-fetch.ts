import { fetchBody, FetchRefused } from '../common/guarded-fetch';
import { FetchOptions, HarvestError, RemoteResponse } from './harvester';

export interface RemoteLimits {
  maxBytes: number;
  timeoutMs: number;
  allowPrivate: boolean;
  retries: number;
  retryDelayMs: number;
}

/** Refusals that no retry can change (address, scheme, size, redirects): only network failures and timeouts are retried. */
const isFinal = (err: FetchRefused): boolean => /Adresse|http- und https|Zugangsdaten|größer|Weiterleitungen|Kein gültiger Link|abgebrochen/.test(err.message);

const charsetOf = (contentType: string | null): BufferEncoding => {
  const m = /charset=["']?([\w-]+)/i.exec(contentType ?? '');
  const c = m?.[1].toLowerCase();
  return c === 'iso-8859-1' || c === 'latin1' || c === 'windows-1252' ? 'latin1' : 'utf8';
};

/** Seconds or an HTTP date, as Retry-After says; capped so a source cannot park a job. */
function retryAfterMs(header: string | undefined, fallback: number): number {
  if (!header) return fallback;
  const secs = Number(header);
  const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 60_000) : fallback;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * `run.fetch` of a harvest: guarded-fetch (http(s) only, private addresses refused unless allowed, bounded redirects,
 * size and time per request) plus retries with exponential back-off on network failures, timeouts, 5xx and 429
 * (Retry-After honoured). Statuses other than 2xx come back as responses; refusals throw HarvestError.
 */
export function remoteFetcher(limits: RemoteLimits, signal: AbortSignal): (url: string, options?: FetchOptions) => Promise<RemoteResponse> {
  return async (url, options = {}) => {
    const headers = { 'user-agent': 'offene-daten-harvester', accept: options.accept ?? '*/*', ...options.headers };
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw new HarvestError('The harvest job was aborted');
      const backoff = limits.retryDelayMs * 2 ** attempt;
      try {
        const got = await fetchBody(url, {
          maxBytes: limits.maxBytes, timeoutMs: limits.timeoutMs, allowPrivate: limits.allowPrivate, headers, anyStatus: true, signal,
          settings: { maxBytes: 'HARVEST_MAX_BYTES', timeout: 'HARVEST_TIMEOUT_MS' },
        });
        const status = got.status ?? 200;
        if ((status >= 500 || status === 429) && attempt < limits.retries) {
          await sleep(retryAfterMs(got.retryAfter, backoff), signal);
          continue;
        }
        const contentType = got.contentType ?? null;
        return { url: got.finalUrl, status, contentType, body: got.body, text: () => got.body.toString(charsetOf(contentType)) };
      } catch (err) {
        if (signal.aborted) throw new HarvestError('The harvest job was aborted');
        const refused = err instanceof FetchRefused ? err : new FetchRefused(String((err as Error)?.message ?? err));
        if (isFinal(refused) || attempt >= limits.retries) throw new HarvestError(`${url}: ${refused.message}`);
        await sleep(backoff, signal);
      }
    }
  };
}
