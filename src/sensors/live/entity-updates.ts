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
 * check01a, check09, check12). What anonymous readers may not see is not published; nothing is read when no client of
 * the own broker subscribed under v1.1/.
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
      for (const p of changed ?? []) {
        if (!MODEL[type].properties[p] || !(p in entity)) continue;
        await this.publisher.publish([`${self}/${p}`], { [p]: entity[p] });
      }
    } catch (err) {
      this.log.warn({ err, type, id }, 'SensorThings update could not be published');
    }
  }
}
