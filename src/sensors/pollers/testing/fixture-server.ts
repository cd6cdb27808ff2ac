import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * Test set-up, not used by the service: a local HTTP server that replays recorded fixtures (PEGELONLINE, DATEX II),
 * so poller tests run the real fetch and never the internet. Routes answer by path; every request is recorded.
 */
export const SENSOR_FIXTURES = join(__dirname, '../../../../test/fixtures/sensors');

export const fixtureText = (path: string): string => readFileSync(join(SENSOR_FIXTURES, path), 'utf8');

export interface Answer {
  status?: number;
  type?: string;
  body: string;
  /** Sent as the ETag; a request naming it in If-None-Match is answered 304 without a body. */
  etag?: string;
}

export type Route = (url: URL) => Answer | undefined;

export interface FixtureServer {
  base: string;
  /** Every request's path and query, in order. */
  requests: URL[];
  /** The status each request was answered with, in the same order. */
  statuses: number[];
  /** Routes tried first (a failure to inject, another body for one path), removed with `clear`. */
  override(route: Route): void;
  clear(): void;
  close(): Promise<void>;
}

export async function startFixtureServer(route: Route): Promise<FixtureServer> {
  const requests: URL[] = [];
  const statuses: number[] = [];
  const overrides: Route[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixtures.test');
    requests.push(url);
    let answer: Answer | undefined;
    for (const r of overrides) if ((answer = r(url))) break;
    answer ??= route(url);
    if (!answer) answer = { status: 404, body: '{"message":"not found"}' };
    if (answer.etag && req.headers['if-none-match'] === answer.etag) {
      statuses.push(304);
      res.writeHead(304, { etag: answer.etag });
      res.end();
      return;
    }
    statuses.push(answer.status ?? 200);
    res.writeHead(answer.status ?? 200, { 'content-type': answer.type ?? 'application/json; charset=utf-8', ...(answer.etag ? { etag: answer.etag } : {}) });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    statuses,
    override: (r) => void overrides.push(r),
    clear: () => void overrides.splice(0),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface FixtureStation {
  uuid: string;
  number: string;
  shortname: string;
  longname: string;
  water: { shortname: string };
  timeseries?: { shortname: string }[];
}

/**
 * PEGELONLINE REST API v2 under `prefix`, from test/fixtures/sensors/pegelonline: `stations.json` filtered by `ids`
 * (uuid, number or name) and `waters`, and each series' measurements from `start` on (the recorded file for its
 * station, or what `measurements` gives; none otherwise). `stations` limits which stations this service has.
 */
export function pegelonlineRoutes(prefix: string, opts: { stations?: string[]; measurements?: (shortname: string, ts: string) => string | undefined } = {}): Route {
  const all = (JSON.parse(fixtureText('pegelonline/stations.json')) as FixtureStation[]).filter((s) => !opts.stations || opts.stations.includes(s.shortname));
  return (url) => {
    if (!url.pathname.startsWith(prefix)) return undefined;
    const path = url.pathname.slice(prefix.length);
    if (path === '/stations.json') {
      const ids = url.searchParams.get('ids')?.split(',');
      const waters = url.searchParams.get('waters')?.split(',');
      let list = all.filter((s) => (!ids || ids.some((id) => [s.uuid, s.number, s.shortname, s.longname].includes(id))) && (!waters || waters.includes(s.water.shortname)));
      if (url.searchParams.get('includeTimeseries') !== 'true') list = list.map(({ timeseries: _ts, ...rest }) => rest);
      return { body: JSON.stringify(list) };
    }
    const m = /^\/stations\/([^/]+)\/([^/]+)\/measurements\.json$/.exec(path);
    if (!m) return undefined;
    const id = decodeURIComponent(m[1]);
    const station = all.find((s) => [s.uuid, s.number, s.shortname].includes(id));
    if (!station) return { status: 404, body: '{"status":404,"message":"Station not found"}' };
    const ts = decodeURIComponent(m[2]);
    let body = opts.measurements?.(station.shortname, ts);
    if (body === undefined) {
      try {
        body = fixtureText(`pegelonline/stations/${station.shortname}/${ts}/measurements.json`);
      } catch {
        body = '[]';
      }
    }
    const start = url.searchParams.get('start');
    const from = start && !start.startsWith('P') ? Date.parse(start) : NaN;
    const parsed: unknown = (() => {
      try {
        return JSON.parse(body);
      } catch {
        return undefined;
      }
    })();
    // A measurements array is answered from `start` on, as PEGELONLINE does; anything else (a broken body) as recorded.
    if (Array.isArray(parsed) && Number.isFinite(from)) body = JSON.stringify(parsed.filter((r: { timestamp: string }) => Date.parse(r.timestamp) >= from));
    return { body };
  };
}
