import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Dict, HarvestConfigError, HarvestError, RemoteRecord } from '../../src/harvest/harvester';
import { gatherAll, gatherOk, testRun } from '../testing/test-run';
import { CkanHarvester, normalizeModified, sinceTerm } from './ckan.harvester';

const FIXTURES = join(__dirname, 'fixtures');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

type Handler = (query: URLSearchParams, req: IncomingMessage, res: ServerResponse) => void;

/** Replays the recorded answers of fixtures/ by the request's query (see fixtures/README.md). */
const replay: Handler = (query, _req, res) => {
  const start = query.get('start') ?? '0';
  const kind = query.get('fl') === 'id' ? 'ids' : (query.get('fq') ?? '').includes('metadata_modified') ? 'changed' : 'full';
  let body: string;
  try {
    body = fixture(`${kind}.start-${start}.json`);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such recording');
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json;charset=utf-8' }).end(body);
};

let server: Server;
let base: string;
let handler: Handler = replay;
const seen: { path: string; query: URLSearchParams; authorization?: string; userAgent?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    seen.push({ path: url.pathname, query: url.searchParams, authorization: req.headers.authorization, userAgent: req.headers['user-agent'] });
    if (url.pathname !== '/portal/api/3/action/package_search') {
      res.writeHead(404).end();
      return;
    }
    handler(url.searchParams, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/portal`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
  handler = replay;
});

const harvester = new CkanHarvester();
const run = (o: { config?: Dict; since?: string | null } = {}) => testRun({ url: `${base}/`, config: harvester.parseConfig(o.config ?? {}), since: o.since ?? null });
const fullListing = JSON.parse(fixture('full.start-0.json')) as { result: { results: Dict[] } };
const byName = (records: RemoteRecord[], name: string) => records.find((r) => (r.data as Dict).name === name)!;

describe('CKAN harvester: listing a portal', () => {
  it('pages package_search sorted by id as ckanext-harvest does, until an empty page, on a full run', async () => {
    const r = run();
    const { records, present, complete } = await gatherOk(harvester, r);

    expect(seen.map((s) => s.path)).toEqual(Array(4).fill('/portal/api/3/action/package_search'));
    // The portal caps rows at 3: the next page starts after what came, not after what was asked.
    expect(seen.map((s) => s.query.toString())).toEqual([
      'rows=1000&start=0&sort=id+asc',
      'rows=1000&start=3&sort=id+asc',
      'rows=1000&start=6&sort=id+asc',
      'rows=1000&start=7&sort=id+asc',
    ]);
    expect(seen.every((s) => !s.query.has('include_private') && !s.query.has('include_drafts'))).toBe(true);
    expect(records.map((x) => (x.data as Dict).name)).toEqual([
      'haushaltsplan-2025', 'kita-standorte', 'parkhaeuser-belegung', 'baumkataster', 'wahlergebnisse-kommunalwahl-2024', 'bebauungsplaene', 'harvester-nachbargemeinde',
    ]);
    expect(present).toEqual(records.map((x) => x.guid));
    expect(complete).toBe(true);
    expect(r.progressReports).toEqual([[3, 7], [6, 7], [7, 7]]);
  });

  it('keeps each search result as the record: remote id as guid, its JSON as content, metadata_modified in UTC', async () => {
    const { records } = await gatherOk(harvester, run());
    const plan = byName(records, 'haushaltsplan-2025');
    expect(plan.guid).toBe('0a3c1e52-7b9d-4f1e-a2c3-1d4e5f6a7b8c');
    expect(JSON.parse(plan.content!)).toEqual(fullListing.result.results[0]);
    expect(plan.modified).toBe('2025-01-15T11:02:33.412345Z');
    // CKAN leaves the fraction out when the microseconds are 0.
    expect(byName(records, 'parkhaeuser-belegung').modified).toBe('2025-02-20T16:30:00.000000Z');
    expect(await harvester.fetch(plan)).toBe(plan);
  });

  it('takes the DCAT-AP.de identifier (extra or top-level field) as the identity across sources, else the remote id', async () => {
    const { records } = await gatherOk(harvester, run());
    expect(byName(records, 'haushaltsplan-2025').identifier).toBe('https://opendata.stadt-beispielhausen.de/id/haushaltsplan-2025');
    expect(byName(records, 'baumkataster').identifier).toBe('DE-BW-BEISPIELHAUSEN-BAUMKATASTER');
    expect(byName(records, 'wahlergebnisse-kommunalwahl-2024').identifier).toBe('https://opendata.stadt-beispielhausen.de/id/kw2024');
    expect(byName(records, 'kita-standorte').identifier).toBe('1f4a2b63-8c0e-4a2f-b3d4-2e5f6a7b8c9d');
  });

  it('on an incremental run lists every id cheaply, then asks only what changed since the last run (less an hour)', async () => {
    const { records, present, complete } = await gatherOk(harvester, run({ since: '2025-03-01T08:00:00.250Z' }));

    expect(seen.map((s) => s.query.toString())).toEqual([
      'rows=1000&start=0&sort=id+asc&fl=id',
      'rows=1000&start=3&sort=id+asc&fl=id',
      'rows=1000&start=6&sort=id+asc&fl=id',
      'rows=1000&start=0&sort=id+asc&fq=metadata_modified%3A%5B2025-03-01T07%3A00%3A00.250000Z+TO+*%5D',
      'rows=1000&start=1&sort=id+asc&fq=metadata_modified%3A%5B2025-03-01T07%3A00%3A00.250000Z+TO+*%5D',
    ]);
    expect(seen[3].query.get('fq')).toBe('metadata_modified:[2025-03-01T07:00:00.250000Z TO *]');
    expect(records.map((x) => (x.data as Dict).name)).toEqual(['kita-standorte']);
    expect(records[0].modified).toBe('2025-03-03T08:15:42.918273Z');
    // Bebauungspläne was deleted at the source: absent from the present ids of a complete listing.
    expect(present).toHaveLength(6);
    expect(present).not.toContain('5e8f6aa7-c04c-4e6d-b7b8-6c9d0e1f2a3b');
    expect(complete).toBe(true);
  });

  it('gathers everything when force_all is set, even with a last run', async () => {
    const { records } = await gatherOk(harvester, run({ since: '2025-03-01T08:00:00Z', config: { force_all: true } }));
    expect(records).toHaveLength(7);
    expect(seen.every((s) => !s.query.has('fl') && !s.query.has('fq'))).toBe(true);
  });

  it('sends the organization and group filters as fq terms, the api key as Authorization and the user agent', async () => {
    await gatherOk(harvester, run({ config: { api_key: 'geheim-123', user_agent: 'Kreis-Harvester/1.0', organizations_filter_include: ['stadt-beispielhausen', 'stadtwerke-beispielhausen'], groups_filter_exclude: ['intern', 'test'] } }));
    expect(seen[0].query.get('fq')).toBe('organization:stadt-beispielhausen OR organization:stadtwerke-beispielhausen -groups:intern -groups:test');
    expect(seen.every((s) => s.authorization === 'geheim-123' && s.userAgent === 'Kreis-Harvester/1.0')).toBe(true);
  });

  it('sends no Authorization header without an api key', async () => {
    await gatherOk(harvester, run());
    expect(seen.every((s) => s.authorization === undefined)).toBe(true);
  });

  it('falls back to a full listing when the portal refuses the date query, as ckanext-harvest does', async () => {
    handler = (query, req, res) => {
      if ((query.get('fq') ?? '').includes('metadata_modified')) res.writeHead(400, { 'Content-Type': 'application/json' }).end(fixture('search-error.json'));
      else replay(query, req, res);
    };
    const { records, complete } = await gatherOk(harvester, run({ since: '2025-03-01T08:00:00Z' }));
    expect(records).toHaveLength(7);
    expect(complete).toBe(true);
  });

  it('says nothing about deletions when the listing changed while it was paged', async () => {
    // A dataset deleted before the current page shifts the pages: one is missed and the final count no longer matches.
    handler = (query, req, res) => {
      const start = query.get('start');
      if (start === '7') {
        const page = JSON.parse(fixture('full.start-7.json')) as { result: { count: number } };
        page.result.count = 6;
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(page));
      } else replay(query, req, res);
    };
    const { records, complete } = await gatherOk(harvester, run());
    expect(records).toHaveLength(7);
    expect(complete).toBe(false);
  });

  it('drops a dataset seen again on a later page (datasets added while paging)', async () => {
    handler = (query, req, res) => {
      if (query.get('start') === '3') {
        const page = JSON.parse(fixture('full.start-3.json')) as { result: { results: Dict[]; count: number } };
        page.result.results.unshift(fullListing.result.results[2]);
        page.result.results.pop();
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(page));
      } else replay(query, req, res);
    };
    const { records } = await gatherOk(harvester, run());
    expect(records.map((x) => x.guid).filter((g) => g === fullListing.result.results[2].id)).toHaveLength(1);
  });
});

describe('CKAN harvester: another instance of this service', () => {
  it('reads its recorded answer and maps its dicts without its own fields (access level, relationships, nulls)', async () => {
    handler = (query, _req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(fixture(`offene-daten.start-${query.get('start')}.json`));
    const r = run({ config: { remote_orgs: 'only_local' } });
    const { records, complete } = await gatherOk(harvester, r);
    expect(complete).toBe(true);
    const pv = byName(records, 'photovoltaik-anlagen');
    expect(pv.identifier).toBe('https://daten.kandel.de/id/pv-anlagen');
    const decision = await harvester.toPackage(pv, r);
    if (decision.action !== 'import') throw new Error(decision.reason);
    expect(decision.package).toEqual({
      name: 'photovoltaik-anlagen', title: 'Photovoltaik-Anlagen auf städtischen Dächern', notes: 'Standorte und Leistung der PV-Anlagen.', author: 'Bauamt',
      maintainer_email: 'bauamt@kandel.de', license_id: 'dl-by-de/2.0', type: 'dataset', private: false,
      tags: [{ name: 'Energie' }, { name: 'Solar' }],
      extras: [
        { key: 'identifier', value: 'https://daten.kandel.de/id/pv-anlagen' },
        { key: 'politicalGeocodingURI', value: '["http://dcat-ap.de/def/politicalGeocoding/municipalityKey/07334013"]' },
      ],
      resources: [expect.objectContaining({ url: 'https://geo.kandel.de/pv.geojson', format: 'GeoJSON', name: 'PV-Anlagen', description: 'Punkte', license: 'http://dcat-ap.de/def/licenses/dl-by-de/2.0' })],
    });
    expect(decision.remoteOrganization).toEqual({ name: 'gemeinde-kandel', title: 'Stadt Kandel', description: 'Verbandsgemeinde Kandel', image_url: 'https://www.kandel.de/wappen.png' });
  });
});

describe('CKAN harvester: remote failures', () => {
  const failure = async (h: Handler, since: string | null = null): Promise<HarvestError> => {
    handler = h;
    const { error } = await gatherAll(harvester, run({ since }));
    expect(error).toBeInstanceOf(HarvestError);
    return error as HarvestError;
  };

  it('fails the gather with the URL when the portal answers malformed JSON', async () => {
    const e = await failure((q, req, res) => (q.get('start') === '3' ? res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"help": "…", "success": true, "result": {"count": 7, "resu') : replay(q, req, res)));
    expect(e.message).toMatch(/^Response from remote CKAN was not JSON \(application\/json\): http:\/\/127\.0\.0\.1:\d+\/portal\/api\/3\/action\/package_search\?rows=1000&start=3/);
  });

  it('fails the gather on a maintenance page with its status', async () => {
    const e = await failure((_q, _req, res) => res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8' }).end(fixture('maintenance.html')));
    expect(e.message).toContain('not JSON (HTTP 503, text/html; charset=utf-8)');
    expect(e.message).toContain('Wartungsarbeiten');
  });

  it('fails the gather on HTTP 500 with an error envelope, naming the remote error', async () => {
    const e = await failure((_q, _req, res) => res.writeHead(500, { 'Content-Type': 'application/json' }).end(fixture('server-error.json')));
    expect(e.message).toMatch(/^Remote CKAN refused the search \(HTTP 500, Internal Server Error: Internal Server Error\)/);
  });

  it('fails the gather on success:false, even with status 200', async () => {
    const e = await failure((_q, _req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ success: false, error: { __type: 'Authorization Error', message: 'Zugriff verweigert' } })));
    expect(e.message).toContain('Authorization Error: Zugriff verweigert');
  });

  it('fails the gather on a 2xx answer without result.results', async () => {
    const e = await failure((_q, _req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"success": true, "result": ["haushaltsplan-2025"]}'));
    expect(e.message).toMatch(/^Response JSON did not contain result\.results/);
  });

  it('fails the gather when the portal answers the same page twice (paging ignored)', async () => {
    const e = await failure((q, req, res) => replay(new URLSearchParams({ start: '0' }), req, res));
    expect(e.message).toMatch(/^The paging doesn't seem to work/);
    expect(seen).toHaveLength(2);
  });

  it('fails the gather when the portal lists no dataset at all, so nothing harvested before is withdrawn', async () => {
    const e = await failure((q, req, res) => replay(new URLSearchParams({ start: '7' }), req, res));
    expect(e.message).toBe(`No datasets found at CKAN: ${base}`);
  });

  it('a failing search for changes fails the run rather than reporting a partial listing as complete', async () => {
    const e = await failure((q, req, res) => ((q.get('fq') ?? '').includes('metadata_modified') ? res.writeHead(502).end('Bad Gateway') : replay(q, req, res)), '2025-03-01T08:00:00Z');
    expect(e.message).toContain('HTTP 502');
  });

  it('stops between pages when the run is aborted', async () => {
    const r = run();
    const items = [];
    let error: unknown;
    try {
      for await (const item of harvester.gather(r)) {
        items.push(item);
        if ('present' in item) r.abort();
      }
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe('aborted by the test');
    expect(seen).toHaveLength(1);
    expect(items.some((i) => 'complete' in i)).toBe(false);
  });
});

describe('CKAN harvester: mapping a remote dataset', () => {
  const remote = (name: string): RemoteRecord => {
    const all = [0, 3, 6].flatMap((s) => (JSON.parse(fixture(`full.start-${s}.json`)) as { result: { results: Dict[] } }).result.results);
    const dict = all.find((d) => d.name === name)!;
    return { guid: String(dict.id), identifier: String(dict.id), content: JSON.stringify(dict) };
  };
  const map = (name: string, config: Dict = {}) => harvester.toPackage(remote(name), run({ config })) as Extract<ReturnType<CkanHarvester['toPackage']>, { action: 'import' }>;

  it('keeps the descriptive fields and drops the remote bookkeeping', () => {
    const { action, package: pkg, remoteOrganization } = map('haushaltsplan-2025');
    expect(action).toBe('import');
    expect(pkg).toMatchObject({
      name: 'haushaltsplan-2025', title: 'Haushaltsplan 2025', notes: expect.stringContaining('Teilhaushalten'), license_id: 'dl-by-de/2.0',
      author: 'Amt für Digitalisierung', maintainer_email: 'opendata@beispielhausen.de', type: 'dataset', private: false,
    });
    for (const key of ['id', 'metadata_modified', 'metadata_created', 'organization', 'owner_org', 'creator_user_id', 'num_resources', 'num_tags', 'state', 'license_title', 'isopen', 'relationships_as_object']) {
      expect(pkg).not.toHaveProperty(key);
    }
    expect(pkg).not.toHaveProperty('groups');
    expect(remoteOrganization).toBeUndefined();
  });

  it('keeps resources as links to the remote, uploads and DataStore tables included, with their DCAT fields', () => {
    expect(map('haushaltsplan-2025').package.resources).toEqual([
      {
        name: 'Haushaltsplan 2025 (CSV)', description: '', format: 'CSV', hash: '', mimetype: 'text/csv', created: '2024-02-01T08:00:00.123456', size: 48211,
        license: 'http://dcat-ap.de/def/licenses/dl-by-de/2.0',
        url: 'https://opendata.stadt-beispielhausen.de/dataset/0a3c1e52-7b9d-4f1e-a2c3-1d4e5f6a7b8c/resource/1b2c3d4e-0001-4a00-8000-00000000a001/download/haushalt-2025.csv',
      },
      { name: 'Haushaltsplan 2025 (PDF)', description: '', format: 'PDF', hash: '', mimetype: 'application/pdf', created: '2024-02-01T08:00:00.123456', url: 'https://www.beispielhausen.de/fileadmin/haushalt/haushaltsplan-2025.pdf' },
    ]);
    const kita = map('kita-standorte').package.resources as Dict[];
    expect(kita[1]).toMatchObject({ url: 'https://opendata.stadt-beispielhausen.de/datastore/dump/2c3d4e5f-0002-4b00-8000-00000000b002', format: 'CSV' });
    expect(kita.every((r) => !('url_type' in r) && !('id' in r) && !('datastore_active' in r) && !('package_id' in r))).toBe(true);
  });

  it('keeps tag names only and adds the default tags', () => {
    expect(map('kita-standorte', { default_tags: [{ name: 'Landkreis' }, { name: 'Kita' }] }).package.tags).toEqual([
      { name: 'Kita' }, { name: 'Bildung' }, { name: 'Familie' }, { name: 'Landkreis' },
    ]);
  });

  it('with clean_tags munges tags this catalog would refuse, as CKAN munge_tag', () => {
    expect(map('baumkataster', { clean_tags: true }).package.tags).toEqual([{ name: 'baume' }, { name: 'umwelt--natur' }]);
    expect(map('baumkataster').package.tags).toEqual([{ name: 'Bäume' }, { name: 'Umwelt & Natur' }]);
  });

  it('keeps the extras but not the harvest_* ones another harvester left', () => {
    expect(map('kita-standorte').package.extras).toEqual([{ key: 'spatial', value: '{"type":"Point","coordinates":[8.43,49.32]}' }]);
  });

  it('turns top-level DCAT-AP.de fields of a scheming portal into extras', () => {
    expect(map('wahlergebnisse-kommunalwahl-2024').package.extras).toEqual([
      { key: 'identifier', value: 'https://opendata.stadt-beispielhausen.de/id/kw2024' },
      { key: 'issued', value: '2024-06-10' },
      { key: 'theme', value: '["http://publications.europa.eu/resource/authority/data-theme/GOVE"]' },
    ]);
  });

  it('adds default extras, replacing placeholders, and overrides existing ones only with override_extras', () => {
    const config = { default_extras: { identifier: 'x', harvest_hinweis: 'Aus {harvest_source_url}, Datensatz {dataset_id}', quelle: 'Quelle {harvest_source_id}' } };
    const extras = map('baumkataster', config).package.extras as Dict[];
    expect(extras).toEqual([
      { key: 'identifier', value: 'DE-BW-BEISPIELHAUSEN-BAUMKATASTER' },
      { key: 'harvest_hinweis', value: `Aus ${base}, Datensatz 3c6d4e85-ae2a-4c4b-95f6-4a7b8c9d0e1f` },
      { key: 'quelle', value: 'Quelle a6f1c0de-0000-4000-8000-00000000cafe' },
    ]);
    expect(map('baumkataster', { ...config, override_extras: true }).package.extras).toContainEqual({ key: 'identifier', value: 'x' });
  });

  it('passes the remote groups by name only when remote_groups is set, plus the default groups', () => {
    expect(map('baumkataster', { remote_groups: 'only_local', default_groups: ['kreisdaten', 'verkehr'] }).package.groups).toEqual([
      { name: 'umwelt-klima' }, { name: 'verkehr' }, { name: 'kreisdaten' },
    ]);
    expect(map('baumkataster', { default_groups: ['kreisdaten'] }).package.groups).toEqual([{ name: 'kreisdaten' }]);
  });

  it('names the remote organization when remote_orgs is set', () => {
    expect(map('parkhaeuser-belegung', { remote_orgs: 'create' }).remoteOrganization).toEqual({ name: 'stadtwerke-beispielhausen', title: 'Stadtwerke Beispielhausen GmbH' });
    expect(map('haushaltsplan-2025', { remote_orgs: 'only_local' }).remoteOrganization).toEqual({
      name: 'stadt-beispielhausen', title: 'Stadt Beispielhausen', description: 'Open-Data-Portal der Stadt Beispielhausen (Amt für Digitalisierung)', image_url: 'https://www.beispielhausen.de/fileadmin/wappen.png',
    });
  });

  it('skips harvest sources and datasets that are not active', async () => {
    expect(await harvester.toPackage(remote('harvester-nachbargemeinde'), run())).toEqual({ action: 'skip', reason: 'Remote dataset is a harvest source' });
    const deleted = { ...(JSON.parse(remote('baumkataster').content!) as Dict), state: 'deleted' };
    expect(await harvester.toPackage({ guid: 'x', identifier: 'x', content: JSON.stringify(deleted) }, run())).toEqual({ action: 'skip', reason: 'Remote dataset is deleted, not active' });
  });

  it('reports a record whose content is not a JSON dict with its guid', () => {
    expect(() => harvester.toPackage({ guid: 'g-1', identifier: 'g-1', content: '<html>' }, run())).toThrow(new HarvestError('Empty or malformed content', 'g-1'));
  });
});

describe('CKAN harvester: source config', () => {
  const problems = (raw: Dict): string[] => {
    try {
      harvester.parseConfig(raw);
    } catch (e) {
      expect(e).toBeInstanceOf(HarvestConfigError);
      return (e as HarvestConfigError).problems;
    }
    throw new Error('config accepted');
  };

  it('accepts ckanext-harvest configs, normalises them and keeps keys it does not know', () => {
    expect(harvester.parseConfig({ api_key: ' k ', default_tags: [{ name: 'kreis' }, 'land'], remote_orgs: 'create', api_version: '3', force_all: true, custom: 1 })).toEqual({
      api_key: 'k', api_version: 3, custom: 1, default_tags: ['kreis', 'land'], default_groups: [], default_extras: {}, override_extras: false, remote_orgs: 'create', force_all: true,
      clean_tags: false,
    });
    const once = harvester.parseConfig({ organizations_filter_include: ['stadt-beispielhausen'], default_extras: { a: 1 } });
    expect(harvester.parseConfig(once)).toEqual(once);
    expect(harvester.parseConfig({})).toMatchObject({ force_all: false, default_tags: [] });
    expect(harvester.secretKeys).toEqual(['api_key']);
  });

  it('names every wrong key', () => {
    expect(problems({ default_tags: 'kreis', default_groups: [1], default_extras: [], force_all: 'yes', read_only: 1, api_version: 'drei', remote_groups: 'all', api_key: 5 })).toEqual([
      'api_key must be a string',
      'api_version must be an integer',
      'default_tags must be a list',
      'default_groups must be a list of group names/ids (i.e. strings)',
      'default_extras must be a dictionary',
      'remote_groups must be "only_local" or "create"',
      'force_all must be boolean',
      'read_only must be boolean',
    ]);
  });

  it('refuses include and exclude filters together, and names that could change the remote query', () => {
    expect(problems({ organizations_filter_include: ['a'], organizations_filter_exclude: ['b'] })).toEqual([
      'Harvest configuration cannot contain both organizations_filter_include and organizations_filter_exclude',
    ]);
    expect(problems({ groups_filter_include: ['a'], groups_filter_exclude: ['b'] })).toEqual(['Harvest configuration cannot contain both groups_filter_include and groups_filter_exclude']);
    expect(problems({ organizations_filter_include: ['stadt OR *:*'] })).toEqual(['organizations_filter_include: not a CKAN name (lowercase letters, digits, - and _): "stadt OR *:*"']);
    expect(problems({ groups_filter_exclude: 'verkehr' })).toEqual(['groups_filter_exclude must be a list of names']);
  });

  it('refuses default_extras placeholders it cannot fill', () => {
    expect(problems({ default_extras: { job: '{harvest_job_id}' } })).toEqual(['default_extras.job: {harvest_job_id} cannot be filled here; use {harvest_source_id}, {harvest_source_url}, {dataset_id}']);
  });
});

describe('CKAN harvester: times', () => {
  it('asks from an hour before the last run, with six fractional digits', () => {
    expect(sinceTerm('2025-05-01T09:59:03.512Z')).toBe('metadata_modified:[2025-05-01T08:59:03.512000Z TO *]');
    expect(sinceTerm('2025-05-01T00:30:00+02:00')).toBe('metadata_modified:[2025-04-30T21:30:00.000000Z TO *]');
  });

  it('reads CKAN timestamps as UTC', () => {
    expect(normalizeModified('2025-05-01T08:59:03.512345')).toBe('2025-05-01T08:59:03.512345Z');
    expect(normalizeModified('2025-05-01T08:59:03')).toBe('2025-05-01T08:59:03.000000Z');
    expect(normalizeModified('2025-05-01T10:59:03.5+02:00')).toBe('2025-05-01T08:59:03.500000Z');
    expect(normalizeModified('gestern')).toBeUndefined();
  });
});
