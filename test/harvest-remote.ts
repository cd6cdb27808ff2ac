import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { extname, join } from 'node:path';

/**
 * A remote site for the harvest tests: a node:http server on 127.0.0.1 (a free port) that answers scripted routes —
 * recorded CKAN and DCAT-AP.de responses (test/fixtures/harvest/) and the ways real portals misbehave (never
 * answering, slow, 5xx, 429 with Retry-After, truncated bodies, redirect loops, redirects to private addresses or
 * other schemes, endless bodies, failing a few times first). No test touches the network; every harvester test talks
 * to one of these.
 *
 * ```ts
 * const site = await RemoteSite.start({
 *   '/api/3/action/package_search?start=0': reply.fixture('ckan/package_search.page1.json'),
 *   '/api/3/action/package_search': reply.fixture('ckan/package_search.empty.json'),
 *   '/hangs': reply.neverAnswers(),
 * });
 * // … harvest site.url …
 * expect(site.requests.map((r) => r.query.start)).toEqual(['0', '100']);
 * await site.close();   // ends hanging requests too
 * ```
 *
 * Routes are tried in the order they were added; the first that matches answers. A route is a path (matched against
 * the pathname exactly; with `?a=1&b=2` every listed query parameter must also be equal, others are ignored) or a
 * predicate. Unmatched requests get a 404.
 */

/** One request the site received, for assertions. */
export interface ReceivedRequest {
  method: string;
  /** Pathname. */
  path: string;
  /** Pathname and query string, as sent. */
  url: string;
  /** Query parameters (the last value of a repeated one). */
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
  /** When the request arrived. */
  at: Date;
}

/** What the site does with one request: write to `res` (or, on purpose, never). */
export type Reply = (exchange: Exchange) => void | Promise<void>;

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  request: ReceivedRequest;
  site: RemoteSite;
}

export type RouteMatch = string | ((request: ReceivedRequest) => boolean);

const FIXTURES = join(__dirname, 'fixtures', 'harvest');

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json;charset=utf-8',
  '.ttl': 'text/turtle;charset=utf-8',
  '.rdf': 'application/rdf+xml;charset=utf-8',
  '.xml': 'application/rdf+xml;charset=utf-8',
  '.jsonld': 'application/ld+json;charset=utf-8',
  '.nt': 'application/n-triples;charset=utf-8',
  '.html': 'text/html;charset=utf-8',
};

/** Replies: building blocks for routes. Each keeps its own count of requests answered (for `sequence`, `flaky`). */
export const reply = {
  /** A fixed body. `body` may depend on the site (its URL is known only once it listens). */
  body(body: string | Buffer | ((site: RemoteSite) => string | Buffer), contentType: string, status = 200, headers: Record<string, string> = {}): Reply {
    return ({ res, site }) => {
      const bytes = typeof body === 'function' ? body(site) : body;
      res.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(bytes)), ...headers });
      res.end(bytes);
    };
  },

  json(value: unknown, status = 200, headers: Record<string, string> = {}): Reply {
    return reply.body(JSON.stringify(value), 'application/json;charset=utf-8', status, headers);
  },

  /**
   * A recorded response from test/fixtures/harvest/ (content type from the extension unless given). `rebase`: a URL
   * prefix written in the file (say `https://daten.rhein-pfalz-kreis.de/catalog`) whose origin is replaced by this
   * site's when served (`http://127.0.0.1:PORT/catalog…`), so hydra paging links lead back here while dataset IRIs
   * stay as recorded.
   */
  fixture(name: string, opts: { contentType?: string; rebase?: string; status?: number } = {}): Reply {
    const text = readFixture(name);
    const contentType = opts.contentType ?? CONTENT_TYPES[extname(name)] ?? 'application/octet-stream';
    const rebase = opts.rebase;
    const served = (site: RemoteSite): string => (rebase ? text.split(rebase).join(site.url + new URL(rebase).pathname.replace(/\/$/, '')) : text);
    return reply.body(served, contentType, opts.status ?? 200);
  },

  /** Accepts the connection, reads the request, and never sends a byte back. `close()` still ends it. */
  neverAnswers(): Reply {
    return () => undefined;
  },

  /** Waits `ms` before answering with `then` (default: an empty JSON object). */
  slow(ms: number, then: Reply = reply.json({})): Reply {
    return (x) => x.site.after(ms, () => then(x));
  },

  /**
   * Sends the headers at once, then the body in `chunkBytes` pieces, one every `everyMs`: a server that answers but
   * whose body never seems to end (a per-request timeout must cover reading the body, not only the headers).
   */
  drip(body: string, opts: { contentType?: string; chunkBytes?: number; everyMs?: number } = {}): Reply {
    const bytes = Buffer.from(body);
    const chunk = opts.chunkBytes ?? 16;
    return ({ res, site }) => {
      res.writeHead(200, { 'content-type': opts.contentType ?? 'application/json;charset=utf-8', 'content-length': String(bytes.length) });
      let at = 0;
      const next = (): void => {
        if (res.destroyed) return;
        res.write(bytes.subarray(at, at + chunk));
        at += chunk;
        if (at >= bytes.length) res.end();
        else site.after(opts.everyMs ?? 200, next);
      };
      next();
    };
  },

  /**
   * An error status. 429 and 503 send `Retry-After` when `retryAfter` is given (seconds, or an HTTP date). The body
   * is CKAN's error envelope for 404/403/409, a plain text page otherwise, unless given.
   */
  status(code: number, opts: { retryAfter?: number | string; body?: string; contentType?: string } = {}): Reply {
    const headers: Record<string, string> = opts.retryAfter === undefined ? {} : { 'retry-after': String(opts.retryAfter) };
    if (opts.body !== undefined) return reply.body(opts.body, opts.contentType ?? 'text/plain;charset=utf-8', code, headers);
    const ckanType: Record<number, string> = { 403: 'Authorization Error', 404: 'Not Found Error', 409: 'Validation Error' };
    if (ckanType[code]) {
      return reply.json({ help: 'http://remote/api/3/action/help_show', success: false, error: { __type: ckanType[code], message: ckanType[code] === 'Not Found Error' ? 'Not found' : 'Access denied' } }, code, headers);
    }
    return reply.body(`${code} ${STATUS_TEXT[code] ?? 'Error'}\n`, 'text/plain;charset=utf-8', code, headers);
  },

  /**
   * A 200 whose body is broken: `json` a package_search answer cut off mid-record, `turtle` a DCAT page with a
   * statement that never ends, `rdfxml` a mismatched closing tag and then cut off, `jsonld` JSON-LD cut off. Content types are the right ones.
   */
  malformed(kind: 'json' | 'turtle' | 'rdfxml' | 'jsonld' = 'json'): Reply {
    return reply.body(MALFORMED[kind].body, MALFORMED[kind].contentType);
  },

  /** Redirects to `location` (absolute or relative; any scheme: `file:///etc/passwd`, `ftp://…`, `http://10.0.0.1/`). */
  redirectTo(location: string | ((site: RemoteSite) => string), status = 302): Reply {
    return ({ res, site }) => {
      res.writeHead(status, { location: typeof location === 'function' ? location(site) : location, 'content-length': '0' });
      res.end();
    };
  },

  /** Redirects for ever: each answer points to the same path with `hop` one higher. */
  redirectLoop(status = 302): Reply {
    return ({ res, request }) => {
      const hop = Number(request.query.hop ?? 0) + 1;
      res.writeHead(status, { location: `${request.path}?hop=${hop}`, 'content-length': '0' });
      res.end();
    };
  },

  /**
   * Streams `bytes` bytes (a JSON-looking body of spaces after an opening brace), in 64 KiB pieces as fast as the
   * client reads, and stops when the client hangs up. `declareLength`: send Content-Length up front (a client may
   * refuse before reading); else chunked, so the client must count what it reads.
   */
  oversize(bytes: number, opts: { declareLength?: boolean; contentType?: string } = {}): Reply {
    return ({ res }) => {
      res.writeHead(200, { 'content-type': opts.contentType ?? 'application/json;charset=utf-8', ...(opts.declareLength ? { 'content-length': String(bytes) } : {}) });
      const piece = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (!res.destroyed && sent < bytes) {
          const part = sent === 0 ? Buffer.concat([Buffer.from('{"result":"'), piece]).subarray(0, Math.min(piece.length, bytes)) : piece.subarray(0, Math.min(piece.length, bytes - sent));
          sent += part.length;
          if (!res.write(part)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      pump();
    };
  },

  /** The nth request gets the nth reply; the last one answers every request after. */
  sequence(...replies: Reply[]): Reply {
    if (replies.length === 0) throw new Error('sequence() needs at least one reply');
    let n = 0;
    return (x) => replies[Math.min(n++, replies.length - 1)](x);
  },

  /** Fails `times` times (default: 503) before answering with `then`. */
  flaky(times: number, then: Reply, fail: Reply = reply.status(503)): Reply {
    return reply.sequence(...Array.from({ length: times }, () => fail), then);
  },
};

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

const MALFORMED: Record<'json' | 'turtle' | 'rdfxml' | 'jsonld', { body: string; contentType: string }> = {
  json: {
    contentType: 'application/json;charset=utf-8',
    body: '{"help": "https://opendata.speyer.de/api/3/action/help_show?name=package_search", "success": true, "result": {"count": 2, "sort": "id asc", "results": [{"id": "6f1c2a8e-0b1d-4a51-9c1e-7d9f0e2b3a41", "name": "haushaltsplan-2024", "title": "Haushaltsp',
  },
  turtle: {
    contentType: 'text/turtle;charset=utf-8',
    body:
      '@prefix dcat: <http://www.w3.org/ns/dcat#> .\n@prefix dcterms: <http://purl.org/dc/terms/> .\n\n' +
      '<https://opendata.speyer.de/dataset/haushaltsplan-2024> a dcat:Dataset ;\n    dcterms:title "Haushaltsplan 2024"@de ;\n' +
      '    dcterms:description "Der Haushaltsplan der Stadt Speyer\n    dcat:keyword "Finanzen" ,\n',
  },
  rdfxml: {
    contentType: 'application/rdf+xml;charset=utf-8',
    body:
      '<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">\n' +
      '  <dcat:Catalog rdf:about="https://www.meissen.de/opendata/catalog">\n    <dcat:dataset>\n      <dcat:Dataset rdf:about="https://www.meissen.de/opendata/dataset/badestellen">\n        <dct:title>Badestellen</dct:description>\n        <dct:description>Wasserqualit\u00e4t',
  },
  jsonld: {
    contentType: 'application/ld+json;charset=utf-8',
    body: '{"@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/"}, "@graph": [{"@id": "https://opendata.speyer.de/dataset/haushaltsplan-2024", "@type": "dcat:Dataset", "dct:title": "Haush',
  },
};

/**
 * The recorded CKAN 2.10 portal (test/fixtures/harvest/ckan/) as routes: `status_show`, `package_show?id=baumkataster`
 * and `package_search`: a query with a `metadata_modified` range in `fq` gets the incremental answer (dataset B
 * changed); otherwise the datasets from `start` on, at most `rows` (10 when absent, as CKAN) and at most 3 (the
 * portal's `ckan.search.rows_max`, at which the pages were recorded), an empty page past the end. A client that moves
 * `start` by what came, as ckanext-harvest does, thus reads 3, then 2, then none, whatever `rows` it asks.
 * `state`: the portal before, or after B changed and D was deleted.
 */
export function ckanPortal(state: 'initial' | 'after-changes' = 'initial'): Record<string, Reply> {
  const pages = state === 'initial' ? ['package_search.page1.json', 'package_search.page2.json'] : ['package_search.after-changes.page1.json', 'package_search.after-changes.page2.json'];
  type Recorded = { help: string; result: Record<string, unknown> & { results: unknown[] } };
  const read = (p: string): Recorded => JSON.parse(readFixture(`ckan/${p}`)) as Recorded;
  const recorded = pages.map(read);
  const listing = { envelope: recorded[0], all: recorded.flatMap((p) => p.result.results) };
  const changed = read('package_search.modified-since.json');
  const modifiedSince = { envelope: changed, all: changed.result.results };
  const search: Reply = (x) => {
    const q = { ...x.request.query, ...parseBody(x.request.body) };
    const { envelope, all } = /metadata_modified:\[/.test(String(q.fq ?? '')) ? modifiedSince : listing;
    const rows = Math.min(Number(q.rows ?? 10) || 10, CKAN_ROWS_MAX);
    const start = Math.max(0, Number(q.start ?? 0) || 0);
    return reply.json({ ...envelope, success: true, result: { ...envelope.result, results: all.slice(start, start + rows) } })(x);
  };
  return {
    '/api/3/action/status_show': reply.fixture('ckan/status_show.json'),
    '/api/3/action/package_show?id=baumkataster': reply.fixture('ckan/package_show.baumkataster.json'),
    '/api/3/action/package_show?id=2c9d4e18-6a73-4f5b-8e21-0b4c7d9f1e62': reply.fixture('ckan/package_show.baumkataster.json'),
    '/api/3/action/package_search': search,
  };
}

/** The recorded portal's `ckan.search.rows_max`. */
const CKAN_ROWS_MAX = 3;

/**
 * The recorded DCAT-AP.de endpoints (test/fixtures/harvest/dcat/) as routes: `/catalog.ttl` (3.0, Rhein-Pfalz-Kreis,
 * `?page=1` or none, and `?page=2`, hydra links rebased onto the site) and `/catalog.rdf` (2.0, Meißen, one page).
 */
export function dcatPortal(): Record<string, Reply> {
  const rebase = 'https://daten.rhein-pfalz-kreis.de/catalog';
  return {
    '/catalog.ttl?page=2': reply.fixture('dcat/dcat-ap-de-3.page2.ttl', { rebase }),
    '/catalog.ttl': reply.fixture('dcat/dcat-ap-de-3.page1.ttl', { rebase }),
    '/catalog.rdf': reply.fixture('dcat/dcat-ap-de-2.catalog.rdf'),
  };
}

function parseBody(body: string): Record<string, unknown> {
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The text of a recorded response in test/fixtures/harvest/ (`ckan/package_search.page1.json`, say). */
export function readFixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export class RemoteSite {
  /** Every request received, in order of arrival (recorded once its body was read). */
  readonly requests: ReceivedRequest[] = [];
  private readonly routes: { match: RouteMatch; reply: Reply }[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  private constructor(private readonly server: Server, readonly url: string) {}

  /** Starts a site on 127.0.0.1 and a free port, with the given routes (more can be added with `route`). */
  static async start(routes: Record<string, Reply> = {}): Promise<RemoteSite> {
    const server = createServer();
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => ok());
    });
    const { port } = server.address() as { port: number };
    const site = new RemoteSite(server, `http://127.0.0.1:${port}`);
    server.on('connection', (socket) => {
      site.sockets.add(socket);
      socket.once('close', () => site.sockets.delete(socket));
    });
    server.on('request', (req, res) => void site.handle(req, res));
    for (const [match, r] of Object.entries(routes)) site.route(match, r);
    return site;
  }

  /** Adds a route after those already there. */
  route(match: RouteMatch, r: Reply): this {
    this.routes.push({ match, reply: r });
    return this;
  }

  /** Drops every route and serves these instead (the portal changed between two harvest runs, say). */
  replaceRoutes(routes: Record<string, Reply>): this {
    this.routes.length = 0;
    for (const [match, r] of Object.entries(routes)) this.route(match, r);
    return this;
  }

  /** An absolute URL on this site. */
  urlOf(path: string): string {
    return `${this.url}${path.startsWith('/') ? '' : '/'}${path}`;
  }

  /** The requests received for one pathname. */
  requestsTo(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Runs `fn` after `ms` unless the site closes first. */
  after(ms: number, fn: () => void | Promise<void>): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void Promise.resolve()
        .then(fn)
        .catch(() => undefined);
    }, ms);
    this.timers.add(t);
  }

  /** Stops listening and ends every connection, hanging and slow ones included, so a test ends cleanly. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const stopped = new Promise<void>((ok) => this.server.close(() => ok()));
    for (const s of this.sockets) s.destroy();
    await stopped;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      return; // the client went away while sending
    }
    const parsed = new URL(req.url ?? '/', this.url);
    const request: ReceivedRequest = {
      method: req.method ?? 'GET',
      path: parsed.pathname,
      url: req.url ?? '/',
      query: Object.fromEntries(parsed.searchParams),
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: new Date(),
    };
    this.requests.push(request);
    const route = this.routes.find((r) => matches(r.match, request));
    try {
      if (route) await route.reply({ req, res, request, site: this });
      else await reply.status(404, { body: `no route for ${request.method} ${request.url}\n` })({ req, res, request, site: this });
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`remote site: the reply for ${request.url} threw: ${String(err)}\n`);
    }
  }
}

function matches(match: RouteMatch, request: ReceivedRequest): boolean {
  if (typeof match === 'function') return match(request);
  const q = match.indexOf('?');
  const path = q < 0 ? match : match.slice(0, q);
  if (path !== request.path) return false;
  if (q < 0) return true;
  for (const [k, v] of new URLSearchParams(match.slice(q + 1))) if (request.query[k] !== v) return false;
  return true;
}
