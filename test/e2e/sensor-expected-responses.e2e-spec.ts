import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { SensorCatalog, SyncResult } from '../../src/sensors/catalog/sensor-catalog.service';
import { parsePegelonlineMeasurements, parsePegelonlineStations } from '../../src/sensors/ingest';
import { TestApp } from '../test-app';

/**
 * What clients expect (test/fixtures/sensors/expected/, from ../shared): a datastore_search of the COCHEM water level,
 * newest first, and the SensorThings Observations of its Datastream, newest first, three at a time. The data are the
 * fixture gauge's (pegelonline/stations.json and stations/COCHEM/W/measurements.json, parsed by the PEGELONLINE
 * adapter and stored with plain SQL as the observations writer would, received 2 min 20 s after each reading as in
 * the expected answers).
 */

type Dict = Record<string, unknown>;
const FIXTURES = path.join(__dirname, '../fixtures/sensors');
const read = (p: string): string => readFileSync(path.join(FIXTURES, p), 'utf8');
const expectedSearch = JSON.parse(read('expected/datastore_search.gauges.json')) as { help: string; success: boolean; result: Dict & { records: Dict[]; fields: { id: string; type: string }[]; _links: Record<string, string> } };
const expectedSta = JSON.parse(read('expected/sta.datastream-observations.json')) as Dict & { value: Dict[] };
const RECEIVED_AFTER_MS = 140_000;

/** A value's JSON type, so records compare by shape, not by value. */
const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

describe('sensor answers in the shape clients expect (fixtures/sensors/expected)', () => {
  let t: TestApp;
  let synced: SyncResult;
  let resourceId: string;
  let readings: { time: Date; value: number | null }[];

  beforeAll(async () => {
    t = await TestApp.start();
    const org = await t.factories.organization();
    const s = await t.call<Dict & { id: string; name: string }>('sensor_source_create', { name: 'pegelonline-mosel', owner_org: org.id, type: 'pegelonline', config: { stations: ['COCHEM'] } });
    const { stations } = parsePegelonlineStations(read('pegelonline/stations.json'));
    const cochem = stations.find((x) => x.name === 'COCHEM')!;
    synced = await t.app.get(SensorCatalog).syncStation(t.context(null).withIgnoreAuth(), { id: s.id, name: s.name, owner_org: String(org.id), type: 'pegelonline' }, cochem);
    const w = cochem.streams.find((x) => x.key === 'W')!;
    readings = parsePegelonlineMeasurements(read('pegelonline/stations/COCHEM/W/measurements.json'), { station: cochem.key, stream: 'W', unit: w.unit }).readings;
    const ds = synced.datastreams.W;
    await t.db.dataSource.query(
      `INSERT INTO sensor_observation (datastream_id, phenomenon_time, result, result_time, quality, received_at)
       SELECT $1, r.t, r.v, r.t + $4 * interval '1 millisecond', 'good', r.t + $4 * interval '1 millisecond'
       FROM unnest($2::timestamptz[], $3::float8[]) AS r(t, v)`,
      [ds, readings.map((r) => r.time.toISOString()), readings.map((r) => r.value), RECEIVED_AFTER_MS],
    );
    await t.db.dataSource.query(
      `INSERT INTO sensor_latest (datastream_id, observation_id, phenomenon_time, result, quality, received_at)
       SELECT datastream_id, id, phenomenon_time, result, quality, received_at FROM sensor_observation WHERE datastream_id = $1 ORDER BY phenomenon_time DESC LIMIT 1`,
      [ds],
    );
    const d = await t.call<{ resources: (Dict & { id: string; sensor_stream?: string })[] }>('package_show', { id: synced.packageId });
    resourceId = d.resources.find((r) => r.sensor_stream === 'W')!.id;
  });
  afterAll(() => t?.stop());

  describe('datastore_search of the water level, newest first', () => {
    let body: Dict & { result: Dict & { records: Dict[]; fields: { id: string; type: string }[]; _links: Record<string, string> } };
    beforeAll(async () => {
      const res = await request(t.http).get('/api/3/action/datastore_search').query({ resource_id: resourceId, sort: 'phenomenon_time desc', limit: 3 });
      expect(res.status).toBe(200);
      body = res.body;
    });

    it('answers in the same envelope with the same result keys', () => {
      expect(Object.keys(body).sort()).toEqual(Object.keys(expectedSearch).sort());
      expect(body.help).toBe('http://catalog.test/api/3/action/help_show?name=datastore_search');
      // The fixture filters a table of all gauges by station_id; ours is one resource per gauge and series (README,
      // Sensor datasets), so no filter is needed and `filters` is absent, as CKAN leaves it when none is given.
      const expectedKeys = Object.keys(expectedSearch.result).filter((k) => k !== 'filters');
      expect(Object.keys(body.result).sort()).toEqual(expectedKeys.sort());
      expect(body.result).toMatchObject({ include_total: true, limit: 3, records_format: 'objects', resource_id: resourceId, total_estimation_threshold: null, total_was_estimated: false });
    });

    it('counts every stored reading of the series (total) and links the next page', () => {
      // The fixture says 181, but its own measurements.json holds 182 readings (188 quarter-hours less 6 gaps, as the
      // fixtures' README says); ours counts what is stored.
      expect(readings).toHaveLength(182);
      expect(body.result.total).toBe(readings.length);
      const links = body.result._links;
      expect(Object.keys(links).sort()).toEqual(Object.keys(expectedSearch.result._links).sort());
      // Relative to the site, as CKAN writes them and as in the fixture.
      for (const link of [links.start, links.next]) expect(link.startsWith('/api/3/action/datastore_search?')).toBe(true);
      const start = new URL(links.start, 'http://x');
      const next = new URL(links.next, 'http://x');
      expect(start.pathname).toBe('/api/3/action/datastore_search');
      expect(Object.fromEntries(start.searchParams)).toEqual({ resource_id: resourceId, sort: 'phenomenon_time desc', limit: '3' });
      expect(Object.fromEntries(next.searchParams)).toEqual({ resource_id: resourceId, sort: 'phenomenon_time desc', limit: '3', offset: '3' });
    });

    it('gives the same three readings as the fixture, newest first, with the same JSON types', () => {
      const records = body.result.records;
      expect(records).toHaveLength(3);
      // Our columns are the SensorThings names (phenomenon_time, result) of one series; the fixture's all-gauges table
      // names them observed_at and value and repeats station, series and unit in every row (ours: in the dataset, the
      // resource's `unit` and the data dictionary's labels).
      const pairs: [string, string][] = [['_id', '_id'], ['observed_at', 'phenomenon_time'], ['value', 'result'], ['quality', 'quality'], ['received_at', 'received_at']];
      expectedSearch.result.records.forEach((want, i) => {
        const got = records[i];
        for (const [theirs, ours] of pairs) expect({ field: ours, type: typeOf(got[ours]) }).toEqual({ field: ours, type: typeOf(want[theirs]) });
        expect(new Date(String(got.phenomenon_time)).toISOString()).toBe(new Date(String(want.observed_at)).toISOString());
        expect(new Date(String(got.received_at)).toISOString()).toBe(new Date(String(want.received_at)).toISOString());
        expect(got.result).toBe(want.value);
      });
      // Quality: the fixture's "raw" is PEGELONLINE's own label for unchecked data; ours is the SensorThings-wide code
      // (good, missing, invalid, suspect); rawness is said once in the dataset's description.
      expect(records.map((r) => r.quality)).toEqual(['good', 'good', 'good']);
    });

    it('declares the fields with DataStore types of the same kinds', () => {
      const ours = Object.fromEntries(body.result.fields.map((f) => [f.id, f.type]));
      const kind = (type: string): string => (/^(int|int4|int8|bigint)$/.test(type) ? 'integer' : /^(numeric|float8|float4)$/.test(type) ? 'number' : /^timestamp/.test(type) ? 'time' : type);
      const theirs = Object.fromEntries(expectedSearch.result.fields.map((f) => [f.id, f.type]));
      for (const [t2, o] of [['_id', '_id'], ['observed_at', 'phenomenon_time'], ['value', 'result'], ['quality', 'quality'], ['received_at', 'received_at']]) {
        expect({ field: o, kind: kind(ours[o]) }).toEqual({ field: o, kind: kind(theirs[t2]) });
      }
    });
  });

  describe('SensorThings Observations of the water level, newest first', () => {
    let body: Dict & { value: Dict[] };
    beforeAll(async () => {
      const res = await request(t.http).get(`/sta/v1.1/Datastreams(${synced.datastreams.W})/Observations`).query({ $orderby: 'phenomenonTime desc', $top: 3, $count: 'true' });
      expect(res.status).toBe(200);
      body = res.body;
    });

    it('has @iot.count, @iot.nextLink and value, as the fixture', () => {
      expect(Object.keys(body).sort()).toEqual(Object.keys(expectedSta).sort());
      expect(body['@iot.count']).toBe(readings.length); // the fixture's 181: see the datastore_search test
      // Ids and the site differ (the fixture's Datastreams(7) on catalog.example.org); the link's path and paging do not.
      const next = new URL(String(body['@iot.nextLink']));
      const want = new URL(String(expectedSta['@iot.nextLink']));
      expect(next.pathname).toBe(want.pathname.replace('Datastreams(7)', `Datastreams(${synced.datastreams.W})`));
      expect(next.searchParams.get('$orderby')).toBe(want.searchParams.get('$orderby'));
      expect(next.searchParams.get('$top')).toBe(want.searchParams.get('$top'));
      expect(next.searchParams.get('$skip')).toBe(want.searchParams.get('$skip'));
    });

    it('gives the three newest Observations with phenomenonTime, resultTime, result and the same links', () => {
      expect(body.value).toHaveLength(3);
      body.value.forEach((got, i) => {
        const want = expectedSta.value[i];
        // Ours adds resultQuality (the quality code of every reading: good, missing, invalid, suspect) and parameters,
        // both optional Observation properties of 18-088 that the fixture leaves out; nothing of the fixture is missing.
        expect(Object.keys(got).filter((k) => !(k in want)).sort()).toEqual(['parameters', 'resultQuality']);
        expect(got.resultQuality).toBe('good');
        for (const key of Object.keys(want)) expect({ key, type: typeOf(got[key]) }).toEqual({ key, type: typeOf(want[key]) });
        expect({ phenomenonTime: got.phenomenonTime, resultTime: got.resultTime, result: got.result }).toEqual({ phenomenonTime: want.phenomenonTime, resultTime: want.resultTime, result: want.result });
        const id = got['@iot.id'];
        expect(got['@iot.selfLink']).toBe(`http://catalog.test/sta/v1.1/Observations(${String(id)})`);
        expect(got['Datastream@iot.navigationLink']).toBe(`http://catalog.test/sta/v1.1/Observations(${String(id)})/Datastream`);
      });
    });
  });
});
