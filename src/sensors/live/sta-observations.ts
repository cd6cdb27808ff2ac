import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { staObservation, type StaObservationMessage } from '../ingest/mqtt-payloads';
import { ObservationRepository, type DatastreamRef } from '../observations/observation.repository';
import { ObservationWriter, type ResolvedReading } from '../observations/observation-writer';
import { IngestError, QUALITIES, type Quality } from '../readings';
import { bad, checkEntity, isObject, linkId, StaWriteError, type Json } from './sta-entity-input';
import { StaWriteRepository } from './sta-write.repository';

/** 200 years: SensorThings writes have no source and so no late window. */
const NO_LATE_WINDOW_SECONDS = 200 * 365 * 86_400;

/** An Observation to store: its Datastream and what the client sent, already checked. */
export interface ObservationDraft {
  datastreamId: number;
  message: StaObservationMessage;
}

/**
 * SensorThings Observations written through the one observations writer, whichever way they came (POST
 * /Observations, CreateObservations, MQTT create): phenomenonTime defaults to now and the FeatureOfInterest to the
 * Thing's Location (18-088 §10.2), an inline FeatureOfInterest is made, a linked one must exist. The writer's rules
 * hold (units, sentinels, plausibility; the same key twice is one Observation, a changed result a revision).
 */
@Injectable()
export class StaObservations {
  constructor(
    private readonly writer: ObservationWriter,
    private readonly observations: ObservationRepository,
    private readonly repo: StaWriteRepository,
  ) {}

  /** An Observation's JSON (without its Datastream) as a draft; IngestError and StaWriteError name what is wrong. */
  draft(datastreamId: number, body: Json, now?: () => Date): ObservationDraft {
    const { Datastream: _ds, ...rest } = body;
    for (const k of Object.keys(rest)) if (k.endsWith('@iot.navigationLink') || k === '@iot.selfLink' || k === '@iot.id') delete rest[k];
    const message = staObservation(datastreamId, rest, now);
    return { datastreamId, message };
  }

  /** The FeatureOfInterest id of a draft: made when inline, checked when linked, else the Thing's Location's. */
  async featureOf(db: EntityManager, thingId: number, foi: unknown, made?: (id: number) => void): Promise<number> {
    if (foi === undefined || foi === null) {
      // 18-088 §10.2.1.1: without a FeatureOfInterest the Thing's Location is taken; a Thing without one cannot
      // give it, and the Observation is refused (400), as the conformance suite checks.
      const fromLocation = await this.repo.featureFromThingLocation(db, thingId, made);
      if (fromLocation === null) throw new StaWriteError(400, 'bad_request', 'Observation: no FeatureOfInterest given, and its Thing has no Location to make one from');
      return fromLocation;
    }
    const link = linkId(foi);
    if (link !== undefined) {
      if (!(await this.repo.exists(db, 'FeatureOfInterest', link))) throw new StaWriteError(400, 'bad_request', `No FeatureOfInterest with @iot.id ${link}`);
      return link;
    }
    if (!isObject(foi)) throw bad('FeatureOfInterest must be an entity or {"@iot.id": n}');
    checkEntity('FeatureOfInterest', foi, 'create');
    const id = await this.repo.insertPlain(db, 'FeatureOfInterest', foi);
    made?.(id);
    return id;
  }

  /**
   * Stores drafts of Datastreams the caller was allowed to write (in the caller's transaction); answers each
   * draft's Observation id, or null where the writer refused it (late). IngestError: the whole batch is refused.
   * `madeFeature` hears of each FeatureOfInterest made on the way (inline, or from the Thing's Location).
   */
  async store(db: EntityManager, drafts: ObservationDraft[], thingOf: Map<number, number>, madeFeature?: (id: number) => void): Promise<(number | null)[]> {
    const { ids } = await this.write(db, drafts, thingOf, { returnIds: true, madeFeature });
    return ids!;
  }

  /**
   * store, answering the ids only when asked (finding them costs a query over every stored key, worth it only when
   * an answer or an update needs them) and how many drafts the writer refused as late.
   */
  async write(
    db: EntityManager, drafts: ObservationDraft[], thingOf: Map<number, number>,
    opts: { returnIds: boolean; refs?: Map<number, DatastreamRef>; features?: Map<number, number | null>; latest?: Map<number, number>; madeFeature?: (id: number) => void },
  ): Promise<{ ids?: (number | null)[]; lateRefused: number }> {
    const refs = opts.refs ?? (await this.datastreams(db, [...new Set(drafts.map((d) => d.datastreamId))]));
    // The default FeatureOfInterest of every Thing in the batch, in one query (if the caller has not got them).
    let features = opts.features;
    if (!features) {
      const defaultThings = new Set<number>();
      for (const d of drafts) if (d.message.featureOfInterest === undefined && thingOf.has(d.datastreamId)) defaultThings.add(thingOf.get(d.datastreamId)!);
      features = defaultThings.size ? await this.repo.featuresFromThingLocations(db, [...defaultThings], opts.madeFeature) : new Map<number, number | null>();
    }
    const readings: ResolvedReading[] = [];
    for (const [k, d] of drafts.entries()) {
      const ref = refs.get(d.datastreamId);
      if (!ref) throw new StaWriteError(404, 'not_found', `No Datastream with @iot.id ${d.datastreamId}`);
      const m = d.message;
      let foi: number;
      if (m.featureOfInterest === undefined) {
        const fromLocation = features.get(thingOf.get(d.datastreamId)!) ?? null;
        // 18-088 §10.2.1.1: without a FeatureOfInterest the Thing's Location is taken; a Thing without one cannot
        // give it, and the Observation is refused (400), as the conformance suite checks.
        if (fromLocation === null) throw new StaWriteError(400, 'bad_request', 'Observation: no FeatureOfInterest given, and its Thing has no Location to make one from');
        foi = fromLocation;
      } else foi = await this.featureOf(db, thingOf.get(d.datastreamId)!, m.featureOfInterest, opts.madeFeature);
      const numeric = typeof m.result === 'number' ? m.result : null;
      const quality = typeof m.resultQuality === 'string' && (QUALITIES as readonly string[]).includes(m.resultQuality) ? (m.resultQuality as Quality) : undefined;
      readings.push({
        datastream: ref, station: '', stream: '', time: m.phenomenonTime, end: m.phenomenonTimeEnd, value: numeric,
        ...(numeric === null && m.result !== null ? { result: m.result } : {}),
        ...(quality ? { quality } : {}),
        ...(m.resultTime ? { resultTime: m.resultTime } : {}),
        ...(m.parameters ? { parameters: m.parameters } : {}),
        featureOfInterestId: foi,
        at: drafts.length > 1 ? `row ${k}` : undefined,
      });
    }
    // No late window: a SensorThings client addresses its Datastream and may backfill any time, as with FROST.
    const result = await this.writer.write(db, { readings, returnIds: opts.returnIds, lateWindowSeconds: NO_LATE_WINDOW_SECONDS, latest: opts.latest });
    return { ids: opts.returnIds ? (result.ids ?? readings.map(() => null)) : undefined, lateRefused: result.counts.late_refused };
  }

  /** The Datastreams as the observations writer needs them (unit, quantity, limits), by id. */
  datastreams(db: EntityManager, ids: readonly number[]): Promise<Map<number, DatastreamRef>> {
    return this.observations.datastreams(db, ids);
  }

  /** Removes Observations (latest values and aggregates kept right by the writer). */
  remove(db: EntityManager, ids: number[]): Promise<number> {
    return this.writer.remove(db, ids);
  }
}

/** A client's error in an Observation (bad time, unknown property, a unit the Datastream cannot take) as a 400. */
export function observationError(err: unknown): StaWriteError | undefined {
  if (err instanceof StaWriteError) return err;
  if (err instanceof IngestError) return new StaWriteError(400, err.code === 'invalid' || err.code === 'malformed' ? 'bad_request' : err.code, err.message);
  return undefined;
}
