import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../../api/action-context';
import { Dispatcher } from '../../api/dispatcher';
import { WriteHooks } from '../../api/write-hooks';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { mapStaObservation, type StaObservationMessage } from '../ingest/mqtt-payloads';
import type { MqttMessageInfo } from '../mqtt/message-router';
import { MqttIngest } from '../mqtt/mqtt-ingest';
import { PermanentPayloadError } from '../mqtt/mqtt-errors';
import type { DatastreamRef } from '../observations/observation.repository';
import { ObservationUpdates } from './observation-updates';
import { isObject, linkId } from './sta-entity-input';
import { observationError, StaObservations } from './sta-observations';
import { StaPermissions } from './sta-permissions';
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
 * Who publishes is the broker's to say (MQTT has no Authorization header). The own broker lets publish the clients
 * presenting MQTT_USERNAME/MQTT_PASSWORD (the site's publishers: every Datastream, as the site) and clients logged in
 * with an API token with the scope `ingest` as their password (token publishers: `info.publisher`). A token
 * publisher's message goes only to a Datastream its owner may edit, with the token's organization restriction (the
 * rule of POST /Observations, StaPermissions); one for another Datastream is acknowledged, logged and not stored,
 * as mosquitto does with a publish its ACL denies, and the other messages of its group are stored as usual. An
 * external broker's topic ACLs decide who may publish there; its publishers write as the site.
 */
@Injectable()
export class StaMqttCreate {
  constructor(
    private readonly mqtt: MqttIngest,
    private readonly dispatcher: Dispatcher,
    private readonly observations: StaObservations,
    private readonly repo: StaWriteRepository,
    private readonly updates: ObservationUpdates,
    private readonly writeHooks: WriteHooks,
    private readonly permissions: StaPermissions,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  register(): void {
    for (const t of STA_CREATE_TOPICS) this.mqtt.subscribe(t, (topic, payload, info) => this.handle(topic, payload, info));
  }

  /** One message; `info.publisher` set: a token publisher's, stored only where its owner may edit. */
  async handle(topic: string, payload: Buffer, info?: Pick<MqttMessageInfo, 'publisher'>): Promise<void> {
    let message: StaObservationMessage;
    try {
      message = mapStaObservation(...underDatastream(topic, payload));
    } catch (err) {
      throw permanent(err, topic);
    }
    if (typeof message.datastreamId !== 'number') throw new PermanentPayloadError(`${topic}: Datastream ids on this service are numbers`);
    const datastreamId = message.datastreamId;
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ topic, datastreamId, message, bytes: payload.length, publisher: info?.publisher, settled: false, resolve, reject });
      this.schedule();
    });
  }

  /** Messages waiting for the next group. */
  private readonly waiting: Pending[] = [];
  private draining = false;
  private scheduled = false;

  /**
   * Starts a drain once the messages that came in with this one (the rest of its socket read, other clients' reads
   * of this turn of the event loop) are waiting too, so that a burst after a quiet time is one group, not a lone
   * first message and then the rest. Costs no time: it runs as soon as this turn's I/O is handled.
   */
  private schedule(): void {
    if (this.draining || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  /**
   * Group commit: the messages of all publishers that arrived while the last group was written go into the database
   * together, in one transaction (one COPY through the observations writer), and each is acknowledged after that
   * commit, as alone. One transaction per message held MQTT at about 260 messages/s on 2 cores. A group is bounded
   * (GROUP_MAX messages, GROUP_MAX_BYTES of payload), and a key (Datastream, time) is in it at most once, so a
   * repeated reading is a revision as when sent alone.
   */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiting.length) {
        const keys = new Set<string>();
        let n = 0;
        let bytes = 0;
        for (; n < this.waiting.length && n < GROUP_MAX; n++) {
          const m = this.waiting[n];
          const key = `${m.datastreamId}|${m.message.phenomenonTime.getTime()}`;
          if (keys.has(key) || (n > 0 && bytes + m.bytes > GROUP_MAX_BYTES)) break;
          keys.add(key);
          bytes += m.bytes;
        }
        const group = this.waiting.splice(0, n);
        await this.admit(group);
        await this.storeGroup(group);
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * Stores a group and settles each of its messages. Committed: all are acknowledged. Failed because the database is
   * away (a lost connection, a shutdown, a deadlock): none is stored, and each goes back to its publisher, who sends it
   * again. Failed otherwise (a message the writer refuses, a FeatureOfInterest that does not exist, a value the
   * database refuses): the group is halved and each half stored on its own, until the messages at fault are alone
   * and refused alone, as when they came one by one; the others are stored.
   */
  private async storeGroup(group: Pending[]): Promise<void> {
    const open = group.filter((m) => !m.settled);
    if (open.length === 0) return;
    try {
      await this.commit(open);
      for (const m of open) settle(m, null);
    } catch (err) {
      if (open.length === 1) return settle(open[0], err instanceof LateRefused ? new PermanentPayloadError(`${open[0].topic}: the Observation is older than the late window of its Datastream; not stored`) : permanent(err, open[0].topic));
      if (failsEveryone(err)) {
        this.log.warn({ err, messages: open.length }, `a group of ${open.length} MQTT messages could not be stored; each goes back to its publisher`);
        for (const m of open) settle(m, err);
        return;
      }
      const half = Math.ceil(open.length / 2);
      await this.storeGroup(open.slice(0, half));
      await this.storeGroup(open.slice(half));
    }
  }

  /**
   * Refuses the token publishers' messages for Datastreams their owners may not edit (the token's organization
   * restriction included): each alone, acknowledged and logged, not stored; the group's other messages go on. Asked
   * once per publisher and group, before the group's transaction (dataset dicts come from their cache there). When
   * the answer cannot be had (the database away), the publisher's messages go back to it, to be sent again.
   */
  private async admit(group: Pending[]): Promise<void> {
    for (const { caller, messages } of byPublisher(group)) {
      if (!caller) continue;
      try {
        const ctx = this.dispatcher.context(caller, { log: this.log });
        const editable = await this.permissions.editableDatastreams(ctx, messages.map((m) => m.datastreamId));
        for (const m of messages) {
          if (!editable.has(m.datastreamId)) settle(m, new PermanentPayloadError(`${m.topic}: no Datastream with @iot.id ${m.datastreamId} that ${caller.name} may add Observations to (API token ${caller.token?.id ?? '-'})`));
        }
      } catch (err) {
        this.log.warn({ err, publisher: caller.name }, 'could not check an MQTT token publisher\'s rights; its messages go back to it');
        for (const m of messages) settle(m, err);
      }
    }
  }

  /** Writer settings of Datastreams by id, with the version of the rows they were read from. */
  private readonly knownRefs = new Map<number, { version: string; ref: DatastreamRef }>();

  /**
   * The writer settings (unit, quantity, limits) of the group's Datastreams: those whose rows have not changed since
   * they were read (same version) are kept, the others read in one query. Reading them all for every group read its
   * source's whole config for each Datastream (a push source lists all its stations there): a third of a group's time.
   */
  private async refs(db: EntityManager, owners: Map<number, { version: string }>): Promise<Map<number, DatastreamRef>> {
    const out = new Map<number, DatastreamRef>();
    const stale: number[] = [];
    for (const [id, o] of owners) {
      const known = this.knownRefs.get(id);
      if (known && known.version === o.version) out.set(id, known.ref);
      else stale.push(id);
    }
    if (stale.length) {
      if (this.knownRefs.size + stale.length > REFS_MAX) this.knownRefs.clear();
      for (const [id, ref] of await this.observations.datastreams(db, stale)) {
        out.set(id, ref);
        this.knownRefs.set(id, { version: owners.get(id)!.version, ref });
      }
    }
    return out;
  }

  /**
   * One transaction for the messages: a message for a Datastream that does not exist is refused at once (whatever
   * becomes of the transaction), the others stored; throws, with nothing stored, when anything else failed. The new
   * Observations' ids are looked up only when someone may receive their updates.
   */
  private async commit(group: Pending[]): Promise<void> {
    const ctx = this.dispatcher.context(null, { ignoreAuth: true, log: this.log });
    await ctx.transaction(async (tx) => {
      // The group's Datastreams, their Things' default FeaturesOfInterest and their latest times: one query.
      const { datastreams: owners, features, latest } = await this.repo.observationTargets(tx.db, [...new Set(group.map((m) => m.datastreamId))]);
      const known = group.filter((m) => {
        if (owners.has(m.datastreamId)) return true;
        settle(m, new PermanentPayloadError(`${m.topic}: no Datastream with @iot.id ${m.datastreamId}`));
        return false;
      });
      if (known.length === 0) return;
      const thingOf = new Map([...owners].map(([id, o]) => [id, o.thing_id]));
      const refs = await this.refs(tx.db, owners);
      const returnIds = this.updates.wanted();
      const { ids, lateRefused } = await this.observations.write(tx.db, known.map((m) => ({ datastreamId: m.datastreamId, message: m.message })), thingOf, { returnIds, refs, features, latest });
      if (lateRefused > 0) throw new LateRefused();
      if (ids) this.updates.afterCommit(tx, ids);
      // One audit row per publisher: the site's messages (no user), and each token publisher's under its owner.
      for (const { caller, messages } of byPublisher(known)) {
        await this.writeHooks.recordWrite(caller ? tx.withUser(caller) : tx, 'sta_mqtt_create', { messages: messages.length, datastreams: new Set(messages.map((m) => m.datastreamId)).size });
      }
    });
  }
}

/** Datastreams whose writer settings are kept; beyond, the cache starts again. */
const REFS_MAX = 100_000;

/** Messages stored in one transaction at most. */
const GROUP_MAX = 1000;
/** Payload bytes stored in one transaction at most (a group has one message at least, whatever its size). */
const GROUP_MAX_BYTES = 4 << 20;

interface Pending {
  topic: string;
  datastreamId: number;
  message: StaObservationMessage;
  bytes: number;
  /** A token publisher's owner (with the token); none: the site's publisher. */
  publisher?: Caller;
  /** Acknowledged or refused already. */
  settled: boolean;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Acknowledges a message (err null) or refuses it (PermanentPayloadError) or leaves it to be sent again (any other). */
function settle(m: Pending, err: unknown): void {
  if (m.settled) return;
  m.settled = true;
  if (err === null) m.resolve();
  else m.reject(err);
}

/** The messages by publisher (the site's under null), in the order their publishers first come. */
function byPublisher(messages: Pending[]): { caller: Caller | null; messages: Pending[] }[] {
  const out = new Map<string, { caller: Caller | null; messages: Pending[] }>();
  for (const m of messages) {
    const key = m.publisher ? (m.publisher.token?.id ?? m.publisher.id) : '';
    const entry = out.get(key) ?? { caller: m.publisher ?? null, messages: [] };
    entry.messages.push(m);
    out.set(key, entry);
  }
  return [...out.values()];
}

/** The writer refused a reading as older than its Datastream's late window. */
class LateRefused extends Error {}

/**
 * Whether a group failed for a reason no message of it caused (the database unreachable, a connection lost, the
 * server shutting down, a deadlock or serialization failure): then storing its messages apart would fail alike.
 * Anything else is looked for message by message; an error not recognised here is too (slower, never wrong).
 */
function failsEveryone(err: unknown): boolean {
  if (err instanceof LateRefused || err instanceof PermanentPayloadError || observationError(err)) return false;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return /^(08|40|53|57|58)/.test(code);
  if (typeof code === 'string') return /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NOTFOUND)$/.test(code);
  return err instanceof Error && /connection terminated|connection error|timeout exceeded when trying to connect|not connected|pool .*(ended|closed)/i.test(err.message);
}

/** A client's error as PermanentPayloadError (acknowledged, never retried); anything else passes through (retried). */
function permanent(err: unknown, topic: string): unknown {
  if (err instanceof PermanentPayloadError) return err;
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
