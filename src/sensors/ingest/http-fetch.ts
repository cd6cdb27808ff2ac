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

/** Validators of an earlier answer, for a conditional request. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

/** A conditional fetch's answer: unchanged since the validators named (304), or the body with its validators. */
export type ConditionalAnswer = { notModified: true } | ({ notModified: false; body: string } & Validators);

/** A fetch that names the validators of the copy it holds, so an unchanged document costs a 304 and no body. */
export type FetchIfChanged = (url: string, since?: Validators) => Promise<ConditionalAnswer>;

/** The guarded fetch as a FetchIfChanged (If-None-Match / If-Modified-Since from `since`). */
export function guardedFetchIfChanged(limits: FetchLimits, accept = 'application/json'): FetchIfChanged {
  return async (url, since) => {
    const conditional: Record<string, string> = {};
    if (since?.etag) conditional['if-none-match'] = since.etag;
    if (since?.lastModified) conditional['if-modified-since'] = since.lastModified;
    const got = await fetchBody(url, { ...limits, headers: { accept, 'user-agent': 'offene-daten-sensoren', ...limits.headers, ...conditional } });
    if (got.notModified) return { notModified: true };
    return { notModified: false, body: got.body.toString('utf8'), ...(got.etag ? { etag: got.etag } : {}), ...(got.lastModified ? { lastModified: got.lastModified } : {}) };
  };
}
