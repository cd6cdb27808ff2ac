import { Client } from 'pg';
import { createTestDatabase, dropTestDatabase } from '../../../../test/test-db';
import { StaQueryError } from './errors';
import { parseQueryOptions } from './options';
import { parsePath } from './path';
import { compileExpand, compileRead, type ReadContext } from './sql';

/**
 * The compiled SensorThings queries on the real PostgreSQL, over a small fixture written straight into the sensors
 * module's tables: three Things (two river gauges, one traffic counter), their Locations, Datastreams and
 * Observations, among them ets-sta10's twelve observations (results 1..12, one a day from 2015-03-01).
 */

const ALL: ReadContext = { visibility: null };

describe('SensorThings queries on PostgreSQL', () => {
  let db: { name: string; url: string };
  let c: Client;
  const id: Record<string, string> = {};
  const pkg = { mainz: '00000000-0000-4000-8000-000000000001', worms: '00000000-0000-4000-8000-000000000002', count: '00000000-0000-4000-8000-000000000003' };

  async function one(sql: string, params: unknown[] = []): Promise<string> {
    const r = await c.query<{ id: string }>(sql, params);
    return r.rows[0].id;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    c = new Client({ connectionString: db.url });
    await c.connect();
    const thing = (name: string, p: string, props: object): Promise<string> =>
      one(`INSERT INTO sensor_thing (package_id, name, description, properties) VALUES ($1, $2, $3, $4) RETURNING id`, [p, name, `${name} station`, JSON.stringify(props)]);
    id.mainz = await thing('Pegel Mainz', pkg.mainz, { owner: 'City', river: 'Rhein', level: 3, active: true, marks: [400, 600] });
    id.worms = await thing('Pegel Worms', pkg.worms, { owner: 'State', river: 'Rhein', level: 7, active: false });
    id.count = await thing('  Zählstelle B9  ', pkg.count, { owner: 'City', lanes: 2 });
    const location = (name: string, geo: object): Promise<string> =>
      one(`INSERT INTO sensor_location (name, description, location) VALUES ($1, '', $2) RETURNING id`, [name, JSON.stringify(geo)]);
    id.locMainz = await location('Mainz gauge', { type: 'Point', coordinates: [8.2747, 50.0043] });
    id.locWorms = await location('Worms gauge', { type: 'Feature', geometry: { type: 'Point', coordinates: [8.3762, 49.6364] } });
    id.locCount = await location('B9 section', { type: 'LineString', coordinates: [[8.3, 49.9], [8.3, 50.0], [8.4, 50.0]] });
    for (const [t, l] of [['mainz', 'locMainz'], ['worms', 'locWorms'], ['count', 'locCount'], ['mainz', 'locCount']]) {
      await c.query(`INSERT INTO sensor_thing_location (thing_id, location_id) VALUES ($1, $2)`, [id[t], id[l]]);
    }
    id.hist = await one(`INSERT INTO sensor_historical_location (thing_id, time) VALUES ($1, '2015-10-14T21:30:00.104Z') RETURNING id`, [id.mainz]);
    await c.query(`INSERT INTO sensor_historical_location_location (historical_location_id, location_id) VALUES ($1, $2)`, [id.hist, id.locMainz]);
    id.sensor = await one(`INSERT INTO sensor_sensor (name, description, encoding_type, metadata) VALUES ('Radar', 'radar gauge', 'application/pdf', 'https://example.org/radar.pdf') RETURNING id`);
    id.loop = await one(`INSERT INTO sensor_sensor (name, description) VALUES ('Loop', 'induction loop') RETURNING id`);
    id.level = await one(`INSERT INTO sensor_observed_property (name, definition) VALUES ('Water level', 'https://example.org/W') RETURNING id`);
    id.vehicles = await one(`INSERT INTO sensor_observed_property (name, definition) VALUES ('Vehicle count', 'https://example.org/count') RETURNING id`);
    const datastream = (t: string, s: string, op: string, name: string, area: object | null): Promise<string> =>
      one(
        `INSERT INTO sensor_datastream (thing_id, sensor_id, observed_property_id, name, unit_of_measurement, observed_area, properties)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [id[t], id[s], id[op], name, JSON.stringify({ name: 'centimetre', symbol: 'cm' }), area && JSON.stringify(area), JSON.stringify({ MHW: 620 })],
      );
    id.dsMainz = await datastream('mainz', 'sensor', 'level', 'W Mainz', { type: 'Polygon', coordinates: [[[8.2, 49.95], [8.35, 49.95], [8.35, 50.05], [8.2, 50.05], [8.2, 49.95]]] });
    id.dsWorms = await datastream('worms', 'sensor', 'level', 'W Worms', null);
    id.dsCount = await datastream('count', 'loop', 'vehicles', 'Lane 1 count', null);
    id.foi = await one(`INSERT INTO sensor_feature_of_interest (name, feature) VALUES ('Rhein at Mainz', $1) RETURNING id`, [JSON.stringify({ type: 'Point', coordinates: [8.2747, 50.0043] })]);
    // ets-sta10's observations: results 1..12, one a day from 2015-03-01.
    for (let k = 1; k <= 12; k++) {
      const t = `2015-03-${String(k).padStart(2, '0')}T00:00:00Z`;
      id[`obs${k}`] = await one(
        `INSERT INTO sensor_observation (datastream_id, phenomenon_time, result, result_time, feature_of_interest_id) VALUES ($1, $2, $3, $2, $4) RETURNING id`,
        [id.dsMainz, t, k, id.foi],
      );
    }
    await c.query(`INSERT INTO sensor_latest (datastream_id, observation_id, phenomenon_time, result, quality, received_at) VALUES ($1, $2, '2015-03-12T00:00:00Z', 12, 'good', now())`, [id.dsMainz, id.obs12]);
    // Worms: a fresh reading, a fractional-second one and a non-numeric result.
    id.wormsRecent = await one(`INSERT INTO sensor_observation (datastream_id, phenomenon_time, result) VALUES ($1, now() - interval '1 hour', 250.5) RETURNING id`, [id.dsWorms]);
    id.wormsFrac = await one(`INSERT INTO sensor_observation (datastream_id, phenomenon_time, result) VALUES ($1, '2020-06-15T13:45:30.25Z', 180.4) RETURNING id`, [id.dsWorms]);
    id.wormsIce = await one(`INSERT INTO sensor_observation (datastream_id, phenomenon_time, result_json) VALUES ($1, '2020-01-10T06:00:00Z', '"ice"') RETURNING id`, [id.dsWorms]);
    // Counts over quarter-hours: intervals.
    for (const [k, start, end, n] of [[1, '10:00', '10:15', 120], [2, '10:15', '10:30', 95], [3, '10:30', '10:45', 143]] as const) {
      id[`q${k}`] = await one(
        `INSERT INTO sensor_observation (datastream_id, phenomenon_time, phenomenon_time_end, result) VALUES ($1, $2, $3, $4) RETURNING id`,
        [id.dsCount, `2026-03-29T${start}:00Z`, `2026-03-29T${end}:00Z`, n],
      );
    }
  });
  afterAll(async () => {
    await c.end();
    await dropTestDatabase(db.name);
  });

  type Row = Record<string, unknown>;
  /** Runs a read as an endpoint will: the page is the first `top` rows; one more says a next page exists. */
  async function read(path: string, query: Record<string, string> = {}, ctx: ReadContext = ALL): Promise<{ rows: Row[]; count?: number; kind: string; hasNext: boolean }> {
    const p = parsePath(path);
    const seg = p.segments[p.segments.length - 1];
    const compiled = compileRead(p, parseQueryOptions(seg.type, query), ctx);
    const all = (await c.query(compiled.query.sql, compiled.query.params)).rows as Row[];
    const count = compiled.count ? Number((await c.query(compiled.count.sql, compiled.count.params)).rows[0].count) : undefined;
    return { rows: all.slice(0, compiled.top), count, kind: compiled.kind, hasNext: all.length > compiled.top };
  }
  const ids = async (path: string, query: Record<string, string> = {}, ctx: ReadContext = ALL): Promise<string[]> => (await read(path, query, ctx)).rows.map((r) => String(r['@iot.id']));
  const names = async (path: string, filter: string): Promise<string[]> => (await read(path, { $filter: filter, $orderby: 'id' })).rows.map((r) => String(r.name));
  const obs = (...ks: number[]): string[] => ks.map((k) => id[`obs${k}`]);
  const d1 = (): string => `/Datastreams(${id.dsMainz})/Observations`;
  const results = async (filter: string): Promise<number[]> => (await read(d1(), { $filter: filter, $orderby: 'phenomenonTime' })).rows.map((r) => Number(r.result));

  describe('ets-sta10', () => {
    it('applies $filter, then $count, $orderby, $skip and $top in that order (checkQueriesPriorityOrdering)', async () => {
      const r = await read(d1(), { $count: 'true', $top: '1', $skip: '2', $orderby: 'phenomenonTime asc', $filter: "result gt '3'" });
      expect(r.count).toBe(6);
      expect(r.rows.map((x) => x.result)).toEqual([6]);
    });
    it('compares a numeric result with a string as text, and with a number as a number', async () => {
      expect(await results("result lt '2'")).toEqual([1, 10, 11, 12]);
      expect(await results('result lt 2')).toEqual([1]);
      expect(await results("result eq '2'")).toEqual([2]);
    });
    it('compares phenomenonTime with a datetime literal', async () => {
      expect(await results('phenomenonTime lt 2015-03-02T00:00:00.000Z')).toEqual([1]);
      expect(await results('phenomenonTime le 2015-03-02T00:00:00.000Z')).toEqual([1, 2]);
      expect(await results('phenomenonTime eq 2015-03-02T01:00:00+01:00')).toEqual([2]);
      expect(await results('phenomenonTime ne 2015-03-02T00:00:00.000Z')).toHaveLength(11);
      expect(await results('phenomenonTime ge 2015-03-11T00:00:00.000Z')).toEqual([11, 12]);
      expect(await results('phenomenonTime gt 2015-03-11T00:00:00.000Z')).toEqual([12]);
    });
    it('compares text properties in code point order', async () => {
      expect(await names('/Things', "name lt 'Pegel Worms'")).toEqual(['Pegel Mainz', '  Zählstelle B9  ']);
      expect(await names('/Sensors', "encodingType eq 'application/pdf'")).toEqual(['Radar']);
      expect((await read('/HistoricalLocations', { $filter: 'time ge 2015-10-14T21:30:00.104Z' })).rows).toHaveLength(1);
    });
  });

  describe('string functions', () => {
    it.each([
      ["substringof('Worms', name)", ['Pegel Worms']],
      ["startswith(name, 'Pegel')", ['Pegel Mainz', 'Pegel Worms']],
      ["endswith(name, 'Mainz')", ['Pegel Mainz']],
      ['length(name) eq 11', ['Pegel Mainz', 'Pegel Worms']],
      ["indexof(name, 'Mainz') eq 7", ['Pegel Mainz']],
      ["substring(name, 6) eq 'Worms'", ['Pegel Worms']],
      ["substring(name, 0, 5) eq 'Pegel'", ['Pegel Mainz', 'Pegel Worms']],
      ["tolower(name) eq 'pegel mainz'", ['Pegel Mainz']],
      ["toupper(name) eq 'PEGEL WORMS'", ['Pegel Worms']],
      ["trim(name) eq 'Zählstelle B9'", ['  Zählstelle B9  ']],
      ["concat(concat(name, ' / '), description) eq 'Pegel Mainz / Pegel Mainz station'", ['Pegel Mainz']],
      ["not startswith(name, 'Pegel')", ['  Zählstelle B9  ']],
    ])('%s', async (filter, expected) => {
      expect(await names('/Things', filter)).toEqual(expected);
    });
  });

  describe('date and time functions', () => {
    it.each([
      ['year(phenomenonTime) eq 2015 and day(phenomenonTime) eq 2', [2]],
      ['month(phenomenonTime) eq 3 and day(phenomenonTime) le 2', [1, 2]],
      ['hour(phenomenonTime) eq 0 and minute(phenomenonTime) eq 0 and second(phenomenonTime) eq 0 and day(phenomenonTime) eq 5', [5]],
      ['date(phenomenonTime) eq 2015-03-07', [7]],
      ['time(phenomenonTime) eq 00:00:00 and day(phenomenonTime) eq 8', [8]],
      // A literal's date is read in the offset it was written with (OData), 2015-03-10T00:30Z being the 9th at -01:00.
      ['date(phenomenonTime) eq date(2015-03-09T23:30:00-01:00)', [9]],
      ['phenomenonTime gt mindatetime() and phenomenonTime lt maxdatetime() and result le 2', [1, 2]],
      ['resultTime eq phenomenonTime and result eq 4', [4]],
      ["phenomenonTime ge 2015-03-10T00:00:00Z sub duration'P1D'", [9, 10, 11, 12]],
      ["phenomenonTime lt 2015-03-01T00:00:00Z add duration'PT36H'", [1, 2]],
      ["phenomenonTime sub 2015-03-01T00:00:00Z le duration'P1D'", [1, 2]],
    ])('%s', async (filter, expected) => {
      expect(await results(filter)).toEqual(expected);
    });
    it('reads fractional seconds and the offset a literal was written with', async () => {
      const worms = `/Datastreams(${id.dsWorms})/Observations`;
      expect(await ids(worms, { $filter: 'fractionalseconds(phenomenonTime) eq 0.25 and second(phenomenonTime) eq 30' })).toEqual([id.wormsFrac]);
      expect(await ids(worms, { $filter: 'totaloffsetminutes(phenomenonTime) eq 0 and totaloffsetminutes(2020-01-01T00:00:00+05:30) eq 330 and result eq 180.4' })).toEqual([id.wormsFrac]);
      expect(await ids(worms, { $filter: 'hour(2020-01-01T23:00:00-02:00) eq 23 and result eq 180.4' })).toEqual([id.wormsFrac]);
    });
    it('compares with now() on the database clock, with durations', async () => {
      const worms = `/Datastreams(${id.dsWorms})/Observations`;
      expect(await ids(worms, { $filter: "phenomenonTime gt now() sub duration'P1D'" })).toEqual([id.wormsRecent]);
      expect(await ids(worms, { $filter: "phenomenonTime le now() sub duration'P1D'", $orderby: 'phenomenonTime' })).toEqual([id.wormsIce, id.wormsFrac]);
    });
  });

  describe('math and arithmetic', () => {
    it.each([
      ['result add 2 mul 3 eq 10', [4]],
      ['(result add 2) mul 3 eq 15', [3]],
      ['result sub 10 gt 0', [11, 12]],
      ['result div 4 eq 0.5', [2]],
      ['result mod 5 eq 0', [5, 10]],
      ['round(result div 4) eq 1', [2, 3, 4, 5]],
      ['floor(result div 4) eq 1', [4, 5, 6, 7]],
      ['ceiling(result div 4) eq 1', [1, 2, 3, 4]],
      ['result div 0 eq 1 or result eq 1', [1]],
    ])('%s', async (filter, expected) => {
      expect(await results(filter)).toEqual(expected);
    });
  });

  describe('results that are no numbers', () => {
    it('compares a JSON result as text and leaves numeric comparisons to numbers', async () => {
      const worms = `/Datastreams(${id.dsWorms})/Observations`;
      expect(await ids(worms, { $filter: "result eq 'ice'" })).toEqual([id.wormsIce]);
      expect(await ids(worms, { $filter: 'result gt 200' })).toEqual([id.wormsRecent]);
      expect(await ids(worms, { $filter: 'result eq null' })).toEqual([]);
      const served = (await read(`/Observations(${id.wormsIce})`)).rows[0];
      expect(served).toMatchObject({ result: 'ice', phenomenonTime: '2020-01-10T06:00:00Z' });
    });
  });

  describe('time intervals', () => {
    const counts = `/Datastreams(${'{ds}'})/Observations`;
    const q = async (filter: string): Promise<string[]> => ids(counts.replace('{ds}', id.dsCount), { $filter: filter, $orderby: 'phenomenonTime' });
    it('compares an interval with an instant as the standard does', async () => {
      expect(await q('phenomenonTime lt 2026-03-29T10:30:00Z')).toEqual([id.q1, id.q2]);
      expect(await q('phenomenonTime le 2026-03-29T10:30:00Z')).toEqual([id.q1, id.q2]);
      expect(await q('phenomenonTime gt 2026-03-29T10:15:00Z')).toEqual([id.q3]);
      expect(await q('phenomenonTime ge 2026-03-29T10:15:00Z')).toEqual([id.q2, id.q3]);
      expect(await q('phenomenonTime eq 2026-03-29T10:15:00Z')).toEqual([]);
      expect(await q('phenomenonTime lt 2026-03-29T10:20:00Z')).toEqual([id.q1]);
    });
    it('compares intervals with interval literals', async () => {
      expect(await q('phenomenonTime eq 2026-03-29T10:15:00Z/2026-03-29T10:30:00Z')).toEqual([id.q2]);
      expect(await q('phenomenonTime ne 2026-03-29T10:15:00Z/2026-03-29T10:30:00Z')).toEqual([id.q1, id.q3]);
      expect(await q('phenomenonTime ge 2026-03-29T10:15:00Z/2026-03-29T10:30:00Z')).toEqual([id.q2, id.q3]);
      expect(await q('phenomenonTime gt 2026-03-29T10:15:00Z/2026-03-29T10:30:00Z')).toEqual([id.q3]);
      expect(await q('phenomenonTime lt 2026-03-29T10:15:00Z/2026-03-29T10:30:00Z')).toEqual([id.q1]);
    });
    it('serves an interval as start/end and an instant as one time', async () => {
      const rows = (await read(counts.replace('{ds}', id.dsCount), { $orderby: 'phenomenonTime', $top: '1', $select: 'phenomenonTime,result' })).rows;
      expect(rows[0]).toEqual({ '@iot.id': id.q1, phenomenonTime: '2026-03-29T10:00:00Z/2026-03-29T10:15:00Z', result: 120 });
    });
    it("gives a Datastream's phenomenonTime from its first and newest observation", async () => {
      const ds = (await read(`/Datastreams(${id.dsMainz})`, { $select: 'phenomenonTime,resultTime' })).rows[0];
      expect(ds).toMatchObject({ phenomenonTime: '2015-03-01T00:00:00Z/2015-03-12T00:00:00Z', resultTime: '2015-03-01T00:00:00Z/2015-03-12T00:00:00Z' });
      expect(await names('/Datastreams', 'phenomenonTime lt 2016-01-01T00:00:00Z')).toEqual(['W Mainz']);
    });
  });

  describe('geospatial functions', () => {
    const box = "geography'POLYGON((8.2 49.9, 8.35 49.9, 8.35 50.1, 8.2 50.1, 8.2 49.9))'";
    it.each([
      [`st_within(location, ${box})`, ['Mainz gauge']],
      [`st_intersects(location, ${box})`, ['Mainz gauge', 'B9 section']],
      [`geo.intersects(location, ${box})`, ['Mainz gauge', 'B9 section']],
      [`st_disjoint(location, ${box})`, ['Worms gauge']],
      [`st_crosses(location, ${box})`, ['B9 section']],
      [`st_contains(${box}, location)`, ['Mainz gauge']],
      ["st_equals(location, geography'POINT(8.3762 49.6364)')", ['Worms gauge']],
      ["st_touches(location, geography'POINT(8.3 49.9)')", ['B9 section']],
      ["st_overlaps(location, geography'LINESTRING(8.3 49.95, 8.3 50.2)')", ['B9 section']],
      ["st_relate(location, geography'POINT(8.3 49.95)', 'T********')", ['B9 section']],
      ["geo.distance(location, geography'POINT(8.3762 49.7364)') lt 0.11", ['Worms gauge']],
      ['geo.length(location) gt 0.19 and geo.length(location) lt 0.21', ['B9 section']],
      ["location eq geography'POINT(8.2747 50.0043)'", ['Mainz gauge']],
    ])('%s', async (filter, expected) => {
      expect(await names('/Locations', filter)).toEqual(expected);
    });
    it("filters Datastreams by their observed area and Observations by their feature's geometry", async () => {
      expect(await names('/Datastreams', "st_contains(observedArea, geography'POINT(8.27 50.0)')")).toEqual(['W Mainz']);
      expect((await read('/Observations', { $filter: "st_within(FeatureOfInterest/feature, geography'POLYGON((8 49, 9 49, 9 51, 8 51, 8 49))')", $count: 'true', $top: '0' })).count).toBe(12);
    });
  });

  describe('paging and order', () => {
    it('orders by several expressions, pages with $top and $skip, counts all matches and fetches one row more to tell of a next page', async () => {
      const r = await read(d1(), { $orderby: 'result mod 3, result desc', $top: '4', $skip: '1', $count: 'true' });
      expect(r.count).toBe(12);
      expect(r.rows.map((x) => x.result)).toEqual([9, 6, 3, 10]);
      expect(r.hasNext).toBe(true);
      const last = await read(d1(), { $orderby: 'result', $top: '4', $skip: '8' });
      expect(last.rows.map((x) => x.result)).toEqual([9, 10, 11, 12]);
      expect(last.hasNext).toBe(false);
    });
    it('orders text in code point order and breaks ties by id', async () => {
      expect((await read('/Things', { $orderby: 'properties/owner, name desc' })).rows.map((r) => r.name)).toEqual(['Pegel Mainz', '  Zählstelle B9  ', 'Pegel Worms']);
      expect(await ids('/Things', { $orderby: 'properties/river' })).toEqual([id.mainz, id.worms, id.count]);
    });
    it('orders by a property of a related entity', async () => {
      const rows = (await read('/Datastreams', { $orderby: 'Thing/name desc' })).rows.map((r) => r.name);
      expect(rows).toEqual(['W Worms', 'W Mainz', 'Lane 1 count']);
    });
  });

  describe('navigation', () => {
    it('reads the Observations of one Datastream, the newest first', async () => {
      expect(await ids(d1(), { $orderby: 'phenomenonTime desc', $top: '1' })).toEqual(obs(12));
    });
    it('follows single navigations from an Observation to its Thing', async () => {
      const r = await read(`/Observations(${id.obs3})/Datastream/Thing`);
      expect(r.kind).toBe('entity');
      expect(r.rows.map((x) => x.name)).toEqual(['Pegel Mainz']);
    });
    it('follows many-to-many links between Things and Locations both ways', async () => {
      expect((await read(`/Things(${id.mainz})/Locations`)).rows.map((r) => r.name)).toEqual(['Mainz gauge', 'B9 section']);
      expect((await read(`/Locations(${id.locCount})/Things`)).rows.map((r) => r.name)).toEqual(['Pegel Mainz', '  Zählstelle B9  ']);
      expect(await ids(`/Locations(${id.locMainz})/HistoricalLocations`)).toEqual([id.hist]);
      expect((await read(`/HistoricalLocations(${id.hist})/Thing`)).rows.map((r) => r.name)).toEqual(['Pegel Mainz']);
    });
    it('reads an id given beyond 2^53 exactly', async () => {
      expect(await ids('/Things', { $filter: 'id eq 9007199254740993' })).toEqual([]);
      expect(await ids('/Things', { $filter: `@iot.id eq ${id.worms}` })).toEqual([id.worms]);
    });
    it('checks every id along the path', async () => {
      expect(await ids(`/Things(${id.mainz})/Datastreams(${id.dsMainz})/Observations`, { $top: '2' })).toEqual(obs(1, 2));
      expect(await ids(`/Things(${id.worms})/Datastreams(${id.dsMainz})/Observations`)).toEqual([]);
      expect(await ids(`/Sensors(${id.sensor})/Datastreams`)).toEqual([id.dsMainz, id.dsWorms]);
      expect(await read(`/FeaturesOfInterest(${id.foi})/Observations`, { $top: '0', $count: 'true' })).toMatchObject({ rows: [], count: 12, hasNext: true });
    });
    it('tells whether the entity a collection hangs from exists, for a 404 instead of an empty list', async () => {
      const found = async (path: string): Promise<boolean> => {
        const x = compileRead(parsePath(path), parseQueryOptions('Observation', {}), ALL);
        return (await c.query(x.parentCheck!.sql, x.parentCheck!.params)).rows[0].found;
      };
      expect(await found(`/Datastreams(${id.dsMainz})/Observations`)).toBe(true);
      expect(await found('/Datastreams(999999)/Observations')).toBe(false);
      expect(await found(`/Things(${id.worms})/Datastreams(${id.dsMainz})/Observations`)).toBe(false);
      expect(compileRead(parsePath('/Observations'), parseQueryOptions('Observation', {}), ALL).parentCheck).toBeUndefined();
    });
    it('reads a property, a JSON member and references', async () => {
      expect((await read(`/Things(${id.mainz})/name`)).rows).toEqual([{ value: 'Pegel Mainz' }]);
      expect((await read(`/Things(${id.mainz})/properties/marks`)).rows).toEqual([{ value: [400, 600] }]);
      expect((await read(`/Things(${id.mainz})/name/$value`)).kind).toBe('value');
      expect((await read(`/Things(${id.mainz})/Datastreams/$ref`)).rows).toEqual([{ '@iot.id': id.dsMainz }]);
    });
  });

  describe('JSON properties and paths through navigation', () => {
    it.each([
      ["properties/owner eq 'City'", ['Pegel Mainz', '  Zählstelle B9  ']],
      ['properties/level gt 5', ['Pegel Worms']],
      ['properties/active eq true', ['Pegel Mainz']],
      ['properties/active', ['Pegel Mainz']],
      ['properties/marks[1] eq 600', ['Pegel Mainz']],
      ['properties/lanes eq null', ['Pegel Mainz', 'Pegel Worms']],
      ["properties/owner ne 'City'", ['Pegel Worms']],
    ])('%s', async (filter, expected) => {
      expect(await names('/Things', filter)).toEqual(expected);
    });
    it('filters through to-one navigations', async () => {
      expect(await names('/Datastreams', "Thing/properties/owner eq 'City'")).toEqual(['W Mainz', 'Lane 1 count']);
      expect((await read('/Observations', { $filter: "Datastream/Thing/name eq 'Pegel Worms'", $count: 'true' })).count).toBe(3);
      expect((await read('/Observations', { $filter: "Datastream/ObservedProperty/name eq 'Vehicle count' and result gt 100", $count: 'true' })).count).toBe(2);
    });
    it('filters through to-many navigations: some related entity matches', async () => {
      expect(await names('/Things', "Datastreams/ObservedProperty/name eq 'Vehicle count'")).toEqual(['  Zählstelle B9  ']);
      expect(await names('/Things', 'Datastreams/Observations/result gt 200')).toEqual(['Pegel Worms']);
      // Conditions joined by and speak of one related row: no Worms reading is above 200 and below 190.
      expect(await names('/Things', 'Datastreams/Observations/result gt 200 and Datastreams/Observations/result lt 190')).toEqual([]);
      expect(await names('/Things', 'Datastreams/Observations/result gt 100 and Datastreams/Observations/result lt 200')).toEqual(['Pegel Worms', '  Zählstelle B9  ']);
      // not: no related row matches (the counter has a 95).
      expect(await names('/Things', "not Datastreams/Observations/result lt 100 or name eq 'Pegel Mainz'")).toEqual(['Pegel Mainz', 'Pegel Worms']);
      expect(await names('/Locations', "Things/properties/owner eq 'State' or name eq 'B9 section'")).toEqual(['Worms gauge', 'B9 section']);
      expect(await names('/Sensors', "Datastreams/Thing/Locations/name eq 'B9 section'")).toEqual(['Radar', 'Loop']);
    });
  });

  describe('$select', () => {
    it('serves only the selected properties, with the id', async () => {
      const compiled = compileRead(parsePath('/Things'), parseQueryOptions('Thing', { $select: 'name,properties/river,Datastreams', $top: '1' }), ALL);
      const [row] = (await c.query(compiled.query.sql, compiled.query.params)).rows;
      expect(row).toEqual({ '@iot.id': id.mainz, name: 'Pegel Mainz', m1: 'Rhein' });
      expect(compiled.memberColumns).toEqual({ m1: ['properties', 'river'] });
      expect(compiled.navigationLinks).toEqual(['Datastreams']);
    });
  });

  describe('$expand building blocks', () => {
    it('gives each parent its own $top of children, in the requested order, with per-parent counts', async () => {
      const o = parseQueryOptions('Datastream', { $expand: 'Observations($orderby=phenomenonTime desc;$top=1;$select=result;$count=true)' });
      const x = compileExpand('Datastream', o.expand[0], [id.dsMainz, id.dsWorms, id.dsCount], ALL);
      const rows = (await c.query(x.query.sql, x.query.params)).rows;
      expect(rows.map((r) => [r['@parent'], r.result, Number(r['@count'])])).toEqual([
        [id.dsMainz, 12, 12], [id.dsMainz, 11, 12],
        [id.dsWorms, 250.5, 3], [id.dsWorms, 180.4, 3],
        [id.dsCount, 143, 3], [id.dsCount, 95, 3],
      ]);
    });
    it('expands single navigations and many-to-many links for many parents at once', async () => {
      const o = parseQueryOptions('Thing', { $expand: "Locations($filter=name ne 'Worms gauge')" });
      const x = compileExpand('Thing', o.expand[0], [id.mainz, id.worms, id.count], ALL);
      const rows = (await c.query(x.query.sql, x.query.params)).rows;
      expect(rows.map((r) => [r['@parent'], r.name])).toEqual([[id.mainz, 'Mainz gauge'], [id.mainz, 'B9 section'], [id.count, 'B9 section']]);
      const t = compileExpand('Datastream', parseQueryOptions('Datastream', { $expand: 'Thing' }).expand[0], [id.dsCount, id.dsWorms], ALL);
      expect((await c.query(t.query.sql, t.query.params)).rows.map((r) => [r['@parent'], r.name])).toEqual([[id.dsCount, '  Zählstelle B9  '], [id.dsWorms, 'Pegel Worms']]);
    });
  });

  describe('visibility', () => {
    // What a reader of the Mainz dataset only sees; the endpoints pass src/auth/visibility.ts's readableSql here.
    const mainzOnly: ReadContext = {
      visibility: {
        packageCondition: (pkgId, params) => {
          params.push([pkg.mainz]);
          return `${pkgId} = ANY($${params.length}::uuid[])`;
        },
      },
    };
    it('restricts every entity type to what readable Things use', async () => {
      expect(await ids('/Things', {}, mainzOnly)).toEqual([id.mainz]);
      expect(await ids('/Datastreams', {}, mainzOnly)).toEqual([id.dsMainz]);
      expect((await read('/Observations', { $count: 'true' }, mainzOnly)).count).toBe(12);
      expect(await ids('/Locations', {}, mainzOnly)).toEqual([id.locMainz, id.locCount]);
      expect(await ids('/Sensors', {}, mainzOnly)).toEqual([id.sensor]);
      expect(await ids('/ObservedProperties', {}, mainzOnly)).toEqual([id.level]);
      expect(await ids('/FeaturesOfInterest', {}, mainzOnly)).toEqual([id.foi]);
      expect(await ids('/HistoricalLocations', {}, mainzOnly)).toEqual([id.hist]);
    });
    it('hides what a path or a filter would reach through an unreadable Thing', async () => {
      expect(await ids(`/Datastreams(${id.dsWorms})/Observations`, {}, mainzOnly)).toEqual([]);
      expect(await ids(`/Observations(${id.wormsIce})/Datastream/Thing`, {}, mainzOnly)).toEqual([]);
      expect(await ids('/Locations', { $filter: "Things/name eq 'Zählstelle B9' or Things/properties/owner eq 'State'" }, mainzOnly)).toEqual([]);
      const x = compileExpand('Sensor', parseQueryOptions('Sensor', { $expand: 'Datastreams' }).expand[0], [id.sensor, id.loop], mainzOnly);
      expect((await c.query(x.query.sql, x.query.params)).rows.map((r) => r['@iot.id'])).toEqual([id.dsMainz]);
    });
  });

  describe('errors', () => {
    const bad = async (path: string, query: Record<string, string>): Promise<StaQueryError> => {
      try {
        await read(path, query);
      } catch (e) {
        if (e instanceof StaQueryError) return e;
        throw e;
      }
      throw new Error('no error');
    };
    it('refuses to compare values of kinds that do not compare', async () => {
      expect(await bad('/Observations', { $filter: "phenomenonTime eq 'yesterday'" })).toMatchObject({ status: 400, message: expect.stringContaining('Expected a time') });
      expect(await bad('/Things', { $filter: "st_within(name, geography'POINT(1 2)')" })).toMatchObject({ status: 400, message: expect.stringContaining('Expected a geometry') });
      expect(await bad('/Things', { $filter: 'name' })).toMatchObject({ status: 400 });
    });
    it('refuses unknown properties in a filter and to-many paths in $orderby', async () => {
      expect(await bad('/Things', { $filter: "colour eq 'red'" })).toMatchObject({ status: 400, message: expect.stringContaining('Thing has no property colour') });
      expect(await bad('/Things', { $orderby: 'Datastreams/name' })).toMatchObject({ status: 400, message: expect.stringContaining('names many entities') });
      expect(await bad('/Things', { $filter: "Datastreams eq 'x'" })).toMatchObject({ status: 400 });
    });
  });
});
