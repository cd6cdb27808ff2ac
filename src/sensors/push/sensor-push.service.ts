import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { DataError, NotAuthorized, NotFound, ValidationError } from '../../api/errors';
import { WriteHooks } from '../../api/write-hooks';
import { Authz } from '../../auth/authz';
import { SensorCatalog } from '../catalog/sensor-catalog.service';
import type { PushConfig, PushStationConfig } from '../catalog/sensor-source-config';
import { SensorSourceRepository, type SourceRow } from '../catalog/sensor-source.repository';
import { bodyHash, IngestBatchRepository } from '../observations/ingest-batch.repository';
import { ObservationWriter } from '../observations/observation-writer';
import { ObservationUpdates } from '../live/observation-updates';
import { ObservationRepository, streamKey, type DatastreamRef } from '../observations/observation.repository';
import { countsOf } from '../pollers/poll-writer';
import { IngestError, type StationInfo } from '../readings';
import { parsePush, type PushFormat } from './push-parse';

/** The spec's recommendation (specs/sensors.md §5.2): batches of at most 10,000 rows, unless the source sets `max_rows`. */
export const DEFAULT_MAX_ROWS = 10_000;
/** Warnings listed in an answer; the counts say how many readings were skipped or refused. */
const MAX_ANSWER_WARNINGS = 100;

/** A batch with more readings than its source allows: answered 413, nothing stored. */
export class TooManyRows extends Error {
  constructor(
    readonly rows: number,
    readonly max: number,
  ) {
    super(`Der Batch hat ${rows} Messwerte, erlaubt sind höchstens ${max} je Batch (max_rows der Quelle); bitte aufteilen.`);
    this.name = 'TooManyRows';
  }
}

export interface PushInput {
  /** The source's id or name. */
  source: string;
  /** `json` or `csv`; unset: the source's `format`. */
  format?: PushFormat;
  body: Buffer;
  /** The body already parsed as JSON (the controller reads it to tell the action form from a raw batch): not parsed again. */
  json?: { value: unknown };
  /** The Idempotency-Key (header, or `batch_id`); unset: the JSON batch's own `batch_id`, else none. */
  key?: string;
}

export interface PushAnswer {
  status: number;
  body: unknown;
  /** This answer is the stored answer of an earlier push with the same key and body. */
  replayed: boolean;
}

const ingestData = (err: IngestError): DataError => new DataError(err.message, { code: err.code, ...(err.at ? { at: err.at } : {}) });

/**
 * HTTP push of a `push` source's batches (JSON or CSV under the source's dialect and mapping): checked, parsed whole,
 * then written by the one observations writer in one transaction together with its Idempotency-Key and its answer, so
 * the answer is given only after the commit and a replay with the same body gets exactly that answer again.
 */
@Injectable()
export class SensorPushService {
  constructor(
    private readonly sources: SensorSourceRepository,
    private readonly authz: Authz,
    private readonly catalog: SensorCatalog,
    private readonly writer: ObservationWriter,
    private readonly batches: IngestBatchRepository,
    private readonly observations: ObservationRepository,
    private readonly updates: ObservationUpdates,
    private readonly writeHooks: WriteHooks,
  ) {}

  async push(ctx: ActionContext, input: PushInput): Promise<PushAnswer> {
    if (!ctx.user) throw new NotAuthorized('Action sensor_push requires an authenticated user');
    const s = await this.sources.find(ctx.db, input.source);
    if (!s) throw new NotFound('Sensor source not found');
    if (!ctx.user.sysadmin && !(await this.authz.can(ctx, s.owner_org, 'update_dataset'))) {
      throw new NotAuthorized(`User ${ctx.user.name} not authorized to push to sensor source ${s.name}`);
    }
    if (s.type !== 'push') throw new ValidationError({ source: [`Only push sources take pushed batches; ${s.name} is a ${s.type} source`] });
    if (s.state !== 'active') throw new ValidationError({ source: [`The source ${s.name} is paused`] });
    const cfg = s.config as unknown as PushConfig;

    let parsed;
    try {
      parsed = parsePush(input.body, input.format ?? cfg.format, cfg, input.json);
    } catch (err) {
      throw err instanceof IngestError ? await this.refused(ctx, s, err) : err;
    }
    const max = cfg.max_rows ?? DEFAULT_MAX_ROWS;
    if (parsed.readings.length > max) throw new TooManyRows(parsed.readings.length, max);
    const known = await this.ensureStations(ctx, s, cfg.stations ?? []);

    const key = input.key ?? parsed.batchId;
    const hash = bodyHash(input.body);
    let answer: PushAnswer;
    try {
      answer = await ctx.forRun().transaction(async (tx) => {
        let batchId: number;
        if (key) {
          const begun = await this.batches.begin(tx.db, s.id, key, hash);
          if (begun.kind === 'replay') return { status: begun.status, body: begun.response, replayed: true };
          if (begun.kind === 'conflict') throw new ValidationError({ 'Idempotency-Key': [`The key ${key} was used for another body of this source`] });
          // Stored without an answer: cannot happen while key, readings and answer commit together; refused rather than written twice.
          if (begun.kind === 'pending') throw new ValidationError({ 'Idempotency-Key': [`The batch with key ${key} has no answer stored; send it with a new key`] });
          batchId = begun.batchId;
        } else {
          batchId = await this.batches.open(tx.db, s.id);
        }
        const { readings, warnings } = await this.writer.resolve(tx.db, s.id, parsed, known);
        const written = await this.writer.write(tx.db, { sourceId: s.id, batchId, readings, returnIds: this.updates.wanted() });
        // SensorThings receive-updates: the batch's Observations, on MQTT once it is committed.
        this.updates.afterCommit(tx, written.ids ?? []);
        const all = [...warnings, ...written.warnings];
        const body = {
          source: s.name,
          batch: key ?? null,
          ...countsOf(written.counts),
          skipped: parsed.readings.length - readings.length,
          ...(parsed.assumedZone ? { assumed_time_zone: parsed.assumedZone } : {}),
          warnings: all.slice(0, MAX_ANSWER_WARNINGS),
        };
        await this.batches.finish(tx.db, batchId, 200, body, written.counts);
        // The raw HTTP route runs outside the dispatcher: its batch passes the write hooks (the audit trail) itself,
        // with a summary, never the readings. Under the dispatcher, the sensor_push action's own hooks run.
        if (!ctx.inTransaction) {
          const data = { source: input.source, format: input.format ?? cfg.format ?? null, idempotency_key: key ?? null, bytes: input.body.length, rows: parsed.readings.length };
          await this.writeHooks.run(tx, { action: 'sensor_push', data, input: data, result: { id: s.id, ...body }, outermost: true });
        }
        return { status: 200, body, replayed: false };
      });
    } catch (err) {
      throw err instanceof IngestError ? await this.refused(ctx, s, err) : err;
    }
    // After the commit, outside the batch's transaction (under the dispatcher, in its transaction: the action's).
    if (!answer.replayed) {
      const b = answer.body as Record<string, unknown>;
      const counts: Record<string, number> = { batches: 1 };
      for (const [k, v] of Object.entries(b)) if (typeof v === 'number' && k !== 'skipped') counts[k] = v;
      const warnings = Array.isArray(b.warnings) ? (b.warnings as { message?: string }[]) : [];
      if (warnings.length) counts.warnings = warnings.length;
      const shown = warnings.length ? { message: warnings[0].message ?? `${warnings.length} Hinweise`, count: warnings.length, warnings: warnings.slice(0, 50) } : null;
      await this.note(ctx, s, { counts, warnings: shown });
    }
    return answer;
  }

  /** A refused batch: noted on its source as last_error (a steward sees what senders get wrong), then answered 400. */
  private async refused(ctx: ActionContext, s: SourceRow, err: IngestError): Promise<DataError> {
    // Outside a transaction only: under the dispatcher the action's transaction rolls back with the refusal anyway.
    if (!ctx.inTransaction) await this.note(ctx, s, { error: { code: err.code, message: err.message, ...(err.at ? { at: err.at } : {}) } });
    return ingestData(err);
  }

  /**
   * The source's counts and last error are statistics: the batch is committed (or refused) whatever happens here, so a
   * failure to note it is logged, never answered as the batch's failure (outside a transaction; inside, it fails with it).
   */
  private async note(ctx: ActionContext, s: SourceRow, outcome: Parameters<SensorSourceRepository['recordPush']>[2]): Promise<void> {
    if (ctx.inTransaction) return this.sources.recordPush(ctx.db, s.id, outcome);
    try {
      await this.sources.recordPush(ctx.db, s.id, outcome);
    } catch (err) {
      ctx.log.warn({ err, source: s.id }, 'sensor_push: the outcome of a batch could not be noted on its source');
    }
  }

  /**
   * The configured stations whose datasets or series are not there yet are made (each in its own transaction);
   * answers the source's datastreams by key, for the batch's readings.
   */
  private async ensureStations(ctx: ActionContext, s: SourceRow, stations: PushStationConfig[]): Promise<Map<string, DatastreamRef>> {
    const known = await this.observations.datastreamsByKey(ctx.db, s.id);
    let made = false;
    for (const st of stations) {
      if (st.streams.every((x) => known.has(streamKey(st.key, x.key)))) continue;
      const station: StationInfo = {
        key: st.key, name: st.name ?? st.key, description: st.description,
        streams: st.streams.map((x) => ({ key: x.key, name: x.name ?? x.key, quantity: x.quantity, unit: x.unit, ...(x.interval_seconds ? { intervalSeconds: x.interval_seconds } : {}) })),
      };
      if (st.coordinates) station.location = { type: 'Point', coordinates: st.coordinates };
      await this.catalog.syncStation(ctx, { id: s.id, name: s.name, owner_org: s.owner_org, type: s.type, config: s.config }, station);
      made = true;
    }
    return made ? this.observations.datastreamsByKey(ctx.db, s.id) : known;
  }
}
