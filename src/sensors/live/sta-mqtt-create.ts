import { Inject, Injectable } from '@nestjs/common';
import { Dispatcher } from '../../api/dispatcher';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { mapStaObservation, type StaObservationMessage } from '../ingest/mqtt-payloads';
import { MqttIngest } from '../mqtt/mqtt-ingest';
import { PermanentPayloadError } from '../mqtt/mqtt-errors';
import { ObservationUpdates } from './observation-updates';
import { isObject, linkId } from './sta-entity-input';
import { observationError, StaObservations } from './sta-observations';
import { StaWriteRepository } from './sta-write.repository';

/** The SensorThings MQTT create topic (OGC 18-088 §14.2.2), `+` for any Datastream id. */
export const STA_CREATE_TOPIC = 'v1.1/Datastreams(+)/Observations';
/**
 * Every topic an Observation may be created on (18-088 §14.2.2: the path of an Observations collection; FROST and its
 * tests c07mqttcreate use all three): under its Datastream, the entity set with the Datastream linked in the body, and
 * under its FeatureOfInterest, also with the Datastream in the body.
 */
export const STA_CREATE_TOPICS = [STA_CREATE_TOPIC, 'v1.1/Observations', 'v1.1/FeaturesOfInterest(+)/Observations'];

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
    for (const t of STA_CREATE_TOPICS) this.mqtt.subscribe(t, (topic, payload) => this.handle(topic, payload));
  }

  async handle(topic: string, payload: Buffer): Promise<void> {
    let message: StaObservationMessage;
    try {
      message = mapStaObservation(...underDatastream(topic, payload));
    } catch (err) {
      throw permanent(err, topic);
    }
    if (typeof message.datastreamId !== 'number') throw new PermanentPayloadError(`${topic}: Datastream ids on this service are numbers`);
    const datastreamId = message.datastreamId;
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ topic, datastreamId, message, resolve, reject });
      void this.drain();
    });
  }

  /** Messages that came in while a group was being stored. */
  private readonly waiting: Pending[] = [];
  private draining = false;

  /**
   * Group commit: the messages that arrived while the last group was written go into the database together, in one
   * transaction, and each is acknowledged after that commit, as alone. One transaction per message held MQTT at
   * about 260 messages/s on 2 cores (17 round trips and a WAL flush per message). A key (Datastream, time) at most
   * once per group, so a repeated reading is a revision as when sent alone. A group that fails is stored message by
   * message, so each gets its own outcome (a bad one is dropped, the others stored; a database failure fails each).
   */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiting.length) {
        const keys = new Set<string>();
        let n = 0;
        for (; n < this.waiting.length && n < GROUP_MAX; n++) {
          const m = this.waiting[n];
          const key = `${m.datastreamId}|${m.message.phenomenonTime.getTime()}`;
          if (keys.has(key)) break;
          keys.add(key);
        }
        const group = this.waiting.splice(0, n);
        if (group.length === 1) await this.storeOne(group[0]);
        else if (!(await this.storeGroup(group))) for (const m of group) await this.storeOne(m);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Stores a group in one transaction and acknowledges each; false, with nothing stored, if anything in it failed. */
  private async storeGroup(group: Pending[]): Promise<boolean> {
    const ctx = this.dispatcher.context(null, { ignoreAuth: true, log: this.log });
    try {
      await ctx.transaction(async (tx) => {
        const owners = await this.repo.datastreams(tx.db, [...new Set(group.map((m) => m.datastreamId))]);
        if (owners.size === 0 || group.some((m) => !owners.has(m.datastreamId))) throw new GroupRefused();
        const thingOf = new Map([...owners].map(([id, o]) => [id, o.thing_id]));
        const ids = await this.observations.store(tx.db, group.map((m) => ({ datastreamId: m.datastreamId, message: m.message })), thingOf);
        if (ids.some((id) => id === null)) throw new GroupRefused();
        this.updates.afterCommit(tx, ids);
      });
    } catch {
      return false;
    }
    for (const m of group) m.resolve();
    return true;
  }

  private async storeOne(m: Pending): Promise<void> {
    const { topic, datastreamId, message } = m;
    const ctx = this.dispatcher.context(null, { ignoreAuth: true, log: this.log });
    try {
      await ctx.transaction(async (tx) => {
        const ds = await this.repo.datastream(tx.db, datastreamId);
        if (!ds) throw new PermanentPayloadError(`${topic}: no Datastream with @iot.id ${datastreamId}`);
        const ids = await this.observations.store(tx.db, [{ datastreamId, message }], new Map([[datastreamId, ds.thing_id]]));
        if (ids[0] === null) throw new PermanentPayloadError(`${topic}: the Observation is older than the late window of its Datastream; not stored`);
        this.updates.afterCommit(tx, ids);
      });
      m.resolve();
    } catch (err) {
      m.reject(err instanceof PermanentPayloadError ? err : permanent(err, topic));
    }
  }
}

/** Messages stored in one transaction at most. */
const GROUP_MAX = 1000;

interface Pending {
  topic: string;
  datastreamId: number;
  message: StaObservationMessage;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** A group with a message that cannot be stored with the others: stored one by one instead. */
class GroupRefused extends Error {}

/** A client's error as PermanentPayloadError (acknowledged, never retried); anything else passes through (retried). */
function permanent(err: unknown, topic: string): unknown {
  const client = observationError(err);
  return client ? new PermanentPayloadError(`${topic}: ${client.message}`, { code: client.code }) : err;
}

/**
 * A message on `v1.1/Observations` or `v1.1/FeaturesOfInterest(id)/Observations` as the one on its Datastream's
 * topic: the Datastream linked in the body (`"Datastream": {"@iot.id": n}`) moves into the topic, the
 * FeatureOfInterest of the topic into the body (unless the body names one). Other topics pass unchanged.
 */
function underDatastream(topic: string, payload: Buffer): [string, Buffer | string] {
  const foi = /^v1\.1\/FeaturesOfInterest\((\d+)\)\/Observations$/.exec(topic);
  if (topic !== 'v1.1/Observations' && !foi) return [topic, payload];
  let body: unknown;
  try {
    body = JSON.parse(payload.toString());
  } catch {
    return [topic, payload];
  }
  if (!isObject(body)) return [topic, payload];
  const { Datastream: ds, ...rest } = body;
  const id = linkId(ds);
  if (id === undefined) throw new PermanentPayloadError(`${topic}: an Observation published here links its Datastream: "Datastream": {"@iot.id": n}`);
  if (foi && rest.FeatureOfInterest === undefined) rest.FeatureOfInterest = { '@iot.id': Number(foi[1]) };
  return [`v1.1/Datastreams(${id})/Observations`, JSON.stringify(rest)];
}
