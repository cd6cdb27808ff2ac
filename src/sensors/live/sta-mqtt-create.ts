import { Inject, Injectable } from '@nestjs/common';
import { Dispatcher } from '../../api/dispatcher';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { mapStaObservation, type StaObservationMessage } from '../ingest/mqtt-payloads';
import { MqttIngest } from '../mqtt/mqtt-ingest';
import { PermanentPayloadError } from '../mqtt/mqtt-errors';
import { ObservationUpdates } from './observation-updates';
import { observationError, StaObservations } from './sta-observations';
import { StaWriteRepository } from './sta-write.repository';

/** The SensorThings MQTT create topic (OGC 18-088 §14.2.2), `+` for any Datastream id. */
export const STA_CREATE_TOPIC = 'v1.1/Datastreams(+)/Observations';

/**
 * SensorThings "create Observation via MQTT": an Observation published to `v1.1/Datastreams(ID)/Observations` is
 * stored through the observations writer, with the rules of POST /Observations (phenomenonTime defaults to now, the
 * FeatureOfInterest to the Thing's Location), and acknowledged after the commit. A payload that can never be stored
 * (not JSON, an unknown property, no such Datastream, a unit the Datastream cannot take) is acknowledged, logged and
 * not stored (PermanentPayloadError).
 *
 * Who may publish is the broker's decision, not a token's (MQTT has no Authorization header): the own broker lets
 * only clients presenting MQTT_USERNAME/MQTT_PASSWORD publish (set them whenever the port is reachable by others);
 * an external broker's topic ACLs decide who may publish on `v1.1/Datastreams(+)/Observations`. A publisher
 * allowed there may write to every Datastream, as the site.
 */
@Injectable()
export class StaMqttCreate {
  constructor(
    private readonly mqtt: MqttIngest,
    private readonly dispatcher: Dispatcher,
    private readonly observations: StaObservations,
    private readonly repo: StaWriteRepository,
    private readonly updates: ObservationUpdates,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  register(): void {
    this.mqtt.subscribe(STA_CREATE_TOPIC, (topic, payload) => this.handle(topic, payload));
  }

  async handle(topic: string, payload: Buffer): Promise<void> {
    let message: StaObservationMessage;
    try {
      message = mapStaObservation(topic, payload);
    } catch (err) {
      throw permanent(err, topic);
    }
    if (typeof message.datastreamId !== 'number') throw new PermanentPayloadError(`${topic}: Datastream ids on this service are numbers`);
    const datastreamId = message.datastreamId;
    const ctx = this.dispatcher.context(null, { ignoreAuth: true, log: this.log });
    try {
      await ctx.transaction(async (tx) => {
        const ds = await this.repo.datastream(tx.db, datastreamId);
        if (!ds) throw new PermanentPayloadError(`${topic}: no Datastream with @iot.id ${datastreamId}`);
        const ids = await this.observations.store(tx.db, [{ datastreamId, message }], new Map([[datastreamId, ds.thing_id]]));
        if (ids[0] === null) throw new PermanentPayloadError(`${topic}: the Observation is older than the late window of its Datastream; not stored`);
        this.updates.afterCommit(tx, ids);
      });
    } catch (err) {
      if (err instanceof PermanentPayloadError) throw err;
      throw permanent(err, topic);
    }
  }
}

/** A client's error as PermanentPayloadError (acknowledged, never retried); anything else passes through (retried). */
function permanent(err: unknown, topic: string): unknown {
  const client = observationError(err);
  return client ? new PermanentPayloadError(`${topic}: ${client.message}`, { code: client.code }) : err;
}
