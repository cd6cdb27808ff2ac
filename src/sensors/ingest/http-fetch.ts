import { fetchBody, type FetchLimits } from '../../common/guarded-fetch';

/**
 * How a poller fetches: injected, so tests replay fixtures through a local server or a function, and production
 * goes through the one guarded fetch (http(s) only, size and time limits, private addresses refused unless the
 * source is allowed them) that the DataStore loader uses too.
 */
export type FetchText = (url: string) => Promise<string>;

/** The guarded fetch as a FetchText; the body is read as UTF-8 (PEGELONLINE and DATEX II answer in UTF-8). */
export function guardedFetchText(limits: FetchLimits, accept = 'application/json'): FetchText {
  return async (url) => {
    const got = await fetchBody(url, { ...limits, headers: { accept, 'user-agent': 'offene-daten-sensoren', ...limits.headers } });
    return got.body.toString('utf8');
  };
}
