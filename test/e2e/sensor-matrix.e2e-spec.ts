import type { MqttClient } from 'mqtt';
import request from 'supertest';
import { MqttIngest } from '../../src/sensors/mqtt/mqtt-ingest';
import { CALLER_KEYS, CALLERS, CallerKey, LEVEL_CASES, labelOf, LevelCase, MatrixCallers, memoised } from '../access-matrix';
import { eventually, testClient } from '../mqtt-broker';
import { staGauge } from '../sta-gauge';
import { TestApp } from '../test-app';

/**
 * Sensor data × access levels × callers (issue 14): one gauge per access level, each read on the SensorThings paths
 * (an entity, a list, a navigation), its Datastream's DataStore view and dump, and MQTT "receive updates", and written
 * through SensorThings (PATCH a Datastream, POST an Observation). The table of who reads and who edits each gauge is
 * the one of any dataset (LEVEL_CASES in test/access-matrix.ts, as in test/e2e/visibility.e2e-spec.ts and edit-matrix).
 * Who may not read a gauge meets it as if it did not exist: 404 on SensorThings and dumps, CKAN's 403 on actions.
 */

type Dict = Record<string, unknown>;

type Gauge = LevelCase & { label: string };
/** One gauge per access level of an active dataset (a gauge is no draft). */
const GAUGES: Gauge[] = LEVEL_CASES.filter((c) => c.state === 'active').map((c) => ({ ...c, label: labelOf(c, 'gauge') }));

interface Fixture {
  thing: number;
  datastream: number;
  observation: number;
  packageId: string;
  /** Its dataset's name, which no refusal may tell a caller who may not read it. */
  name: string;
  /** The Datastream's DataStore view (resource_type sensor_datastream). */
  resourceId: string;
}

describe('sensor data × access levels × callers', () => {
  let t: TestApp;
  let callers: MatrixCallers;
  const fx: Record<string, Fixture> = {};
  const once = memoised();
  const as = (caller: CallerKey, r: request.Test): request.Test => {
    const u = callers.userOf(caller);
    return u ? r.set('Authorization', u.token) : r;
  };
  const get = (caller: CallerKey, path: string): request.Test => as(caller, request(t.http).get(path));
  const staWrite = (caller: CallerKey, method: 'post' | 'patch', path: string, body: Dict): request.Test =>
    as(caller, request(t.http)[method](`/sta/v1.1/${path}`).set('content-type', 'application/json')).send(JSON.stringify(body));
  const observationCount = async (ds: number): Promise<number> =>
    Number((await t.db.dataSource.query('SELECT count(*) AS n FROM sensor_observation WHERE datastream_id = $1', [ds]))[0].n);

  beforeAll(async () => {
    t = await TestApp.start();
    callers = await MatrixCallers.make(t, 'sen');
    const org = await callers.ownOrg('sen-org');
    for (const [i, g] of GAUGES.entries()) {
      const { thing, ds: id, packageId: package_id } = await staGauge(t, {
        name: `Pegel ${g.key}`, org, by: callers.userOf('editor')!, coordinates: [7 + i / 10, 50], stream: `Wasserstand ${g.key}`,
      });
      if (g.level !== 'public') await t.call('package_patch', { id: package_id, access_level: g.level });
      if (g.shares) await callers.share(package_id);
      await callers.collaborate(package_id);
      const obs = await staWrite('editor', 'post', `Datastreams(${id})/Observations`, { phenomenonTime: '2025-03-29T04:00:00Z', result: 100 + i });
      expect(obs.status).toBe(201);
      const pkg = await t.call<{ name: string; access_level: string; resources: { id: string; resource_type: string }[] }>('package_show', { id: package_id });
      expect({ key: g.key, level: pkg.access_level }).toEqual({ key: g.key, level: g.level });
      fx[g.key] = { thing, datastream: id, observation: obs.body['@iot.id'] as number, packageId: package_id, name: pkg.name, resourceId: pkg.resources.find((r) => r.resource_type === 'sensor_datastream')!.id };
    }
  });
  afterAll(() => t.stop());

  const ids = (body: { value?: { '@iot.id': number }[] }): number[] => (body.value ?? []).map((v) => v['@iot.id']);

  interface ReadPath {
    name: string;
    sees: (who: CallerKey, f: Fixture) => Promise<boolean>;
  }
  /** A path answering 200 for a reader; anything else must be the 404 of an absent entity (SensorThings, dumps) or 403. */
  const status = async (who: CallerKey, path: string, refused: number): Promise<boolean> => {
    const res = await get(who, path);
    if (res.status !== 200 && res.status !== refused) throw new Error(`${path} answered ${res.status} for ${who}, neither 200 nor ${refused}`);
    return res.status === 200;
  };
  const READ_PATHS: ReadPath[] = [
    { name: 'SensorThings GET Things(id)', sees: (who, f) => status(who, `/sta/v1.1/Things(${f.thing})`, 404) },
    { name: 'SensorThings GET Datastreams(id)', sees: (who, f) => status(who, `/sta/v1.1/Datastreams(${f.datastream})`, 404) },
    { name: 'SensorThings GET Observations(id)', sees: (who, f) => status(who, `/sta/v1.1/Observations(${f.observation})`, 404) },
    {
      name: 'the SensorThings Observations list and count',
      sees: async (who, f) => {
        const body = await once(`observations:${who}`, async () => (await get(who, '/sta/v1.1/Observations?$count=true&$top=1000')).body as { '@iot.count': number; value: { '@iot.id': number }[] });
        expect(body['@iot.count']).toBe(body.value.length);
        return ids(body).includes(f.observation);
      },
    },
    {
      name: 'the SensorThings Things list',
      sees: async (who, f) => ids(await once(`things:${who}`, async () => (await get(who, '/sta/v1.1/Things?$top=1000')).body as { value: { '@iot.id': number }[] })).includes(f.thing),
    },
    { name: 'SensorThings navigation Things(id)/Datastreams', sees: (who, f) => status(who, `/sta/v1.1/Things(${f.thing})/Datastreams`, 404) },
    { name: 'SensorThings navigation Datastreams(id)/Observations', sees: (who, f) => status(who, `/sta/v1.1/Datastreams(${f.datastream})/Observations`, 404) },
    {
      name: 'datastore_search of its Datastream view',
      sees: async (who, f) => {
        const res = await as(who, request(t.http).post('/api/3/action/datastore_search').send({ resource_id: f.resourceId }));
        if (res.status === 403) expect(res.body.error.__type).toBe('Authorization Error');
        return res.status === 200 && res.body.result.total === 1;
      },
    },
    { name: 'the DataStore dump of its Datastream view', sees: (who, f) => status(who, `/datastore/dump/${f.resourceId}`, 404) },
  ];

  for (const path of READ_PATHS) {
    describe(path.name, () => {
      for (const g of GAUGES) {
        for (const who of CALLER_KEYS) {
          const expected = g.readers.includes(who);
          it(`${CALLERS[who]} ${expected ? 'sees' : 'does not see'} ${g.label} in ${path.name}`, async () => {
            expect(await path.sees(who, fx[g.key])).toBe(expected);
          });
        }
      }
    });
  }

  describe('MQTT "receive updates"', () => {
    let reader: MqttClient;
    const got: Dict[] = [];
    beforeAll(async () => {
      reader = await testClient(`mqtt://127.0.0.1:${t.app.get(MqttIngest).brokerPort}`);
      reader.on('message', (_topic, payload) => got.push(JSON.parse(payload.toString()) as Dict));
      await reader.subscribeAsync(['v1.1/Observations', 'v1.1/+/Observations'], { qos: 1 });
      // One new reading per gauge, the public one last: once its update arrived, every earlier one would have too.
      const order = [...GAUGES.filter((g) => g.level !== 'public'), ...GAUGES.filter((g) => g.level === 'public')];
      for (const g of order) {
        const res = await staWrite('sysadmin', 'post', `Datastreams(${fx[g.key].datastream})/Observations`, { phenomenonTime: '2025-03-29T05:00:00Z', result: 500 + GAUGES.indexOf(g) });
        expect(res.status).toBe(201);
      }
      const last = 500 + GAUGES.findIndex((g) => g.level === 'public');
      await eventually(() => got.some((m) => m.result === last), 10_000, 'the public gauge\'s update');
      await new Promise((r) => setTimeout(r, 200));
    });
    afterAll(() => reader.endAsync());

    for (const [i, g] of GAUGES.entries()) {
      const published = g.level === 'public';
      it(`an anonymous subscriber ${published ? 'receives' : 'never receives'} the updates of ${g.label}`, () => {
        expect(got.some((m) => m.result === 500 + i)).toBe(published);
      });
    }
  });

  describe('SensorThings writes', () => {
    /** How a refused write answers: 404 for who may not read the gauge (as if absent), else 403; anonymous callers 401 or 403. */
    const refusal = (who: CallerKey, g: Gauge): number[] => (who === 'anonymous' ? [401, 403, 404] : g.readers.includes(who) ? [403] : [404]);

    for (const g of GAUGES) {
      for (const who of CALLER_KEYS) {
        const may = g.editors.includes(who);
        it(`${CALLERS[who]} ${may ? 'may' : 'may not'} POST an Observation to ${g.label}`, async () => {
          const f = fx[g.key];
          const before = await observationCount(f.datastream);
          const res = await staWrite(who, 'post', `Datastreams(${f.datastream})/Observations`, { phenomenonTime: new Date().toISOString(), result: 7 });
          if (may) {
            expect(res.status).toBe(201);
            expect(await observationCount(f.datastream)).toBe(before + 1);
          } else {
            expect(refusal(who, g)).toContain(res.status);
            expect(await observationCount(f.datastream)).toBe(before);
            if (!g.readers.includes(who)) expect(JSON.stringify(res.body)).not.toContain(f.name);
          }
        });
        it(`${CALLERS[who]} ${may ? 'may' : 'may not'} PATCH the Datastream of ${g.label}`, async () => {
          const f = fx[g.key];
          const description = `geändert von ${who}`;
          const res = await staWrite(who, 'patch', `Datastreams(${f.datastream})`, { description });
          const [{ description: now }] = await t.db.dataSource.query<{ description: string }[]>('SELECT description FROM sensor_datastream WHERE id = $1', [f.datastream]);
          if (may) {
            expect(res.status).toBe(200);
            expect(now).toBe(description);
          } else {
            expect(refusal(who, g)).toContain(res.status);
            expect(now).not.toBe(description);
            if (!g.readers.includes(who)) expect(JSON.stringify(res.body)).not.toContain(f.name);
          }
        });
      }
    }
  });
});
