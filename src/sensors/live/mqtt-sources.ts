import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Dispatcher } from '../../api/dispatcher';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { mapFlatMessage, mapTtsUplink, type TtsConfig } from '../ingest/mqtt-payloads';
import { MqttIngest } from '../mqtt/mqtt-ingest';
import { PermanentPayloadError } from '../mqtt/mqtt-errors';
import { topicMatches } from '../mqtt/topic-filter';
import { ObservationWriter } from '../observations/observation-writer';
import { IngestError, type IngestWarning, type ReadingBatch } from '../readings';
import { LiveRepository, type MqttSourceRow } from './live.repository';
import { ObservationUpdates } from './observation-updates';
import { StaMqttCreate, STA_CREATE_TOPICS } from './sta-mqtt-create';

/**
 * Sensor sources of type `mqtt`: their topics are subscribed at start and whenever a source is created or changed
 * (SensorSourceChanges, after the commit; no timer), on the service's broker (MQTT_URL or the own one; a source's
 * own `url` is not connected to, which is logged). Each message is mapped by the source's payload (`flat`: the
 * topic_pattern's {station}/{stream} and `{ts, value, unit}`; `tts`: The Things Stack uplinks, decoded_payload keys
 * to streams per device; `sta`: SensorThings Observations, as the create topic), resolved to the source's
 * Datastreams by station and stream key (unknown ones are skipped and recorded as the source's last warning),
 * written through the observations writer and acknowledged after the commit. A deleted or paused source's messages
 * are acknowledged and dropped (a broker subscription stays until restart; the sources are looked up per message).
 */
@Injectable()
export class MqttSources {
  private readonly subscribed = new Set<string>();

  constructor(
    private readonly mqtt: MqttIngest,
    private readonly dataSource: DataSource,
    private readonly repo: LiveRepository,
    private readonly dispatcher: Dispatcher,
    private readonly writer: ObservationWriter,
    private readonly updates: ObservationUpdates,
    private readonly staCreate: StaMqttCreate,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Subscribes the topics of every active mqtt source not subscribed yet. */
  async refresh(): Promise<void> {
    if (this.mqtt.mode === 'off') return;
    for (const s of await this.sources(this.dataSource.manager)) {
      if (s.config.url) this.log.warn({ source: s.name }, 'an mqtt source names its own broker (url); only the service\'s broker (MQTT_URL) is subscribed');
      const topic = s.config.topic;
      if (!topic || this.subscribed.has(topic)) continue;
      this.subscribed.add(topic);
      this.mqtt.subscribe(topic, (t, payload) => this.handle(t, payload));
    }
  }

  private sources(db: EntityManager): Promise<MqttSourceRow[]> {
    return this.repo.activeMqttSources(db);
  }

  async handle(topic: string, payload: Buffer): Promise<void> {
    const matching = (await this.sources(this.dataSource.manager)).filter((s) => s.config.topic && topicMatches(s.config.topic, topic));
    for (const source of matching) {
      if (source.config.payload === 'sta') {
        // The SensorThings create topic has its own subscription; other topics of an `sta` source are mapped the same way.
        if (STA_CREATE_TOPICS.some((t) => topicMatches(t, topic))) continue;
        await this.staCreate.handle(topic, payload);
        continue;
      }
      let batch: ReadingBatch | undefined;
      try {
        batch = this.map(source, topic, payload);
      } catch (err) {
        if (!(err instanceof IngestError)) throw err;
        await this.record(source.id, null, [{ code: err.code, message: err.message, at: err.at }], false);
        throw new PermanentPayloadError(`${source.name} ${topic}: ${err.message}`, { code: err.code });
      }
      if (!batch) continue;
      await this.write(source, batch, topic);
    }
  }

  private map(source: MqttSourceRow, topic: string, payload: Buffer): ReadingBatch | undefined {
    const c = source.config;
    if (c.payload === 'flat') return mapFlatMessage(topic, payload, { pattern: c.topic_pattern ?? '', timeZone: c.time_zone });
    const tts: TtsConfig = { devices: {} };
    for (const d of c.devices ?? []) tts.devices[d.device_id] = { station: d.station, keys: Object.fromEntries(Object.entries(d.fields).map(([k, stream]) => [k, { stream }])) };
    return mapTtsUplink(topic, payload, tts);
  }

  private async write(source: MqttSourceRow, batch: ReadingBatch, topic: string): Promise<void> {
    const ctx = this.dispatcher.context(null, { ignoreAuth: true, log: this.log });
    try {
      await ctx.transaction(async (tx) => {
        const { readings, warnings } = await this.writer.resolve(tx.db, source.id, batch);
        const result = await this.writer.write(tx.db, { sourceId: source.id, readings, returnIds: true });
        const all = [...warnings, ...result.warnings];
        await this.recordIn(tx.db, source.id, result.counts.inserted + result.counts.revised, all, true);
        this.updates.afterCommit(tx, result.ids ?? []);
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

  /** What a message did, on the source: its last warning or error, its counts. */
  private async recordIn(db: EntityManager, sourceId: string, stored: number, warnings: IngestWarning[], success: boolean): Promise<void> {
    const problem = warnings.length ? { at: new Date().toISOString(), message: warnings[0].message, warnings: warnings.slice(0, 20) } : null;
    await this.repo.recordMqttMessage(db, sourceId, { success, stored, problem });
  }
}
