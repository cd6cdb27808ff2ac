import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import { DataSource, type EntityManager } from 'typeorm';
import type { Caller } from '../../api/action-context';
import { Dispatcher } from '../../api/dispatcher';
import { WriteHooks } from '../../api/write-hooks';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { Authz } from '../../auth/authz';
import { Database } from '../../database/database.module';
import { SensorSourceChanges } from '../catalog/sensor-source-changes';
import { authSourceWrite } from '../catalog/sensor-source.auth';
import { mapFlatMessage, mapTtsUplink, type TtsConfig } from '../ingest/mqtt-payloads';
import { BrokerConnection } from '../mqtt/broker-connection';
import { MessageRouter, type MqttMessageInfo, type Subscription } from '../mqtt/message-router';
import { MqttIngest } from '../mqtt/mqtt-ingest';
import { PermanentPayloadError } from '../mqtt/mqtt-errors';
import { topicMatches } from '../mqtt/topic-filter';
import { ObservationWriter } from '../observations/observation-writer';
import { IngestError, type IngestWarning, type ReadingBatch } from '../readings';
import { LiveRepository, type MqttSourceRow } from './live.repository';
import { ObservationUpdates } from './observation-updates';
import { StaMqttCreate, STA_CREATE_TOPICS } from './sta-mqtt-create';

/** How long a source's own connection may finish the messages it is handling when the source goes or the service stops. */
const OWN_BROKER_GRACE_MS = 5000;

/** A source's connection to the broker its config names (`url`). */
interface OwnConnection {
  /** The url and credentials it connected with: another one means another connection. */
  key: string;
  source: MqttSourceRow;
  router: MessageRouter;
  subscription: Subscription;
  connection: BrokerConnection;
}

const connectionKey = (s: MqttSourceRow): string =>
  JSON.stringify([s.config.url, s.config.username ?? null, s.config.password ?? null, s.config.protocol_version ?? 4, s.config.shared_group ?? null]);

/**
 * Sensor sources of type `mqtt`. A source without `url` is subscribed on the service's broker (MQTT_URL or the own
 * one); a source with `url` gets a connection of its own to that broker (BrokerConnection: MQTT 3.1.1 or, with
 * `protocol_version` 5, MQTT 5 and a `shared_group` the instances split the messages in; QoS 1, a persistent session
 * under `<client id of the service>-<source id>`, the PUBACK after the commit). Both follow the
 * sources: at start, and whenever a source is created, changed, paused or deleted in any process (SensorSourceChanges,
 * after the commit; no timer), a subscription nobody needs any more ends at once (at the broker too), a changed topic
 * is subscribed instead of the old one, a changed url or credentials mean a new connection, and a paused or deleted
 * source's own connection is closed. Each message is mapped by the source's payload (`flat`: the topic_pattern's
 * {station}/{stream} and `{ts, value, unit}`; `tts`: The Things Stack uplinks, decoded_payload keys to streams per
 * device; `sta`: SensorThings Observations, as the create topic), resolved to the source's Datastreams by station and
 * stream key (unknown ones are skipped and recorded as the source's last warning), written through the observations
 * writer and acknowledged after the commit.
 */
@Injectable()
export class MqttSources implements BeforeApplicationShutdown {
  /** The active sources as of the last refresh. */
  private sources: MqttSourceRow[] = [];
  /** Topic filters subscribed on the service's broker, with what ends each. */
  private readonly shared = new Map<string, () => void>();
  /** Connections of sources that name their own broker, by source id. */
  private readonly own = new Map<string, OwnConnection>();
  private refreshing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly mqtt: MqttIngest,
    private readonly dataSource: DataSource,
    private readonly repo: LiveRepository,
    private readonly dispatcher: Dispatcher,
    private readonly writer: ObservationWriter,
    private readonly updates: ObservationUpdates,
    private readonly staCreate: StaMqttCreate,
    private readonly changes: SensorSourceChanges,
    private readonly writeHooks: WriteHooks,
    private readonly authz: Authz,
    database: Database,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    // The own connections' handlers write to the database: closed before it.
    database.closeBefore(() => this.stop());
  }

  /** Brings subscriptions and connections in line with the active mqtt sources (one refresh at a time, in order). */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.catch(() => undefined).then(() => this.refreshNow());
    return this.refreshing;
  }

  private async refreshNow(): Promise<void> {
    if (this.mqtt.mode === 'off' || this.stopped) return;
    const sources = await this.repo.activeMqttSources(this.dataSource.manager);
    this.sources = sources;
    const sharedTopics = new Set(sources.filter((s) => !s.config.url && s.config.topic).map((s) => s.config.topic));
    for (const [topic, end] of this.shared) {
      if (sharedTopics.has(topic)) continue;
      end();
      this.shared.delete(topic);
    }
    for (const topic of sharedTopics) if (!this.shared.has(topic)) this.shared.set(topic, this.mqtt.subscribe(topic, (t, payload, info) => this.handle(t, payload, info)));

    const wanted = new Map(sources.filter((s) => s.config.url && s.config.topic).map((s) => [s.id, s]));
    for (const [id, c] of this.own) {
      const s = wanted.get(id);
      if (!s || connectionKey(s) !== c.key) await this.disconnect(id, c);
      else if (s.config.topic !== c.source.config.topic) await this.moveTopic(c, s);
      else c.source = s;
    }
    for (const s of wanted.values()) if (!this.own.has(s.id)) this.connect(s);
  }

  private connect(s: MqttSourceRow): void {
    const router = new MessageRouter(this.log);
    const subscription = router.add(s.config.topic, (topic, payload) => this.handleOwn(s.id, topic, payload));
    const base = this.mqtt.settings.mode === 'external' ? this.mqtt.settings.clientId : `catalog-${hostname()}`;
    const connection = new BrokerConnection(
      {
        url: s.config.url!, clientId: `${base}-${s.id}`, username: s.config.username, password: s.config.password,
        protocolVersion: s.config.protocol_version === 5 ? 5 : 4, sharedGroup: s.config.shared_group,
      },
      router,
      this.log.child({ source: s.name }),
    );
    this.own.set(s.id, { key: connectionKey(s), source: s, router, subscription, connection });
    connection.start();
  }

  private async moveTopic(c: OwnConnection, s: MqttSourceRow): Promise<void> {
    const old = c.source.config.topic;
    c.router.remove(c.subscription);
    c.source = s;
    c.subscription = c.router.add(s.config.topic, (topic, payload) => this.handleOwn(s.id, topic, payload));
    c.connection.subscribeNow(s.config.topic);
    await c.connection.unsubscribeNow(old);
  }

  /** Ends a source's own connection: its subscription first (so the persistent session stops collecting), then the rest. */
  private async disconnect(id: string, c: OwnConnection): Promise<void> {
    this.own.delete(id);
    c.router.remove(c.subscription);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([c.connection.unsubscribeNow(c.source.config.topic), new Promise((r) => (timer = setTimeout(r, OWN_BROKER_GRACE_MS)))]);
    clearTimeout(timer);
    await c.connection.stop(OWN_BROKER_GRACE_MS);
  }

  /** Whether a source's own connection is up (tests, diagnostics). */
  ownConnection(sourceId: string): BrokerConnection | undefined {
    return this.own.get(sourceId)?.connection;
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  private async stop(): Promise<void> {
    this.stopped = true;
    await this.refreshing.catch(() => undefined);
    await Promise.all([...this.own].map(([id, c]) => (this.own.delete(id), c.connection.stop(OWN_BROKER_GRACE_MS))));
  }

  /**
   * A message on the service's broker: for every active source without a broker of its own whose topic matches. A
   * token publisher's (`info.publisher`) goes only to the sources it may push to (sensor_push's rule: 'update_dataset'
   * in the source's organization, with the token's organization restriction); for the others it is refused, as a
   * payload is: acknowledged, logged, not stored.
   */
  async handle(topic: string, payload: Buffer, info?: Pick<MqttMessageInfo, 'publisher'>): Promise<void> {
    // While changes of other processes may go unheard, the database says which sources are active.
    const sources = this.changes.live ? this.sources : await this.repo.activeMqttSources(this.dataSource.manager);
    const refused: string[] = [];
    for (const source of sources.filter((s) => !s.config.url && s.config.topic && topicMatches(s.config.topic, topic))) {
      // The SensorThings create topic has its own subscription there; other topics of an `sta` source are mapped the same way.
      if (source.config.payload === 'sta' && STA_CREATE_TOPICS.some((t) => topicMatches(t, topic))) continue;
      if (info?.publisher && !(await this.mayPush(info.publisher, source))) {
        refused.push(source.name);
        continue;
      }
      await this.ingest(source, topic, payload, info?.publisher);
    }
    if (refused.length) throw new PermanentPayloadError(`${topic}: ${info!.publisher!.name} may not push to the sensor source(s) ${refused.join(', ')}`);
  }

  /** Whether a token publisher may push to a source (the rule of sensor_push). */
  private async mayPush(publisher: Caller, source: MqttSourceRow): Promise<boolean> {
    const ctx = this.dispatcher.context(publisher, { log: this.log });
    return (await authSourceWrite(ctx, this.authz, source, 'update_dataset')).allowed;
  }

  /** A message on a source's own broker. */
  private async handleOwn(sourceId: string, topic: string, payload: Buffer): Promise<void> {
    const c = this.own.get(sourceId);
    if (!c) return; // the source went while its message was on the way: acknowledged and dropped
    await this.ingest(c.source, topic, payload);
  }

  private async ingest(source: MqttSourceRow, topic: string, payload: Buffer, publisher?: Caller): Promise<void> {
    if (source.config.payload === 'sta') return this.staCreate.handle(topic, payload, { publisher });
    let batch: ReadingBatch | undefined;
    try {
      batch = this.map(source, topic, payload);
    } catch (err) {
      if (!(err instanceof IngestError)) throw err;
      await this.record(source.id, null, [{ code: err.code, message: err.message, at: err.at }], false);
      throw new PermanentPayloadError(`${source.name} ${topic}: ${err.message}`, { code: err.code });
    }
    if (batch) await this.write(source, batch, topic, publisher);
  }

  private map(source: MqttSourceRow, topic: string, payload: Buffer): ReadingBatch | undefined {
    const c = source.config;
    if (c.payload === 'flat') return mapFlatMessage(topic, payload, { pattern: c.topic_pattern ?? '', timeZone: c.time_zone });
    const tts: TtsConfig = { devices: {} };
    for (const d of c.devices ?? []) tts.devices[d.device_id] = { station: d.station, keys: Object.fromEntries(Object.entries(d.fields).map(([k, stream]) => [k, { stream }])) };
    return mapTtsUplink(topic, payload, tts);
  }

  private async write(source: MqttSourceRow, batch: ReadingBatch, topic: string, publisher?: Caller): Promise<void> {
    const ctx = this.dispatcher.context(null, { ignoreAuth: true, log: this.log });
    try {
      await ctx.transaction(async (tx) => {
        const { readings, warnings } = await this.writer.resolve(tx.db, source.id, batch);
        const result = await this.writer.write(tx.db, { sourceId: source.id, readings, returnIds: true });
        const all = [...warnings, ...result.warnings];
        await this.recordIn(tx.db, source.id, result.counts.inserted + result.counts.revised, all, true);
        this.updates.afterCommit(tx, result.ids ?? []);
        // A token publisher's write is its owner's in the audit trail; the site's publishers' have no user.
        await this.writeHooks.recordWrite(publisher ? tx.withUser(publisher) : tx, 'mqtt_ingest', { source: source.name, topic, readings: batch.readings.length, ...result.counts }, { id: source.id });
      });
    } catch (err) {
      if (!(err instanceof IngestError)) throw err;
      await this.record(source.id, null, [{ code: err.code, message: err.message, at: err.at }], false);
      throw new PermanentPayloadError(`${source.name} ${topic}: ${err.message}`, { code: err.code });
    }
  }

  private record(sourceId: string, stored: number | null, warnings: IngestWarning[], success: boolean): Promise<void> {
    return this.recordIn(this.dataSource.manager, sourceId, stored ?? 0, warnings, success);
  }

  /**
   * What a message did, on the source: a refused message's error ({code, message, at}) as last_error; a stored
   * message's warnings ({message, count, warnings}) as last_warnings; its counts. Both say when (`received_at`).
   */
  private async recordIn(db: EntityManager, sourceId: string, stored: number, warnings: IngestWarning[], success: boolean): Promise<void> {
    const receivedAt = new Date().toISOString();
    const problem = !warnings.length
      ? null
      : success
        ? { message: warnings[0].message, count: warnings.length, warnings: warnings.slice(0, 20), received_at: receivedAt }
        : { ...warnings[0], received_at: receivedAt };
    await this.repo.recordMqttMessage(db, sourceId, { success, stored, problem });
  }
}
