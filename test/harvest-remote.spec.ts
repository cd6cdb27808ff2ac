import { request as httpRequest } from 'node:http';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'n3';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import { ckanPortal, dcatPortal, readFixture, RemoteSite, reply } from './harvest-remote';

/** The remote site the harvest tests replay recorded portals on: it must do what it says, and never outlive a test. */
describe('RemoteSite (the harvest tests\' remote portal)', () => {
  let site: RemoteSite;
  afterEach(() => site?.close());

  it('serves a recorded response with the content type of its extension and records the request', async () => {
    site = await RemoteSite.start({ '/api/3/action/status_show': reply.fixture('ckan/status_show.json') });
    const res = await fetch(site.urlOf('/api/3/action/status_show?x=1'), { headers: { 'user-agent': 'harvest-test' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(((await res.json()) as { result: { ckan_version: string } }).result.ckan_version).toMatch(/^2\.10\./);
    expect(site.requests).toEqual([expect.objectContaining({ method: 'GET', path: '/api/3/action/status_show', url: '/api/3/action/status_show?x=1', query: { x: '1' } })]);
    expect(site.requests[0].headers['user-agent']).toBe('harvest-test');
  });

  it('routes by query parameters, first match wins, and answers 404 to what no route matches', async () => {
    site = await RemoteSite.start();
    site.route('/api/3/action/package_search?start=100', reply.json({ page: 2 })).route('/api/3/action/package_search', reply.json({ page: 1 }));
    const page = async (q: string): Promise<unknown> => (await fetch(site.urlOf(`/api/3/action/package_search${q}`))).json();
    expect(await page('?rows=100&start=0&sort=id+asc')).toEqual({ page: 1 });
    expect(await page('?rows=100&start=100&sort=id+asc')).toEqual({ page: 2 });
    expect((await fetch(site.urlOf('/nothing-here'))).status).toBe(404);
    expect(site.requestsTo('/api/3/action/package_search').map((r) => r.query.start)).toEqual(['0', '100']);
  });

  it('records the body of a POST', async () => {
    site = await RemoteSite.start({ '/api/3/action/package_search': reply.json({ success: true }) });
    await fetch(site.urlOf('/api/3/action/package_search'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: 100 }) });
    expect(JSON.parse(site.requests[0].body)).toEqual({ rows: 100 });
  });

  it('rebases the paging links of a recorded DCAT page onto itself and leaves dataset IRIs as recorded', async () => {
    site = await RemoteSite.start({ '/catalog.ttl': reply.fixture('dcat/dcat-ap-de-3.page1.ttl', { rebase: 'https://daten.rhein-pfalz-kreis.de/catalog' }) });
    const text = await (await fetch(site.urlOf('/catalog.ttl'))).text();
    expect(text).toContain(`hydra:next <${site.url}/catalog.ttl?page=2>`);
    expect(text).toContain('<https://daten.rhein-pfalz-kreis.de/dataset/abfallkalender-2025>');
  });

  it('never answers, and close() still ends the hanging request at once', async () => {
    site = await RemoteSite.start({ '/hangs': reply.neverAnswers() });
    const pending = fetch(site.urlOf('/hangs')).then(
      () => 'answered',
      () => 'failed',
    );
    await waitFor(() => site.requests.length === 1);
    const raced = await Promise.race([pending, new Promise((r) => setTimeout(() => r('still waiting'), 300))]);
    expect(raced).toBe('still waiting');
    const t0 = Date.now();
    await site.close();
    expect(await pending).toBe('failed');
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('never answers a client that gives up after its own timeout', async () => {
    site = await RemoteSite.start({ '/hangs': reply.neverAnswers() });
    await expect(fetch(site.urlOf('/hangs'), { signal: AbortSignal.timeout(200) })).rejects.toThrow(/timeout|aborted/i);
  });

  it('answers late when slow, and close() cancels a slow answer still waiting', async () => {
    site = await RemoteSite.start({ '/slow': reply.slow(300, reply.json({ ok: true })), '/slower': reply.slow(60_000) });
    const t0 = Date.now();
    expect(await (await fetch(site.urlOf('/slow'))).json()).toEqual({ ok: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    const pending = fetch(site.urlOf('/slower')).then(
      () => 'answered',
      () => 'failed',
    );
    await waitFor(() => site.requests.length === 2);
    await site.close();
    expect(await pending).toBe('failed');
  });

  it('drips a body slowly after sending the headers at once', async () => {
    // 14 bytes in 4-byte pieces, one every 250 ms: the headers come at once, the body only after 3 waits.
    site = await RemoteSite.start({ '/drip': reply.drip('{"result": []}', { chunkBytes: 4, everyMs: 250 }) });
    const t0 = Date.now();
    const res = await fetch(site.urlOf('/drip'));
    const headersAfter = Date.now() - t0;
    expect(await res.text()).toBe('{"result": []}');
    expect(headersAfter).toBeLessThan(500);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(740);
  });

  it('answers error statuses: 500 as a plain page, 429 with Retry-After, 404 in CKAN\'s envelope', async () => {
    site = await RemoteSite.start({ '/500': reply.status(500), '/429': reply.status(429, { retryAfter: 2 }), '/404': reply.status(404) });
    const e500 = await fetch(site.urlOf('/500'));
    expect([e500.status, await e500.text()]).toEqual([500, '500 Internal Server Error\n']);
    const e429 = await fetch(site.urlOf('/429'));
    expect([e429.status, e429.headers.get('retry-after')]).toEqual([429, '2']);
    const e404 = await fetch(site.urlOf('/404'));
    expect([e404.status, await e404.json()]).toEqual([404, expect.objectContaining({ success: false, error: expect.objectContaining({ __type: 'Not Found Error' }) })]);
  });

  it.each(['json', 'jsonld'] as const)('serves malformed %s that a JSON parser rejects', async (kind) => {
    site = await RemoteSite.start({ '/bad': reply.malformed(kind) });
    const res = await fetch(site.urlOf('/bad'));
    expect(res.status).toBe(200);
    // fetch's JSON parser runs in another realm: its SyntaxError is not jest's.
    await expect(res.json()).rejects.toThrow(/JSON/);
  });

  it('serves malformed Turtle and RDF/XML that the RDF parsers reject', async () => {
    site = await RemoteSite.start({ '/bad.ttl': reply.malformed('turtle'), '/bad.rdf': reply.malformed('rdfxml') });
    const ttl = await fetch(site.urlOf('/bad.ttl'));
    expect(ttl.headers.get('content-type')).toMatch(/^text\/turtle/);
    const turtle = await ttl.text();
    expect(() => new Parser().parse(turtle)).toThrow();
    const rdf = await fetch(site.urlOf('/bad.rdf'));
    expect(rdf.headers.get('content-type')).toMatch(/^application\/rdf\+xml/);
    await expect(parseRdfXml(await rdf.text())).rejects.toThrow();
  });

  it('redirects for ever on a redirect loop, counting hops', async () => {
    site = await RemoteSite.start({ '/loop': reply.redirectLoop() });
    await expect(fetch(site.urlOf('/loop'))).rejects.toThrow();
    const hops = site.requestsTo('/loop').map((r) => r.query.hop ?? '0');
    expect(hops.length).toBeGreaterThan(5);
    expect(hops.slice(0, 3)).toEqual(['0', '1', '2']);
  });

  it.each(['http://10.0.0.1/catalog.ttl', 'http://169.254.169.254/latest/meta-data/', 'file:///etc/passwd', 'ftp://ftp.example.org/catalog.ttl'])('redirects to %s', async (target) => {
    site = await RemoteSite.start({ '/moved': reply.redirectTo(target) });
    const res = await fetch(site.urlOf('/moved'), { redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).toEqual([302, target]);
  });

  it('redirects to a URL of its own', async () => {
    site = await RemoteSite.start({ '/old': reply.redirectTo((s) => s.urlOf('/new'), 301), '/new': reply.json({ here: true }) });
    const res = await fetch(site.urlOf('/old'));
    expect([res.url, await res.json()]).toEqual([site.urlOf('/new'), { here: true }]);
  });

  it('streams an oversize body of the given length, chunked unless asked to declare it', async () => {
    site = await RemoteSite.start({ '/big': reply.oversize(3 * 1024 * 1024 + 5), '/big-declared': reply.oversize(1000, { declareLength: true }) });
    const res = await fetch(site.urlOf('/big'));
    expect(res.headers.get('content-length')).toBeNull();
    expect((await res.arrayBuffer()).byteLength).toBe(3 * 1024 * 1024 + 5);
    const declared = await fetch(site.urlOf('/big-declared'));
    expect(declared.headers.get('content-length')).toBe('1000');
    expect((await declared.arrayBuffer()).byteLength).toBe(1000);
  });

  it('stops streaming an oversize body when the client hangs up, and closes cleanly', async () => {
    site = await RemoteSite.start({ '/huge': reply.oversize(10 * 1024 ** 3) });
    const got = await readAtMost(site.urlOf('/huge'), 256 * 1024);
    expect(got).toBeGreaterThanOrEqual(256 * 1024);
  });

  it('fails n times and then succeeds when flaky, and serves a sequence in order', async () => {
    site = await RemoteSite.start({ '/flaky': reply.flaky(2, reply.json({ ok: true })), '/seq': reply.sequence(reply.json(1), reply.json(2)) });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(site.urlOf('/flaky'))).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
    const seq: unknown[] = [];
    for (let i = 0; i < 3; i++) seq.push(await (await fetch(site.urlOf('/seq'))).json());
    expect(seq).toEqual([1, 2, 2]);
  });

  it('answers 500 with the reason when a reply throws', async () => {
    site = await RemoteSite.start({
      '/broken': () => {
        throw new Error('scripted failure');
      },
    });
    const res = await fetch(site.urlOf('/broken'));
    expect([res.status, await res.text()]).toEqual([500, expect.stringContaining('scripted failure')]);
  });
});

describe('the recorded portals as routes', () => {
  let site: RemoteSite;
  afterEach(() => site?.close());
  const ids = async (url: string): Promise<string[]> => ((await (await fetch(url)).json()) as { result: { results: { id: string }[] } }).result.results.map((d) => d.id);

  it('page a CKAN package_search by start, at most rows_max (3) a page whatever rows asks, ending with an empty page, as ckanext-harvest reads it', async () => {
    site = await RemoteSite.start(ckanPortal());
    const search = (start: number, rows = 100): string => site.urlOf(`/api/3/action/package_search?rows=${rows}&start=${start}&sort=id+asc`);
    const first = await ids(search(0));
    expect(first).toHaveLength(3);
    const second = await ids(search(3));
    expect(second).toHaveLength(2);
    expect(second).not.toContain(first[2]);
    expect(await ids(search(5))).toEqual([]);
    expect(await ids(search(1, 2))).toEqual(first.slice(1, 3));
  });

  it('answer an incremental CKAN query with the changed dataset only, and list the portal after the changes', async () => {
    site = await RemoteSite.start(ckanPortal('after-changes'));
    const changed = await ids(site.urlOf(`/api/3/action/package_search?rows=100&start=0&sort=id+asc&fq=${encodeURIComponent('metadata_modified:[2024-09-01T00:00:00.000000Z TO *]')}`));
    expect(changed).toEqual(['2c9d4e18-6a73-4f5b-8e21-0b4c7d9f1e62']);
    const all = [...(await ids(site.urlOf('/api/3/action/package_search?rows=3&start=0'))), ...(await ids(site.urlOf('/api/3/action/package_search?rows=3&start=3')))];
    expect(all).toHaveLength(4);
    expect(all).not.toContain('7f2c8d46-1e9b-4a3c-b5d7-9e0f3a6c2b14');
  });

  it('change between two runs when the routes are replaced', async () => {
    site = await RemoteSite.start(ckanPortal());
    const listing = async (): Promise<string[]> => [...(await ids(site.urlOf('/api/3/action/package_search?rows=3&start=0'))), ...(await ids(site.urlOf('/api/3/action/package_search?rows=3&start=3')))];
    expect(await listing()).toHaveLength(5);
    site.replaceRoutes(ckanPortal('after-changes'));
    expect(await listing()).toHaveLength(4);
  });

  it('serve the DCAT-AP.de 3.0 catalog over two hydra pages that lead back to the site, and the 2.0 catalog as RDF/XML', async () => {
    site = await RemoteSite.start(dcatPortal());
    const first = await (await fetch(site.urlOf('/catalog.ttl'))).text();
    const next = /hydra:next <([^>]+)>/.exec(first)?.[1];
    expect(next).toBe(site.urlOf('/catalog.ttl?page=2'));
    const second = await (await fetch(next!)).text();
    expect(second).toContain('verkehrszaehlung-kreisstrassen-2023');
    expect(second).not.toMatch(/hydra:next </);
    const rdf = await fetch(site.urlOf('/catalog.rdf'));
    expect(rdf.headers.get('content-type')).toMatch(/^application\/rdf\+xml/);
    expect(await parseRdfXml(await rdf.text())).toBeGreaterThan(20);
  });
});

describe('recorded harvest responses (test/fixtures/harvest)', () => {
  const names = (dir: string): string[] => readdirSync(join(__dirname, 'fixtures', 'harvest', dir));

  it('are valid JSON, each CKAN answer in the action API envelope', () => {
    for (const name of names('ckan').filter((n) => n.endsWith('.json'))) {
      const body = JSON.parse(readFixture(`ckan/${name}`)) as { success: boolean; result: unknown };
      expect([name, body.success]).toEqual([name, true]);
    }
  });

  it('page through 2 pages of package_search, sorted by id, ending with an empty page', () => {
    type Page = { result: { count: number; results: { id: string; extras: { key: string }[]; resources: unknown[]; organization: unknown }[] } };
    const pages = ['page1', 'page2', 'empty'].map((p) => JSON.parse(readFixture(`ckan/package_search.${p}.json`)) as Page);
    const ids = pages.flatMap((p) => p.result.results.map((d) => d.id));
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages[0].result.count).toBe(ids.length);
    expect(pages[2].result.results).toEqual([]);
    for (const d of pages.flatMap((p) => p.result.results)) {
      expect(d.resources.length).toBeGreaterThan(0);
      expect(d.organization).toEqual(expect.objectContaining({ name: expect.any(String) }));
      expect(d.extras.map((e) => e.key)).toContain('identifier');
    }
  });

  it('parse as RDF: both Turtle pages, and the RDF/XML page', async () => {
    for (const name of names('dcat').filter((n) => n.endsWith('.ttl'))) {
      const quads = new Parser({ baseIRI: 'https://daten.rhein-pfalz-kreis.de/catalog.ttl' }).parse(readFixture(`dcat/${name}`));
      expect([name, quads.some((q) => q.object.value === 'http://www.w3.org/ns/dcat#Dataset')]).toEqual([name, true]);
    }
    for (const name of names('dcat').filter((n) => n.endsWith('.rdf'))) {
      const count = await parseRdfXml(readFixture(`dcat/${name}`));
      expect([name, count > 20]).toEqual([name, true]);
    }
  });
});

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Reads up to `limit` bytes of a response, then destroys the connection; the number of bytes read. */
function readAtMost(url: string, limit: number): Promise<number> {
  return new Promise((ok, fail) => {
    const req = httpRequest(url, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
        if (n >= limit) {
          req.destroy();
          ok(n);
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', (err) => (req.destroyed ? undefined : fail(err)));
    req.end();
  });
}

/** Parses RDF/XML; the number of quads, or a rejection for a broken document. */
function parseRdfXml(text: string): Promise<number> {
  return new Promise((ok, fail) => {
    let n = 0;
    const p = new RdfXmlParser({ baseIRI: 'https://www.meissen.de/opendata/catalog.rdf' });
    p.on('data', () => n++)
      .on('error', fail)
      .on('end', () => ok(n));
    p.write(text);
    p.end();
  });
}
