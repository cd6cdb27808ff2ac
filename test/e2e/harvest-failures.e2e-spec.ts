import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { HarvestRunner } from '../../src/harvest/harvest-runner';
import { ckanPortal, dcatPortal, readFixture, RemoteSite, reply, type Reply } from '../harvest-remote';
import { TestApp } from '../test-app';

/**
 * Both real plug-ins (CKAN, DCAT-AP) driven through ckanext-harvest's actions (harvest_source_create →
 * harvest_job_create → the runner → harvest_job_report) against recorded portals served by a local scripted server,
 * while the remote misbehaves. Every failing run must end Finished (Aborted for an abort) with a report naming the
 * remote URL and the reason, withdraw nothing and leave what earlier runs harvested as it was.
 */
type Dict = Record<string, unknown>;
type Report = { status: string; stats: Record<string, number>; gather_errors: { message: string }[]; object_errors: Record<string, { guid: string; errors: { message: string }[] }> };
type Holding = { guid: string; name: string; state: string; title: string; modified: string };

// Short limits so each failure costs at most a second or two: 3 tries (2 retries) of 500 ms, 40 ms then 80 ms between.
const LIMITS = { HARVEST_TIMEOUT_MS: '500', HARVEST_RETRIES: '2', HARVEST_RETRY_DELAY_MS: '40', HARVEST_MAX_BYTES: '100000' };
const SEARCH = '/api/3/action/package_search';
const DCAT_REBASE = 'https://daten.rhein-pfalz-kreis.de/catalog';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A CKAN package_search that lists `n` made-up datasets, three a page, each page `ms` late: a slow portal being paged. */
function slowCkanListing(n: number, ms: number): Reply {
  return (x) =>
    x.site.after(ms, () => {
      const start = Number(x.request.query.start ?? 0);
      const ids = Array.from({ length: Math.max(0, Math.min(3, n - start)) }, (_, i) => `ffffffff-0000-4000-8000-${String(start + i).padStart(12, '0')}`);
      const results = ids.map((id) => ({ id, name: `slow-${id.slice(-4)}`, title: `Slow ${id.slice(-4)}`, metadata_modified: '2024-01-01T00:00:00.000000', resources: [], tags: [], extras: [] }));
      return reply.json({ help: 'x', success: true, result: { count: n, sort: 'id asc', results } })(x);
    });
}

/** A DCAT catalog of `n` Turtle pages, one dataset each, linked by hydra:next, each page `ms` late. */
function slowDcatCatalog(n: number, ms: number): Reply {
  return (x) =>
    x.site.after(ms, () => {
      const page = Number(x.request.query.page ?? 1);
      const next = page < n ? `<${x.site.url}/catalog.ttl?page=${page}> <http://www.w3.org/ns/hydra/core#next> <${x.site.url}/catalog.ttl?page=${page + 1}> .\n` : '';
      const ttl = `${next}<https://slow.example.org/dataset/${page}> a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> "Langsam ${page}"@de .\n`;
      return reply.body(ttl, 'text/turtle;charset=utf-8')(x);
    });
}

/** Redirects for ever to the same URL plus a hop counter, keeping the query (so `?page=2` stays on its route). */
function redirectLoopKeepingQuery(): Reply {
  return ({ res, request: asked }) => {
    const hop = Number(asked.query.hop ?? 0) + 1;
    const query = new URLSearchParams({ ...asked.query, hop: String(hop) });
    res.writeHead(302, { location: `${asked.path}?${query.toString()}`, 'content-length': '0' });
    res.end();
  };
}

const messages = (r: Report): string => [...r.gather_errors.map((e) => e.message), ...Object.values(r.object_errors).flatMap((o) => o.errors.map((e) => `${o.guid}: ${e.message}`))].join('\n');

describe('harvesting recorded portals through the harvest actions when the remote misbehaves', () => {
  let t: TestApp;
  let org: Dict;
  let ckanSite: RemoteSite;
  let dcatSite: RemoteSite;
  let ckanSource: Dict;
  let dcatSource: Dict;

  beforeAll(async () => {
    t = await TestApp.start({ JOBS_WORKER: 'false', HARVEST_ALLOW_PRIVATE_ADDRESSES: 'true', ...LIMITS });
    org = await t.factories.organization({ name: 'rhein-pfalz-kreis' });
    ckanSite = await RemoteSite.start(ckanPortal('initial'));
    dcatSite = await RemoteSite.start(dcatPortal());
  });
  afterAll(async () => {
    await ckanSite?.close();
    await dcatSite?.close();
    await t?.stop();
  });

  const harvest = async (sourceId: unknown): Promise<Report> => {
    const job = await t.call<Dict>('harvest_job_create', { source_id: sourceId });
    await t.app.get(HarvestRunner).run(job.id as string);
    return t.call<Report>('harvest_job_report', { id: job.id });
  };
  /** The datasets a source holds now (its current harvest objects), as they are. */
  const holdings = async (sourceId: unknown): Promise<Holding[]> =>
    t.db.dataSource.query(
      `SELECT o.guid, p.name, p.state, p.title, p.metadata_modified::text AS modified FROM harvest_object o JOIN package p ON p.id = o.package_id
        WHERE o.source_id = $1 AND o.current ORDER BY o.guid`, [sourceId]);
  /** Runs a job that must fail: Finished, the URL and the reason in the report, nothing written, nothing withdrawn. */
  const failsCleanly = async (sourceId: unknown, url: string, reason: RegExp): Promise<Report> => {
    const before = await holdings(sourceId);
    expect(before.length).toBeGreaterThan(0);
    const report = await harvest(sourceId);
    expect(report.status).toBe('Finished');
    expect(report.stats).toMatchObject({ added: 0, updated: 0, deleted: 0 });
    expect(report.stats.errored).toBeGreaterThan(0);
    expect(messages(report)).toContain(url);
    expect(messages(report)).toMatch(reason);
    expect(await holdings(sourceId)).toEqual(before);
    return report;
  };

  it('refuses a source URL that is not http(s) at harvest_source_create, for both harvesters', async () => {
    for (const source_type of ['ckan', 'dcat_rdf']) {
      for (const url of ['ftp://opendata.speyer.de/', 'file:///etc/passwd', 'javascript:alert(1)']) {
        const res = await request(t.http).post('/api/3/action/harvest_source_create').set('Authorization', t.sysadmin.token)
          .send({ name: `bad-url-${source_type.replace('_', '-')}`, url, source_type, owner_org: org.id });
        expect({ source_type, url, status: res.status, type: res.body.error?.__type }).toEqual({ source_type, url, status: 409, type: 'Validation Error' });
        expect(res.body.error.url).toBeDefined();
      }
    }
    expect(await t.call<Dict[]>('harvest_source_list')).toEqual([]);
  });

  /**
   * A job of the source aborted (harvest_job_abort) once its plug-in has asked the slow site twice: it must end within
   * the abort's poll (500 ms) and the request in flight, Aborted, withdrawing nothing, having asked fewer than
   * `pages` pages, and leaving what earlier runs took as it was.
   */
  const expectAbortWhilePaging = async (site: RemoteSite, sourceId: unknown, pages: number): Promise<void> => {
    const before = await holdings(sourceId);
    const job = await t.call<Dict>('harvest_job_create', { source_id: sourceId });
    const asked = site.requests.length;
    const running = t.app.get(HarvestRunner).run(job.id as string);
    while (site.requests.length < asked + 2) await sleep(20);
    await t.call('harvest_job_abort', { id: job.id });
    const abortedAt = Date.now();
    await running;
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    const report = await t.call<Report>('harvest_job_report', { id: job.id });
    expect(report).toMatchObject({ status: 'Aborted', stats: { deleted: 0 } });
    expect(site.requests.length - asked).toBeLessThan(pages);
    const after = await holdings(sourceId);
    for (const h of before) expect(after).toContainEqual(h);
  };

  describe('a CKAN portal (recorded CKAN 2.10 answers)', () => {
    beforeAll(async () => {
      ckanSource = await t.call<Dict>('harvest_source_create', { name: 'speyer-ckan', title: 'Speyer (CKAN)', url: `${ckanSite.url}/`, source_type: 'ckan', owner_org: org.id });
    });
    // After the incremental run below, the portal as it is then (B changed, D deleted) between the failing runs.
    afterEach(() => {
      ckanSite.replaceRoutes(ckanPortal('after-changes'));
    });

    it('imports the portal on the first run', async () => {
      const report = await harvest(ckanSource.id);
      expect(report).toMatchObject({ status: 'Finished', stats: { added: 5, updated: 0, deleted: 0, errored: 0 }, gather_errors: [] });
      expect((await holdings(ckanSource.id)).map((h) => h.name).sort()).toEqual(
        ['badestellen-wasserqualitaet', 'baumkataster', 'haushaltsplan-2024', 'kommunalwahl-2024-stadtrat', 'ladesaeulen-elektromobilitaet']);
    });

    it('on the next run asks only what changed since the last successful one: one updated, one withdrawn', async () => {
      ckanSite.replaceRoutes(ckanPortal('after-changes'));
      const asked = ckanSite.requests.length;
      const report = await harvest(ckanSource.id);
      expect(report).toMatchObject({ status: 'Finished', stats: { added: 0, updated: 1, deleted: 1, errored: 0 }, gather_errors: [] });
      // Every identity listed cheaply (fl=id), then only what changed, from an hour before the last successful run.
      const asks = ckanSite.requests.slice(asked);
      expect(asks.filter((r) => !r.query.fq).every((r) => r.query.fl === 'id')).toBe(true);
      const fqs = [...new Set(asks.map((r) => r.query.fq).filter(Boolean))];
      expect(fqs).toEqual([expect.stringMatching(/^metadata_modified:\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z TO \*\]$/)]);
      expect(await t.call<Dict>('package_show', { id: 'baumkataster' })).toMatchObject({ title: 'Baumkataster Speyer (Stand Oktober 2024)', state: 'active' });
      expect(await t.call<Dict>('package_show', { id: 'ladesaeulen-elektromobilitaet' })).toMatchObject({ state: 'deleted' });
      expect((await holdings(ckanSource.id)).map((h) => h.name)).not.toContain('ladesaeulen-elektromobilitaet');
    });

    const searchUrl = (): string => `${ckanSite.url}${SEARCH}`;
    const failures: [string, () => Reply, RegExp, number?][] = [
      ['HTTP 500 with a plain error page, after retrying it', () => reply.status(500), /HTTP 500/, 3],
      ['HTTP 503 with a proxy\'s maintenance page', () => reply.body(readFileSync(join(__dirname, '../../harvesters/ckan/fixtures/maintenance.html')), 'text/html;charset=utf-8', 503), /HTTP 503/, 3],
      ['HTTP 500 with CKAN\'s error envelope', () => reply.body(readFileSync(join(__dirname, '../../harvesters/ckan/fixtures/server-error.json')), 'application/json', 500), /HTTP 500, Internal Server Error/, 3],
      ['a 409 error envelope (success: false)', () => reply.status(409), /refused the search \(HTTP 409, Validation Error/, 1],
      ['a 200 with success: false', () => reply.json({ help: 'x', success: false, error: { __type: 'Search Query Error', message: 'Solr is down' } }), /Search Query Error: Solr is down/, 1],
      ['malformed JSON (a page cut off mid-record)', () => reply.malformed('json'), /not JSON/, 1],
      ['JSON without result.results', () => reply.json({ help: 'x', success: true, result: { count: 3 } }), /did not contain result\.results/, 1],
      ['no answer at all (the socket is accepted, nothing is ever sent)', () => reply.neverAnswers(), /länger als 500 ms \(HARVEST_TIMEOUT_MS\)/, 3],
      ['a body that trickles in longer than the timeout', () => reply.drip(readFixture('ckan/package_search.page1.json'), { everyMs: 100 }), /länger als 500 ms \(HARVEST_TIMEOUT_MS\)/, 3],
      ['redirects without end (bounded at five)', () => reply.redirectLoop(), /Mehr als 5 Weiterleitungen/, 1],
      ['a redirect to a file: URL', () => reply.redirectTo('file:///etc/passwd'), /Nur http- und https-Links/, 1],
      ['an answer larger than HARVEST_MAX_BYTES (chunked, so only counting stops it)', () => reply.oversize(5_000_000), /größer als die erlaubten 100000 Bytes \(HARVEST_MAX_BYTES\)/, 1],
      ['an answer that declares a length over HARVEST_MAX_BYTES', () => reply.oversize(5_000_000, { declareLength: true }), /größer als die erlaubten 100000 Bytes/, 1],
    ];
    it.each(failures)('ends the job Finished with a gather error naming the search URL, and keeps every dataset, on %s', async (_name, failure, reason, tries) => {
      ckanSite.replaceRoutes({ [SEARCH]: failure() });
      const asked = ckanSite.requests.length;
      await failsCleanly(ckanSource.id, searchUrl(), reason);
      // Network failures, timeouts and 5xx are retried; refusals (redirects, size, scheme) and 4xx are not.
      // (A redirect loop's hops land on the same path: counted once per request made, so 6 for the loop.)
      const requests = ckanSite.requests.slice(asked).filter((r) => r.path === SEARCH && !r.query.hop);
      expect(requests).toHaveLength(tries ?? 1);
    });

    it('reports a record this catalog refuses as an object error with its remote id and the reason, and imports the rest', async () => {
      const good = { id: 'c0000000-0000-4000-8000-000000000001', name: 'gute-daten', title: 'Gute Daten', metadata_modified: '2024-05-01T10:00:00.000000', tags: [], resources: [], extras: [] };
      const bad = { ...good, id: 'c0000000-0000-4000-8000-000000000002', name: 'schlechte-daten', title: 'Schlechte Daten', tags: [{ name: 'x'.repeat(101) }] };
      const site = await RemoteSite.start({ [SEARCH]: (x) => reply.json({ help: 'x', success: true, result: { count: 2, results: x.request.query.start === '0' ? [good, bad] : [] } })(x) });
      try {
        const s = await t.call<Dict>('harvest_source_create', { name: 'records-ckan', url: site.url, source_type: 'ckan', owner_org: org.id });
        const report = await harvest(s.id);
        expect(report).toMatchObject({ status: 'Finished', stats: { added: 1, deleted: 0, errored: 1 }, gather_errors: [] });
        expect(Object.values(report.object_errors)).toEqual([{ guid: bad.id, errors: [expect.objectContaining({ type: 'Import', message: expect.stringMatching(/tag|101|100/i) })] }]);
        expect(await t.call<Dict>('package_show', { id: 'gute-daten' })).toMatchObject({ state: 'active' });
        await expect(t.call('package_show', { id: 'schlechte-daten' })).rejects.toMatchObject({ kind: 'not_found' });
      } finally {
        await site.close();
      }
    });

    it('retries a 503 and a 429 with growing back-off, then harvests as if nothing happened', async () => {
      const portal = ckanPortal('after-changes');
      ckanSite.replaceRoutes({ ...portal, [SEARCH]: reply.flaky(2, portal[SEARCH], reply.sequence(reply.status(503), reply.status(429))) });
      const asked = ckanSite.requests.length;
      const report = await harvest(ckanSource.id);
      expect(report).toMatchObject({ status: 'Finished', stats: { added: 0, updated: 0, deleted: 0, 'not modified': 1, errored: 0 }, gather_errors: [] });
      const times = ckanSite.requests.slice(asked).filter((r) => r.path === SEARCH).map((r) => r.at.getTime());
      expect(times.length).toBeGreaterThan(3);
      // HARVEST_RETRY_DELAY_MS (40) doubled on each retry.
      expect(times[1] - times[0]).toBeGreaterThanOrEqual(35);
      expect(times[2] - times[1]).toBeGreaterThanOrEqual(75);
      expect((await holdings(ckanSource.id)).every((h) => h.state === 'active')).toBe(true);
    });

    it('ends a job aborted while the plug-in pages a slow portal Aborted, withdrawing nothing', async () => {
      ckanSite.replaceRoutes({ [SEARCH]: slowCkanListing(90, 150) });
      await expectAbortWhilePaging(ckanSite, ckanSource.id, 30);
    });

  });

  describe('a DCAT-AP.de endpoint (recorded Turtle pages of a county)', () => {
    const page = (n: number): string => `${dcatSite.url}/catalog.ttl?page=${n}`;
    beforeAll(async () => {
      dcatSource = await t.call<Dict>('harvest_source_create', { name: 'kreis-dcat', title: 'Kreis (DCAT)', url: `${dcatSite.url}/catalog.ttl`, source_type: 'dcat_rdf', owner_org: org.id });
    });
    afterEach(() => {
      dcatSite.replaceRoutes(dcatPortal());
    });

    it('keeps a dataset the CKAN source offers too once: the county\'s newer one wins, by its dct:identifier', async () => {
      const report = await harvest(dcatSource.id);
      expect(report).toMatchObject({ status: 'Finished', stats: { added: 2, updated: 1, deleted: 0, errored: 0 }, gather_errors: [] });
      const rows: { n: number }[] = await t.db.dataSource.query(
        `SELECT count(*)::int AS n FROM package WHERE extras->>'identifier' = $1 AND state = 'active'`,
        ['https://opendata.speyer.de/id/badestellen-wasserqualitaet']);
      expect(rows[0].n).toBe(1);
      expect((await holdings(dcatSource.id)).map((h) => h.guid)).toContain('https://daten.rhein-pfalz-kreis.de/dataset/badestellen-wasserqualitaet-speyer');
      expect((await holdings(ckanSource.id)).map((h) => h.name)).not.toContain('badestellen-wasserqualitaet');
      // The CKAN source's next run neither takes it back nor withdraws it.
      const again = await harvest(ckanSource.id);
      expect(again).toMatchObject({ status: 'Finished', stats: { added: 0, deleted: 0, errored: 0 } });
      expect((await holdings(dcatSource.id)).map((h) => h.guid)).toContain('https://daten.rhein-pfalz-kreis.de/dataset/badestellen-wasserqualitaet-speyer');
    });

    it('reads a DCAT-AP.de 2.0 catalog in RDF/XML (recorded) through the same actions', async () => {
      const s = await t.call<Dict>('harvest_source_create', { name: 'meissen-dcat', url: `${dcatSite.url}/catalog.rdf`, source_type: 'dcat_rdf', owner_org: org.id });
      const report = await harvest(s.id);
      expect(report).toMatchObject({ status: 'Finished', stats: { added: 2, updated: 0, deleted: 0, errored: 0 }, gather_errors: [] });
      expect((await holdings(s.id)).map((h) => h.title).sort()).toEqual(['Denkmalliste der Altstadt Meißen', 'Stadtratswahl Meißen 2024 – Ergebnisse']);
    });

    it('finds nothing changed on a second run of the same catalog', async () => {
      expect(await harvest(dcatSource.id)).toMatchObject({ status: 'Finished', stats: { added: 0, updated: 0, deleted: 0, 'not modified': 3, errored: 0 } });
    });

    const failures: [string, string, number, () => Reply, RegExp][] = [
      ['HTTP 500 on the first page', '/catalog.ttl', 1, () => reply.status(500), /answered HTTP 500/],
      ['HTTP 503 on the second page, after the first was read', '/catalog.ttl?page=2', 2, () => reply.status(503, { retryAfter: 0 }), /answered HTTP 503/],
      ['malformed Turtle', '/catalog.ttl?page=2', 2, () => reply.malformed('turtle'), /not valid Turtle: .+ on line 6/],
      ['malformed RDF/XML', '/catalog.ttl?page=2', 2, () => reply.malformed('rdfxml'), /not valid RDF\/XML: .*tag mismatch/],
      ['malformed JSON-LD (JSON cut off)', '/catalog.ttl?page=2', 2, () => reply.malformed('jsonld'), /not valid JSON-LD: .*JSON/],
      ['an HTML page with status 200 instead of RDF', '/catalog.ttl?page=2', 2, () => reply.body('<!DOCTYPE html><html><body><h1>Wartung</h1></body></html>', 'text/html;charset=utf-8'), /an HTML page \(text\/html\), not RDF/],
      ['a page that never answers', '/catalog.ttl?page=2', 2, () => reply.neverAnswers(), /länger als 500 ms \(HARVEST_TIMEOUT_MS\)/],
      ['a page that trickles in longer than the timeout', '/catalog.ttl', 1, () => reply.drip(readFixture('dcat/dcat-ap-de-3.page1.ttl'), { contentType: 'text/turtle', everyMs: 100 }), /länger als 500 ms \(HARVEST_TIMEOUT_MS\)/],
      ['redirects without end', '/catalog.ttl?page=2', 2, () => redirectLoopKeepingQuery(), /Mehr als 5 Weiterleitungen/],
      ['a page larger than HARVEST_MAX_BYTES', '/catalog.ttl?page=2', 2, () => reply.oversize(5_000_000, { contentType: 'text/turtle' }), /größer als die erlaubten 100000 Bytes/],
    ];
    it.each(failures)('ends the job Finished with a gather error naming the page, and keeps every dataset, on %s', async (_name, route, n, failure, reason) => {
      const portal = dcatPortal();
      // (Spread first: a key the portal has keeps its place, first, and takes the failure.)
      dcatSite.replaceRoutes(route === '/catalog.ttl' ? { [route]: failure() } : { ...portal, [route]: failure() });
      const report = await failsCleanly(dcatSource.id, n === 1 ? `${dcatSite.url}/catalog.ttl` : page(2), reason);
      expect(report.gather_errors).toEqual([{ message: expect.stringContaining(`page ${n} (`) }]);
    });

    it('reports a dataset it cannot import as an object error with its IRI and the reason, and imports the rest', async () => {
      const ttl = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        <https://gemeinde.example.org/dataset/mit-titel> a dcat:Dataset ; dct:title "Mit Titel"@de .
        <https://gemeinde.example.org/dataset/ohne-titel> a dcat:Dataset ; dct:description "Kein Titel"@de .`;
      dcatSite.replaceRoutes({ '/gemeinde.ttl': reply.body(ttl, 'text/turtle') });
      const s = await t.call<Dict>('harvest_source_create', { name: 'gemeinde-dcat', url: `${dcatSite.url}/gemeinde.ttl`, source_type: 'dcat_rdf', owner_org: org.id });
      const report = await harvest(s.id);
      expect(report).toMatchObject({ status: 'Finished', stats: { added: 1, deleted: 0, errored: 1 }, gather_errors: [] });
      expect(Object.values(report.object_errors)).toEqual([
        { guid: 'https://gemeinde.example.org/dataset/ohne-titel', errors: [expect.objectContaining({ type: 'Import', message: expect.stringContaining('https://gemeinde.example.org/dataset/ohne-titel has no dct:title') })] },
      ]);
    });

    it('retries a 503 on a page with back-off, then reads the catalog', async () => {
      const portal = dcatPortal();
      dcatSite.replaceRoutes({ ...portal, '/catalog.ttl?page=2': reply.flaky(1, portal['/catalog.ttl?page=2']) });
      const report = await harvest(dcatSource.id);
      expect(report).toMatchObject({ status: 'Finished', stats: { added: 0, deleted: 0, errored: 0, 'not modified': 3 }, gather_errors: [] });
      expect(dcatSite.requestsTo('/catalog.ttl').filter((r) => r.query.page === '2').length).toBeGreaterThanOrEqual(2);
    });

    it('ends a job aborted while the plug-in pages a slow catalog Aborted, withdrawing nothing', async () => {
      dcatSite.replaceRoutes({ '/catalog.ttl': slowDcatCatalog(40, 150) });
      await expectAbortWhilePaging(dcatSite, dcatSource.id, 40);
    });

    it('withdraws a dataset the catalog no longer lists, and only that one', async () => {
      const portal = dcatPortal();
      const gone = 'https://daten.rhein-pfalz-kreis.de/dataset/verkehrszaehlung-kreisstrassen-2023';
      const page2 = readFixture('dcat/dcat-ap-de-3.page2.ttl');
      const withoutIt = page2.slice(0, page2.indexOf(`<${gone}> a dcat:Dataset`))
        .replace(` ;\n    dcat:dataset <${gone}> .`, ' .')
        .replace('hydra:totalItems 3', 'hydra:totalItems 2')
        .split(DCAT_REBASE).join(`${dcatSite.url}/catalog`);
      const held = await holdings(dcatSource.id);
      dcatSite.replaceRoutes({ ...portal, '/catalog.ttl?page=2': reply.body(withoutIt, 'text/turtle;charset=utf-8') });
      const report = await harvest(dcatSource.id);
      const aborted = held.filter((h) => h.guid.startsWith('https://slow.example.org/')).length;
      expect(report).toMatchObject({ status: 'Finished', stats: { added: 0, updated: 0, deleted: 1 + aborted, errored: 0 }, gather_errors: [] });
      const holds = (await holdings(dcatSource.id)).map((h) => h.guid);
      expect(holds).not.toContain(gone);
      expect(holds).toHaveLength(2);
      expect(await t.call<Dict>('package_show', { id: held.find((h) => h.guid === gone)!.name })).toMatchObject({ state: 'deleted' });
    });
  });
});

describe('harvesting without HARVEST_ALLOW_PRIVATE_ADDRESSES', () => {
  it('refuses a CKAN and a DCAT source on a loopback address, saying so, without sending a request', async () => {
    const site = await RemoteSite.start({ ...ckanPortal('initial'), ...dcatPortal() });
    const t = await TestApp.start({ JOBS_WORKER: 'false', ...LIMITS });
    try {
      const org = await t.factories.organization();
      for (const [source_type, url] of [['ckan', `${site.url}/`], ['dcat_rdf', `${site.url}/catalog.ttl`]]) {
        const s = await t.call<Dict>('harvest_source_create', { name: `loopback-${source_type.replace('_', '-')}`, url, source_type, owner_org: org.id });
        const job = await t.call<Dict>('harvest_job_create', { source_id: s.id });
        await t.app.get(HarvestRunner).run(job.id as string);
        const report = await t.call<Report>('harvest_job_report', { id: job.id });
        expect({ source_type, status: report.status, stats: report.stats }).toMatchObject({ source_type, status: 'Finished', stats: { added: 0, deleted: 0, errored: 1 } });
        expect(report.gather_errors).toEqual([{ message: expect.stringContaining(source_type === 'ckan' ? `${site.url}${SEARCH}` : url) }]);
        expect(report.gather_errors[0].message).toMatch(/Die Adresse 127\.0\.0\.1 \(127\.0\.0\.1\) ist nicht öffentlich/);
      }
      expect(site.requests).toEqual([]);
    } finally {
      await t.stop();
      await site.close();
    }
  });
});
