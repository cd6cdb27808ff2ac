import request from 'supertest';
import { SensorCatalog, StationSource, SyncResult } from '../../src/sensors/catalog/sensor-catalog.service';
import type { StationInfo } from '../../src/sensors/readings';
import type { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/**
 * "A private gauge's observations never reach an anonymous SensorThings, DataStore or MQTT reader" (issue 12), and
 * the project's rule "private data never leaks, not even as a count or a tag": one public and one private gauge of
 * the same organization, with observations, latest values, aggregates and features of interest, read on every path
 * by four readers. Only members of the organization and sysadmins see the private gauge; everyone else meets it as
 * if it did not exist (404, never 403, on SensorThings; CKAN's 403 on the DataStore actions, 404 on dumps).
 * MQTT "receive updates" is not tested here: its transport is another part's (src/sensors/mqtt/).
 */

type Dict = Record<string, unknown>;
type Resource = Dict & { id: string; resource_type: string };
type StaList = { '@iot.count'?: number; value: (Dict & { '@iot.id': number })[] };

const gauge = (key: string, name: string, streams: StationInfo['streams'], coordinates: [number, number]): StationInfo => ({
  key, name, location: { type: 'Point', coordinates }, properties: { water: 'MOSEL' }, streams,
});
const W = { key: 'W', name: 'Wasserstand', quantity: 'water_level', unit: 'cm', intervalSeconds: 900 } as const;
// Only the private gauge measures water temperature: its ObservedProperty and tag belong to it alone.
const WT = { key: 'WT', name: 'Wassertemperatur', quantity: 'water_temperature', unit: '°C', intervalSeconds: 3600 } as const;

describe('visibility of sensor data on every read path', () => {
  let t: TestApp;
  let member: TestUser;
  let outsider: TestUser;
  let pub: SyncResult;
  let priv: SyncResult;
  let pubResources: Record<string, string>;
  let privResources: Record<string, string>;
  /** Ids of the private gauge's SensorThings entities, by entity set. */
  const privateIds: Record<string, number[]> = {};
  const publicIds: Record<string, number[]> = {};
  const sql = <T = Dict>(text: string, params: unknown[] = []): Promise<T[]> => t.db.dataSource.query(text, params);

  const SETS = ['Things', 'Datastreams', 'Observations', 'Locations', 'HistoricalLocations', 'Sensors', 'ObservedProperties', 'FeaturesOfInterest'] as const;

  async function observe(r: SyncResult, key: string, foi: number, values: number[]): Promise<void> {
    const ds = r.datastreams[key];
    for (const [i, v] of values.entries()) {
      await sql(
        `INSERT INTO sensor_observation (datastream_id, phenomenon_time, result, result_time, quality, feature_of_interest_id, received_at)
         VALUES ($1, timestamptz '2025-03-30T20:00:00Z' + $2 * interval '15 minutes', $3, timestamptz '2025-03-30T20:02:00Z' + $2 * interval '15 minutes', 'good', $4, now())`,
        [ds, i, v, foi],
      );
    }
    // As the observations writer notes: a FeatureOfInterest observed by a Datastream belongs to its dataset.
    await sql(`INSERT INTO sensor_feature_use (feature_of_interest_id, datastream_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [foi, ds]);
    await sql(
      `INSERT INTO sensor_latest (datastream_id, observation_id, phenomenon_time, result, quality, received_at)
       SELECT datastream_id, id, phenomenon_time, result, quality, received_at FROM sensor_observation WHERE datastream_id = $1 ORDER BY phenomenon_time DESC LIMIT 1`,
      [ds],
    );
    await sql(`INSERT INTO sensor_aggregate (datastream_id, period, bucket, count, min, max, avg, sum) VALUES ($1, 'hour', '2025-03-30T20:00:00Z', 4, 1, 9, 5, 20)`, [ds]);
  }

  async function idsOf(r: SyncResult, into: Record<string, number[]>): Promise<void> {
    const ids = async (q: string): Promise<number[]> => (await sql<{ id: string }>(q, [r.thingId])).map((x) => Number(x.id)).sort((a, b) => a - b);
    into.Things = [r.thingId];
    into.Datastreams = Object.values(r.datastreams).sort((a, b) => a - b);
    into.Observations = await ids(`SELECT o.id FROM sensor_observation o JOIN sensor_datastream d ON d.id = o.datastream_id WHERE d.thing_id = $1`);
    into.Locations = await ids(`SELECT l.id FROM sensor_location l JOIN sensor_thing_location tl ON tl.location_id = l.id WHERE tl.thing_id = $1`);
    into.HistoricalLocations = await ids(`SELECT id FROM sensor_historical_location WHERE thing_id = $1`);
    into.Sensors = await ids(`SELECT sensor_id AS id FROM sensor_datastream WHERE thing_id = $1`);
    into.FeaturesOfInterest = await ids(`SELECT DISTINCT o.feature_of_interest_id AS id FROM sensor_observation o JOIN sensor_datastream d ON d.id = o.datastream_id WHERE d.thing_id = $1`);
  }

  beforeAll(async () => {
    t = await TestApp.start({ DATASTORE_SQL_ENABLED: 'true' });
    member = await t.factories.user();
    outsider = await t.factories.user();
    const org = await t.factories.organization({ members: [[member, 'member']] });
    await t.factories.organization({ members: [[outsider, 'editor']] });
    const source = async (name: string, config: Dict): Promise<StationSource> => {
      const s = await t.call<Dict & { id: string; name: string }>('sensor_source_create', { name, owner_org: org.id, type: 'pegelonline', config });
      return { id: s.id, name: s.name, owner_org: String(org.id), type: 'pegelonline', config };
    };
    const catalog = t.app.get(SensorCatalog);
    const site = t.context(null).withIgnoreAuth();
    pub = await catalog.syncStation(site, await source('mosel-oeffentlich', { stations: ['TRIER'] }), gauge('trier-uuid', 'TRIER', [W], [6.6287, 49.7596]));
    priv = await catalog.syncStation(site, await source('mosel-intern', { stations: ['BERNKASTEL'], private: true }), gauge('bernkastel-uuid', 'BERNKASTEL', [W, WT], [7.0736, 49.9161]));
    const [pubFoi] = await sql<{ id: string }>(`INSERT INTO sensor_feature_of_interest (name, feature) VALUES ('TRIER', '{"type":"Point","coordinates":[6.6287,49.7596]}') RETURNING id`);
    const [privFoi] = await sql<{ id: string }>(`INSERT INTO sensor_feature_of_interest (name, feature) VALUES ('BERNKASTEL', '{"type":"Point","coordinates":[7.0736,49.9161]}') RETURNING id`);
    await observe(pub, 'W', Number(pubFoi.id), [340, 345, 350]);
    await observe(priv, 'W', Number(privFoi.id), [410, 415, 420, 425]);
    await observe(priv, 'WT', Number(privFoi.id), [8.5, 8.7]);
    await idsOf(pub, publicIds);
    await idsOf(priv, privateIds);
    // The ObservedProperty only the private gauge uses (water temperature); water level is shared, so it stays visible.
    const [op] = await sql<{ id: string }>(`SELECT observed_property_id AS id FROM sensor_datastream WHERE id = $1`, [priv.datastreams.WT]);
    privateIds.ObservedProperties = [Number(op.id)];
    const [wop] = await sql<{ id: string }>(`SELECT observed_property_id AS id FROM sensor_datastream WHERE id = $1`, [pub.datastreams.W]);
    publicIds.ObservedProperties = [Number(wop.id)];
    const resources = async (id: string): Promise<Record<string, string>> => {
      const d = await t.call<{ resources: Resource[] }>('package_show', { id });
      return Object.fromEntries(d.resources.map((r) => [r.resource_type === 'sensor_datastream' ? `stream:${String(r.sensor_stream)}` : r.resource_type, r.id]));
    };
    pubResources = await resources(pub.packageId);
    privResources = await resources(priv.packageId);
    await t.searchIndexed();
  });
  afterAll(() => t.stop());

  it('sets up a private gauge whose every SensorThings entity exists', () => {
    expect(priv.created).toBe(true);
    for (const set of SETS) expect({ set, ids: privateIds[set].length > 0 }).toEqual({ set, ids: true });
    expect(Object.keys(privResources).sort()).toEqual(['sensor_daily', 'sensor_hourly', 'sensor_latest', 'stream:W', 'stream:WT']);
  });

  const READERS: [string, () => TestUser | null, boolean][] = [
    ['an anonymous reader', () => null, false],
    ['a member of another organization', () => outsider, false],
    ['a member of the organization', () => member, true],
    ['a sysadmin', () => t.sysadmin, true],
  ];

  describe.each(READERS)('%s', (_who, as, seesPrivate) => {
    const get = (url: string): request.Test => {
      const r = request(t.http).get(url);
      const u = as();
      return u ? r.set('Authorization', u.token) : r;
    };
    const sta = async (path: string): Promise<request.Response> => get(`/sta/v1.1/${path}`);
    const action = (name: string, body: Dict): request.Test => {
      const r = request(t.http).post(`/api/3/action/${name}`).send(body);
      const u = as();
      return u ? r.set('Authorization', u.token) : r;
    };

    it.each(SETS.map((s) => [s]))('SensorThings %s: lists and counts the private gauge only for those who may read it', async (set) => {
      const res = await sta(`${set}?$count=true&$top=1000`);
      expect(res.status).toBe(200);
      const body = res.body as StaList;
      const ids = body.value.map((v) => v['@iot.id']);
      expect(body['@iot.count']).toBe(ids.length);
      for (const id of publicIds[set]) expect({ set, id, listed: ids.includes(id) }).toEqual({ set, id, listed: true });
      for (const id of privateIds[set]) expect({ set, id, listed: ids.includes(id) }).toEqual({ set, id, listed: seesPrivate });
    });

    it.each(SETS.map((s) => [s]))('SensorThings %s(id) of the private gauge: 404 as if absent, unless readable', async (set) => {
      for (const id of privateIds[set]) {
        const res = await sta(`${set}(${id})`);
        expect({ set, id, status: res.status }).toEqual({ set, id, status: seesPrivate ? 200 : 404 });
        if (!seesPrivate) expect(res.body).toEqual({ error: { code: 404, message: expect.any(String) } });
      }
    });

    it('SensorThings navigation under the private Thing and Datastream: 404, or its children when readable', async () => {
      for (const path of [`Things(${priv.thingId})/Datastreams`, `Datastreams(${priv.datastreams.W})/Observations`, `Things(${priv.thingId})/Locations`, `Datastreams(${priv.datastreams.WT})/ObservedProperty`]) {
        const res = await sta(`${path}?$count=true`);
        expect({ path, status: res.status }).toEqual({ path, status: seesPrivate ? 200 : 404 });
      }
      for (const path of [`Things(${priv.thingId})/name/$value`, `Datastreams(${priv.datastreams.W})/Observations/$ref`, `Things(${priv.thingId})/HistoricalLocations`, `Observations(${privateIds.Observations[0]})/FeatureOfInterest`]) {
        const res = await sta(path);
        expect({ path, status: res.status }).toEqual({ path, status: seesPrivate ? 200 : 404 });
      }
      const own = await sta(`Things(${pub.thingId})/Datastreams?$count=true`);
      expect((own.body as StaList)['@iot.count']).toBe(1);
    });

    it('SensorThings navigation from shared entities never reaches the private gauge', async () => {
      // Water level is measured by both gauges: its Datastreams list holds the private one only for readers.
      const op = publicIds.ObservedProperties[0];
      const ds = ((await sta(`ObservedProperties(${op})/Datastreams?$count=true`)).body as StaList);
      expect(ds.value.map((d) => d['@iot.id']).includes(priv.datastreams.W)).toBe(seesPrivate);
      expect(ds['@iot.count']).toBe(seesPrivate ? 2 : 1);
    });

    it('SensorThings $expand shows no private child under any parent', async () => {
      const things = ((await sta(`Things?$expand=Datastreams($expand=Observations($count=true),Sensor,ObservedProperty),Locations`)).body as StaList).value;
      const text = JSON.stringify(things);
      expect(text.includes('BERNKASTEL')).toBe(seesPrivate);
      const ops = ((await sta(`ObservedProperties?$expand=Datastreams($select=id;$count=true)`)).body as StaList).value;
      const expanded = ops.flatMap((o) => ((o.Datastreams ?? []) as { '@iot.id': number }[]).map((d) => d['@iot.id']));
      expect(expanded.includes(priv.datastreams.W)).toBe(seesPrivate);
      const water = ops.find((o) => o['@iot.id'] === publicIds.ObservedProperties[0])!;
      expect(water['Datastreams@iot.count']).toBe(seesPrivate ? 2 : 1);
      const fois = ((await sta(`FeaturesOfInterest?$expand=Observations($count=true)`)).body as StaList).value;
      expect(fois.some((f) => privateIds.FeaturesOfInterest.includes(f['@iot.id']))).toBe(seesPrivate);
    });

    it('SensorThings paging and dataArray answers count and group only what the reader may see', async () => {
      // One Thing per page: a next page exists only when the private gauge is readable.
      const page = (await sta('Things?$top=1')).body as StaList & { '@iot.nextLink'?: string };
      expect(page['@iot.nextLink'] !== undefined).toBe(seesPrivate);
      const arrays = (await sta('Observations?$resultFormat=dataArray&$count=true')).body as { value: { 'Datastream@iot.navigationLink': string; dataArray: unknown[] }[] };
      const links = arrays.value.map((v) => v['Datastream@iot.navigationLink']);
      expect(links.some((l) => l.endsWith(`Datastreams(${priv.datastreams.W})`))).toBe(seesPrivate);
      expect(arrays.value.reduce((n, v) => n + v.dataArray.length, 0)).toBe(3 + (seesPrivate ? 6 : 0));
      const own = await sta(`Datastreams(${priv.datastreams.W})/Observations?$resultFormat=dataArray`);
      expect(own.status).toBe(seesPrivate ? 200 : 404);
    });

    it('SensorThings $filter through navigation finds nothing of the private gauge', async () => {
      for (const [set, filter, privateCount] of [
        ['Observations', "Datastream/Thing/name eq 'BERNKASTEL'", 6],
        ['Datastreams', "Thing/name eq 'BERNKASTEL'", 2],
        ['Things', 'Datastreams/Observations/result gt 400', 1],
        ['Locations', "Things/name eq 'BERNKASTEL'", 1],
        ['FeaturesOfInterest', 'Observations/result gt 400', 1],
        ['Sensors', "Datastreams/Thing/name eq 'BERNKASTEL'", 2],
      ] as const) {
        const res = await sta(`${set}?$count=true&$filter=${encodeURIComponent(filter)}`);
        expect({ set, filter, status: res.status, count: (res.body as StaList)['@iot.count'] }).toEqual({ set, filter, status: 200, count: seesPrivate ? privateCount : 0 });
      }
    });

    it('DataStore: datastore_search and datastore_info of the private resources are refused (403), the public ones answer', async () => {
      for (const kind of ['sensor_latest', 'stream:W', 'sensor_hourly']) {
        const search = await action('datastore_search', { resource_id: privResources[kind] });
        expect({ kind, status: search.status }).toEqual({ kind, status: seesPrivate ? 200 : 403 });
        if (seesPrivate) expect(search.body.result.total).toBeGreaterThan(0);
        else expect(search.body).toEqual({ help: expect.any(String), success: false, error: { __type: 'Authorization Error', message: expect.any(String) } });
        const info = await action('datastore_info', { id: privResources[kind] });
        expect({ kind, status: info.status }).toEqual({ kind, status: seesPrivate ? 200 : 403 });
        const open = await action('datastore_search', { resource_id: pubResources[kind] });
        expect({ kind, status: open.status }).toEqual({ kind, status: 200 });
      }
    });

    it('sensor_dataset_period of the private gauge is refused (403) unless readable, the public one answers', async () => {
      const hidden = await action('sensor_dataset_period', { id: priv.packageId });
      expect(hidden.status).toBe(seesPrivate ? 200 : 403);
      if (seesPrivate) expect(hidden.body.result).toMatchObject({ id: priv.packageId, start: expect.stringMatching(/^\d{4}-/) });
      else expect(hidden.body).toMatchObject({ success: false, error: { __type: 'Authorization Error' } });
      expect((await action('sensor_dataset_period', { id: pub.packageId })).status).toBe(200);
    });

    it('DataStore: the dumps of the private resources answer 404 unless readable', async () => {
      for (const kind of ['sensor_latest', 'stream:W', 'sensor_hourly']) {
        const res = await get(`/datastore/dump/${privResources[kind]}`);
        expect({ kind, status: res.status }).toEqual({ kind, status: seesPrivate ? 200 : 404 });
        // A reader gets the header and the gauge's rows (its latest values, readings or hourly aggregates).
        if (seesPrivate) expect(res.text.trim().split('\n').length).toBeGreaterThan(1);
      }
    });

    it('DataStore: datastore_search_sql on a private view is refused unless readable, also inside a join', async () => {
      const own = await action('datastore_search_sql', { sql: `SELECT count(*) AS n FROM "${privResources['stream:W']}"` });
      expect(own.status).toBe(seesPrivate ? 200 : 403);
      if (seesPrivate) expect(Number(own.body.result.records[0].n)).toBe(4);
      const joined = await action('datastore_search_sql', { sql: `SELECT a.result FROM "${pubResources['stream:W']}" a, "${privResources.sensor_latest}" b` });
      expect(joined.status).toBe(seesPrivate ? 200 : 403);
      const qualified = await action('datastore_search_sql', { sql: `SELECT * FROM datastore."${privResources['stream:WT']}"` });
      expect(qualified.status).toBe(seesPrivate ? 200 : 403);
    });

    it('DataStore SQL reaches no sensor table behind the views, and no table list names the private views', async () => {
      for (const table of ['public.sensor_observation', 'public.sensor_latest', 'public.sensor_datastream']) {
        const res = await action('datastore_search_sql', { sql: `SELECT * FROM ${table}` });
        expect({ table, status: res.status, result: res.body.result }).toEqual({ table, status: 403, result: undefined });
      }
      // Unqualified, the name is looked up in schema datastore only, where no such table is (CKAN's 409 for an unknown table).
      const unqualified = await action('datastore_search_sql', { sql: 'SELECT * FROM sensor_observation' });
      expect({ status: unqualified.status, result: unqualified.body.result }).toEqual({ status: 409, result: undefined });
      // No list of the DataStore's tables names the private views: CKAN's _table_metadata is none here (409), the catalogs are refused.
      for (const [query, status] of [['SELECT * FROM "_table_metadata"', 409], ['SELECT table_name FROM information_schema.tables', 403], ['SELECT relname FROM pg_class', 403], ['SELECT viewname FROM pg_catalog.pg_views', 403]] as const) {
        const res = await action('datastore_search_sql', { sql: query });
        expect({ query, status: res.status, result: res.body.result }).toEqual({ query, status, result: undefined });
      }
    });

    it('tags of the private gauge reach no tag list or autocomplete', async () => {
      const list = await action('tag_list', {});
      expect((list.body.result as string[]).includes('Wassertemperatur')).toBe(seesPrivate);
      const auto = await action('tag_autocomplete', { q: 'Wassertemp' });
      expect((auto.body.result as string[]).includes('Wassertemperatur')).toBe(seesPrivate);
    });

    it('package_search: counts and facets (tags, res_format, organization) hold the private gauge only for readers', async () => {
      const res = await action('package_search', {
        q: 'type:sensor', include_private: true, rows: 10, 'facet.field': ['tags', 'res_format', 'organization'], 'facet.limit': -1,
      });
      expect(res.status).toBe(200);
      const r = res.body.result as { count: number; results: Dict[]; facets: Record<string, Record<string, number>> };
      expect(r.count).toBe(seesPrivate ? 2 : 1);
      expect(r.results.some((d) => d.id === priv.packageId)).toBe(seesPrivate);
      expect(r.facets.tags.Wassertemperatur).toBe(seesPrivate ? 1 : undefined);
      expect(r.facets.tags.Sensordaten).toBe(seesPrivate ? 2 : 1);
      expect(r.facets.res_format.CSV).toBe(seesPrivate ? 2 : 1);
      expect(Object.values(r.facets.organization)).toEqual([seesPrivate ? 2 : 1]);
    });

    it('DCAT: the catalog (endpoint and action) never lists the private gauge; its own RDF and validation only for readers', async () => {
      const cat = await get('/catalog.ttl');
      expect(cat.status).toBe(200);
      expect(cat.text).toContain(pub.packageId);
      expect(cat.text).not.toContain(priv.packageId);
      expect(cat.text).not.toContain('BERNKASTEL');
      const own = await get(`/dataset/${priv.packageId}.ttl`);
      expect(own.status).toBe(seesPrivate ? 200 : 403);
      if (!seesPrivate) expect(own.text).not.toContain('BERNKASTEL');
      for (const name of ['dcat_dataset_show', 'dcat_validate']) {
        const res = await action(name, { id: priv.packageId });
        expect({ name, status: res.status }).toEqual({ name, status: seesPrivate ? 200 : 403 });
        if (!seesPrivate) expect(JSON.stringify(res.body)).not.toContain('BERNKASTEL');
      }
      const page = await action('dcat_catalog_show', { _format: 'ttl' });
      expect(page.status).toBe(200);
      expect(JSON.stringify(page.body)).not.toContain(priv.packageId);
    });
  });

  // Last: it deletes the private gauge's observations, as retention does after its window.
  it('keeps the private gauge\'s FeatureOfInterest from anonymous readers after its observations are gone', async () => {
    const [foi] = privateIds.FeaturesOfInterest;
    await sql(`DELETE FROM sensor_observation WHERE datastream_id = ANY($1::bigint[])`, [privateIds.Datastreams]);
    expect((await request(t.http).get(`/sta/v1.1/FeaturesOfInterest(${foi})`)).status).toBe(404);
    const listed = (await request(t.http).get('/sta/v1.1/FeaturesOfInterest?$top=1000')).body as StaList;
    expect(listed.value.map((f) => f['@iot.id'])).not.toContain(foi);
    expect((await request(t.http).get(`/sta/v1.1/FeaturesOfInterest(${foi})`).set('Authorization', t.sysadmin.token)).status).toBe(200);
  });
});
