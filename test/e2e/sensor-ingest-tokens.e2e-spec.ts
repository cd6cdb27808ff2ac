import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IClientOptions, MqttClient } from 'mqtt';
import request from 'supertest';
import { createLogger } from '../../src/common/logger';
import { loadConfig } from '../../src/config/env';
import { createHttpApp } from '../../src/http';
import { SensorCatalog } from '../../src/sensors/catalog/sensor-catalog.service';
import { MqttIngest } from '../../src/sensors/mqtt/mqtt-ingest';
import type { TestUser } from '../factories/factories';
import { eventually, testClient } from '../mqtt-broker';
import { staGauge, type StaGauge } from '../sta-gauge';
import { TestApp } from '../test-app';

/**
 * Sensor ingestion with scoped API tokens (issue 14): over HTTP (sensor_push, SensorThings writes) and as MQTT
 * publishers on the service's own broker, where a token is the password. A token needs the scope `ingest`, writes
 * only where its owner may edit (within its organization restriction), and stops working at once when revoked or
 * expired. The site's shared MQTT_USERNAME/MQTT_PASSWORD keep publishing everywhere.
 */
describe('sensor ingestion with API tokens', () => {
  let t: TestApp;
  let eva: TestUser; // editor in Nord, member (no edit rights) in Süd
  let otto: TestUser; // editor in Süd
  let nord: { id: string; name: string };
  let sued: { id: string; name: string };
  let nordGauge: StaGauge;
  let suedGauge: StaGauge;
  let url: string;
  const clients: MqttClient[] = [];
  const SITE = { username: 'leitstelle', password: 'site-secret' };
  let minute = 0;

  beforeAll(async () => {
    t = await TestApp.start({ MQTT_USERNAME: SITE.username, MQTT_PASSWORD: SITE.password });
    eva = await t.factories.user({ name: 'eva' });
    otto = await t.factories.user({ name: 'otto' });
    nord = (await t.factories.organization({ name: 'nord', members: [[eva, 'editor']] })) as { id: string; name: string };
    sued = (await t.factories.organization({ name: 'sued', members: [[eva, 'member'], [otto, 'editor']] })) as { id: string; name: string };
    nordGauge = await gauge('Kirn', nord, eva);
    suedGauge = await gauge('Idar', sued, otto);
    url = `mqtt://127.0.0.1:${t.app.get(MqttIngest).brokerPort}`;
  });
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => undefined);
    await t.stop();
  });

  const post = (action: string, body: object, token?: string) => {
    const r = request(t.http).post(`/api/3/action/${action}`).send(body);
    return token ? r.set('Authorization', token) : r;
  };
  /** A new token of `user`, made with the user's own full token; answers its secret and id. */
  const token = async (user: TestUser, fields: Record<string, unknown> = {}): Promise<{ secret: string; id: string }> => {
    const res = await post('api_token_create', { user: user.name, name: `t-${Math.random().toString(36).slice(2, 8)}`, ...fields }, user.token);
    expect(res.status).toBe(200);
    return { secret: res.body.result.token as string, id: res.body.result.id as string };
  };
  /** A gauge (Thing with one Datastream) in `org`, made through SensorThings by `by`. */
  const gauge = (name: string, org: { name: string }, by: TestUser): Promise<StaGauge> => staGauge(t, { name, org, by });
  const count = async (ds: number): Promise<number> => Number((await t.db.dataSource.query('SELECT count(*) AS n FROM sensor_observation WHERE datastream_id = $1', [ds]))[0].n);
  /** A fresh observation body (a new phenomenonTime each time, so none is a revision of another). */
  const observation = (result: number): string => JSON.stringify({ phenomenonTime: new Date(Date.UTC(2025, 4, 1) + ++minute * 60_000).toISOString(), result });
  const topic = (ds: number): string => `v1.1/Datastreams(${ds})/Observations`;

  /** A connected MQTT client (no automatic reconnect: what the broker does to it stays visible). */
  const mqtt = async (opts: IClientOptions = {}): Promise<MqttClient> => {
    const c = await testClient(url, { reconnectPeriod: 0, ...opts });
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };
  /** What the broker answers a login: 0 accepted, else the CONNACK return code. */
  const loginCode = async (opts: IClientOptions): Promise<number> => {
    try {
      await mqtt(opts);
      return 0;
    } catch (err) {
      return (err as { code?: number }).code ?? -1;
    }
  };
  /** Publishes at QoS 1; answers whether the broker acknowledged it within `ms` (false: the connection was cut). */
  const acked = (c: MqttClient, to: string, body: string, ms = 3000): Promise<boolean> =>
    Promise.race([
      c.publishAsync(to, body, { qos: 1 }).then(() => true, () => false),
      new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
    ]);

  describe('MQTT publishers on the own broker', () => {
    it('a token with the ingest scope publishes observations to its organization\'s Datastreams, audited under its owner', async () => {
      const { secret } = await token(eva, { scopes: ['ingest'] });
      const sensor = await mqtt({ username: 'eva', password: secret });
      const before = await count(nordGauge.ds);
      await sensor.publishAsync(topic(nordGauge.ds), observation(12), { qos: 1 });
      expect(await count(nordGauge.ds)).toBe(before + 1);
      const audited = await t.db.dataSource.query(`SELECT user_id, user_name, input FROM audit_write WHERE action = 'sta_mqtt_create' AND user_id = $1`, [eva.id]);
      expect(audited).toEqual([{ user_id: eva.id, user_name: 'eva', input: { messages: 1, datastreams: 1 } }]);
    });

    it('takes the token whatever the user name: another name or an empty one', async () => {
      const { secret } = await token(eva, { scopes: ['ingest'] });
      for (const username of ['pegel-kirn-01', '']) {
        const sensor = await mqtt({ username, password: secret });
        const before = await count(nordGauge.ds);
        await sensor.publishAsync(topic(nordGauge.ds), observation(13), { qos: 1 });
        expect(await count(nordGauge.ds)).toBe(before + 1);
      }
    });

    it('a token without the ingest scope cannot publish observations: its login is refused as not authorized (5)', async () => {
      const { secret } = await token(eva, { scopes: ['read', 'write', 'datastore'] });
      expect(await loginCode({ username: 'eva', password: secret })).toBe(5);
    });

    it('an unknown, expired or revoked token is refused at login as a bad user name or password (4)', async () => {
      expect(await loginCode({ username: 'eva', password: 'odp_nichtvorhanden' })).toBe(4);
      const expired = await token(eva, { scopes: ['ingest'] });
      await t.db.dataSource.query(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
      expect(await loginCode({ username: 'eva', password: expired.secret })).toBe(4);
      const revoked = await token(eva, { scopes: ['ingest'] });
      expect((await post('api_token_revoke', { jti: revoked.id }, eva.token)).status).toBe(200);
      expect(await loginCode({ username: 'eva', password: revoked.secret })).toBe(4);
    });

    it('a token publisher\'s observation for a Datastream its owner may not edit is acknowledged and dropped; the rest of the burst, the site\'s too, is stored', async () => {
      const { secret } = await token(eva, { scopes: ['ingest'] });
      const sensor = await mqtt({ username: 'eva', password: secret });
      const site = await mqtt(SITE);
      const [nordBefore, suedBefore] = [await count(nordGauge.ds), await count(suedGauge.ds)];
      // Sent at once, so they reach the service together and are stored as one group.
      const sent = [
        ...Array.from({ length: 10 }, (_, k) => sensor.publishAsync(topic(nordGauge.ds), observation(k), { qos: 1 })),
        sensor.publishAsync(topic(suedGauge.ds), observation(99), { qos: 1 }),
        sensor.publishAsync('v1.1/Observations', JSON.stringify({ ...JSON.parse(observation(98)), Datastream: { '@iot.id': suedGauge.ds } }), { qos: 1 }),
        ...Array.from({ length: 5 }, (_, k) => site.publishAsync(topic(suedGauge.ds), observation(k), { qos: 1 })),
      ];
      await Promise.all(sent);
      expect(await count(nordGauge.ds)).toBe(nordBefore + 10);
      // Only the site's five: eva is a member of Süd, not an editor.
      expect(await count(suedGauge.ds)).toBe(suedBefore + 5);
      expect(sensor.connected).toBe(true);
    });

    it('a token restricted to another organization cannot publish to this organization\'s Datastreams', async () => {
      const { secret } = await token(otto, { scopes: ['ingest'], organization: 'sued' });
      const onlySued = await mqtt({ username: 'otto', password: secret });
      const [nordBefore, suedBefore] = [await count(nordGauge.ds), await count(suedGauge.ds)];
      await onlySued.publishAsync(topic(suedGauge.ds), observation(1), { qos: 1 });
      expect(await count(suedGauge.ds)).toBe(suedBefore + 1);
      // Eva's Nord token too: her editor role in Nord does not reach Süd's Datastreams through a Nord-only token.
      const nordOnly = await mqtt({ username: 'eva', password: (await token(eva, { scopes: ['ingest'], organization: 'nord' })).secret });
      await nordOnly.publishAsync(topic(suedGauge.ds), observation(2), { qos: 1 });
      await onlySued.publishAsync(topic(nordGauge.ds), observation(3), { qos: 1 });
      expect([await count(nordGauge.ds), await count(suedGauge.ds)]).toEqual([nordBefore, suedBefore + 1]);
    });

    it('a revoked token\'s connected publisher is cut off at once, also when another process revokes it', async () => {
      const config = loadConfig({ SITE_URL: 'http://catalog.test', LOG_LEVEL: 'silent', MQTT_URL: 'off', JOBS_WORKER: 'false', STORAGE_PATH: t.config.STORAGE_PATH, DATABASE_URL: t.db.url });
      const second: NestFastifyApplication = await createHttpApp({ config, logger: createLogger('silent'), database: { migrate: false, poolSize: 2, applicationName: 'catalog-test-2' } });
      try {
        const { secret } = await token(eva, { scopes: ['ingest', 'admin'] });
        const sensor = await mqtt({ username: 'eva', password: secret });
        let closed = false;
        sensor.on('close', () => (closed = true));
        await sensor.publishAsync(topic(nordGauge.ds), observation(1), { qos: 1 });
        const before = await count(nordGauge.ds);
        const revoked = await request(second.getHttpServer()).post('/api/3/action/api_token_revoke').set('Authorization', eva.token).send({ token: secret });
        expect(revoked.status).toBe(200);
        await eventually(() => closed, 5000, 'the publisher to be disconnected');
        expect(await loginCode({ username: 'eva', password: secret })).toBe(4);
        expect(await count(nordGauge.ds)).toBe(before);
      } finally {
        await second.close();
      }
    });

    it('a revoked token\'s connected publisher can publish no more: its next message is neither acknowledged nor stored', async () => {
      const { secret, id } = await token(eva, { scopes: ['ingest'] });
      const sensor = await mqtt({ username: 'eva', password: secret });
      await sensor.publishAsync(topic(nordGauge.ds), observation(1), { qos: 1 });
      const before = await count(nordGauge.ds);
      expect((await post('api_token_revoke', { jti: id }, eva.token)).status).toBe(200);
      expect(await acked(sensor, topic(nordGauge.ds), observation(2))).toBe(false);
      expect(await count(nordGauge.ds)).toBe(before);
    });

    it('a token revoked while the service hears no notifications still stops its publisher', async () => {
      const { secret, id } = await token(eva, { scopes: ['ingest'] });
      const sensor = await mqtt({ username: 'eva', password: secret });
      await sensor.publishAsync(topic(nordGauge.ds), observation(1), { qos: 1 });
      const before = await count(nordGauge.ds);
      // The token listener's connection drops, and the token goes without an announcement (as by a process that
      // revoked it while nobody listened): the next message looks the token up in the database.
      await t.db.dataSource.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'catalog-token-listener'`);
      await t.db.dataSource.query('DELETE FROM api_token WHERE id = $1', [id]);
      expect(await acked(sensor, topic(nordGauge.ds), observation(2))).toBe(false);
      expect(await count(nordGauge.ds)).toBe(before);
    });

    it('an expired token\'s connected publisher is cut off at its next message: not acknowledged, not stored', async () => {
      const res = await post('api_token_create', { user: 'eva', name: 'kurz', scopes: ['ingest'], expires_in: 2, unit: 1 }, eva.token);
      const sensor = await mqtt({ username: 'eva', password: res.body.result.token });
      await sensor.publishAsync(topic(nordGauge.ds), observation(1), { qos: 1 });
      const before = await count(nordGauge.ds);
      await new Promise((r) => setTimeout(r, Date.parse(`${res.body.result.expires_at}Z`) - Date.now() + 50));
      expect(await acked(sensor, topic(nordGauge.ds), observation(2))).toBe(false);
      expect(sensor.connected).toBe(false);
      expect(await count(nordGauge.ds)).toBe(before);
    });

    it('a deleted user\'s publisher is cut off at once', async () => {
      const gone = await t.factories.user();
      const sensor = await mqtt({ username: gone.name, password: (await token(gone, { scopes: ['ingest'] })).secret });
      let closed = false;
      sensor.on('close', () => (closed = true));
      expect((await post('user_delete', { id: gone.id }, t.sysadmin.token)).status).toBe(200);
      await eventually(() => closed, 5000, 'the publisher to be disconnected');
    });

    it('the site\'s MQTT_USERNAME/MQTT_PASSWORD still publish to every Datastream; a client without credentials only reads', async () => {
      const site = await mqtt(SITE);
      const before = await count(suedGauge.ds);
      await site.publishAsync(topic(suedGauge.ds), observation(7), { qos: 1 });
      expect(await count(suedGauge.ds)).toBe(before + 1);
      expect(await loginCode({ username: SITE.username, password: 'falsch' })).toBe(4);
      const reader = await mqtt();
      expect(await acked(reader, topic(suedGauge.ds), observation(8))).toBe(false);
      expect(await count(suedGauge.ds)).toBe(before + 1);
    });

    it('a token publisher reaches an mqtt source\'s topic only when it may push to that source (sensor_push\'s rule)', async () => {
      const src = await t.call<{ id: string; name: string; owner_org: string }>('sensor_source_create', {
        name: 'mqtt-sued', owner_org: sued.id, type: 'mqtt', config: { topic: 'sued/pegel/+/+', payload: 'flat', topic_pattern: 'sued/pegel/{station}/{stream}' },
      }, { as: otto });
      const r = await t.app.get(SensorCatalog).syncStation(t.context(), src, { key: 'S1', name: 'Pegel Süd', streams: [{ key: 'w', name: 'Wasserstand', quantity: 'water_level', unit: 'cm' }] });
      const body = (value: number): string => JSON.stringify({ ts: new Date(Date.UTC(2025, 5, 1) + ++minute * 60_000).toISOString(), value, unit: 'cm' });
      const evaSensor = await mqtt({ username: 'eva', password: (await token(eva, { scopes: ['ingest'] })).secret });
      await evaSensor.publishAsync('sued/pegel/S1/w', body(1), { qos: 1 });
      expect(await count(r.datastreams.w)).toBe(0);
      const ottoSensor = await mqtt({ username: 'otto', password: (await token(otto, { scopes: ['ingest'] })).secret });
      await ottoSensor.publishAsync('sued/pegel/S1/w', body(2), { qos: 1 });
      expect(await count(r.datastreams.w)).toBe(1);
      const audited = await t.db.dataSource.query(`SELECT user_id FROM audit_write WHERE action = 'mqtt_ingest' AND object_id = $1`, [src.id]);
      expect(audited).toEqual([{ user_id: otto.id }]);
    });
  });

  describe('HTTP ingestion', () => {
    const sta = (method: 'post' | 'patch' | 'delete', path: string, auth: string, body?: unknown) => {
      const r = request(t.http)[method](`/sta/v1.1${path}`).set('Authorization', auth).set('content-type', 'application/json');
      return body === undefined ? r : r.send(JSON.stringify(body));
    };
    /** An Observation of a Datastream, made by its organization's editor. */
    const stored = async (ds: number, by: TestUser): Promise<number> => {
      const res = await sta('post', `/Datastreams(${ds})/Observations`, by.token, JSON.parse(observation(1)));
      expect(res.status).toBe(201);
      return res.body['@iot.id'] as number;
    };
    const pushSource = async (): Promise<{ name: string }> =>
      t.call('sensor_source_create', {
        name: `push-${Math.random().toString(36).slice(2, 8)}`, owner_org: nord.id, type: 'push',
        config: { format: 'json', stations: [{ key: 'N1', streams: [{ key: 'W', name: 'Wasserstand', quantity: 'water_level', unit: 'cm' }] }] },
      }, { as: eva });
    const push = (src: { name: string }, auth: string) => request(t.http).post(`/api/3/action/sensor_push?source=${src.name}`).set('content-type', 'application/json').set('authorization', auth)
      .send(JSON.stringify({ readings: [{ station: 'N1', timeseries: 'W', timestamp: new Date(Date.UTC(2025, 6, 1) + ++minute * 60_000).toISOString(), value: 100, unit: 'cm' }] }));

    it('SensorThings POST, PATCH and DELETE refuse a read-only token with 403 naming the ingest scope', async () => {
      const { secret } = await token(eva, { scopes: ['read', 'write'] });
      const id = await stored(nordGauge.ds, eva);
      for (const res of [
        await sta('post', `/Datastreams(${nordGauge.ds})/Observations`, secret, JSON.parse(observation(5))),
        await sta('patch', `/Observations(${id})`, secret, { result: 6 }),
        await sta('delete', `/Observations(${id})`, secret),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain('scope "ingest"');
      }
      const ingest = (await token(eva, { scopes: ['ingest'] })).secret;
      expect((await sta('patch', `/Observations(${id})`, ingest, { result: 6 })).status).toBe(200);
      expect((await sta('delete', `/Observations(${id})`, ingest)).status).toBe(200);
    });

    it('SensorThings writes with an ingest token restricted to another organization are refused 403 on this organization\'s Datastreams', async () => {
      const onlySued = (await token(eva, { scopes: ['ingest'], organization: 'sued' })).secret;
      const id = await stored(nordGauge.ds, eva);
      expect((await sta('post', `/Datastreams(${nordGauge.ds})/Observations`, onlySued, JSON.parse(observation(5)))).status).toBe(403);
      expect((await sta('patch', `/Observations(${id})`, onlySued, { result: 6 })).status).toBe(403);
      expect((await sta('delete', `/Observations(${id})`, onlySued)).status).toBe(403);
    });

    it('SensorThings writes with an expired or revoked token answer 401, as without a token', async () => {
      const expired = await token(eva, { scopes: ['ingest'] });
      await t.db.dataSource.query(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
      const revoked = await token(eva, { scopes: ['ingest'] });
      await post('api_token_revoke', { jti: revoked.id }, eva.token);
      for (const secret of [expired.secret, revoked.secret]) {
        expect((await sta('post', `/Datastreams(${nordGauge.ds})/Observations`, secret, JSON.parse(observation(5)))).status).toBe(401);
      }
    });

    it('sensor_push needs the ingest scope, the organization the token is restricted to, and a live token', async () => {
      const src = await pushSource();
      const readOnly = await push(src, (await token(eva, { scopes: ['read', 'write', 'datastore'] })).secret);
      expect(readOnly.status).toBe(403);
      expect(readOnly.body.error.message).toContain('scope "ingest"');
      expect((await push(src, (await token(eva, { scopes: ['ingest'], organization: 'sued' })).secret)).status).toBe(403);
      const expired = await token(eva, { scopes: ['ingest'] });
      await t.db.dataSource.query(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
      expect((await push(src, expired.secret)).status).toBe(403);
      const revoked = await token(eva, { scopes: ['ingest'] });
      await post('api_token_revoke', { jti: revoked.id }, eva.token);
      expect((await push(src, revoked.secret)).status).toBe(403);
      const ingest = await push(src, (await token(eva, { scopes: ['ingest'], organization: 'nord' })).secret);
      expect(ingest.status).toBe(200);
      expect(ingest.body.result).toMatchObject({ stored: 1 });
    });
  });
});
