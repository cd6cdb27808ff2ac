import type { MqttClient } from 'mqtt';
import { eventually, TestBroker, testClient, TestMosquitto } from '../../../test/mqtt-broker';
import { TestApp } from '../../../test/test-app';
import { SensorCatalog } from '../catalog/sensor-catalog.service';
import { MqttSources } from './mqtt-sources';

type Source = { id: string; name: string; owner_org: string; state?: string };

const SERVICE_CLIENT = 'catalog-test-service';

/**
 * `mqtt` sources and their brokers: the service's (here an external broker at MQTT_URL) and a source's own (`url`).
 * What the brokers hold is read from their subscribe and unsubscribe events, so "the subscription ended" is what the
 * broker saw, not what the service believes.
 */
describe('mqtt sources and their brokers', () => {
  let t: TestApp;
  let service: TestBroker;
  let own: TestBroker;
  let org: { id: string };
  const clients: MqttClient[] = [];
  /** Topic filters each client id holds at each broker, as the broker saw them. */
  const held = new Map<string, Set<string>>();
  /** Client ids of PUBACKs the source's broker received. */
  const acks: string[] = [];
  const watch = (b: TestBroker, name: string): void => {
    b.aedes.on('subscribe', (subs, c) => subs.forEach((s) => heldBy(name, c.id).add(s.topic)));
    b.aedes.on('unsubscribe', (topics, c) => topics.forEach((x) => heldBy(name, c.id).delete(x)));
  };
  const heldBy = (broker: string, clientId: string): Set<string> => {
    const key = `${broker}:${clientId}`;
    if (!held.has(key)) held.set(key, new Set());
    return held.get(key)!;
  };
  /** The filters the source's own connection holds at the own broker. */
  const ownHeld = (s: Source): string[] => [...held].filter(([k]) => k.startsWith('own:') && k.endsWith(s.id)).flatMap(([, v]) => [...v]);
  const serviceHeld = (): string[] => [...heldBy('service', SERVICE_CLIENT)];

  beforeAll(async () => {
    service = await TestBroker.start();
    own = await TestBroker.start();
    watch(service, 'service');
    watch(own, 'own');
    own.aedes.on('ack', (_packet, c) => acks.push(c.id));
    t = await TestApp.start({ MQTT_URL: service.url, MQTT_CLIENT_ID: SERVICE_CLIENT, MQTT_PROTOCOL_VERSION: '4' });
    org = (await t.factories.organization()) as { id: string };
  });
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true);
    await t.stop();
    await own.stop();
    await service.stop();
  });

  const sensor = async (url: string): Promise<MqttClient> => {
    const c = await testClient(url);
    clients.push(c);
    return c;
  };
  let n = 0;
  /** A flat-topic source with one gauge `P1` (stream `W`); answers it and the gauge's datastream id. */
  const source = async (config: Record<string, unknown>): Promise<{ s: Source; ds: number }> => {
    const prefix = `kreis${++n}/pegel`;
    const s = await t.call<Source>('sensor_source_create', {
      name: `mqtt-own-${n}`, owner_org: org.id, type: 'mqtt', config: { topic: `${prefix}/+/+`, payload: 'flat', topic_pattern: `${prefix}/{station}/{stream}`, ...config },
    });
    const r = await t.app.get(SensorCatalog).syncStation(t.context(), s, { key: 'P1', name: `Pegel ${n}`, streams: [{ key: 'W', name: 'Wasserstand', quantity: 'water_level', unit: 'cm' }] });
    return { s, ds: r.datastreams.W };
  };
  /** Waits until the datastream holds `values` (the broker acknowledged the sensor; the service ingests after that). */
  const storedEventually = async (ds: number, values: number[]): Promise<void> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const got = await stored(ds);
      if (JSON.stringify(got) === JSON.stringify(values) || Date.now() > deadline) return expect(got).toEqual(values);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const reading = (minute: number, value: number): string => JSON.stringify({ ts: `2025-06-01T10:${String(minute).padStart(2, '0')}:00+02:00`, value, unit: 'cm' });
  const stored = async (ds: number): Promise<number[]> =>
    ((await t.db.dataSource.query('SELECT result FROM sensor_observation WHERE datastream_id = $1 ORDER BY phenomenon_time', [ds])) as { result: number }[]).map((r) => r.result);

  it('connects a source that names its own broker there and stores its readings; the same topic on the service\'s broker is not taken for it', async () => {
    const { s, ds } = await source({ url: own.url });
    await eventually(() => ownHeld(s).includes(`kreis${n}/pegel/+/+`), 10_000, 'the source\'s subscription at its broker');
    expect(serviceHeld()).not.toContain(`kreis${n}/pegel/+/+`);
    const gauge = await sensor(own.url);
    const elsewhere = await sensor(service.url);
    await elsewhere.publishAsync(`kreis${n}/pegel/P1/W`, reading(0, 999), { qos: 1 });
    await gauge.publishAsync(`kreis${n}/pegel/P1/W`, reading(15, 120), { qos: 1 });
    await storedEventually(ds, [120]);
    // Acknowledged to its broker once committed: nothing stays queued in the source's session.
    await eventually(() => acks.some((id) => id.endsWith(s.id)), 10_000, 'the PUBACK to the source\'s broker');
  });

  it('moves a source\'s subscription at its own broker when its topic changes, closes its connection when paused or deleted', async () => {
    const { s, ds } = await source({ url: own.url });
    const old = `kreis${n}/pegel/+/+`;
    await eventually(() => ownHeld(s).includes(old), 10_000, 'the first subscription');
    const gauge = await sensor(own.url);
    await t.call('sensor_source_patch', { id: s.id, config: { url: own.url, topic: `neu${n}/+/+`, payload: 'flat', topic_pattern: `neu${n}/{station}/{stream}` } });
    await eventually(() => ownHeld(s).includes(`neu${n}/+/+`) && !ownHeld(s).includes(old), 10_000, () => `the moved subscription (holds ${ownHeld(s).join(', ')})`);
    await gauge.publishAsync(`kreis${n}/pegel/P1/W`, reading(0, 1), { qos: 1 });
    await gauge.publishAsync(`neu${n}/P1/W`, reading(15, 2), { qos: 1 });
    await storedEventually(ds, [2]);

    await t.call('sensor_source_patch', { id: s.id, state: 'paused' });
    expect(t.app.get(MqttSources).ownConnection(s.id)).toBeUndefined();
    expect(ownHeld(s)).toEqual([]);
    await gauge.publishAsync(`neu${n}/P1/W`, reading(30, 3), { qos: 1 });

    await t.call('sensor_source_patch', { id: s.id, state: 'active' });
    await eventually(() => ownHeld(s).includes(`neu${n}/+/+`), 10_000, 'the subscription after resuming');
    await gauge.publishAsync(`neu${n}/P1/W`, reading(45, 4), { qos: 1 });
    await storedEventually(ds, [2, 4]);

    await t.call('sensor_source_delete', { id: s.id });
    expect(t.app.get(MqttSources).ownConnection(s.id)).toBeUndefined();
    expect(ownHeld(s)).toEqual([]);
  });

  it('ends a source\'s subscription at the service\'s broker at once when it is paused or deleted, and moves it with its topic', async () => {
    const { s, ds } = await source({});
    const first = `kreis${n}/pegel/+/+`;
    await eventually(() => serviceHeld().includes(first), 10_000, 'the subscription at the service\'s broker');
    await t.call('sensor_source_patch', { id: s.id, config: { topic: `anders${n}/+/+`, payload: 'flat', topic_pattern: `anders${n}/{station}/{stream}` } });
    await eventually(() => serviceHeld().includes(`anders${n}/+/+`) && !serviceHeld().includes(first), 10_000, 'the moved subscription');
    const gauge = await sensor(service.url);
    await gauge.publishAsync(`anders${n}/P1/W`, reading(0, 7), { qos: 1 });
    await storedEventually(ds, [7]);
    await t.call('sensor_source_patch', { id: s.id, state: 'paused' });
    await eventually(() => !serviceHeld().includes(`anders${n}/+/+`), 10_000, 'the subscription to end when paused');
    await t.call('sensor_source_patch', { id: s.id, state: 'active' });
    await eventually(() => serviceHeld().includes(`anders${n}/+/+`), 10_000, 'the subscription again');
    await t.call('sensor_source_delete', { id: s.id });
    await eventually(() => !serviceHeld().includes(`anders${n}/+/+`), 10_000, 'the subscription to end when deleted');
    await gauge.publishAsync(`anders${n}/P1/W`, reading(15, 8), { qos: 1 });
    await new Promise((r) => setTimeout(r, 200));
    expect(await stored(ds)).toEqual([7]);
  });

  it('follows a change another instance committed (heard through PostgreSQL NOTIFY)', async () => {
    const { s } = await source({ url: own.url });
    await eventually(() => ownHeld(s).length === 1, 10_000, 'the subscription');
    // Another instance pauses the source: its row changes and its transaction notifies; this process made no call.
    await t.db.dataSource.transaction(async (db) => {
      await db.query(`UPDATE sensor_source SET state = 'paused' WHERE id = $1`, [s.id]);
      await db.query(`SELECT pg_notify('sensor_source_changes', $1)`, [`another-instance|${s.id}`]);
    });
    await eventually(() => t.app.get(MqttSources).ownConnection(s.id) === undefined && ownHeld(s).length === 0, 10_000, 'the connection to close');
    expect(t.app.get(MqttSources).ownConnection(s.id)).toBeUndefined();
  });

  it('shares an MQTT 5 source\'s subscription in its shared_group: the instances of the group split its messages, none is stored twice', async () => {
    const mosquitto = await TestMosquitto.start();
    try {
      const { s, ds } = await source({ url: mosquitto.url, protocol_version: 5, shared_group: 'catalog' });
      const topic = `kreis${n}/pegel/+/+`;
      // Another instance of the group, as a plain client: Mosquitto hands each message to one member of the group.
      const other = await testClient(mosquitto.url, { protocolVersion: 5 });
      clients.push(other);
      const byOther: number[] = [];
      other.on('message', (_t, p) => byOther.push((JSON.parse(p.toString()) as { value: number }).value));
      await other.subscribeAsync(`$share/catalog/${topic}`, { qos: 1 });
      await eventually(() => t.app.get(MqttSources).ownConnection(s.id)?.isConnected === true, 10_000, 'the source\'s connection');
      await new Promise((r) => setTimeout(r, 300)); // its SUBACK
      const gauge = await testClient(mosquitto.url, { protocolVersion: 5 });
      clients.push(gauge);
      const total = 40;
      for (let i = 0; i < total; i++) await gauge.publishAsync(`kreis${n}/pegel/P1/W`, JSON.stringify({ ts: new Date(Date.UTC(2025, 5, 1, 8, i)).toISOString(), value: 100 + i, unit: 'cm' }), { qos: 1 });
      let mine: number[] = [];
      for (let i = 0; i < 400 && mine.length + byOther.length < total; i++) {
        await new Promise((r) => setTimeout(r, 25));
        mine = await stored(ds);
      }
      expect(mine.length).toBeGreaterThan(0);
      expect(byOther.length).toBeGreaterThan(0);
      expect([...mine, ...byOther].sort()).toEqual(Array.from({ length: total }, (_, i) => 100 + i).sort());
      await t.call('sensor_source_delete', { id: s.id });
    } finally {
      await mosquitto.stop();
    }
  });
});
