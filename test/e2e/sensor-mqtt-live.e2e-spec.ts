import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { Client } from 'pg';
import request from 'supertest';
import { eventually, publishUntilAcked, testClient } from '../mqtt-broker';
import { staGauge, type StaGauge } from '../sta-gauge';
import { TestApp } from '../test-app';
import type { TestUser } from '../factories/factories';
import { MqttIngest } from '../../src/sensors/mqtt/mqtt-ingest';
import { SensorCatalog } from '../../src/sensors/catalog/sensor-catalog.service';
import { MqttSources } from '../../src/sensors/live/mqtt-sources';

interface FixtureMessage { topic: string; qos: 0 | 1; payload: Record<string, unknown> }
const MESSAGES: FixtureMessage[] = readFileSync(join(__dirname, '../fixtures/sensors/mqtt/messages.jsonl'), 'utf8')
  .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as FixtureMessage);
const fixture = (topicStart: string): FixtureMessage[] => MESSAGES.filter((m) => m.topic.startsWith(topicStart));

/**
 * MQTT in and out of the running service (own broker): SensorThings "create Observation via MQTT", "receive updates"
 * after the commit (never for a private gauge, never taken for a new observation), and `mqtt` sources with flat topics
 * and The Things Stack uplinks, each with the fixture messages.
 */
describe('SensorThings over MQTT', () => {
  let t: TestApp;
  let editor: TestUser;
  let org: Record<string, unknown>;
  let url: string;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    t = await TestApp.start();
    editor = await t.factories.user();
    org = await t.factories.organization({ members: [[editor, 'editor']] });
    url = `mqtt://127.0.0.1:${t.app.get(MqttIngest).brokerPort}`;
  });
  afterAll(async () => {
    for (const c of clients) await c.endAsync();
    await t.stop();
  });

  /** A client; with an id, a persistent session that sends its unacknowledged messages again after a reconnect. */
  const client = async (clientId?: string): Promise<MqttClient> => {
    const c = await testClient(url, clientId ? { clientId, clean: false, reconnectPeriod: 50 } : {});
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };
  /** A gauge made through SensorThings by the organization's editor; answers its Thing and Datastream ids. */
  const gauge = async (name: string, opts: { private?: boolean; access_level?: string } = {}): Promise<StaGauge> => {
    const g = await staGauge(t, { name, org: org as { name: string }, by: editor });
    if (opts.private) await t.call('package_patch', { id: g.packageId, private: true });
    if (opts.access_level) await t.call('package_patch', { id: g.packageId, access_level: opts.access_level });
    return g;
  };
  const count = async (ds: number): Promise<number> => Number((await t.db.dataSource.query('SELECT count(*) AS n FROM sensor_observation WHERE datastream_id = $1', [ds]))[0].n);

  it('stores the fixture\'s SensorThings message published to v1.1/Datastreams(12)/Observations once, visible in datastore_search and /sta', async () => {
    const [message] = fixture('v1.1/');
    // The fixture addresses Datastream 12: the next Datastream made gets that id.
    await t.db.dataSource.query(`SELECT setval(pg_get_serial_sequence('sensor_datastream', 'id'), 11)`);
    const { ds, packageId } = await gauge('Kirn');
    expect(ds).toBe(12);
    const sensor = await client();
    await sensor.publishAsync(message.topic, JSON.stringify(message.payload), { qos: 1 });
    // Sent again (a sensor that missed the PUBACK): still one Observation.
    await sensor.publishAsync(message.topic, JSON.stringify(message.payload), { qos: 1, dup: true });
    expect(await count(ds)).toBe(1);
    const sta = await request(t.http).get(`/sta/v1.1/Datastreams(${ds})/Observations`);
    expect(sta.body.value).toEqual([expect.objectContaining({ phenomenonTime: '2025-03-29T04:30:00Z', result: 118 })]);
    const pkg = await t.call<{ resources: { id: string; resource_type: string }[] }>('package_show', { id: packageId });
    const resource = pkg.resources.find((r) => r.resource_type === 'sensor_datastream')!;
    const rows = await t.call<{ records: { result: number }[] }>('datastore_search', { resource_id: resource.id });
    expect(rows.records.map((r) => r.result)).toEqual([118]);
    // The audit trail has the stored message as a count, not its reading.
    const audited = await t.db.dataSource.query(`SELECT input FROM audit_write WHERE action = 'sta_mqtt_create'`);
    expect(audited.length).toBeGreaterThanOrEqual(1);
    expect(audited[0].input).toEqual({ messages: 1, datastreams: 1 });
  });

  it('acknowledges and drops a bad SensorThings message without storing it', async () => {
    const { ds } = await gauge('Idar');
    const sensor = await client();
    await sensor.publishAsync(`v1.1/Datastreams(${ds})/Observations`, '{"result": ', { qos: 1 });
    await sensor.publishAsync(`v1.1/Datastreams(${ds})/Observations`, JSON.stringify({ result: 5, colour: 'blau' }), { qos: 1 });
    await sensor.publishAsync('v1.1/Datastreams(987654)/Observations', JSON.stringify({ result: 5 }), { qos: 1 });
    expect(await count(ds)).toBe(0);
  });

  it('stores a burst of messages from several publishers, each acknowledged after its commit; a bad one among them is dropped, a repeated reading is a revision', async () => {
    const a = await gauge('Bingen');
    const b = await gauge('Trechtingshausen');
    const sensors = await Promise.all(Array.from({ length: 4 }, () => client()));
    const at = (k: number): string => new Date(Date.UTC(2025, 3, 1) + k * 900_000).toISOString();
    // Sent at once, so they reach the service while others are being stored and are written together.
    const sent = Array.from({ length: 200 }, (_, k) => sensors[k % 4].publishAsync(`v1.1/Datastreams(${k % 2 ? b.ds : a.ds})/Observations`, JSON.stringify({ phenomenonTime: at(k >> 1), result: k }), { qos: 1 }));
    sent.push(sensors[0].publishAsync('v1.1/Datastreams(987655)/Observations', JSON.stringify({ phenomenonTime: at(0), result: 1 }), { qos: 1 }));
    sent.push(sensors[0].publishAsync(`v1.1/Datastreams(${a.ds})/Observations`, JSON.stringify({ phenomenonTime: at(0), result: 1000 }), { qos: 1 }));
    await Promise.all(sent);
    // Every acknowledged message is stored: 100 readings each, the first of a revised to the value sent last.
    expect([await count(a.ds), await count(b.ds)]).toEqual([100, 100]);
    const [first] = await t.db.dataSource.query('SELECT result FROM sensor_observation WHERE datastream_id = $1 AND phenomenon_time = $2', [a.ds, at(0)]);
    expect(first.result).toBe(1000);
    const revisions = await t.db.dataSource.query('SELECT old_result, new_result FROM sensor_observation_revision WHERE datastream_id = $1', [a.ds]);
    expect(revisions).toEqual([{ old_result: 0, new_result: 1000 }]);
  });

  /**
   * Holds the commit of every group: the writer's last step (noting the hours for the aggregates) waits for this lock,
   * so a group stays inside its transaction until `release`. `waiting` answers the backends stuck on it.
   */
  const holdCommits = async (): Promise<{ waiting: () => Promise<number[]>; release: () => Promise<void> }> => {
    const admin = new Client({ connectionString: t.db.url });
    await admin.connect();
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE sensor_aggregate_pending IN EXCLUSIVE MODE');
    return {
      waiting: async () => (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows.map((r) => r.pid),
      release: async () => {
        await admin.query('COMMIT');
        await admin.end();
      },
    };
  };
  const stuck = async (hold: { waiting: () => Promise<number[]> }): Promise<number[]> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const pids = await hold.waiting();
      if (pids.length) return pids;
      if (Date.now() > deadline) throw new Error('no group reached its commit');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const at = (k: number): string => new Date(Date.UTC(2025, 4, 1) + k * 900_000).toISOString();

  it('acknowledges the messages of many publishers only after their commit, and stores them together in one or two transactions, not one each', async () => {
    const a = await gauge('Sobernheim');
    const b = await gauge('Boos');
    const sensors = await Promise.all(Array.from({ length: 8 }, () => client()));
    const hold = await holdCommits();
    let acked = 0;
    const sent = Array.from({ length: 80 }, (_, k) => sensors[k % 8].publishAsync(`v1.1/Datastreams(${k % 2 ? b.ds : a.ds})/Observations`, JSON.stringify({ phenomenonTime: at(k >> 1), result: k }), { qos: 1 }).then(() => acked++));
    try {
      await stuck(hold);
      // Everything has arrived by now, and is waiting for the first group's commit.
      await new Promise((r) => setTimeout(r, 500));
      expect(acked).toBe(0);
    } finally {
      await hold.release();
    }
    await Promise.all(sent);
    expect(acked).toBe(80);
    expect([await count(a.ds), await count(b.ds)]).toEqual([40, 40]);
    const [{ n }] = await t.db.dataSource.query('SELECT count(DISTINCT xmin::text)::int AS n FROM sensor_observation WHERE datastream_id = ANY($1::bigint[])', [[a.ds, b.ds]]);
    expect(n).toBeLessThanOrEqual(2);
  });

  it('refuses the bad messages of a group alone and stores the others of it', async () => {
    const a = await gauge('Martinstein');
    const sensors = await Promise.all(Array.from({ length: 4 }, () => client()));
    const hold = await holdCommits();
    const sent: Promise<unknown>[] = Array.from({ length: 40 }, (_, k) => sensors[k % 4].publishAsync(`v1.1/Datastreams(${a.ds})/Observations`, JSON.stringify({ phenomenonTime: at(k), result: k }), { qos: 1 }));
    try {
      await stuck(hold);
      // Sent while the first group waits, so they are in the next group with the others: a FeatureOfInterest that does
      // not exist (found bad only by the writer, inside the group's transaction) and a Datastream that does not exist.
      sent.push(sensors[1].publishAsync(`v1.1/Datastreams(${a.ds})/Observations`, JSON.stringify({ phenomenonTime: at(100), result: 1, FeatureOfInterest: { '@iot.id': 987_654_321 } }), { qos: 1 }));
      sent.push(sensors[2].publishAsync('v1.1/Datastreams(987654)/Observations', JSON.stringify({ phenomenonTime: at(101), result: 2 }), { qos: 1 }));
      for (let k = 40; k < 60; k++) sent.push(sensors[k % 4].publishAsync(`v1.1/Datastreams(${a.ds})/Observations`, JSON.stringify({ phenomenonTime: at(k), result: k }), { qos: 1 }));
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await hold.release();
    }
    // Every message is acknowledged, the refused ones too (sending them again would not help).
    await Promise.all(sent);
    const rows: { result: number }[] = await t.db.dataSource.query('SELECT result FROM sensor_observation WHERE datastream_id = $1 ORDER BY phenomenon_time', [a.ds]);
    expect(rows.map((r) => r.result)).toEqual(Array.from({ length: 60 }, (_, k) => k));
  });

  it('loses nothing when the database connection of a group ends before its commit: the whole group is sent again and stored once', async () => {
    const a = await gauge('Laubenheim');
    const sensors = await Promise.all(Array.from({ length: 3 }, (_, k) => client(`gauge-group-${k}`)));
    // A message not stored is not acknowledged: its publisher's connection is closed, and it sends it again.
    let dropped = 0;
    for (const c of sensors) c.on('close', () => dropped++);
    const hold = await holdCommits();
    const sent = Array.from({ length: 30 }, (_, k) => publishUntilAcked(sensors[k % 3], `v1.1/Datastreams(${a.ds})/Observations`, JSON.stringify({ phenomenonTime: at(k), result: k })));
    try {
      // What a database restart does to the group's transaction: its connection ends under it.
      for (const pid of await stuck(hold)) await t.db.dataSource.query('SELECT pg_terminate_backend($1)', [pid]);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await hold.release();
    }
    await Promise.all(sent);
    const rows: { result: number }[] = await t.db.dataSource.query('SELECT result FROM sensor_observation WHERE datastream_id = $1 ORDER BY phenomenon_time', [a.ds]);
    expect(rows.map((r) => r.result)).toEqual(Array.from({ length: 30 }, (_, k) => k));
    expect(await t.db.dataSource.query('SELECT 1 FROM sensor_observation_revision WHERE datastream_id = $1', [a.ds])).toEqual([]);
    expect(dropped).toBeGreaterThan(0);
  });

  it('checks the next message against a Datastream\'s changed limits, though the last one was checked against the old', async () => {
    const a = await gauge('Nahe-Kirn');
    const sensor = await client();
    const topic = `v1.1/Datastreams(${a.ds})/Observations`;
    await sensor.publishAsync(topic, JSON.stringify({ phenomenonTime: at(0), result: 150 }), { qos: 1 });
    const patched = await request(t.http).patch(`/sta/v1.1/Datastreams(${a.ds})`).set('Authorization', editor.token).set('content-type', 'application/json')
      .send(JSON.stringify({ properties: { limits: { min: 0, max: 100 } } }));
    expect(patched.status).toBe(200);
    await sensor.publishAsync(topic, JSON.stringify({ phenomenonTime: at(1), result: 150 }), { qos: 1 });
    const rows: { result: number; quality: string }[] = await t.db.dataSource.query('SELECT result, quality FROM sensor_observation WHERE datastream_id = $1 ORDER BY phenomenon_time', [a.ds]);
    // Flagged, never clamped.
    expect(rows).toEqual([{ result: 150, quality: 'good' }, { result: 150, quality: 'invalid' }]);
  });

  it('publishes a new Observation to its topics after the commit, never for a private or internal gauge, and never ingests its own update', async () => {
    const open = await gauge('Oberstein');
    const closed = await gauge('Intern', { private: true });
    // Issue 14: an internal gauge is read by the platform's members only, so MQTT (anyone may subscribe) never carries it.
    const internal = await gauge('Kreisintern', { access_level: 'internal' });
    const reader = await client();
    const got: { topic: string; body: Record<string, unknown> }[] = [];
    reader.on('message', (topic, payload) => got.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
    await reader.subscribeAsync(['v1.1/Observations', 'v1.1/+/Observations'], { qos: 1 });
    const sensor = await client();

    await sensor.publishAsync(`v1.1/Datastreams(${closed.ds})/Observations`, JSON.stringify({ phenomenonTime: '2025-03-29T04:00:00Z', result: 50 }), { qos: 1 });
    await sensor.publishAsync(`v1.1/Datastreams(${internal.ds})/Observations`, JSON.stringify({ phenomenonTime: '2025-03-29T04:00:00Z', result: 55 }), { qos: 1 });
    await sensor.publishAsync(`v1.1/Datastreams(${open.ds})/Observations`, JSON.stringify({ phenomenonTime: '2025-03-29T04:00:00Z', result: 60 }), { qos: 1 });
    await eventually(() => got.length >= 2, 10_000, () => `two updates, got ${JSON.stringify(got)}`);
    const stored = (await request(t.http).get(`/sta/v1.1/Datastreams(${open.ds})/Observations`)).body.value[0];
    expect(got.map((m) => m.topic).sort()).toEqual(['v1.1/Datastreams(' + open.ds + ')/Observations', 'v1.1/Observations']);
    for (const m of got) expect(m.body).toEqual(expect.objectContaining({ '@iot.id': stored['@iot.id'], '@iot.selfLink': stored['@iot.selfLink'], result: 60, phenomenonTime: '2025-03-29T04:00:00Z' }));
    // The private gauge's reading is stored, but was never published (it was sent first, and only the public one came).
    expect(await count(closed.ds)).toBe(1);
    expect(await count(internal.ds)).toBe(1);
    expect(got.some((m) => m.body.result === 50 || m.body.result === 55)).toBe(false);
    // The update on v1.1/Datastreams(ID)/Observations was not taken for a new observation.
    await new Promise((r) => setTimeout(r, 200));
    expect(await count(open.ds)).toBe(1);
    expect(await t.db.dataSource.query('SELECT 1 FROM sensor_observation_revision WHERE datastream_id = $1', [open.ds])).toEqual([]);

    // The HTTP create publishes too.
    await request(t.http).post(`/sta/v1.1/Datastreams(${open.ds})/Observations`).set('Authorization', editor.token).set('content-type', 'application/json')
      .send(JSON.stringify({ phenomenonTime: '2025-03-29T04:15:00Z', result: 61 }));
    await eventually(() => got.some((m) => m.body.result === 61), 10_000, 'the HTTP create\'s update');
    // And CreateObservations, one update per stored row; the private gauge's row is stored and stays quiet.
    await request(t.http).post('/sta/v1.1/CreateObservations').set('Authorization', editor.token).set('content-type', 'application/json').send(JSON.stringify([
      { Datastream: { '@iot.id': closed.ds }, components: ['phenomenonTime', 'result'], dataArray: [['2025-03-29T04:45:00Z', 51]] },
      { Datastream: { '@iot.id': open.ds }, components: ['phenomenonTime', 'result'], dataArray: [['2025-03-29T04:30:00Z', 62], ['2025-03-29T04:45:00Z', 63]] },
    ]));
    await eventually(() => got.filter((m) => m.topic === 'v1.1/Observations' && [62, 63].includes(m.body.result as number)).length === 2, 10_000, 'the batch\'s updates');
    expect(await count(closed.ds)).toBe(2);
    expect(got.some((m) => m.body.result === 51)).toBe(false);
  });

  const source = async (config: Record<string, unknown>): Promise<{ id: string; name: string; owner_org: string }> =>
    t.call('sensor_source_create', { name: `mqtt-${Math.random().toString(36).slice(2, 8)}`, owner_org: org.id, type: 'mqtt', config }, { as: editor });

  it('ingests the fixture\'s flat-topic gauge messages through an mqtt source and acknowledges them after the commit', async () => {
    const s = await source({ topic: 'kreis-musterland/pegel/+/+', payload: 'flat', topic_pattern: 'kreis-musterland/pegel/{station}/{stream}' });
    const r = await t.app.get(SensorCatalog).syncStation(t.context(), s, { key: 'KMS-PG-003', name: 'Pegel Musterbach', streams: [{ key: 'wasserstand', name: 'Wasserstand', quantity: 'water_level', unit: 'cm' }] });
    const sensor = await client();
    for (const m of fixture('kreis-musterland/pegel/')) await sensor.publishAsync(m.topic, JSON.stringify(m.payload), { qos: 1 });
    const rows: { phenomenon_time: string; result: number }[] = await t.db.dataSource.query('SELECT phenomenon_time, result FROM sensor_observation WHERE datastream_id = $1 ORDER BY phenomenon_time', [r.datastreams.wasserstand]);
    expect(rows.map((x) => [new Date(x.phenomenon_time).toISOString(), x.result])).toEqual([['2025-03-29T04:00:00.000Z', 131], ['2025-03-29T04:15:00.000Z', 133]]);
    const shown = await t.call<{ counts: Record<string, number>; last_success_at: string | null }>('sensor_source_show', { id: s.id }, { as: editor });
    expect(shown.counts).toMatchObject({ messages: 2, stored: 2 });
    expect(shown.last_success_at).not.toBeNull();
    const audited = await t.db.dataSource.query(`SELECT object_id, input FROM audit_write WHERE action = 'mqtt_ingest' AND object_id = $1`, [s.id]);
    expect(audited).toHaveLength(2);
    expect(audited[0].input).toMatchObject({ source: s.name, readings: 1 });
  });

  it('ingests the fixture\'s The Things Stack uplink through an mqtt source, and shows an unknown device as the source\'s last_warnings, not as an error', async () => {
    const s = await source({ topic: 'v3/+/devices/+/up', payload: 'tts', devices: [{ device_id: 'pegel-kirn-01', station: 'kirn-nahe', fields: { level_cm: 'W' } }] });
    const r = await t.app.get(SensorCatalog).syncStation(t.context(), s, { key: 'kirn-nahe', name: 'Pegel Kirn', streams: [{ key: 'W', name: 'Wasserstand', quantity: 'water_level', unit: 'cm' }] });
    const [uplink] = fixture('v3/');
    const sensor = await client();
    await sensor.publishAsync(uplink.topic, JSON.stringify(uplink.payload), { qos: 1 });
    const rows: { phenomenon_time: string; result: number }[] = await t.db.dataSource.query('SELECT phenomenon_time, result FROM sensor_observation WHERE datastream_id = $1', [r.datastreams.W]);
    expect(rows.map((x) => [new Date(x.phenomenon_time).toISOString(), x.result])).toEqual([['2025-03-29T04:30:04.100Z', 118]]);
    await sensor.publishAsync('v3/pegel-musterland@ttn/devices/pegel-unbekannt/up', JSON.stringify({ ...uplink.payload, end_device_ids: { device_id: 'pegel-unbekannt' } }), { qos: 1 });
    const shown = await t.call<{ last_error: unknown; last_warnings: { message: string; count: number } | null }>('sensor_source_show', { id: s.id }, { as: editor });
    expect(shown.last_warnings).toMatchObject({ message: expect.stringMatching(/pegel-unbekannt/), count: 1 });
    expect(shown.last_error).toBeNull();
  });
  it('subscribes the topics of mqtt sources stored before the start, and drops their messages once the source is deleted', async () => {
    // A source written past the actions (as one stored before this process started): found by the start-up refresh.
    const [{ id }] = await t.db.dataSource.query(
      `INSERT INTO sensor_source (name, owner_org, type, config) VALUES ('mqtt-vorhanden', $1, 'mqtt', $2::jsonb) RETURNING id`,
      [org.id, JSON.stringify({ topic: 'landkreis/wasser/+/+', payload: 'flat', topic_pattern: 'landkreis/wasser/{station}/{stream}' })],
    );
    const s = { id: id as string, name: 'mqtt-vorhanden', owner_org: String(org.id) };
    const r = await t.app.get(SensorCatalog).syncStation(t.context(), s, { key: 'P1', name: 'Pegel Vorhanden', streams: [{ key: 'W', name: 'Wasserstand', quantity: 'water_level', unit: 'cm' }] });
    await t.app.get(MqttSources).refresh();
    const sensor = await client();
    await sensor.publishAsync('landkreis/wasser/P1/W', JSON.stringify({ ts: '2025-06-01T10:00:00+02:00', value: 90, unit: 'cm' }), { qos: 1 });
    expect(await count(r.datastreams.W)).toBe(1);
    await t.call('sensor_source_delete', { id: s.id }, { as: editor });
    await sensor.publishAsync('landkreis/wasser/P1/W', JSON.stringify({ ts: '2025-06-01T10:15:00+02:00', value: 91, unit: 'cm' }), { qos: 1 });
    expect(await count(r.datastreams.W)).toBe(1);
  });
});
