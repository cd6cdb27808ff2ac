import request from 'supertest';
import { TestApp } from '../../../test/test-app';
import type { TestUser } from '../../../test/factories/factories';

/**
 * GET /sta/v1.1 over HTTP, in FROST-Server's JSON shape, with the project's visibility rule: a private gauge's
 * Thing, Datastreams and Observations never reach a reader who may not read its dataset.
 */
describe('SensorThings reads over HTTP', () => {
  let t: TestApp;
  let member: TestUser;
  const id: Record<string, number> = {};
  const BASE = 'http://catalog.test/sta/v1.1';

  beforeAll(async () => {
    t = await TestApp.start({ STA_DEFAULT_TOP: '5', STA_MAX_TOP: '8' });
    member = await t.factories.user();
    const org = await t.factories.organization({ members: [[member, 'member']] });
    const open = await t.factories.dataset({ owner_org: String(org.id), name: 'pegel-mainz' });
    const closed = await t.factories.dataset({ owner_org: String(org.id), name: 'pegel-intern', private: true });
    const q = async (sql: string, params: unknown[] = []): Promise<number> => Number((await t.db.dataSource.query(sql, params))[0]?.id);
    id.open = await q(`INSERT INTO sensor_thing (package_id, name, properties) VALUES ($1, 'Pegel Mainz', '{"owner": "City"}') RETURNING id`, [open.id]);
    id.closed = await q(`INSERT INTO sensor_thing (package_id, name) VALUES ($1, 'Pegel intern') RETURNING id`, [closed.id]);
    id.loc = await q(`INSERT INTO sensor_location (name, location) VALUES ('Mainz', '{"type": "Point", "coordinates": [8.27, 50.0]}') RETURNING id`);
    await q(`INSERT INTO sensor_thing_location (thing_id, location_id) VALUES ($1, $2) RETURNING thing_id AS id`, [id.open, id.loc]);
    id.sensor = await q(`INSERT INTO sensor_sensor (name) VALUES ('Radar') RETURNING id`);
    id.op = await q(`INSERT INTO sensor_observed_property (name) VALUES ('Water level') RETURNING id`);
    const ds = (thing: number, name: string): Promise<number> =>
      q(`INSERT INTO sensor_datastream (thing_id, sensor_id, observed_property_id, name, unit_of_measurement) VALUES ($1, $2, $3, $4, '{"symbol": "cm"}') RETURNING id`, [thing, id.sensor, id.op, name]);
    id.dsOpen = await ds(id.open, 'W Mainz');
    id.dsClosed = await ds(id.closed, 'W intern');
    for (let k = 1; k <= 12; k++) {
      await q(`INSERT INTO sensor_observation (datastream_id, phenomenon_time, result) VALUES ($1, $2, $3) RETURNING id`, [id.dsOpen, `2015-03-${String(k).padStart(2, '0')}T00:00:00Z`, k]);
    }
    await q(`INSERT INTO sensor_observation (datastream_id, phenomenon_time, result) VALUES ($1, '2015-03-01T00:00:00Z', 999) RETURNING id`, [id.dsClosed]);
  });
  afterAll(() => t.stop());

  const get = (path: string, as?: TestUser): request.Test => {
    const r = request(t.http).get(`/sta/v1.1${path}`);
    return as ? r.set('Authorization', as.token) : r;
  };

  it('lists the entity sets on the landing page', async () => {
    const res = await get('');
    expect(res.status).toBe(200);
    expect(res.body.value).toContainEqual({ name: 'Things', url: `${BASE}/Things` });
  });

  it('serves a Thing with its id, self link, properties and navigation links', async () => {
    const res = await get(`/Things(${id.open})`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      '@iot.selfLink': `${BASE}/Things(${id.open})`, '@iot.id': id.open, name: 'Pegel Mainz', description: '', properties: { owner: 'City' },
      'Datastreams@iot.navigationLink': `${BASE}/Things(${id.open})/Datastreams`,
      'Locations@iot.navigationLink': `${BASE}/Things(${id.open})/Locations`,
      'HistoricalLocations@iot.navigationLink': `${BASE}/Things(${id.open})/HistoricalLocations`,
    });
  });

  it('pages with the configured default $top, caps $top, counts and links the next page', async () => {
    const res = await get(`/Datastreams(${id.dsOpen})/Observations?$count=true&$orderby=phenomenonTime%20desc`);
    expect(res.body['@iot.count']).toBe(12);
    expect(res.body.value.map((o: { result: number }) => o.result)).toEqual([12, 11, 10, 9, 8]);
    expect(res.body['@iot.nextLink']).toBe(`${BASE}/Datastreams(${id.dsOpen})/Observations?%24count=true&%24orderby=phenomenonTime+desc&%24top=5&%24skip=5`);
    const next = await request(t.http).get(res.body['@iot.nextLink'].replace('http://catalog.test', ''));
    expect(next.body.value.map((o: { result: number }) => o.result)).toEqual([7, 6, 5, 4, 3]);
    const capped = await get(`/Datastreams(${id.dsOpen})/Observations?$top=1000`);
    expect(capped.body.value).toHaveLength(8);
  });

  it('answers filters, $select, $expand and $ref', async () => {
    const f = await get(`/Observations?$filter=${encodeURIComponent("result gt '3' and Datastream/Thing/name eq 'Pegel Mainz'")}&$count=true&$top=0`);
    expect(f.body['@iot.count']).toBe(6);
    const s = await get(`/Things(${id.open})?$select=name,properties/owner&$expand=${encodeURIComponent('Datastreams($select=name;$expand=Observations($top=1;$orderby=phenomenonTime desc;$select=result)),Locations')}`);
    expect(s.body).toMatchObject({
      name: 'Pegel Mainz', properties: { owner: 'City' },
      Datastreams: [{ '@iot.id': id.dsOpen, name: 'W Mainz', Observations: [{ result: 12 }], 'Observations@iot.nextLink': expect.stringContaining(`Datastreams(${id.dsOpen})/Observations?$top=1&$skip=1`) }],
      Locations: [{ name: 'Mainz', location: { type: 'Point', coordinates: [8.27, 50.0] } }],
    });
    expect(s.body.description).toBeUndefined();
    const ref = await get(`/Things(${id.open})/Datastreams/$ref`);
    expect(ref.body).toEqual({ value: [{ '@iot.selfLink': `${BASE}/Datastreams(${id.dsOpen})` }] });
    const value = await get(`/Things(${id.open})/name/$value`);
    expect(value.text).toBe('Pegel Mainz');
    expect((await get(`/Things(${id.open})/name`)).body).toEqual({ name: 'Pegel Mainz' });
  });

  it('serves Observations as a dataArray per Datastream', async () => {
    const res = await get(`/Observations?$resultFormat=dataArray&$select=id,phenomenonTime,result&$orderby=phenomenonTime&$top=2`);
    expect(res.body.value).toEqual([
      {
        'Datastream@iot.navigationLink': `${BASE}/Datastreams(${id.dsOpen})`,
        components: ['id', 'phenomenonTime', 'result'],
        'dataArray@iot.count': 2,
        dataArray: [[expect.any(Number), '2015-03-01T00:00:00Z', 1], [expect.any(Number), '2015-03-02T00:00:00Z', 2]],
      },
    ]);
    expect(res.body['@iot.nextLink']).toContain('%24skip=2');
  });

  it('keeps a private gauge from anonymous readers on every path, and shows it to members', async () => {
    expect((await get('/Things')).body.value.map((x: { name: string }) => x.name)).toEqual(['Pegel Mainz']);
    expect((await get(`/Things(${id.closed})`)).status).toBe(404);
    expect((await get(`/Datastreams(${id.dsClosed})/Observations`)).status).toBe(404);
    expect((await get('/Observations?$filter=result%20eq%20999')).body.value).toEqual([]);
    expect((await get(`/Sensors(${id.sensor})?$expand=Datastreams`)).body.Datastreams.map((d: { name: string }) => d.name)).toEqual(['W Mainz']);
    expect((await get('/Things', member)).body.value.map((x: { name: string }) => x.name)).toEqual(['Pegel Mainz', 'Pegel intern']);
    expect((await get(`/Datastreams(${id.dsClosed})/Observations`, member)).body.value.map((o: { result: number }) => o.result)).toEqual([999]);
  });

  it('answers bad paths and options with { error: { code, message } }', async () => {
    expect(await get('/Gauges')).toMatchObject({ status: 404, body: { error: { code: 404, message: 'No entity set named Gauges' } } });
    expect(await get("/Things('x')")).toMatchObject({ status: 400, body: { error: { code: 400, message: expect.stringContaining('numbers') } } });
    expect(await get('/Things?$filter=name%20eq')).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('$filter') } } });
    expect(await get('/Observations?$filter=phenomenonTime%20gt%20999999-01-01T00:00:00Z')).toMatchObject({ status: 400 });
    expect(await get('/MultiDatastreams')).toMatchObject({ status: 404, body: { error: { message: expect.stringContaining('not supported') } } });
  });
});
