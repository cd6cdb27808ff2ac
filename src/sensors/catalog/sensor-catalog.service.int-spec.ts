import request from 'supertest';
import { TestApp } from '../../../test/test-app';
import type { TestUser } from '../../../test/factories/factories';
import type { StationInfo } from '../readings';
import { DatastoreViews } from '../../datastore/datastore-views';
import { SensorCatalog, StationSource } from './sensor-catalog.service';

type Dict = Record<string, unknown>;
type Resource = Dict & { id: string; resource_type: string; datastore_active?: boolean };
type Dataset = Dict & { id: string; name: string; resources: Resource[]; extras: { key: string; value: string }[]; tags: { name: string }[] };

/** A gauge as a PEGELONLINE adapter describes it (values from test fixture stations.json, synthetic). */
const koblenz = (over: Partial<StationInfo> = {}): StationInfo => ({
  key: '3c3f2a11-2b8e-4a35-9d8c-5d7a4f0e1b21',
  name: 'KOBLENZ',
  location: { type: 'Point', coordinates: [7.6057, 50.3582] },
  properties: { number: '26900400', water: 'RHEIN', km: 591.5, agency: 'WSA RHEIN' },
  streams: [
    { key: 'W', name: 'Wasserstand', quantity: 'water_level', unit: 'cm', intervalSeconds: 900, properties: { characteristicValues: { MNW: 146, MW: 293, MHW: 612, HSW: 620 } } },
    { key: 'Q', name: 'Abfluss', quantity: 'discharge', unit: 'm³/s', intervalSeconds: 900 },
  ],
  ...over,
});

describe('sensor datasets (SensorCatalog and their DataStore views)', () => {
  let t: TestApp;
  let catalog: SensorCatalog;
  let editor: TestUser;
  let org: Dict & { id: string; name: string };
  let source: StationSource;
  const sql = <T = Dict>(text: string, params: unknown[] = []): Promise<T[]> => t.db.dataSource.query(text, params);
  const site = () => t.context(null).withIgnoreAuth();
  const resourceOf = (d: Dataset, type: string): Resource => d.resources.find((r) => r.resource_type === type)!;

  beforeAll(async () => {
    t = await TestApp.start();
    catalog = t.app.get(SensorCatalog);
    editor = await t.factories.user();
    org = await t.factories.organization({ members: [[editor, 'editor']] });
    const s = await t.call<Dict & { id: string; name: string }>('sensor_source_create', {
      name: 'pegelonline-rhein', title: 'PEGELONLINE', owner_org: org.id, type: 'pegelonline', config: { stations: ['KOBLENZ'] },
    });
    source = { id: s.id, name: s.name, title: 'PEGELONLINE', owner_org: org.id, type: 'pegelonline' };
  });
  afterAll(() => t.stop());

  describe('syncStation', () => {
    let first: Awaited<ReturnType<SensorCatalog['syncStation']>>;
    let d: Dataset;
    beforeAll(async () => {
      first = await catalog.syncStation(site(), source, koblenz());
      d = await t.call<Dataset>('package_show', { id: first.packageId });
    });

    it('creates a dataset of type sensor in the source organization, with its place as spatial and a resource per datastream', () => {
      expect(first.created).toBe(true);
      expect(d).toMatchObject({ name: 'pegel-koblenz', title: 'KOBLENZ', type: 'sensor', owner_org: org.id });
      expect(JSON.parse(d.extras.find((e) => e.key === 'spatial')!.value)).toEqual({ type: 'Point', coordinates: [7.6057, 50.3582] });
      expect(d.extras.find((e) => e.key === 'frequency')?.value).toBe('http://publications.europa.eu/resource/authority/frequency/15MIN');
      expect(d.tags.map((x) => x.name)).toEqual(expect.arrayContaining(['Echtzeitdaten', 'Wasserstand', 'Abfluss']));
      expect(d.resources.map((r) => r.resource_type)).toEqual(['sensor_latest', 'sensor_datastream', 'sensor_datastream', 'sensor_hourly', 'sensor_daily']);
      for (const r of d.resources) expect(r).toMatchObject({ datastore_active: true, url_type: 'datastore', url: `http://catalog.test/datastore/dump/${r.id}` });
    });

    it('is found by a map search around its station (issue 16: the place feeds the search extent)', async () => {
      await t.searchIndexed();
      const around = await t.call<{ results: { id: string }[] }>('package_search', { ext_bbox: '7.5,50.3,7.7,50.4' }, { as: null });
      expect(around.results.map((r) => r.id)).toEqual([d.id]);
      const elsewhere = await t.call<{ count: number }>('package_search', { ext_bbox: '13,52,14,53' }, { as: null });
      expect(elsewhere.count).toBe(0);
    });

    it('keeps a Thing, its Location with history, and one Datastream per stream with unit, quantity and characteristic values', async () => {
      expect(Object.keys(first.datastreams).sort()).toEqual(['Q', 'W']);
      const [thing] = await sql(`SELECT package_id, source_id, source_key, properties FROM sensor_thing WHERE id = $1`, [first.thingId]);
      expect(thing).toMatchObject({ package_id: d.id, source_id: source.id, source_key: koblenz().key, properties: { water: 'RHEIN', number: '26900400' } });
      const [w] = await sql(`SELECT resource_id, quantity, unit_of_measurement, interval_seconds, properties FROM sensor_datastream WHERE id = $1`, [first.datastreams.W]);
      expect(w).toMatchObject({
        resource_id: d.resources[1].id, quantity: 'water_level', interval_seconds: 900,
        unit_of_measurement: { name: 'Zentimeter', symbol: 'cm', definition: expect.stringMatching(/^http:\/\/unitsofmeasure\.org\/ucum/) },
        properties: { characteristicValues: { MNW: 146, MHW: 612 } },
      });
      const [loc] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sensor_historical_location WHERE thing_id = $1`, [first.thingId]);
      expect(loc.n).toBe(1);
    });

    it('finds the station again on the next sync: same dataset, Thing and Datastreams, nothing written when nothing changed', async () => {
      const again = await catalog.syncStation(site(), source, koblenz());
      expect(again).toEqual({ ...first, created: false });
      const after = await t.call<Dataset>('package_show', { id: d.id });
      expect(after.metadata_modified).toBe(d.metadata_modified);
      const [n] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM package WHERE type = 'sensor' AND owner_org = $1`, [org.id]);
      expect(n.n).toBe(1);
    });

    it('updates in place when the station changes: a moved gauge gets a new Location and a HistoricalLocation, a new series a new resource', async () => {
      const moved = koblenz({ location: { type: 'Point', coordinates: [7.6061, 50.359] }, streams: [...koblenz().streams, { key: 'WT', name: 'Wassertemperatur', quantity: 'water_temperature', unit: '°C' }] });
      const again = await catalog.syncStation(site(), source, moved);
      expect(again).toMatchObject({ packageId: d.id, thingId: first.thingId, created: false, datastreams: { W: first.datastreams.W, Q: first.datastreams.Q } });
      const [h] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sensor_historical_location WHERE thing_id = $1`, [first.thingId]);
      expect(h.n).toBe(2);
      const after = await t.call<Dataset>('package_show', { id: d.id });
      expect(after.resources.filter((r) => r.resource_type === 'sensor_datastream').map((r) => r.name)).toEqual(['Wasserstand', 'Abfluss', 'Wassertemperatur']);
      expect(JSON.parse(after.extras.find((e) => e.key === 'spatial')!.value).coordinates).toEqual([7.6061, 50.359]);
    });
  });

  it('keeps a steward\'s title and description until the station itself changes', async () => {
    const r = await catalog.syncStation(site(), source, koblenz({ key: 'bernkastel', name: 'BERNKASTEL' }));
    await t.call('package_patch', { id: r.packageId, title: 'Pegel Bernkastel-Kues (Mosel)', notes: 'Vom Kreis betreut.' }, { as: editor });
    await catalog.syncStation(site(), source, koblenz({ key: 'bernkastel', name: 'BERNKASTEL' }));
    expect(await t.call<Dataset>('package_show', { id: r.packageId })).toMatchObject({ title: 'Pegel Bernkastel-Kues (Mosel)', notes: 'Vom Kreis betreut.' });
    await catalog.syncStation(site(), source, koblenz({ key: 'bernkastel', name: 'BERNKASTEL-KUES' }));
    expect(await t.call<Dataset>('package_show', { id: r.packageId })).toMatchObject({ title: 'BERNKASTEL-KUES', name: 'pegel-bernkastel' });
  });

  it('keeps a steward\'s vocabulary tag a vocabulary tag when the next sync rewrites the dataset', async () => {
    const v = await t.call<Dict & { id: string }>('vocabulary_create', { name: 'gewaesser', tags: [{ name: 'Mosel' }] });
    const r = await catalog.syncStation(site(), source, koblenz({ key: 'traben', name: 'TRABEN' }));
    const before = await t.call<Dataset>('package_show', { id: r.packageId });
    await t.call('package_patch', { id: r.packageId, tags: [...before.tags, { name: 'Mosel', vocabulary_id: v.id }] }, { as: editor });
    await catalog.syncStation(site(), source, koblenz({ key: 'traben', name: 'TRABEN-TRARBACH' }));
    const after = await t.call<Dataset & { tags: { name: string; vocabulary_id: string | null }[] }>('package_show', { id: r.packageId });
    expect(after.title).toBe('TRABEN-TRARBACH');
    expect(after.tags.filter((x) => x.name === 'Mosel')).toEqual([expect.objectContaining({ name: 'Mosel', vocabulary_id: v.id })]);
    expect(after.tags.map((x) => x.name)).toEqual(expect.arrayContaining(['Echtzeitdaten', 'Wasserstand']));
  });

  describe('DataStore views', () => {
    let d: Dataset;
    let w: Resource;
    let ids: Record<string, number>;
    beforeAll(async () => {
      const r = await catalog.syncStation(site(), source, koblenz({ key: 'cochem', name: 'COCHEM' }));
      ids = r.datastreams;
      d = await t.call<Dataset>('package_show', { id: r.packageId });
      w = d.resources.find((x) => x.sensor_stream === 'W')!;
      await sql(
        `INSERT INTO sensor_observation (datastream_id, phenomenon_time, result, quality, quality_reason, received_at)
         SELECT $1, timestamptz '2025-03-29 00:00+01' + make_interval(mins => 15 * i), 300 + i, CASE WHEN i = 40 THEN 'missing' ELSE 'good' END,
                CASE WHEN i = 40 THEN 'sentinel -777' END, timestamptz '2025-03-31 00:00+02'
           FROM generate_series(0, 99) i`,
        [ids.W],
      );
      await sql(`UPDATE sensor_observation SET result = NULL WHERE datastream_id = $1 AND quality = 'missing'`, [ids.W]);
      await sql(
        `INSERT INTO sensor_latest (datastream_id, observation_id, phenomenon_time, result, quality, received_at)
         SELECT datastream_id, id, phenomenon_time, result, quality, received_at FROM sensor_observation WHERE datastream_id = $1 ORDER BY phenomenon_time DESC LIMIT 1`,
        [ids.W],
      );
      await sql(`INSERT INTO sensor_aggregate (datastream_id, period, bucket, count, min, max, avg, sum) VALUES ($1, 'hour', '2025-03-29 00:00+01', 4, 300, 303, 301.5, 1206)`, [ids.W]);
    });

    it('answers datastore_search on a datastream resource with its observations, read-only fields and CKAN _id', async () => {
      const res = await t.call<Dict & { records: Dict[]; fields: Dict[] }>('datastore_search', { resource_id: w.id, limit: 2 }, { as: null });
      expect(res.fields.map((f) => [f.id, f.type])).toEqual([
        ['_id', 'int'], ['phenomenon_time', 'timestamptz'], ['phenomenon_time_end', 'timestamptz'], ['result', 'float8'], ['quality', 'text'], ['quality_reason', 'text'], ['received_at', 'timestamptz'],
        ['result_json', 'jsonb'],
      ]);
      expect(res.total).toBe(100);
      expect(res.records[0]).toMatchObject({ result: 300, quality: 'good', phenomenon_time: '2025-03-28T23:00:00+00:00', phenomenon_time_end: null });
      expect(typeof res.records[0]._id).toBe('number');
    });

    it('filters, sorts and searches the full text of a datastream resource', async () => {
      const missing = await t.call<Dict & { records: Dict[] }>('datastore_search', { resource_id: w.id, filters: { quality: 'missing' } }, { as: null });
      expect(missing).toMatchObject({ total: 1, records: [{ result: null, quality_reason: 'sentinel -777' }] });
      const q = await t.call<Dict & { records: Dict[] }>('datastore_search', { resource_id: w.id, q: 'sentinel' }, { as: null });
      expect(q.records.map((r) => r.quality)).toEqual(['missing']);
      const newest = await t.call<Dict & { records: Dict[] }>('datastore_search', { resource_id: w.id, sort: 'phenomenon_time desc', limit: 1, include_total: false }, { as: null });
      expect(newest.records[0].result).toBe(399);
      expect(newest.total).toBeUndefined();
    });

    it('gives page links and a CSV dump over HTTP', async () => {
      const res = await request(t.http).get(`/api/3/action/datastore_search?resource_id=${w.id}&limit=10`);
      expect(res.body.result._links).toEqual({ start: `/api/3/action/datastore_search?resource_id=${w.id}&limit=10`, next: `/api/3/action/datastore_search?resource_id=${w.id}&limit=10&offset=10` });
      const dump = await request(t.http).get(`/datastore/dump/${w.id}?sort=phenomenon_time desc&limit=2`);
      expect(dump.status).toBe(200);
      const lines = dump.text.trim().split(/\r?\n/);
      expect(lines[0]).toBe('_id,phenomenon_time,phenomenon_time_end,result,quality,quality_reason,received_at,result_json');
      expect(lines[1]).toMatch(/,399,good,,/);
      expect(lines).toHaveLength(3);
    });

    it('describes a datastream resource in datastore_info as a view with its data dictionary', async () => {
      const info = await t.call<{ meta: Dict; fields: Dict[] }>('datastore_info', { resource_id: w.id }, { as: null });
      expect(info.meta).toMatchObject({ id: w.id, count: 100, table_type: 'VIEW' });
      expect(info.fields.find((f) => f.id === 'result')).toMatchObject({ type: 'float8', info: { label: 'Wasserstand (cm)' } });
    });

    it('answers the latest values one row per datastream, and the hourly aggregates', async () => {
      const latest = await t.call<Dict & { records: Dict[] }>('datastore_search', { resource_id: resourceOf(d, 'sensor_latest').id }, { as: null });
      expect(latest.records).toEqual([
        expect.objectContaining({ _id: ids.W, stream: 'W', unit: 'cm', result: 399, quality: 'good' }),
        expect.objectContaining({ _id: ids.Q, stream: 'Q', unit: 'm³/s', result: null, phenomenon_time: null }),
      ]);
      const hourly = await t.call<Dict & { records: Dict[] }>('datastore_search', { resource_id: resourceOf(d, 'sensor_hourly').id }, { as: null });
      expect(hourly).toMatchObject({ total: 1, records: [{ stream: 'W', count: 4, min: 300, max: 303, avg: 301.5, period_start: '2025-03-28T23:00:00+00:00' }] });
      const daily = await t.call<Dict & { records: Dict[] }>('datastore_search', { resource_id: resourceOf(d, 'sensor_daily').id }, { as: null });
      expect(daily.total).toBe(0);
    });

    it('refuses the DataStore writes on sensor resources, to sysadmins and with force too', async () => {
      const readOnly = { kind: 'validation', fields: { 'read-only': [expect.stringContaining('read-only')] } };
      await expect(t.call('datastore_upsert', { resource_id: w.id, records: [{ result: 1 }], method: 'insert', force: true })).rejects.toMatchObject(readOnly);
      await expect(t.call('datastore_delete', { resource_id: w.id, force: true })).rejects.toMatchObject(readOnly);
      await expect(t.call('datastore_records_delete', { resource_id: w.id, filters: {}, force: true })).rejects.toMatchObject(readOnly);
      await expect(t.call('datastore_create', { resource_id: w.id, force: true, fields: [{ id: 'x', type: 'int' }] })).rejects.toMatchObject(readOnly);
      await expect(t.call('xloader_submit', { resource_id: w.id })).rejects.toMatchObject(readOnly);
      const res = await request(t.http).post('/api/3/action/datastore_upsert').set('Authorization', t.sysadmin.token).send({ resource_id: w.id, records: [], force: true });
      expect(res).toMatchObject({ status: 409, body: { success: false, error: { __type: 'Validation Error' } } });
      const [n] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sensor_observation WHERE datastream_id = $1`, [ids.W]);
      expect(n.n).toBe(100);
    });

    it('never lets the loader replace a live resource\'s view with a file, even after a steward links one', async () => {
      const q = d.resources.find((x) => x.sensor_stream === 'Q')!;
      await t.call('resource_patch', { id: q.id, url: 'https://daten.example.org/abfluss.csv', url_type: '' });
      let status: Dict = {};
      for (let i = 0; i < 200 && !['error', 'complete'].includes(String(status.status)); i++) {
        await new Promise((r) => setTimeout(r, 50));
        status = await t.call<Dict>('xloader_status', { resource_id: q.id }).catch(() => ({}));
      }
      expect(status).toMatchObject({ status: 'error', error: { message: expect.stringContaining('Live-Daten') } });
      const info = await t.call<{ meta: Dict }>('datastore_info', { resource_id: q.id });
      expect(info.meta.table_type).toBe('VIEW');
    });

    it('hides a private sensor dataset\'s observations from anonymous readers on every DataStore path', async () => {
      const r = await catalog.syncStation(site(), { ...source, config: { private: true } }, koblenz({ key: 'diez', name: 'DIEZ' }));
      await sql(`INSERT INTO sensor_observation (datastream_id, phenomenon_time, result) VALUES ($1, now(), 123)`, [r.datastreams.W]);
      const pd = await t.call<Dataset>('package_show', { id: r.packageId });
      expect(pd.private).toBe(true);
      const rid = pd.resources.find((x) => x.sensor_stream === 'W')!.id;
      await expect(t.call('datastore_search', { resource_id: rid }, { as: null })).rejects.toMatchObject({ kind: 'not_authorized' });
      await expect(t.call('datastore_info', { resource_id: rid }, { as: null })).rejects.toMatchObject({ kind: 'not_authorized' });
      expect((await request(t.http).get(`/datastore/dump/${rid}`)).status).toBe(404);
      await expect(t.call('datastore_search', { resource_id: rid }, { as: editor })).resolves.toMatchObject({ total: 1 });
    });
  });

  describe('removal', () => {
    const counts = async (thingId: number, resourceIds: string[]): Promise<Record<string, number>> => {
      const [row] = await sql<Record<string, number>>(
        `SELECT (SELECT count(*)::int FROM sensor_thing WHERE id = $1) AS things,
                (SELECT count(*)::int FROM sensor_datastream WHERE thing_id = $1) AS datastreams,
                (SELECT count(*)::int FROM sensor_observation WHERE datastream_id = ANY($3::bigint[])) AS observations,
                (SELECT count(*)::int FROM sensor_latest WHERE datastream_id = ANY($3::bigint[])) AS latest,
                (SELECT count(*)::int FROM sensor_aggregate WHERE datastream_id = ANY($3::bigint[])) AS aggregates,
                (SELECT count(*)::int FROM datastore_table WHERE resource_id = ANY($2::uuid[])) AS tables,
                (SELECT count(*)::int FROM pg_views WHERE schemaname = 'datastore' AND viewname = ANY($2::text[])) AS views`,
        [thingId, resourceIds, await sql<{ id: number }>(`SELECT id FROM sensor_datastream WHERE thing_id = $1`, [thingId]).then((r) => r.map((x) => x.id)).then((x) => (x.length ? x : [0]))],
      );
      return row;
    };
    const fill = async (datastreamId: number): Promise<void> => {
      await sql(`INSERT INTO sensor_observation (datastream_id, phenomenon_time, result) VALUES ($1, '2025-06-17 08:00+02', 1), ($1, '2025-06-17 08:15+02', 2)`, [datastreamId]);
      await sql(`INSERT INTO sensor_latest (datastream_id, observation_id, phenomenon_time, result, quality, received_at) VALUES ($1, 1, '2025-06-17 08:15+02', 2, 'good', now())`, [datastreamId]);
      await sql(`INSERT INTO sensor_aggregate (datastream_id, period, bucket, count) VALUES ($1, 'hour', '2025-06-17 08:00+02', 2)`, [datastreamId]);
    };

    it('purging a sensor dataset removes its Thing, Datastreams, observations, latest values, aggregates and views', async () => {
      const r = await catalog.syncStation(site(), source, koblenz({ key: 'kaub', name: 'KAUB' }));
      await fill(r.datastreams.W);
      const resourceIds = (await t.call<Dataset>('package_show', { id: r.packageId })).resources.map((x) => x.id);
      const [before] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sensor_observation WHERE datastream_id = $1`, [r.datastreams.W]);
      expect(before.n).toBe(2);
      await t.call('dataset_purge', { id: r.packageId });
      const after = await counts(r.thingId, resourceIds);
      expect(after).toEqual({ things: 0, datastreams: 0, observations: 0, latest: 0, aggregates: 0, tables: 0, views: 0 });
      const [left] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sensor_observation WHERE datastream_id = ANY($1::bigint[])`, [Object.values(r.datastreams)]);
      expect(left.n).toBe(0);
    });

    it('deleting a sensor dataset removes its Thing and data too; the next sync makes the station anew', async () => {
      const r = await catalog.syncStation(site(), source, koblenz({ key: 'trier', name: 'TRIER' }));
      await fill(r.datastreams.W);
      await t.call('package_delete', { id: r.packageId }, { as: editor });
      const [thing] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sensor_thing WHERE id = $1`, [r.thingId]);
      expect(thing.n).toBe(0);
      const [obs] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sensor_observation WHERE datastream_id = $1`, [r.datastreams.W]);
      expect(obs.n).toBe(0);
      const again = await catalog.syncStation(site(), source, koblenz({ key: 'trier', name: 'TRIER' }));
      expect(again).toMatchObject({ created: true, packageName: 'pegel-trier' });
      expect(again.thingId).not.toBe(r.thingId);
    });

    it('deleting a datastream resource removes its Datastream, observations and view, and leaves the others', async () => {
      const r = await catalog.syncStation(site(), source, koblenz({ key: 'mainz', name: 'MAINZ' }));
      await fill(r.datastreams.Q);
      await fill(r.datastreams.W);
      const d = await t.call<Dataset>('package_show', { id: r.packageId });
      const q = d.resources.find((x) => x.sensor_stream === 'Q')!;
      await t.call('resource_delete', { id: q.id }, { as: editor });
      const [rows] = await sql<Record<string, number>>(
        `SELECT (SELECT count(*)::int FROM sensor_datastream WHERE id = $1) AS q, (SELECT count(*)::int FROM sensor_observation WHERE datastream_id = $1) AS q_obs,
                (SELECT count(*)::int FROM sensor_observation WHERE datastream_id = $2) AS w_obs, (SELECT count(*)::int FROM pg_views WHERE schemaname = 'datastore' AND viewname = $3) AS q_view`,
        [r.datastreams.Q, r.datastreams.W, q.id],
      );
      expect(rows).toEqual({ q: 0, q_obs: 0, w_obs: 2, q_view: 0 });
      await expect(t.call('datastore_search', { resource_id: q.id })).rejects.toMatchObject({ kind: 'not_found' });
    });
  });

  it('drops a live resource\'s view on request, leaving the resource without a DataStore table', async () => {
    const r = await catalog.syncStation(site(), source, koblenz({ key: 'merzig', name: 'MERZIG' }));
    const latest = resourceOf(await t.call<Dataset>('package_show', { id: r.packageId }), 'sensor_latest');
    await site().transaction((tx) => t.app.get(DatastoreViews).drop(tx, latest.id));
    expect((await t.call<Resource>('resource_show', { id: latest.id })).datastore_active).toBe(false);
    await expect(t.call('datastore_search', { resource_id: latest.id })).rejects.toMatchObject({ kind: 'not_found' });
  });

  describe('Things made through SensorThings', () => {
    it('puts a Thing in the caller\'s only organization, created as the caller', async () => {
      const r = await catalog.createThing(t.context(editor), { name: 'Pegel Lahnstein', location: { type: 'Point', coordinates: [7.6, 50.3] }, streams: [{ key: 'W', name: 'Wasserstand', quantity: 'water_level', unit: 'cm' }] });
      const d = await t.call<Dataset>('package_show', { id: r.packageId });
      expect(d).toMatchObject({ owner_org: org.id, type: 'sensor', name: 'pegel-lahnstein', creator_user_id: editor.id });
      expect(Object.keys(r.datastreams)).toEqual(['W']);
      const more = await catalog.syncDatastreams(t.context(editor), r.thingId, [{ key: 'Q', name: 'Abfluss', quantity: 'discharge', unit: 'm³/s' }]);
      expect(more.datastreams).toEqual({ W: r.datastreams.W, Q: expect.any(Number) });
      const moved = await catalog.updateThing(t.context(editor), r.thingId, { name: 'Pegel Lahnstein (neu)', location: { type: 'Point', coordinates: [7.61, 50.31] } });
      expect(moved).toMatchObject({ packageId: r.packageId, thingId: r.thingId, datastreams: more.datastreams });
      const after = await t.call<Dataset>('package_show', { id: r.packageId });
      expect(after).toMatchObject({ name: 'pegel-lahnstein', title: 'Pegel Lahnstein (neu)' });
      expect(after.resources.filter((x) => x.resource_type === 'sensor_datastream').map((x) => [x.sensor_stream, x.name, x.description])).toEqual([
        ['W', 'Wasserstand', 'Wasserstand (cm) an Pegel Lahnstein (neu): alle Messwerte mit Zeitpunkt und Qualität.'],
        ['Q', 'Abfluss', 'Abfluss (m³/s) an Pegel Lahnstein (neu): alle Messwerte mit Zeitpunkt und Qualität.'],
      ]);
      const names = await sql<{ name: string; description: string }>(`SELECT name, description FROM sensor_datastream WHERE thing_id = $1 ORDER BY id`, [r.thingId]);
      // A SensorThings client's Datastreams keep the names it gave them (18-088: what is posted is what is read).
      expect(names).toEqual([{ name: 'Wasserstand', description: 'Wasserstand an Pegel Lahnstein (neu)' }, { name: 'Abfluss', description: 'Abfluss an Pegel Lahnstein (neu)' }]);
      const [h] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sensor_historical_location WHERE thing_id = $1`, [r.thingId]);
      expect(h.n).toBe(2);
      const stranger = await t.factories.user();
      await expect(catalog.updateThing(t.context(stranger), r.thingId, { name: 'Übernommen' })).rejects.toMatchObject({ kind: 'not_authorized' });
      // Also when the dataset itself would not change.
      await expect(catalog.syncDatastreams(t.context(stranger), r.thingId, [])).rejects.toMatchObject({ kind: 'not_authorized' });
    });

    it('takes the organization named in properties.organization, and refuses a caller without rights there', async () => {
      const other = await t.factories.organization();
      await expect(catalog.createThing(t.context(editor), { name: 'Fremd', properties: { organization: other.name } })).rejects.toMatchObject({ kind: 'not_authorized' });
      const r = await catalog.createThing(t.context(t.sysadmin), { name: 'Zählstelle B9', properties: { organization: other.name }, streams: [{ key: 'flow', name: 'Verkehrsstärke', quantity: 'vehicle_flow', unit: 'veh/h' }] });
      expect((await t.call<Dataset>('package_show', { id: r.packageId })).owner_org).toBe(other.id);
      const lonely = await t.factories.user();
      await expect(catalog.createThing(t.context(lonely), { name: 'Nirgends' })).rejects.toMatchObject({ fields: { 'properties.organization': [expect.stringContaining('no organization')] } });
    });
  });

  describe('with datastore_search_sql enabled', () => {
    let q: TestApp;
    beforeAll(async () => {
      q = await TestApp.start({ DATASTORE_SQL_ENABLED: 'true' });
    });
    afterAll(() => q.stop());

    it('reads a datastream view in SQL as the read-only reader role, and not that of a private gauge anonymously', async () => {
      const o = await q.factories.organization();
      const src = { id: (await q.call<{ id: string }>('sensor_source_create', { name: 'pegel-sql', owner_org: o.id, type: 'push', config: { format: 'json' } })).id, name: 'pegel-sql', owner_org: o.id };
      const cat = q.app.get(SensorCatalog);
      const open = await cat.syncStation(q.context(null).withIgnoreAuth(), src, koblenz());
      const hidden = await cat.syncStation(q.context(null).withIgnoreAuth(), { ...src, config: { private: true } }, koblenz({ key: 'x', name: 'BAD KREUZNACH' }));
      await q.db.dataSource.query(`INSERT INTO sensor_observation (datastream_id, phenomenon_time, result) VALUES ($1, '2025-03-30 12:00Z', 5), ($1, '2025-03-30 12:15Z', 7)`, [open.datastreams.W]);
      const rid = async (r: { packageId: string }): Promise<string> => (await q.call<Dataset>('package_show', { id: r.packageId })).resources.find((x) => x.sensor_stream === 'W')!.id;
      const res = await q.call<{ records: Dict[] }>('datastore_search_sql', { sql: `SELECT max(result) AS top, count(*) AS n FROM "${await rid(open)}"` }, { as: null });
      expect(res.records).toEqual([{ top: 7, n: 2 }]);
      await expect(q.call('datastore_search_sql', { sql: `SELECT * FROM "${await rid(hidden)}"` }, { as: null })).rejects.toMatchObject({ kind: 'not_authorized' });
    });
  });
});
