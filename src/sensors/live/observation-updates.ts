import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { MqttPublisher, observationTopics, type AfterCommit } from '../mqtt/mqtt-publisher';
import { MODEL } from '../sta/query';
import { LiveRepository } from './live.repository';

type Json = Record<string, unknown>;
/** Observations published per query (a CreateObservations batch of 100,000 goes out in slices). */
const SLICE = 5000;

/**
 * SensorThings "receive updates" (OGC 18-088 §14.2) for Observations: after a commit that created or changed
 * Observations, each is published as FROST publishes it, its JSON (the same shape GET /Observations(id) answers) on
 * `v1.1/Observations`, `v1.1/Datastreams(id)/Observations` and `v1.1/Observations(id)`. Only Observations anonymous
 * readers may see are published (the broker's readers are anonymous): a private gauge's never leave. Every path that
 * writes Observations calls `afterCommit` (SensorThings HTTP, CreateObservations, MQTT, MQTT sources; pollers and push
 * may too). The service's own messages are never ingested back (see MqttIngest).
 */
@Injectable()
export class ObservationUpdates {
  constructor(
    private readonly publisher: MqttPublisher,
    private readonly dataSource: DataSource,
    private readonly repo: LiveRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /**
   * Publishes the Observations once `tx` has committed (nothing if it rolls back); failures are logged. The writer's
   * answer does not wait for them: a push of 10,000 readings is 30,000 messages, best effort after the commit.
   */
  afterCommit(tx: AfterCommit, observationIds: readonly (number | null | undefined)[]): void {
    const ids = [...new Set(observationIds.filter((id): id is number => typeof id === 'number'))];
    if (!ids.length || this.config.MQTT_URL === 'off') return;
    tx.afterCommit(() => {
      // Nobody subscribed on the own broker: reading and rendering the Observations would reach no one.
      if (!this.publisher.mayHaveSubscribersUnder('v1.1/')) return;
      void this.publish(ids).catch((err: unknown) => this.log.warn({ err }, 'SensorThings updates could not be published'));
    });
  }

  /**
   * Whether an update made now could reach anyone (MQTT on, and on the own broker someone subscribed under v1.1/): a
   * writer that needs the new Observations' ids only for updates can skip finding them otherwise.
   */
  wanted(): boolean {
    return this.config.MQTT_URL !== 'off' && this.publisher.mayHaveSubscribersUnder('v1.1/');
  }

  /** Publishes now what anonymous readers may read of these Observations; answers how many went out. */
  async publish(ids: readonly number[]): Promise<number> {
    let n = 0;
    for (let k = 0; k < ids.length; k += SLICE) {
      for (const { datastreamId, entity } of await this.readable(ids.slice(k, k + SLICE))) {
        const sent = await this.publisher.publish(observationTopics(datastreamId, entity['@iot.id'] as number), entity);
        if (sent.length) n++;
      }
    }
    return n;
  }

  private async readable(ids: number[]): Promise<{ datastreamId: number; entity: Json }[]> {
    const def = MODEL.Observation;
    const rows = await this.repo.anonymouslyReadableObservations(this.dataSource.manager, ids);
    const base = `${this.config.SITE_URL}/sta/v1.1`;
    return rows.map((r) => {
      const id = Number(r.id);
      const self = `${base}/Observations(${id})`;
      const entity: Json = { '@iot.selfLink': self, '@iot.id': id };
      for (const p of def.defaultSelect) if (p !== 'id') entity[p] = r[p];
      entity['Datastream@iot.navigationLink'] = `${self}/Datastream`;
      entity['FeatureOfInterest@iot.navigationLink'] = `${self}/FeatureOfInterest`;
      return { datastreamId: Number(r['@datastream']), entity };
    });
  }
}
