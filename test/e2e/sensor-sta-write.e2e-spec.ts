import request from 'supertest';
import { TestApp } from '../test-app';
import type { TestUser } from '../factories/factories';

/**
 * SensorThings Create-Update-Delete at /sta/v1.1 over HTTP (OGC 18-088 §10, FROST-Server's answers): a deep insert
 * makes a sensor dataset with its Thing, Location and Datastreams, visible through package_show and GET; links by
 * @iot.id; PATCH, PUT, DELETE; CreateObservations; and who may write.
 */
describe('SensorThings writes over HTTP', () => {
  let t: TestApp;
  let editor: TestUser;
  let member: TestUser;
  let stranger: TestUser;
  let org: Record<string, unknown>;
  const BASE = 'http://catalog.test/sta/v1.1';

  beforeAll(async () => {
    t = await TestApp.start();
    editor = await t.factories.user();
    member = await t.factories.user();
    stranger = await t.factories.user();
    org = await t.factories.organization({ members: [[editor, 'editor'], [member, 'member']] });
    await t.factories.organization({ members: [[stranger, 'editor']] });
  });
  afterAll(() => t.stop());

  const send = (method: 'post' | 'patch' | 'put' | 'delete', path: string, body?: unknown, as: TestUser | null = editor): request.Test => {
    let r = request(t.http)[method](`/sta/v1.1${path}`);
    if (as) r = r.set('Authorization', as.token);
    if (body !== undefined) r = r.set('content-type', 'application/json').send(typeof body === 'string' ? body : JSON.stringify(body));
    return r;
  };
  const get = (path: string): request.Test => request(t.http).get(`/sta/v1.1${path}`);

  const gauge = (name: string): Record<string, unknown> => ({
    name, description: `Pegel ${name}`, properties: { organization: org.name, operator: 'Kreis' },
    Locations: [{ name: `Standort ${name}`, description: 'Brücke', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [7.59, 50.35] } }],
    Datastreams: [{
      name: 'Wasserstand', description: 'W über Pegelnull', observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement',
      unitOfMeasurement: { name: 'Zentimeter', symbol: 'cm', definition: 'http://unitsofmeasure.org/ucum.html#cm' },
      Sensor: { name: 'Radar 7', description: 'Radarpegel', encodingType: 'text/plain', metadata: 'VEGAPULS' },
      ObservedProperty: { name: 'Wasserstand', definition: 'http://qudt.org/vocab/quantitykind/Height', description: 'Wasserstand' },
    }],
  });

  it('creates a Thing with its Location and Datastream in one request, as a sensor dataset visible through package_show and GET', async () => {
    const res = await send('post', '/Things', gauge('Lahnstein'));
    expect(res.status).toBe(201);
    const id = res.body['@iot.id'];
    expect(res.headers.location).toBe(`${BASE}/Things(${id})`);
    expect(res.body).toMatchObject({ '@iot.selfLink': `${BASE}/Things(${id})`, name: 'Lahnstein', description: 'Pegel Lahnstein', 'Datastreams@iot.navigationLink': `${BASE}/Things(${id})/Datastreams` });
    const ds = await get(`/Things(${id})/Datastreams?$expand=Sensor,ObservedProperty`);
    expect(ds.body.value).toHaveLength(1);
    expect(ds.body.value[0]).toMatchObject({ unitOfMeasurement: { symbol: 'cm' }, Sensor: { name: 'Radar 7', metadata: 'VEGAPULS' } });
    const loc = await get(`/Things(${id})/Locations`);
    expect(loc.body.value).toEqual([expect.objectContaining({ name: 'Standort Lahnstein', description: 'Brücke', location: { type: 'Point', coordinates: [7.59, 50.35] } })]);
    const [{ package_id }] = await t.db.dataSource.query('SELECT package_id FROM sensor_thing WHERE id = $1', [id]);
    const pkg = await t.call<Record<string, unknown> & { resources: Record<string, unknown>[]; extras: { key: string; value: string }[] }>('package_show', { id: package_id });
    expect(pkg).toMatchObject({ type: 'sensor', owner_org: org.id, title: 'Lahnstein' });
    expect(pkg.resources.filter((r) => r.resource_type === 'sensor_datastream')).toHaveLength(1);
    expect(JSON.parse(pkg.extras.find((e) => e.key === 'spatial')!.value)).toEqual({ type: 'Point', coordinates: [7.59, 50.35] });
  });

  it('links a new Datastream to an existing Thing, Sensor and ObservedProperty by @iot.id, and Observations to it through the navigation path', async () => {
    const thing = (await send('post', '/Things', gauge('Kaub'))).body['@iot.id'];
    const first = (await get(`/Things(${thing})/Datastreams?$expand=Sensor,ObservedProperty`)).body.value[0];
    const res = await send('post', '/Datastreams', {
      name: 'Abfluss', description: 'Q', observationType: 'OM_Measurement', unitOfMeasurement: { name: 'm³/s', symbol: 'm³/s', definition: '' },
      Thing: { '@iot.id': thing }, Sensor: { '@iot.id': first.Sensor['@iot.id'] }, ObservedProperty: { '@iot.id': first.ObservedProperty['@iot.id'] },
    });
    expect(res.status).toBe(201);
    const dsId = res.body['@iot.id'];
    expect((await get(`/Things(${thing})/Datastreams`)).body.value.map((d: { '@iot.id': number }) => d['@iot.id'])).toContain(dsId);
    const obs = await send('post', `/Datastreams(${dsId})/Observations`, { phenomenonTime: '2025-03-29T04:30:00Z', result: 12.5 });
    expect(obs.status).toBe(201);
    expect(obs.body).toMatchObject({ phenomenonTime: '2025-03-29T04:30:00Z', result: 12.5 });
    // The FeatureOfInterest defaults to the Thing's Location.
    const foi = await get(`/Observations(${obs.body['@iot.id']})/FeatureOfInterest`);
    expect(foi.body).toMatchObject({ name: 'Standort Kaub', feature: { type: 'Point', coordinates: [7.59, 50.35] } });
    const byLink = await send('post', '/Observations', { result: 13, Datastream: { '@iot.id': dsId }, FeatureOfInterest: { '@iot.id': foi.body['@iot.id'] } });
    expect(byLink.status).toBe(201);
    // phenomenonTime defaults to now.
    expect(Math.abs(Date.parse(byLink.body.phenomenonTime) - Date.now())).toBeLessThan(60_000);
  });

  it('creates an Observation with an inline FeatureOfInterest, and moves a Thing to a Location posted under it, with a HistoricalLocation', async () => {
    const thing = (await send('post', '/Things', gauge('Boppard'))).body['@iot.id'];
    const ds = (await get(`/Things(${thing})/Datastreams`)).body.value[0]['@iot.id'];
    const obs = await send('post', '/Observations', {
      phenomenonTime: '2025-03-29T06:00:00Z', result: 77, Datastream: { '@iot.id': ds },
      FeatureOfInterest: { name: 'Rhein bei Boppard', description: 'Flussabschnitt', encodingType: 'application/geo+json', feature: { type: 'Point', coordinates: [7.59, 50.23] } },
    });
    expect(obs.status).toBe(201);
    expect((await get(`/Observations(${obs.body['@iot.id']})/FeatureOfInterest`)).body).toMatchObject({ name: 'Rhein bei Boppard', feature: { coordinates: [7.59, 50.23] } });
    const before = (await get(`/Things(${thing})/HistoricalLocations`)).body.value.length;
    const loc = await send('post', `/Things(${thing})/Locations`, { name: 'Neuer Standort', description: 'Ufer', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [7.6, 50.24] } });
    expect(loc.status).toBe(201);
    expect((await get(`/Things(${thing})/Locations`)).body.value.map((l: { '@iot.id': number }) => l['@iot.id'])).toEqual([loc.body['@iot.id']]);
    expect((await get(`/Things(${thing})/HistoricalLocations`)).body.value).toHaveLength(before + 1);
    const [{ package_id }] = await t.db.dataSource.query('SELECT package_id FROM sensor_thing WHERE id = $1', [thing]);
    const pkg = await t.call<{ extras: { key: string; value: string }[] }>('package_show', { id: package_id });
    expect(JSON.parse(pkg.extras.find((e) => e.key === 'spatial')!.value)).toEqual({ type: 'Point', coordinates: [7.6, 50.24] });
  });

  it('deletes a Sensor with its Datastreams, as the standard cascades', async () => {
    const thing = (await send('post', '/Things', gauge('Oberwesel'))).body['@iot.id'];
    const ds = (await get(`/Things(${thing})/Datastreams?$expand=Sensor`)).body.value[0];
    expect((await send('delete', `/Sensors(${ds.Sensor['@iot.id']})`, undefined, stranger)).status).toBe(403);
    expect((await send('delete', `/Sensors(${ds.Sensor['@iot.id']})`)).status).toBe(200);
    expect((await get(`/Datastreams(${ds['@iot.id']})`)).status).toBe(404);
    expect((await get(`/Things(${thing})`)).status).toBe(200);
  });

  it('runs the conformance suite\'s create sequence: entities one by one, linked by @iot.id, a Thing moved by a Location link, FeaturesOfInterest made from it', async () => {
    const post = async (path: string, body: Record<string, unknown>): Promise<number> => {
      const res = await send('post', path, body);
      expect({ path, status: res.status, body: res.body }).toMatchObject({ status: 201 });
      return res.body['@iot.id'] as number;
    };
    // The editor's only organization takes the Thing.
    const thing = await post('/Things', { name: 'Test Thing', description: 'This is a Test Thing From TestNG' });
    const location = await post('/Locations', { name: 'bow river', description: 'bow river', encodingType: 'application/vnd.geo+json', location: { type: 'Point', coordinates: [-114.05, 51.05] } });
    const sensor = await post('/Sensors', { name: 'Fuguro Barometer', description: 'Fuguro Barometer', encodingType: 'application/pdf', metadata: 'Barometer' });
    const property = await post('/ObservedProperties', { name: 'DewPoint Temperature', definition: 'http://dbpedia.org/page/Dew_point', description: 'dew point' });
    const foi = await post('/FeaturesOfInterest', { name: 'A weather station.', description: 'A weather station.', encodingType: 'application/vnd.geo+json', feature: { type: 'Point', coordinates: [10, 10] } });
    const ds = await post('/Datastreams', {
      unitOfMeasurement: { name: 'Celsius', symbol: 'degC', definition: 'http://qudt.org/vocab/unit#DegreeCelsius' }, name: 'test datastream.', description: 'test datastream.',
      observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement', Thing: { '@iot.id': thing }, ObservedProperty: { '@iot.id': property }, Sensor: { '@iot.id': sensor },
    });
    const first = await post('/Observations', { phenomenonTime: '2015-03-01T00:40:00.000Z', result: 8, Datastream: { '@iot.id': ds }, FeatureOfInterest: { '@iot.id': foi } });
    expect((await get(`/Observations(${first})/FeatureOfInterest`)).body['@iot.id']).toBe(foi);
    expect((await send('patch', `/Things(${thing})`, { Locations: [{ '@iot.id': location }] })).status).toBe(200);
    expect((await get(`/Things(${thing})/Locations`)).body.value.map((l: { '@iot.id': number }) => l['@iot.id'])).toEqual([location]);
    const second = await send('post', '/Observations', { phenomenonTime: '2015-03-01T00:00:00.000Z', resultTime: '2015-03-01T01:00:00.000Z', result: 100, Datastream: { '@iot.id': ds } });
    expect(second.body).toMatchObject({ resultTime: '2015-03-01T01:00:00Z', result: 100 });
    const made = (await get(`/Observations(${second.body['@iot.id']})/FeatureOfInterest`)).body;
    expect(made.feature).toEqual({ type: 'Point', coordinates: [-114.05, 51.05] });
    const third = await send('post', '/Observations', { phenomenonTime: '2015-05-01T00:00:00.000Z', result: 105, Datastream: { '@iot.id': ds } });
    expect(third.body.resultTime).toBeNull();
    expect((await get(`/Observations(${third.body['@iot.id']})/FeatureOfInterest`)).body['@iot.id']).toBe(made['@iot.id']);
    await post('/HistoricalLocations', { time: '2015-03-01T00:40:00.000Z', Thing: { '@iot.id': thing }, Locations: [{ '@iot.id': location }] });
    const patched = await send('patch', `/Datastreams(${ds})`, { description: 'Taupunkt' });
    expect(patched.body).toMatchObject({ description: 'Taupunkt', unitOfMeasurement: { symbol: expect.any(String) } });
    const inline = await send('patch', `/Things(${thing})`, { Locations: [{ name: 'West Roof', description: 'x', encodingType: 'application/vnd.geo+json', location: { type: 'Point', coordinates: [1, 1] } }] });
    expect(inline.status).toBe(400);
    expect((await send('delete', '/Things(987654)')).status).toBe(404);
    expect((await send('delete', '/Observations(987654)')).status).toBe(404);
  });

  it('changes a Thing with PATCH, replaces it with PUT, and changes and deletes an Observation', async () => {
    const thing = (await send('post', '/Things', gauge('Andernach'))).body['@iot.id'];
    const patched = await send('patch', `/Things(${thing})`, { description: 'Neuer Text' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Andernach', description: 'Neuer Text', properties: expect.objectContaining({ operator: 'Kreis' }) });
    const put = await send('put', `/Things(${thing})`, { name: 'Andernach Rhein', description: 'Ersetzt' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'Andernach Rhein', description: 'Ersetzt' });
    expect(put.body.properties?.operator).toBeUndefined();
    const missing = await send('put', `/Things(${thing})`, { name: 'ohne Beschreibung' });
    expect(missing.status).toBe(400);
    const ds = (await get(`/Things(${thing})/Datastreams`)).body.value[0]['@iot.id'];
    const obs = (await send('post', `/Datastreams(${ds})/Observations`, { phenomenonTime: '2025-03-29T05:00:00Z', result: 100 })).body['@iot.id'];
    const changed = await send('patch', `/Observations(${obs})`, { result: 101 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ '@iot.id': obs, result: 101 });
    const [rev] = await t.db.dataSource.query('SELECT old_result, new_result FROM sensor_observation_revision WHERE datastream_id = $1', [ds]);
    expect(rev).toEqual({ old_result: 100, new_result: 101 });
    expect((await send('delete', `/Observations(${obs})`)).status).toBe(200);
    expect((await get(`/Observations(${obs})`)).status).toBe(404);
  });

  it('replaces an Observation with PUT at its time, and deletes a Datastream through its resource', async () => {
    const thing = (await send('post', '/Things', gauge('Lorch'))).body['@iot.id'];
    const ds = (await get(`/Things(${thing})/Datastreams`)).body.value[0]['@iot.id'];
    const obs = (await send('post', `/Datastreams(${ds})/Observations`, { phenomenonTime: '2025-03-29T07:00:00Z', result: 10, parameters: { source: 'Hand' } })).body['@iot.id'];
    const put = await send('put', `/Observations(${obs})`, { result: 11 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ '@iot.id': obs, phenomenonTime: '2025-03-29T07:00:00Z', result: 11 });
    const [{ resource_id }] = await t.db.dataSource.query('SELECT resource_id FROM sensor_datastream WHERE id = $1', [ds]);
    expect((await send('delete', `/Datastreams(${ds})`)).status).toBe(200);
    expect((await get(`/Datastreams(${ds})`)).status).toBe(404);
    expect((await get(`/Observations(${obs})`)).status).toBe(404);
    await expect(t.call('resource_show', { id: resource_id })).rejects.toMatchObject({ kind: 'not_found' });
    expect((await get(`/Things(${thing})`)).status).toBe(200);
  });

  it('shows an Observation whose result is text, not a number, as result_json in datastore_search, the CSV dump and the latest values', async () => {
    const thing = (await send('post', '/Things', gauge('Oberwesel'))).body['@iot.id'];
    const ds = (await get(`/Things(${thing})/Datastreams`)).body.value[0]['@iot.id'];
    expect((await send('post', `/Datastreams(${ds})/Observations`, { phenomenonTime: '2025-01-10T06:00:00Z', result: 212 })).status).toBe(201);
    expect((await send('post', `/Datastreams(${ds})/Observations`, { phenomenonTime: '2025-01-10T07:00:00Z', result: 'Eisgang' })).status).toBe(201);
    const [{ resource_id }] = await t.db.dataSource.query('SELECT resource_id FROM sensor_datastream WHERE id = $1', [ds]);
    const [{ latest_resource_id }] = await t.db.dataSource.query('SELECT latest_resource_id FROM sensor_thing WHERE id = $1', [thing]);

    type Found = { fields: { id: string; type: string; info?: Record<string, string> }[]; records: Record<string, unknown>[] };
    const stream = await t.call<Found>('datastore_search', { resource_id, sort: 'phenomenon_time' });
    expect(stream.records.map((r) => [r.phenomenon_time, r.result, r.result_json])).toEqual([
      ['2025-01-10T06:00:00+00:00', 212, null], ['2025-01-10T07:00:00+00:00', null, 'Eisgang'],
    ]);
    expect(stream.fields.at(-1)).toMatchObject({ id: 'result_json', info: { label: 'Wert (kein Zahlenwert)' } });
    expect((await t.call<Found>('datastore_search', { resource_id, q: 'eisgang' })).records.map((r) => r.result_json)).toEqual(['Eisgang']);

    const dump = await request(t.http).get(`/datastore/dump/${resource_id}`);
    expect(dump.status).toBe(200);
    const [header, , text] = dump.text.trim().split(/\r?\n/);
    expect(header.split(',').at(-1)).toBe('result_json');
    // As any json column of the DataStore: its JSON text (a string in quotes, which CSV doubles).
    expect(text).toMatch(/^\d+,2025-01-10 07:00:00\+00,.*,"""Eisgang"""$/);

    const latest = await t.call<Found>('datastore_search', { resource_id: latest_resource_id });
    expect(latest.records).toEqual([expect.objectContaining({ _id: ds, result: null, result_json: 'Eisgang', phenomenon_time: '2025-01-10T07:00:00+00:00' })]);
  });

  it('deletes a Thing through its dataset: the Datastreams and Observations go with it and the dataset is deleted', async () => {
    const thing = (await send('post', '/Things', gauge('Cochem'))).body['@iot.id'];
    const ds = (await get(`/Things(${thing})/Datastreams`)).body.value[0]['@iot.id'];
    await send('post', `/Datastreams(${ds})/Observations`, { phenomenonTime: '2025-03-29T05:00:00Z', result: 100 });
    const [{ package_id }] = await t.db.dataSource.query('SELECT package_id FROM sensor_thing WHERE id = $1', [thing]);
    expect((await send('delete', `/Things(${thing})`)).status).toBe(200);
    expect((await get(`/Things(${thing})`)).status).toBe(404);
    expect((await get(`/Datastreams(${ds})`)).status).toBe(404);
    expect(await t.db.dataSource.query('SELECT 1 FROM sensor_observation WHERE datastream_id = $1', [ds])).toEqual([]);
    expect((await t.call<{ state: string }>('package_show', { id: package_id })).state).toBe('deleted');
  });

  it('stores a CreateObservations batch and answers "error" for its bad row only', async () => {
    const thing = (await send('post', '/Things', gauge('Trier'))).body['@iot.id'];
    const ds = (await get(`/Things(${thing})/Datastreams`)).body.value[0]['@iot.id'];
    const res = await send('post', '/CreateObservations', [{
      Datastream: { '@iot.id': ds }, components: ['phenomenonTime', 'result'],
      dataArray: [['2025-03-29T04:00:00Z', 120], ['kein Zeitpunkt', 121], ['2025-03-29T04:30:00Z', 122]],
    }]);
    expect(res.status).toBe(201);
    expect(res.body).toEqual([expect.stringMatching(new RegExp(`^${BASE.replace(/[.()]/g, '\\$&')}/Observations\\(\\d+\\)$`)), 'error', expect.stringContaining('/Observations(')]);
    const stored = await get(`/Datastreams(${ds})/Observations?$orderby=phenomenonTime&$select=result`);
    expect(stored.body.value.map((o: { result: number }) => o.result)).toEqual([120, 122]);
  });

  it('stores the rows of every Datastream of a CreateObservations batch, answering each row in order and "error" for a bad row among them', async () => {
    const ids: number[] = [];
    for (const name of ['Cochem', 'Zell', 'Alf']) ids.push((await get(`/Things(${(await send('post', '/Things', gauge(name))).body['@iot.id']})/Datastreams`)).body.value[0]['@iot.id']);
    const rows = (base: number): [string, number][] => [['2025-04-02T04:00:00Z', base], ['2025-04-02T04:15:00Z', base + 1]];
    const all = await send('post', '/CreateObservations', ids.map((id, k) => ({ Datastream: { '@iot.id': id }, components: ['phenomenonTime', 'result'], dataArray: rows(100 * k) })));
    expect(all.status).toBe(201);
    expect(all.body).toHaveLength(6);
    expect(all.body.every((x: string) => x.includes('/Observations('))).toBe(true);
    // An interval ending before it starts: that row is refused, the rows after it keep their places in the answer.
    const mixed = await send('post', '/CreateObservations', [
      { Datastream: { '@iot.id': ids[0] }, components: ['phenomenonTime', 'result'], dataArray: [['2025-04-02T05:00:00Z', 7]] },
      { Datastream: { '@iot.id': ids[1] }, components: ['phenomenonTime', 'result'], dataArray: [['2025-04-02T05:00:00Z', 8], ['2025-04-02T06:00:00Z/2025-04-02T05:30:00Z', 9]] },
      { Datastream: { '@iot.id': ids[2] }, components: ['phenomenonTime', 'result'], dataArray: [['2025-04-02T05:00:00Z', 10]] },
    ]);
    expect(mixed.status).toBe(201);
    expect(mixed.body).toEqual([expect.stringContaining('/Observations('), expect.stringContaining('/Observations('), 'error', expect.stringContaining('/Observations(')]);
    const results = async (id: number): Promise<number[]> => (await get(`/Datastreams(${id})/Observations?$orderby=phenomenonTime&$select=result`)).body.value.map((o: { result: number }) => o.result);
    expect([await results(ids[0]), await results(ids[1]), await results(ids[2])]).toEqual([[0, 1, 7], [100, 101, 8], [200, 201, 10]]);
    // Each answered link is the Observation stored for its row.
    const eight = (await get(`/Datastreams(${ids[1]})/Observations?$filter=result eq 8`)).body.value[0];
    expect(mixed.body[1]).toBe(eight['@iot.selfLink']);
  });

  it('stores nothing of a CreateObservations batch when one of its Datastreams is not the caller\'s to write (403) or does not exist (404)', async () => {
    const own = (await get(`/Things(${(await send('post', '/Things', gauge('Boppard'))).body['@iot.id']})/Datastreams`)).body.value[0]['@iot.id'];
    const foreignThing = (await send('post', '/Things', { ...gauge('Fremdort'), properties: {} }, stranger)).body['@iot.id'];
    const foreign = (await get(`/Things(${foreignThing})/Datastreams`)).body.value[0]['@iot.id'];
    const group = (id: number): unknown => ({ Datastream: { '@iot.id': id }, components: ['phenomenonTime', 'result'], dataArray: [['2025-04-03T04:00:00Z', 1]] });
    expect((await send('post', '/CreateObservations', [group(own), group(foreign)])).status).toBe(403);
    expect((await send('post', '/CreateObservations', [group(own), group(987654321)])).status).toBe(404);
    expect((await get(`/Datastreams(${own})/Observations`)).body.value).toEqual([]);
    expect((await send('post', '/CreateObservations', [group(foreign)], stranger)).status).toBe(201);
  });

  it('refuses anonymous writers with 401, other organizations\' editors and plain members with 403, and bad input with 400', async () => {
    const thing = (await send('post', '/Things', gauge('Bingen'))).body['@iot.id'];
    const ds = (await get(`/Things(${thing})/Datastreams`)).body.value[0]['@iot.id'];
    const obs = { phenomenonTime: '2025-03-29T05:00:00Z', result: 1 };
    expect((await send('post', `/Datastreams(${ds})/Observations`, obs, null)).status).toBe(401);
    const other = await send('post', `/Datastreams(${ds})/Observations`, obs, stranger);
    expect(other.status).toBe(403);
    expect(other.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    expect((await send('post', `/Datastreams(${ds})/Observations`, obs, member)).status).toBe(403);
    expect((await send('patch', `/Things(${thing})`, { name: 'X' }, stranger)).status).toBe(403);
    expect((await send('delete', `/Things(${thing})`, undefined, stranger)).status).toBe(403);
    expect((await send('post', '/Things', { ...gauge('Fremd') }, stranger)).status).toBe(403);
    const badJson = await send('post', '/Things', '{"name": ');
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.message).toMatch(/not valid JSON/);
    expect((await send('post', '/Things', { description: 'ohne Namen' })).status).toBe(400);
    expect((await send('post', '/Things', { name: 'a', description: 'b', colour: 'blau' })).body.error.message).toMatch(/no property colour/);
    expect((await send('post', `/Datastreams(${ds})/Observations`, { result: 5, unit: 'cm' })).status).toBe(400);
    expect((await send('post', '/Observations', { result: 5, Datastream: { '@iot.id': 999999 } })).status).toBe(404);
    expect((await send('post', '/CreateObservations', { not: 'a list' })).status).toBe(400);
  });

  it('records every SensorThings write in the audit trail (counts, not readings), and a Thing’s dataset activities', async () => {
    const [{ n }] = await t.db.dataSource.query(`SELECT coalesce(max(seq), 0)::int AS n FROM audit_write`);
    const id = (await send('post', '/Things', gauge('Andernach'))).body['@iot.id'];
    const [{ package_id }] = await t.db.dataSource.query('SELECT package_id FROM sensor_thing WHERE id = $1', [id]);
    expect((await send('patch', `/Things(${id})`, { description: 'Pegel Andernach (Rhein)' })).status).toBe(200);
    const ds = (await get(`/Things(${id})/Datastreams`)).body.value[0]['@iot.id'];
    const obs = await send('post', '/CreateObservations', [{ Datastream: { '@iot.id': ds }, components: ['phenomenonTime', 'result'], dataArray: [['2025-03-29T04:00:00Z', 120], ['2025-03-29T04:15:00Z', 121]] }]);
    expect(obs.status).toBe(201);
    expect((await send('delete', `/Things(${id})`)).status).toBe(200);
    const writes = await t.db.dataSource.query(`SELECT action, user_id, input FROM audit_write WHERE seq > $1 AND outermost ORDER BY seq`, [n]);
    expect(writes.map((w: { action: string }) => w.action)).toEqual(['sta_create', 'sta_update', 'sta_create_observations', 'sta_delete']);
    expect(writes.every((w: { user_id: string }) => w.user_id === editor.id)).toBe(true);
    expect(writes[2].input).toEqual({ datastreams: 1, rows: 2, stored: 2, refused: 0 });
    const acts = await t.call<{ activity_type: string; user_id: string }[]>('package_activity_list', { id: package_id });
    expect(acts.map((a) => a.activity_type)).toEqual(['deleted package', 'changed package', 'new package']);
    expect(acts.every((a) => a.user_id === editor.id)).toBe(true);
  });
});
