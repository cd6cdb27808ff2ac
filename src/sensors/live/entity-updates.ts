import { Inject, Injectable } from '@nestjs/common';
import { Dispatcher } from '../../api/dispatcher';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { MqttPublisher } from '../mqtt/mqtt-publisher';
import { MODEL, SET_OF, type EntityType } from '../sta/query';
import { StaWriter } from './sta-write.service';

type Json = Record<string, unknown>;

/**
 * SensorThings "receive updates" (OGC 18-088 §14.1) for the entities other than Observations (those go out through
 * ObservationUpdates): after an HTTP write has committed, a created or changed Thing, Location, HistoricalLocation,
 * Datastream, Sensor, ObservedProperty or FeatureOfInterest goes out as an anonymous GET answers it on its entity set
 * (`v1.1/Things`) and its entity (`v1.1/Things(1)`); a change also on the topic of each property it changed
 * (`v1.1/Things(1)/description`, payload `{"description": ...}`), as FROST publishes them (its suite's MqttCoreTests
 * check01a, check09, check12); on the own broker, whose subscriptions are known, also on each subscribed
 * `v1.1/{Set}?$select=...` topic with the selected properties only (check04 to check06). What anonymous readers may not
 * see is not published; nothing is read when no client of the own broker subscribed under v1.1/.
 */
@Injectable()
export class EntityUpdates {
  constructor(
    private readonly publisher: MqttPublisher,
    private readonly dispatcher: Dispatcher,
    private readonly writer: StaWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Publishes a committed create (`changed` null) or change (the properties it sent); failures are logged. */
  async afterWrite(type: EntityType, id: number, changed: string[] | null): Promise<void> {
    if (type === 'Observation' || this.config.MQTT_URL === 'off' || !this.publisher.mayHaveSubscribersUnder('v1.1/')) return;
    try {
      const entity = (await this.writer.entity(this.dispatcher.context(null), type, id, true)) as Json | undefined;
      if (!entity) return;
      const self = `v1.1/${SET_OF[type]}(${id})`;
      await this.publisher.publish([`v1.1/${SET_OF[type]}`, self], entity);
      // `v1.1/Things?$select=name,description` on the own broker: the entity with those properties only.
      for (const topic of this.publisher.subscribedUnder(`v1.1/${SET_OF[type]}?`)) {
        const select = selected(topic);
        if (select) await this.publisher.publish([topic], Object.fromEntries(Object.entries(entity).filter(([k]) => select.has(k) || select.has(k.replace(/@iot\.navigationLink$/, '')))));
      }
      for (const p of changed ?? []) {
        if (!MODEL[type].properties[p] || !(p in entity)) continue;
        await this.publisher.publish([`${self}/${p}`], { [p]: entity[p] });
      }
    } catch (err) {
      this.log.warn({ err, type, id }, 'SensorThings update could not be published');
    }
  }
}

/** The properties a `$select` topic names (`@iot.id` and `id` alike), or null when it has other options or none. */
function selected(topic: string): Set<string> | null {
  const query = new URLSearchParams(topic.slice(topic.indexOf('?') + 1));
  const keys = [...query.keys()];
  if (keys.length !== 1 || keys[0] !== '$select') return null;
  const names = (query.get('$select') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!names.length) return null;
  return new Set(names.flatMap((n) => (n === 'id' || n === '@iot.id' ? ['@iot.id'] : [n])));
}
