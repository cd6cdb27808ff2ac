import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import type { IngestWarning, ReadingBatch } from '../readings';
import { ObservationRepository, streamKey, type DatastreamRef, type StagedRow } from './observation.repository';
import { monthOf, PartitionManager } from './partitions';
import { DEFAULT_LATE_WINDOW_DAYS, nonNegative, prepareReading, readSentinels, type ResolvedReading, type UnitCache } from './reading-rules';

export type { ResolvedReading } from './reading-rules';
export { DEFAULT_LATE_WINDOW_DAYS, DEFAULT_SENTINELS } from './reading-rules';

export interface WriteInput {
  /** The source the readings came from: its `config.sentinels` and `config.late_window_days` apply. */
  sourceId?: string;
  /** The batch (sensor_ingest_batch.id) they came in, kept on every stored row. */
  batchId?: bigint | number;
  /** Overrides the source's late window (seconds); a backfill passes a large one. */
  lateWindowSeconds?: number;
  /**
   * The newest stored phenomenon time (epoch ms) of every datastream of the readings, read by the caller in this same
   * transaction (one round trip less); absent: the writer reads it.
   */
  latest?: Map<number, number>;
  readings: ResolvedReading[];
  /** Answer each stored reading's Observation id (SensorThings needs them for its answers). */
  returnIds?: boolean;
}

export interface WriteCounts {
  /** Readings handed in. */
  received: number;
  /** New keys stored. */
  inserted: number;
  /** Readings whose key was stored with the same value (result, result_json, quality, interval end): no-ops. */
  unchanged: number;
  /** Readings that replaced a different stored value (the old one is in sensor_observation_revision). */
  revised: number;
  /** Stored readings without a value (sentinel, empty), quality `missing`. */
  missing: number;
  /** Stored readings flagged `invalid` (out of range, or the source said so). */
  invalid: number;
  /** Readings older than the late window: not stored. */
  late_refused: number;
  /** Readings superseded by a later reading with the same key in the same batch (the last one wins). */
  duplicates: number;
}

export interface WriteResult {
  counts: WriteCounts;
  warnings: IngestWarning[];
  /** With `returnIds`: the Observation id of each input reading, by its index; null for a refused one. */
  ids?: (number | null)[];
}

/** Warnings listed one by one; beyond, one summary line (a poll of 10,000 stale readings need not say so 10,000 times). */
const MAX_WARNINGS = 100;
const HOUR_MS = 3_600_000;
/** Up to this many new rows go in by one INSERT answering their ids; more by COPY. */
const SMALL_BATCH = 1000;

/**
 * The one writer of observations: every ingestion path hands its readings here, so every path follows the same rules.
 *  1. Units: a reading's unit (or, when it names none, its datastream's) is converted to the quantity's canonical
 *     unit; a missing, unknown or incompatible unit refuses the whole batch (IngestError naming unit and datastream),
 *     before anything is written.
 *  2. Sentinels (the source's `config.sentinels`, default −777 and −999, compared with the value as sent) become
 *     value NULL, quality `missing`; a value outside the plausible range is kept as sent and flagged `invalid`.
 *  3. Late readings, older than the late window (the source's `config.late_window_days`, default 31) before the
 *     datastream's newest reading (stored or in this batch, but never later than now), are refused with a warning
 *     and not stored: a backfill beyond the window passes `lateWindowSeconds`.
 *  4. Several readings with one key in a batch: the last wins, the others are counted as `duplicates`.
 *  5. In the caller's transaction: readings newer than everything stored for their datastream (a live feed) go
 *     straight into sensor_observation (up to 1,000 by one INSERT, more by COPY); the others are COPYed into a
 *     temporary table and merged: new keys inserted, identical values left alone, changed values updated with the old
 *     value in the revision log. The latest value only moves forward; the touched hours are noted for the aggregates,
 *     the FeaturesOfInterest for their visibility (one statement). The caller commits (and only then says "accepted").
 * Partitions for the months the batch touches are made first, each in its own short transaction.
 */
@Injectable()
export class ObservationWriter {
  constructor(
    private readonly repo: ObservationRepository,
    private readonly partitions: PartitionManager,
  ) {}

  /**
   * Finds each reading's datastream by the source's keys (sensor_thing.source_key, sensor_datastream.source_key).
   * A reading of an unknown station or series is skipped with a warning, as the fixtures' README asks for DATEX II's
   * unknown sites: sensors are never made from measurements.
   */
  async resolve(db: EntityManager, sourceId: string, batch: ReadingBatch, known?: Map<string, DatastreamRef>): Promise<{ readings: ResolvedReading[]; warnings: IngestWarning[] }> {
    const streams = known ?? (await this.repo.datastreamsByKey(db, sourceId));
    const stations = new Set([...streams.keys()].map((k) => k.split('\u0000')[0]));
    const warnings = [...batch.warnings];
    const readings: ResolvedReading[] = [];
    const warned = new Set<string>();
    for (const r of batch.readings) {
      const datastream = streams.get(streamKey(r.station, r.stream));
      if (datastream) {
        // The batch's readings are the caller's to hand over: given their datastream in place, not copied.
        (r as ResolvedReading).datastream = datastream;
        readings.push(r as ResolvedReading);
        continue;
      }
      const known = stations.has(r.station);
      const key = `${r.station}\u0000${known ? r.stream : ''}`;
      if (warned.has(key)) continue;
      warned.add(key);
      warnings.push(known
        ? { code: 'unknown_stream', message: `station ${r.station} has no series ${r.stream}; its readings are skipped`, at: r.at, station: r.station, stream: r.stream }
        : { code: 'unknown_station', message: `unknown station ${r.station}; its readings are skipped`, at: r.at, station: r.station });
    }
    return { readings, warnings };
  }

  async write(db: EntityManager, input: WriteInput): Promise<WriteResult> {
    const counts: WriteCounts = { received: input.readings.length, inserted: 0, unchanged: 0, revised: 0, missing: 0, invalid: 0, late_refused: 0, duplicates: 0 };
    const warnings: IngestWarning[] = [];
    const config = input.sourceId ? await this.repo.sourceConfig(db, input.sourceId) : null;
    const sentinels = new Set(readSentinels(config?.sentinels));
    const lateWindowMs = 1000 * (input.lateWindowSeconds ?? 86_400 * nonNegative(config?.late_window_days, DEFAULT_LATE_WINDOW_DAYS));

    // 1.-2. Units, sentinels, plausibility: pure, so a refused batch has touched nothing.
    const units = new Map<number, UnitCache>();
    const rows = input.readings.map((r) => prepareReading(r, sentinels, units, config));
    if (rows.length === 0) return { counts, warnings, ids: input.returnIds ? [] : undefined };

    const client = await this.repo.client(db);
    const stored = input.latest ?? (await this.repo.latestTimes(client, [...new Set(rows.map((r) => r.datastreamId))]));
    const keep = this.sieve(input.readings, rows, stored, lateWindowMs, counts, warnings);
    const accepted: StagedRow[] = [];
    for (const byTime of keep.values()) for (const k of byTime.values()) accepted.push(rows[k]);
    // Key order: concurrent writers of the same keys wait for each other in one order (no deadlock), and the index fills in order.
    accepted.sort((a, b) => a.datastreamId - b.datastreamId || a.time.getTime() - b.time.getTime());
    for (const row of accepted) {
      if (row.quality === 'missing') counts.missing++;
      else if (row.quality === 'invalid') counts.invalid++;
    }
    const batchId = input.batchId === undefined ? null : Number(input.batchId);
    const merged = accepted.length > 0 ? await this.merge(client, accepted, stored, batchId, counts, input.returnIds === true) : [];

    let ids: (number | null)[] | undefined;
    if (input.returnIds) {
      // Rows COPYed in came with their ids; only the merged ones are looked up.
      // Rows COPYed in came with their ids; only the merged ones are looked up.
      if (merged.length > 0) {
        const byKey = await this.repo.idsOf(client, merged.map((r) => r.datastreamId), merged.map((r) => r.time));
        for (const r of merged) r.id = byKey.get(`${r.datastreamId}|${r.time.getTime()}`);
      }
      // A superseded duplicate answers the id of the row its key holds; a late reading, null.
      ids = rows.map((row) => {
        const kept = keep.get(row.datastreamId)?.get(row.time.getTime());
        return kept === undefined ? null : (rows[kept].id ?? null);
      });
    }
    return { counts, warnings, ids };
  }

  /**
   * 3.-4. Drops late readings (with a warning) and all but the last reading of each key; answers the index of the
   * reading kept, by datastream and time. A datastream's reference is its newest reading, stored or in this batch,
   * but never later than now (so a clock far ahead cannot lock a datastream out).
   */
  private sieve(readings: ResolvedReading[], rows: StagedRow[], stored: Map<number, number>, lateWindowMs: number, counts: WriteCounts, warnings: IngestWarning[]): Map<number, Map<number, number>> {
    const newest = new Map<number, number>();
    for (const row of rows) {
      const t = row.time.getTime();
      if (t > (newest.get(row.datastreamId) ?? -Infinity)) newest.set(row.datastreamId, t);
    }
    const now = Date.now();
    const keep = new Map<number, Map<number, number>>();
    let unlisted = 0;
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k];
      const ds = row.datastreamId;
      const t = row.time.getTime();
      const reference = Math.min(now, Math.max(stored.get(ds) ?? -Infinity, newest.get(ds)!));
      if (t < reference - lateWindowMs) {
        counts.late_refused++;
        const r = readings[k];
        if (warnings.length >= MAX_WARNINGS) unlisted++;
        else warnings.push({
          code: 'late', at: r.at, station: r.station, stream: r.stream,
          message: `reading at ${row.time.toISOString()} of datastream ${ds} is older than the late window (${lateWindowMs / 86_400_000} days before ${new Date(reference).toISOString()}); not stored`,
        });
        continue;
      }
      let byTime = keep.get(ds);
      if (!byTime) keep.set(ds, (byTime = new Map()));
      if (byTime.has(t)) counts.duplicates++;
      byTime.set(t, k);
    }
    if (unlisted > 0) warnings.push({ code: 'late', message: `${unlisted} more readings older than the late window; not stored` });
    return keep;
  }

  /**
   * 5. Stores the accepted readings, moves the latest values, notes the hours for the aggregates. Rows stored straight
   * in get their ids (`id`: by the INSERT of a few rows, all of them; drawn before a COPY, all with `withIds`, else each
   * datastream's newest); answers the rows merged instead.
   */
  private async merge(client: PoolClient, accepted: StagedRow[], stored: Map<number, number>, batchId: number | null, counts: WriteCounts, withIds: boolean): Promise<StagedRow[]> {
    await this.partitions.ensure(monthsOf(accepted));
    // Readings newer than their datastream's latest (a live feed; a poll's all but its first) are stored straight in;
    // the rest, and those whose key existed after all, are merged.
    const newer = accepted.filter((r) => r.time.getTime() > (stored.get(r.datastreamId) ?? -Infinity));
    let rest = accepted;
    // Rows stored here (not merged) and known by id afterwards.
    let stored0: StagedRow[] = [];
    // The one INSERT did the bookkeeping of the rows it stored: what is left to book is the merged rows'.
    let booked = false;
    if (newer.length > 0 && newer.length <= SMALL_BATCH) {
      // A few rows (an MQTT group, a single POST): one INSERT answering the ids, rows whose key existed left to the merge.
      const got = await this.repo.insertReturning(client, newer, batchId);
      booked = true;
      for (const r of newer) {
        const id = got.get(r.datastreamId)?.get(r.time.getTime());
        if (id === undefined) continue;
        r.id = id;
        stored0.push(r);
      }
      counts.inserted = stored0.length;
      rest = stored0.length === accepted.length ? [] : accepted.filter((r) => r.id === undefined);
    } else if (newer.length > 0) {
      // Many rows: COPY, with ids drawn from the sequence first: all of them when the caller wants ids, else each
      // datastream's newest, whose id the latest value keeps (so it needs no lookup afterwards either).
      const newestAt = new Map<number, number>();
      newer.forEach((r, k) => {
        const at = newestAt.get(r.datastreamId);
        if (at === undefined || r.time > newer[at].time) newestAt.set(r.datastreamId, k);
      });
      const drawn = await this.repo.allocateIds(client, withIds ? newer.length : newestAt.size);
      let newIds: (number | undefined)[] = drawn;
      if (!withIds) {
        newIds = new Array<number | undefined>(newer.length);
        [...newestAt.values()].forEach((k, n) => (newIds[k] = drawn[n]));
      }
      if (await this.repo.copyNew(client, newer, batchId, newIds)) {
        newer.forEach((r, k) => (r.id = newIds[k]));
        stored0 = newer;
        counts.inserted = newer.length;
        rest = newer.length === accepted.length ? [] : accepted.filter((r) => r.time.getTime() <= (stored.get(r.datastreamId) ?? -Infinity));
      }
    }
    let mergedIn = 0;
    if (rest.length > 0) {
      await this.repo.stage(client, rest);
      mergedIn = await this.repo.insertNew(client, batchId);
      counts.inserted += mergedIn;
      // All new after all: nothing to compare.
      if (mergedIn < rest.length) counts.revised = await this.repo.revise(client, batchId);
    }
    counts.unchanged = accepted.length - counts.inserted - counts.revised;
    if ((booked ? mergedIn : counts.inserted) + counts.revised === 0) return rest;
    const toBook = booked ? rest : accepted;
    const newest = new Map<number, number>();
    const hours = new Map<number, Set<number>>();
    for (const r of toBook) {
      const t = r.time.getTime();
      if (t > (newest.get(r.datastreamId) ?? -Infinity)) newest.set(r.datastreamId, t);
      let h = hours.get(r.datastreamId);
      if (!h) hours.set(r.datastreamId, (h = new Set()));
      h.add(Math.floor(t / HOUR_MS) * HOUR_MS);
    }
    const ids = [...newest.keys()].sort((a, b) => a - b);
    // A datastream whose newest reading was stored here with a known id takes it from the batch; otherwise, by lookup.
    const newestKnown = new Map<number, StagedRow>();
    for (const r of booked ? [] : stored0) {
      if (r.id === undefined) continue;
      const was = newestKnown.get(r.datastreamId);
      if (!was || r.time > was.time) newestKnown.set(r.datastreamId, r);
    }
    const direct: { row: StagedRow; id: number }[] = [];
    const lookup: number[] = [];
    for (const id of ids) {
      const row = newestKnown.get(id);
      if (row && row.time.getTime() === newest.get(id)) direct.push({ row, id: row.id! });
      else lookup.push(id);
    }
    const uses = new Map<string, [number, number]>();
    for (const r of toBook) if (r.featureOfInterestId !== null) uses.set(`${r.featureOfInterestId}|${r.datastreamId}`, [r.featureOfInterestId, r.datastreamId]);
    const pairs = [...uses.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    const pendingIds: number[] = [];
    const pendingHours: Date[] = [];
    for (const id of ids) for (const h of [...hours.get(id)!].sort((x, y) => x - y)) {
      pendingIds.push(id);
      pendingHours.push(new Date(h));
    }
    await this.repo.bookkeep(client, {
      direct,
      lookup: { ids: lookup, times: lookup.map((id) => new Date(newest.get(id)!)) },
      uses: { features: pairs.map((x) => x[0]), datastreams: pairs.map((x) => x[1]) },
      pending: { ids: pendingIds, hours: pendingHours },
    });
    return rest;
  }

  /** Deletes observations by their ids (SensorThings DELETE), keeping the latest value and the aggregates right. */
  remove(db: EntityManager, observationIds: readonly number[]): Promise<number> {
    return this.repo.deleteByIds(db, observationIds);
  }
}

/** The UTC months of the rows ('YYYY-MM'), without a string per row. */
function monthsOf(rows: StagedRow[]): Set<string> {
  const seen = new Set<number>();
  const out = new Set<string>();
  for (const r of rows) {
    const m = r.time.getUTCFullYear() * 12 + r.time.getUTCMonth();
    if (!seen.has(m)) {
      seen.add(m);
      out.add(monthOf(r.time));
    }
  }
  return out;
}

