import { Client } from 'pg';
import { eventually, publishUntilAcked, TestBroker, testClient } from '../../../test/mqtt-broker';
import { TestApp } from '../../../test/test-app';
import { MqttIngest } from './mqtt-ingest';
import { MqttPublisher } from './mqtt-publisher';

/**
 * The MQTT transport inside the whole service: without MQTT_URL the app runs its own broker (on a free port here),
 * a sensor's QoS 1 message is acknowledged after its reading was committed, and at shutdown a message being handled
 * still commits before the database closes.
 */
describe('MQTT in the running service', () => {
  let t: TestApp;
  let stopped = false;
  beforeAll(async () => {
    t = await TestApp.start();
    await t.db.dataSource.query('CREATE TABLE mqtt_test_reading (payload text PRIMARY KEY)');
  });
  afterAll(async () => {
    if (!stopped) await t.stop();
  });

  const rows = async (): Promise<string[]> => {
    const c = new Client({ connectionString: t.db.url });
    await c.connect();
    try {
      return (await c.query<{ payload: string }>('SELECT payload FROM mqtt_test_reading ORDER BY payload')).rows.map((r) => r.payload);
    } finally {
      await c.end();
    }
  };

  it('runs its own broker, and a sensor\'s QoS 1 message is acknowledged once its reading is committed', async () => {
    const mqtt = t.app.get(MqttIngest);
    expect(mqtt.mode).toBe('own');
    mqtt.subscribe('test/gauges/+/W', async (_topic, payload) => {
      await t.db.dataSource.transaction((db) => db.query('INSERT INTO mqtt_test_reading (payload) VALUES ($1) ON CONFLICT DO NOTHING', [payload.toString()]));
    });
    const sensor = await testClient(`mqtt://127.0.0.1:${mqtt.brokerPort}`);
    try {
      await sensor.publishAsync('test/gauges/1/W', 'w-1', { qos: 1 });
      // The PUBACK has arrived: the row must be there, read through another connection.
      expect(await rows()).toEqual(['w-1']);
    } finally {
      await sensor.endAsync();
    }
  });

  it('loses no reading of a QoS 1 stream when the database drops every connection in the middle of it', async () => {
    const mqtt = t.app.get(MqttIngest);
    let failures = 0;
    mqtt.subscribe('test/restart/+', async (_topic, payload) => {
      try {
        await t.db.dataSource.transaction(async (db) => {
          await db.query('INSERT INTO mqtt_test_reading (payload) VALUES ($1) ON CONFLICT DO NOTHING', [payload.toString()]);
          await db.query('SELECT pg_sleep(0.005)'); // a commit that takes a while, so the failure hits some in flight
        });
      } catch (err) {
        failures++;
        throw err;
      }
    });
    const sensor = await testClient(`mqtt://127.0.0.1:${mqtt.brokerPort}`, { clientId: 'gauge-restart', clean: false, reconnectPeriod: 50 });
    sensor.on('error', () => undefined);
    const admin = new Client({ connectionString: t.db.url });
    await admin.connect();
    try {
      const total = 150;
      const sent: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) {
        sent.push(publishUntilAcked(sensor, `test/restart/${i % 3}`, `s-${String(i).padStart(3, '0')}`));
        if (i % 50 === 25) {
          // What a database restart does to the service's pool: every connection ends under it.
          await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      await Promise.all(sent);
      const stored = (await admin.query<{ payload: string }>(`SELECT payload FROM mqtt_test_reading WHERE payload LIKE 's-%' ORDER BY payload`)).rows.map((r) => r.payload);
      expect(stored).toEqual(Array.from({ length: total }, (_, i) => `s-${String(i).padStart(3, '0')}`));
      expect(failures).toBeGreaterThan(0);
    } finally {
      await admin.end();
      await sensor.endAsync(true);
    }
  });

  it('publishes a SensorThings update after its transaction committed, and none when it rolled back', async () => {
    const mqtt = t.app.get(MqttIngest);
    const publisher = t.app.get(MqttPublisher);
    const reader = await testClient(`mqtt://127.0.0.1:${mqtt.brokerPort}`);
    try {
      const received: string[] = [];
      await reader.subscribeAsync('v1.1/Observations', { qos: 0 });
      reader.on('message', (_t, p) => received.push(p.toString()));
      let publishedBeforeCommit = true;
      await t.context().transaction(async (tx) => {
        publisher.afterCommit(tx, ['v1.1/Observations'], { '@iot.id': 1 });
        await new Promise((r) => setTimeout(r, 100));
        publishedBeforeCommit = received.length > 0;
      });
      await expect(
        t.context().transaction(async (tx) => {
          publisher.afterCommit(tx, ['v1.1/Observations'], { '@iot.id': 2 });
          throw new Error('constraint violated');
        }),
      ).rejects.toThrow('constraint violated');
      await eventually(() => received.length === 1, 5000, 'the update');
      await new Promise((r) => setTimeout(r, 200));
      expect(publishedBeforeCommit).toBe(false);
      expect(received).toEqual(['{"@iot.id":1}']);
    } finally {
      await reader.endAsync();
    }
  });

  it('lets a message being handled at shutdown commit before the database closes', async () => {
    const mqtt = t.app.get(MqttIngest);
    let started = false;
    let outcome = 'not run';
    mqtt.subscribe('test/slow/+', async (_topic, payload) => {
      started = true;
      await new Promise((r) => setTimeout(r, 500));
      try {
        await t.db.dataSource.query('INSERT INTO mqtt_test_reading (payload) VALUES ($1)', [payload.toString()]);
        outcome = 'committed';
      } catch (err) {
        outcome = `failed: ${(err as Error).message}`;
        throw err;
      }
    });
    const sensor = await testClient(`mqtt://127.0.0.1:${mqtt.brokerPort}`, { reconnectPeriod: 0 });
    sensor.on('error', () => undefined);
    sensor.publish('test/slow/1', 'during-shutdown', { qos: 1 });
    await eventually(() => started, 5000, 'the handler to start');
    stopped = true;
    await t.stop().catch(() => undefined);
    expect(outcome).toBe('committed');
    sensor.end(true);
  });
});

describe('MQTT in the running service, from a broker at MQTT_URL', () => {
  let broker: TestBroker;
  let t: TestApp;
  beforeAll(async () => {
    broker = await TestBroker.start();
    t = await TestApp.start({ MQTT_URL: broker.url, MQTT_PROTOCOL_VERSION: '4', MQTT_CLIENT_ID: `catalog-app-${process.pid}` });
    await t.db.dataSource.query('CREATE TABLE mqtt_test_reading (payload text PRIMARY KEY)');
  });
  afterAll(async () => {
    await t.stop();
    await broker.stop();
  });

  it('loses no reading when the database drops every connection and the broker restarts during a stream', async () => {
    const mqtt = t.app.get(MqttIngest);
    expect(mqtt.mode).toBe('external');
    let failures = 0;
    mqtt.subscribe('gauges/+/W', async (_topic, payload) => {
      try {
        await t.db.dataSource.transaction(async (db) => {
          await db.query('INSERT INTO mqtt_test_reading (payload) VALUES ($1) ON CONFLICT DO NOTHING', [payload.toString()]);
          await db.query('SELECT pg_sleep(0.005)'); // a commit that takes a while, so the failure hits some in flight
        });
      } catch (err) {
        failures++;
        throw err;
      }
    });
    await mqtt.ready();
    await eventually(() => Object.values((broker.aedes as unknown as { clients: Record<string, unknown> }).clients).length > 0, 5000, 'the service to connect');
    await new Promise((r) => setTimeout(r, 200)); // its SUBACK
    const sensor = await testClient(broker.url, { clientId: 'gauge-ext', clean: false, reconnectPeriod: 50 });
    sensor.on('error', () => undefined);
    const admin = new Client({ connectionString: t.db.url });
    await admin.connect();
    const total = 150;
    const name = (i: number): string => `x-${String(i).padStart(3, '0')}`;
    const stored = async (): Promise<string[]> =>
      (await admin.query<{ payload: string }>(`SELECT payload FROM mqtt_test_reading WHERE payload LIKE 'x-%' ORDER BY payload`)).rows.map((r) => r.payload);
    try {
      const sent: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) {
        sent.push(publishUntilAcked(sensor, `gauges/${i % 3}/W`, name(i)));
        if (i === 40 || i === 110) await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
        if (i === 75) await broker.restart(100);
        await new Promise((r) => setTimeout(r, 2));
      }
      await Promise.all(sent);
      let rows: string[] = [];
      for (const deadline = Date.now() + 20_000; rows.length < total && Date.now() < deadline; ) {
        rows = await stored();
        if (rows.length < total) await new Promise((r) => setTimeout(r, 100));
      }
      expect(rows).toEqual(Array.from({ length: total }, (_, i) => name(i)));
      expect(failures).toBeGreaterThan(0);
    } finally {
      await admin.end();
      await sensor.endAsync(true);
    }
  });
});
