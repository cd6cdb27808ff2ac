import type { Aedes } from 'aedes';
import type { MqttClient } from 'mqtt';
import { createServer } from 'node:net';
import { createLogger } from '../../common/logger';
import { eventually, freePort, publishUntilAcked, TestBroker, testClient, TestMosquitto } from '../../../test/mqtt-broker';
import { PermanentPayloadError } from './mqtt-errors';
import { MqttIngest } from './mqtt-ingest';
import { MqttPublisher, observationTopics } from './mqtt-publisher';
import type { MqttSettings } from './mqtt-settings';

/**
 * The MQTT transport against real brokers: aedes in this process (MQTT 3.1.1, also the service's own broker) and
 * Mosquitto (MQTT 5). Handlers stand for the observations writer: a message may be acknowledged only once they resolve.
 */
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const STA = 'v1.1/Datastreams(+)/Observations';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let seq = 0;
const running: { stop(): Promise<void> }[] = [];
const clients: MqttClient[] = [];

function ingest(settings: MqttSettings): MqttIngest {
  const m = new MqttIngest(settings, log, { minBackoffMs: 50, shutdownGraceMs: 2000 });
  running.push(m);
  return m;
}

function external(url: string, extra: Partial<Extract<MqttSettings, { mode: 'external' }>> = {}): MqttIngest {
  return ingest({ mode: 'external', url, clientId: `catalog-test-${process.pid}-${++seq}`, protocolVersion: 4, ...extra });
}

async function client(url: string, opts: Parameters<typeof testClient>[1] = {}): Promise<MqttClient> {
  const c = await testClient(url, opts);
  clients.push(c);
  return c;
}

/** Resolves when the broker has seen a SUBSCRIBE from clientId. */
function subscribedAt(aedes: Aedes, clientId: string): Promise<void> {
  return new Promise((ok) => {
    const on = (_subs: unknown, c: { id: string }): void => {
      if (c.id === clientId) {
        aedes.off('subscribe', on);
        ok();
      }
    };
    aedes.on('subscribe', on);
  });
}

/** QoS 1 PUBACKs the broker received from clientId, by payload. */
function acksFrom(aedes: Aedes, clientId: string): string[] {
  const acks: string[] = [];
  aedes.on('ack', (packet, c) => {
    if (c.id === clientId && packet && 'payload' in packet) acks.push(packet.payload.toString());
  });
  return acks;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
  await Promise.all(running.splice(0).map((r) => r.stop().catch(() => undefined)));
});

describe('MQTT ingestion from a broker at MQTT_URL (MQTT 3.1.1, aedes)', () => {
  let broker: TestBroker;
  beforeEach(async () => {
    broker = await TestBroker.start();
  });
  afterEach(() => broker.stop());

  it('acknowledges a QoS 1 message only after its handler resolved', async () => {
    const m = external(broker.url);
    const id = (m.settings as { clientId: string }).clientId;
    const acks = acksFrom(broker.aedes, id);
    let release!: () => void;
    const committed = new Promise<void>((r) => (release = r));
    const got: string[] = [];
    m.subscribe(STA, async (_topic, payload) => {
      got.push(payload.toString());
      await committed;
    });
    const subscribed = subscribedAt(broker.aedes, id);
    await m.ready();
    await subscribed;
    const sensor = await client(broker.url);
    await sensor.publishAsync('v1.1/Datastreams(7)/Observations', '{"result":1}', { qos: 1 });
    await eventually(() => got.length === 1, 5000, 'the handler to run');
    await sleep(300);
    expect(acks).toEqual([]);
    release();
    await eventually(() => acks.length === 1, 5000, 'the PUBACK');
    expect(acks).toEqual(['{"result":1}']);
  });

  it('leaves a message unacknowledged when its handler fails for a passing reason, and handles it again when the broker redelivers it', async () => {
    const m = external(broker.url);
    const id = (m.settings as { clientId: string }).clientId;
    const acks = acksFrom(broker.aedes, id);
    const seen: string[] = [];
    m.subscribe(STA, async (_topic, payload) => {
      seen.push(payload.toString());
      if (seen.length === 1) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    });
    const subscribed = subscribedAt(broker.aedes, id);
    await m.ready();
    await subscribed;
    const sensor = await client(broker.url);
    await sensor.publishAsync('v1.1/Datastreams(7)/Observations', 'reading-1', { qos: 1 });
    await eventually(() => acks.length === 1, 10_000, 'the redelivered message to be acknowledged');
    // Handled twice (aedes does not set DUP on a redelivery, so that is not checked), acknowledged once.
    expect(seen).toEqual(['reading-1', 'reading-1']);
    expect(acks).toEqual(['reading-1']);
  });

  it('handles several messages at once and acknowledges them in the order they came, each only after its handler', async () => {
    const m = external(broker.url);
    const id = (m.settings as { clientId: string }).clientId;
    const acks = acksFrom(broker.aedes, id);
    const release = new Map<string, () => void>();
    m.subscribe('gauges/+/W', (_topic, payload) => new Promise<void>((r) => void release.set(payload.toString(), r)));
    const subscribed = subscribedAt(broker.aedes, id);
    await m.ready();
    await subscribed;
    const sensor = await client(broker.url);
    for (let i = 0; i < 5; i++) await sensor.publishAsync('gauges/1/W', `r${i}`, { qos: 1 });
    await eventually(() => release.size === 5, 5000, 'all five handlers to run at once');
    release.get('r4')!();
    release.get('r2')!();
    await sleep(200);
    expect(acks).toEqual([]);
    release.get('r0')!();
    await eventually(() => acks.length === 1, 5000, 'the first PUBACK');
    await sleep(100);
    expect(acks).toEqual(['r0']);
    release.get('r1')!();
    await eventually(() => acks.length === 3, 5000, 'the PUBACKs up to the running one');
    release.get('r3')!();
    await eventually(() => acks.length === 5, 5000, 'every PUBACK');
    expect(acks).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('loses nothing when some of many messages handled at once fail for a passing reason', async () => {
    const m = external(broker.url);
    const id = (m.settings as { clientId: string }).clientId;
    const acks = acksFrom(broker.aedes, id);
    const attempts = new Map<string, number>();
    const committed = new Set<string>();
    const ackedUncommitted: string[] = [];
    broker.aedes.on('ack', (packet, c) => {
      if (c.id === id && packet && 'payload' in packet && !committed.has(packet.payload.toString())) ackedUncommitted.push(packet.payload.toString());
    });
    m.subscribe('gauges/+/W', async (_topic, payload) => {
      const r = payload.toString();
      const n = (attempts.get(r) ?? 0) + 1;
      attempts.set(r, n);
      await sleep(Math.random() * 5);
      if (Number(r.slice(1)) % 7 === 3 && n === 1) throw new Error('could not serialize access');
      committed.add(r);
    });
    const subscribed = subscribedAt(broker.aedes, id);
    await m.ready();
    await subscribed;
    const sensor = await client(broker.url);
    const total = 60;
    await Promise.all(Array.from({ length: total }, (_, i) => sensor.publishAsync('gauges/1/W', `r${i}`, { qos: 1 })));
    const all = Array.from({ length: total }, (_, i) => `r${i}`);
    await eventually(() => all.every((r) => acks.includes(r)), 20_000, () => `every PUBACK (missing ${all.filter((r) => !acks.includes(r)).join(', ')})`);
    // Every message was acknowledged only once committed.
    expect(ackedUncommitted).toEqual([]);
    expect(all.filter((r) => !committed.has(r))).toEqual([]);
    expect([...attempts.values()].some((n) => n > 1)).toBe(true);
  });

  it('acknowledges a payload refused for good once and never gets it again', async () => {
    const m = external(broker.url);
    const id = (m.settings as { clientId: string }).clientId;
    const acks = acksFrom(broker.aedes, id);
    const seen: string[] = [];
    m.subscribe(STA, async (_topic, payload) => {
      seen.push(payload.toString());
      if (payload.toString() === 'not json') throw new PermanentPayloadError('payload is not JSON');
    });
    const subscribed = subscribedAt(broker.aedes, id);
    await m.ready();
    await subscribed;
    const sensor = await client(broker.url);
    await sensor.publishAsync('v1.1/Datastreams(7)/Observations', 'not json', { qos: 1 });
    await sensor.publishAsync('v1.1/Datastreams(7)/Observations', '{"result":2}', { qos: 1 });
    await eventually(() => acks.length === 2, 5000, 'both PUBACKs');
    await sleep(300);
    expect(seen).toEqual(['not json', '{"result":2}']);
    expect(acks).toEqual(['not json', '{"result":2}']);
  });

  it('loses no QoS 1 message of a stream when the broker restarts in the middle of it', async () => {
    const m = external(broker.url);
    const id = (m.settings as { clientId: string }).clientId;
    const got = new Set<string>();
    m.subscribe('gauges/+/W', async (_topic, payload) => {
      await sleep(1);
      got.add(payload.toString());
    });
    const subscribed = subscribedAt(broker.aedes, id);
    await m.ready();
    await subscribed;
    // A sensor with a persistent session sending QoS 1: mqtt.js keeps what the broker has not acknowledged and sends it again.
    const sensor = await client(broker.url, { clientId: `sensor-${process.pid}`, clean: false, reconnectPeriod: 50 });
    const total = 300;
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      sent.push(publishUntilAcked(sensor, `gauges/${i % 3}/W`, `reading-${i}`));
      if (i === 120) await broker.restart(200);
      else if (i % 10 === 0) await sleep(5);
    }
    await Promise.all(sent);
    const missing = (): string[] => Array.from({ length: total }, (_, i) => `reading-${i}`).filter((r) => !got.has(r));
    await eventually(() => got.size === total, 20_000, () => `all ${total} readings (missing ${missing().join(', ')})`);
    expect([...got].sort()).toEqual(Array.from({ length: total }, (_, i) => `reading-${i}`).sort());
  });

  it('tries again when the broker refuses the connection, and connects once it accepts', async () => {
    let refusals = 0;
    const picky = await TestBroker.start({
      authenticate: (_client, _user, _password, done) => {
        if (refusals++ < 2) return done(Object.assign(new Error('server unavailable'), { returnCode: 3 as const }), false);
        done(null, true);
      },
    });
    try {
      const m = external(picky.url);
      const got: string[] = [];
      m.subscribe('gauges/+/W', async (_t, p) => void got.push(p.toString()));
      await m.ready();
      expect(refusals).toBe(3);
      await sleep(200);
      const sensor = await client(picky.url);
      await sensor.publishAsync('gauges/1/W', 'accepted', { qos: 1 });
      await eventually(() => got.length === 1, 5000, 'the message');
      expect(got).toEqual(['accepted']);
    } finally {
      await picky.stop();
    }
  });

  it('subscribes again when the broker comes back without the session, and goes on ingesting', async () => {
    const m = external(broker.url);
    const id = (m.settings as { clientId: string }).clientId;
    const got: string[] = [];
    m.subscribe('gauges/+/W', async (_topic, payload) => void got.push(payload.toString()));
    const subscribed = subscribedAt(broker.aedes, id);
    await m.ready();
    await subscribed;
    await broker.restart(100, { forget: true });
    await new Promise<void>((ok) => {
      const on = (_s: unknown, c: { id: string }): void => (c.id === id ? ok() : undefined);
      broker.aedes.on('subscribe', on);
    });
    const sensor = await client(broker.url);
    await sensor.publishAsync('gauges/1/W', 'after-restart', { qos: 1 });
    await eventually(() => got.length === 1, 5000, 'the message after the restart');
    expect(got).toEqual(['after-restart']);
  });

  it('does not publish its own updates on a topic it ingests from on 3.1.1, where nothing could tell them from new observations', async () => {
    const m = external(broker.url);
    const handled: string[] = [];
    m.subscribe(STA, async (_t, payload) => void handled.push(payload.toString()));
    await m.ready();
    const reader = await client(broker.url);
    const received: string[] = [];
    await reader.subscribeAsync(['v1.1/#'], { qos: 0 });
    reader.on('message', (topic) => received.push(topic));
    const sent = await new MqttPublisher(m).publish(observationTopics(7, 42), { '@iot.id': 42, result: 3 });
    expect(sent).toEqual(['v1.1/Observations', 'v1.1/Observations(42)']);
    await eventually(() => received.length === 2, 5000, 'the updates');
    await sleep(200);
    expect(received.sort()).toEqual(['v1.1/Observations', 'v1.1/Observations(42)']);
    expect(handled).toEqual([]);
  });
});

describe('the service\'s own broker (MQTT_URL unset)', () => {
  async function own(extra: Partial<Extract<MqttSettings, { mode: 'own' }>> = {}): Promise<{ m: MqttIngest; url: string }> {
    const m = ingest({ mode: 'own', host: '127.0.0.1', port: 0, ...extra });
    return { m, url: '' };
  }

  it('accepts external clients: a sensor publishes, and the PUBACK comes only after the handler resolved; readers get the update, not the raw message', async () => {
    const { m } = await own();
    let release!: () => void;
    const committed = new Promise<void>((r) => (release = r));
    const got: { topic: string; payload: string; clientId?: string }[] = [];
    m.subscribe(STA, async (topic, payload, info) => {
      got.push({ topic, payload: payload.toString(), clientId: info.clientId });
      await committed;
    });
    await m.ready();
    const url = `mqtt://127.0.0.1:${m.brokerPort}`;
    const reader = await client(url);
    await reader.subscribeAsync('v1.1/Datastreams(7)/Observations', { qos: 1 });
    const forwarded: string[] = [];
    reader.on('message', (_t, p) => forwarded.push(p.toString()));
    const sensor = await client(url, { clientId: 'gauge-7' });
    let acked = false;
    const publish = sensor.publishAsync('v1.1/Datastreams(7)/Observations', '{"result":5}', { qos: 1 }).then(() => (acked = true));
    await eventually(() => got.length === 1, 5000, 'the handler');
    await sleep(300);
    expect(acked).toBe(false);
    release();
    await publish;
    expect(got).toEqual([{ topic: 'v1.1/Datastreams(7)/Observations', payload: '{"result":5}', clientId: 'gauge-7' }]);
    await new MqttPublisher(m).publish(['v1.1/Datastreams(7)/Observations'], { '@iot.id': 1, result: 5 });
    await eventually(() => forwarded.length === 1, 5000, 'the reader');
    await sleep(100);
    expect(forwarded).toEqual(['{"@iot.id":1,"result":5}']);
  });

  it('makes a publisher send a message again when the handler failed for a passing reason, and acknowledges a refused payload once', async () => {
    const { m } = await own();
    const seen: string[] = [];
    m.subscribe(STA, async (_t, payload) => {
      seen.push(payload.toString());
      if (payload.toString() === 'bad') throw new PermanentPayloadError('not an Observation');
      if (seen.filter((s) => s === 'good').length === 1) throw new Error('database unreachable');
    });
    await m.ready();
    const sensor = await client(`mqtt://127.0.0.1:${m.brokerPort}`, { clientId: 'gauge-8', clean: false, reconnectPeriod: 50 });
    await sensor.publishAsync('v1.1/Datastreams(8)/Observations', 'bad', { qos: 1 });
    await sensor.publishAsync('v1.1/Datastreams(8)/Observations', 'good', { qos: 1 });
    expect(seen).toEqual(['bad', 'good', 'good']);
  });

  it('never takes its own update messages for new observations, while a client\'s message on the same topic is one', async () => {
    const { m } = await own();
    const handled: string[] = [];
    m.subscribe(STA, async (_t, payload) => void handled.push(payload.toString()));
    await m.ready();
    const url = `mqtt://127.0.0.1:${m.brokerPort}`;
    const reader = await client(url);
    await reader.subscribeAsync('v1.1/#', { qos: 0 });
    const received: string[] = [];
    reader.on('message', (topic, p) => received.push(`${topic} ${p.toString()}`));
    const sent = await new MqttPublisher(m).publish(observationTopics(7, 42), { '@iot.id': 42, result: 3 });
    expect(sent).toEqual(['v1.1/Observations', 'v1.1/Datastreams(7)/Observations', 'v1.1/Observations(42)']);
    await eventually(() => received.length === 3, 5000, 'the updates');
    const sensor = await client(url);
    await sensor.publishAsync('v1.1/Datastreams(7)/Observations', '{"result":4}', { qos: 1 });
    expect(handled).toEqual(['{"result":4}']);
    await sleep(100);
    expect(received.sort()).toEqual([
      'v1.1/Datastreams(7)/Observations {"@iot.id":42,"result":3}',
      'v1.1/Observations {"@iot.id":42,"result":3}',
      'v1.1/Observations(42) {"@iot.id":42,"result":3}',
    ]);
  });

  it('lets only clients with the broker credentials publish when MQTT_USERNAME is set; anyone may read', async () => {
    const { m } = await own({ username: 'sensors', password: 's3cret' });
    const handled: string[] = [];
    m.subscribe(STA, async (_t, payload) => void handled.push(payload.toString()));
    await m.ready();
    const url = `mqtt://127.0.0.1:${m.brokerPort}`;
    await expect(testClient(url, { username: 'sensors', password: 'wrong', reconnectPeriod: 0 })).rejects.toThrow(/Bad username or password/i);
    const anonymous = await client(url, { reconnectPeriod: 0 });
    const closed = new Promise<void>((r) => anonymous.once('close', () => r()));
    anonymous.publish('v1.1/Datastreams(7)/Observations', 'from anyone', { qos: 1 });
    await closed;
    const sensor = await client(url, { username: 'sensors', password: 's3cret' });
    await sensor.publishAsync('v1.1/Datastreams(7)/Observations', 'from a sensor', { qos: 1 });
    expect(handled).toEqual(['from a sensor']);
  });

  it('refuses to start on a port already taken, saying which setting to change', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const m = ingest({ mode: 'own', host: '127.0.0.1', port });
      await expect(m.start()).rejects.toThrow(`Port ${port} on 127.0.0.1 for the built-in MQTT broker is already in use`);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe('MQTT 5 at MQTT_URL (Mosquitto)', () => {
  let mosquitto: TestMosquitto;
  beforeAll(async () => {
    mosquitto = await TestMosquitto.start();
  });
  afterAll(() => mosquitto.stop());

  it('splits a shared subscription between two instances of one group: each gets part, together all, none twice', async () => {
    const group = `catalog-${++seq}`;
    const a = external(mosquitto.url, { protocolVersion: 5, sharedGroup: group });
    const b = external(mosquitto.url, { protocolVersion: 5, sharedGroup: group });
    const byA: string[] = [];
    const byB: string[] = [];
    a.subscribe('counts/+/flow', async (_t, p) => void byA.push(p.toString()));
    b.subscribe('counts/+/flow', async (_t, p) => void byB.push(p.toString()));
    await Promise.all([a.ready(), b.ready()]);
    await sleep(300); // the SUBACKs
    const sensor = await client(mosquitto.url, { protocolVersion: 5 });
    const total = 60;
    for (let i = 0; i < total; i++) await sensor.publishAsync(`counts/${i % 4}/flow`, `n-${i}`, { qos: 1 });
    await eventually(() => byA.length + byB.length === total, 10_000, 'every message');
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
    expect([...byA, ...byB].sort()).toEqual(Array.from({ length: total }, (_, i) => `n-${i}`).sort());
  });

  it('never takes its own update messages for new observations (No Local), while a client\'s message on the same topic is one', async () => {
    const m = external(mosquitto.url, { protocolVersion: 5 });
    const handled: string[] = [];
    m.subscribe(STA, async (_t, payload) => void handled.push(payload.toString()));
    await m.ready();
    await sleep(300);
    const reader = await client(mosquitto.url, { protocolVersion: 5 });
    await reader.subscribeAsync('v1.1/#', { qos: 0 });
    const received: string[] = [];
    reader.on('message', (topic) => received.push(topic));
    const sent = await new MqttPublisher(m).publish(observationTopics(7, 42), { '@iot.id': 42 });
    expect(sent).toHaveLength(3);
    await eventually(() => received.length === 3, 5000, 'the updates');
    const sensor = await client(mosquitto.url, { protocolVersion: 5 });
    await sensor.publishAsync('v1.1/Datastreams(7)/Observations', '{"result":6}', { qos: 1 });
    await eventually(() => handled.length === 1, 5000, 'the sensor\'s message');
    await sleep(200);
    expect(handled).toEqual(['{"result":6}']);
  });

  it('in a shared group, where No Local is not allowed, no instance takes another\'s update messages for observations', async () => {
    const group = `catalog-${++seq}`;
    const a = external(mosquitto.url, { protocolVersion: 5, sharedGroup: group });
    const b = external(mosquitto.url, { protocolVersion: 5, sharedGroup: group });
    const handled: string[] = [];
    a.subscribe(STA, async (_t, p) => void handled.push(`a ${p.toString()}`));
    b.subscribe(STA, async (_t, p) => void handled.push(`b ${p.toString()}`));
    await Promise.all([a.ready(), b.ready()]);
    await sleep(300);
    for (let i = 0; i < 10; i++) await new MqttPublisher(i % 2 ? a : b).publish(['v1.1/Datastreams(7)/Observations'], { '@iot.id': i });
    const sensor = await client(mosquitto.url, { protocolVersion: 5 });
    await sensor.publishAsync('v1.1/Datastreams(7)/Observations', 'new', { qos: 1 });
    await eventually(() => handled.length === 1, 5000, 'the sensor\'s message');
    await sleep(300);
    expect(handled.map((h) => h.slice(2))).toEqual(['new']);
  });

  it('keeps a burst of QoS 1 messages sent while the service was away, beyond Mosquitto\'s default queue of 1000, and handles them all at the next start', async () => {
    const clientId = `catalog-test-${process.pid}-${++seq}`;
    const first = external(mosquitto.url, { protocolVersion: 5, clientId });
    first.subscribe('gauges/+/W', async () => undefined);
    await first.ready();
    await sleep(300);
    await first.stop();
    const sensor = await client(mosquitto.url, { protocolVersion: 5 });
    const total = 3000;
    await Promise.all(Array.from({ length: total }, (_, i) => sensor.publishAsync('gauges/1/W', `while-away-${i}`, { qos: 1 })));
    const second = external(mosquitto.url, { protocolVersion: 5, clientId });
    const got: string[] = [];
    second.subscribe('gauges/+/W', async (_t, p) => void got.push(p.toString()));
    await second.ready();
    await eventually(() => got.length >= total, 10_000, () => `the queued messages (${got.length} of ${total})`);
    expect([...new Set(got)].sort()).toEqual(Array.from({ length: total }, (_, i) => `while-away-${i}`).sort());
  });
});
