import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ipaddr from 'ipaddr.js';

/**
 * Fetching a link someone outside gave us (a resource URL, a sensor source's endpoint) without letting it reach the
 * catalog's own network: http(s) only, every resolved address checked on the socket itself, size and time limits.
 * The DataStore loader and the sensor pollers both use it.
 */

/** A link that would not or could not be fetched; the message is for the steward (xloader_status, a source's last error). */
export class FetchRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FetchRefused';
  }
}

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  /** Also private, loopback and link-local addresses (LOADER_ALLOW_PRIVATE_ADDRESSES, say). */
  allowPrivate: boolean;
  /** The settings that set maxBytes and timeoutMs, named in the messages so a steward knows what to raise. */
  settings?: { maxBytes?: string; timeout?: string };
  /** Request headers (accept, user-agent); the user-agent defaults to the loader's. */
  headers?: Record<string, string>;
  /** Also answers other than 200 are read and returned with their status (a harvest decides itself what a 404 means). */
  anyStatus?: boolean;
  /** Stops the request early (a harvest job aborted); the message then says it was aborted. */
  signal?: AbortSignal;
}

const MAX_REDIRECTS = 5;

/**
 * Only addresses ipaddr.js calls plain `unicast` are public: private, loopback, link-local, carrier-grade NAT,
 * multicast, reserved, unique-local and the IPv6 forms that embed an IPv4 address (mapped, 6to4, Teredo, NAT64)
 * are refused, so a link can never reach the catalog's own network.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

const refusedAddress = (host: string, address: string): FetchRefused =>
  new FetchRefused(`Die Adresse ${host} (${address}) ist nicht öffentlich; solche Links werden nicht abgerufen.`);

/**
 * dns.lookup with every resolved address checked, used as the socket's own lookup: the address checked is the one
 * connected to (no second resolution an attacker's DNS could answer differently).
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const bad = allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
      if (bad) return callback(refusedAddress(hostname, bad.address), '', 0);
      if (!addresses.length) return callback(new FetchRefused(`${hostname} hat keine Adresse.`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * What a download brought: its size, the server's content type and the address it came from after redirects, and the
 * validators a conditional request can name next time (ETag, Last-Modified).
 */
export interface Downloaded {
  bytes: number;
  contentType: string | undefined;
  finalUrl: string;
  etag?: string;
  lastModified?: string;
  /** A conditional request (If-None-Match / If-Modified-Since among the headers) answered 304: no body. */
  notModified?: boolean;
  /** The HTTP status (200 unless `anyStatus`). */
  status?: number;
  /** The Retry-After header, as sent. */
  retryAfter?: string;
}

/**
 * Saves a link's body to `path`, over http(s) only, following up to five redirects (each checked again), within
 * the size and time limits; anything else throws FetchRefused with a message for the steward.
 */
export async function downloadTo(link: string, path: string, limits: FetchLimits): Promise<Downloaded> {
  return fetchInto(link, limits, () => createWriteStream(path)).then(({ downloaded }) => downloaded);
}

/** A link's body in memory, under the same guard and limits as downloadTo: for the small answers of an API a poller reads. */
export async function fetchBody(link: string, limits: FetchLimits): Promise<Downloaded & { body: Buffer }> {
  const chunks: Buffer[] = [];
  const collect = (): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    });
  const { downloaded } = await fetchInto(link, limits, collect);
  return { ...downloaded, body: Buffer.concat(chunks) };
}

async function fetchInto(link: string, limits: FetchLimits, sink: () => Writable): Promise<{ downloaded: Downloaded }> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const deadline = limits.signal ? AbortSignal.any([timeout, limits.signal]) : timeout;
  let url = parseLink(link);
  for (let hop = 0; ; hop++) {
    const res = await request(url, limits, deadline);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= MAX_REDIRECTS) throw new FetchRefused(`Mehr als ${MAX_REDIRECTS} Weiterleitungen beim Abruf von ${link}.`);
      url = parseLink(new URL(res.headers.location, url).toString());
      continue;
    }
    const conditional = Object.keys(limits.headers ?? {}).some((h) => /^if-(none-match|modified-since)$/i.test(h));
    if (status === 304 && conditional) {
      res.resume();
      return { downloaded: { bytes: 0, contentType: undefined, finalUrl: url.toString(), ...validators(res), notModified: true } };
    }
    if (status !== 200 && !limits.anyStatus) {
      res.resume();
      throw new FetchRefused(`Der Abruf von ${url.toString()} ergab HTTP ${status}.`);
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      res.destroy();
      throw new FetchRefused(tooLarge(limits));
    }
    let bytes = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        done(bytes > limits.maxBytes ? new FetchRefused(tooLarge(limits)) : null, chunk);
      },
    });
    try {
      await pipeline(res, count, sink(), { signal: deadline });
    } catch (err) {
      throw deadline.aborted ? stopped(limits) : err;
    }
    const retryAfter = typeof res.headers['retry-after'] === 'string' ? { retryAfter: res.headers['retry-after'] } : {};
    return { downloaded: { bytes, contentType: res.headers['content-type'], finalUrl: url.toString(), ...validators(res), status, ...retryAfter } };
  }
}

const validators = (res: http.IncomingMessage): { etag?: string; lastModified?: string } => ({
  ...(typeof res.headers.etag === 'string' ? { etag: res.headers.etag } : {}),
  ...(typeof res.headers['last-modified'] === 'string' ? { lastModified: res.headers['last-modified'] } : {}),
});

const named = (setting: string | undefined): string => (setting ? ` (${setting})` : '');
const tooLarge = (limits: FetchLimits): string => `Die Datei ist größer als die erlaubten ${limits.maxBytes} Bytes${named(limits.settings?.maxBytes)}.`;
const stopped = (limits: FetchLimits): FetchRefused => (limits.signal?.aborted ? new FetchRefused('Der Abruf wurde abgebrochen.') : timedOut(limits));
// Below a second in milliseconds: a 300 ms limit rounded to seconds read "länger als 0 s".
const duration = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);
const timedOut = (limits: FetchLimits): FetchRefused =>
  new FetchRefused(`Der Abruf dauerte länger als ${duration(limits.timeoutMs)}${named(limits.settings?.timeout)}.`);

function parseLink(link: string): URL {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new FetchRefused(`Kein gültiger Link: ${link}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchRefused(`Nur http- und https-Links werden geladen, nicht ${url.protocol}`);
  if (url.username || url.password) throw new FetchRefused('Links mit Zugangsdaten werden nicht abgerufen.');
  return url;
}

function request(url: URL, limits: FetchLimits, signal: AbortSignal): Promise<http.IncomingMessage> {
  // A literal address never reaches the lookup: it is checked here.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !limits.allowPrivate && !isPublicAddress(host)) return Promise.reject(refusedAddress(host, host));
  const get = url.protocol === 'https:' ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const headers = { 'user-agent': 'offene-daten-loader', accept: '*/*', ...limits.headers };
    // agent: false, a fresh socket each time: a pooled keep-alive socket would skip the lookup, so one opened under
    // allowPrivate could carry a later request that must not reach a private address.
    const req = get(url, { agent: false, lookup: guardedLookup(limits.allowPrivate), signal, headers }, resolve);
    req.on('error', (err) => reject(signal.aborted ? stopped(limits) : err instanceof FetchRefused ? err : new FetchRefused(`Der Abruf von ${url.toString()} schlug fehl: ${err.message}`)));
  });
}
