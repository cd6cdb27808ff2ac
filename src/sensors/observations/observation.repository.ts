import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EntityManager } from 'typeorm';
import { transactionClient } from '../../database/pg-client';
import type { QuantityKey } from '../readings';
import { limitsFor, type Limits } from './plausibility';
import { isKnownQuantity, type UnitInput } from './units';

/** A datastream as the writer needs it. */
export interface DatastreamRef {
  id: number;
  quantity: QuantityKey;
  /** The unit the datastream was declared with (its SensorThings unitOfMeasurement, or a string). */
  unit: UnitInput;
  /** Plausible range in the canonical unit; absent: the quantity's defaults and the source's `config.limits`. */
  limits?: Limits;
  /** Seconds between readings, for counts whose readings carry no end time. */
  intervalSeconds?: number | null;
}

/** One row staged for the merge, in COPY text order (see STAGE_COLUMNS). */
export interface StagedRow {
  datastreamId: number;
  time: Date;
  end: Date | null;
  result: number | null;
  resultJson: string | null;
  resultTime: Date | null;
  quality: string;
  qualityReason: string | null;
  parameters: string | null;
  featureOfInterestId: number | null;
  /** The Observation id, once known (drawn before a COPY, or looked up after a merge). */
  id?: number;
}

const STAGE = 'pg_temp.sensor_observation_stage';
const STAGE_COLUMNS = 'datastream_id, phenomenon_time, phenomenon_time_end, result, result_json, result_time, quality, quality_reason, parameters, feature_of_interest_id';
/** A stored value counts as changed when any of these differs (quality_reason, result_time, parameters do not). */
const DIFFERS = `(o.result, o.result_json, o.quality, o.phenomenon_time_end) IS DISTINCT FROM (s.result, s.result_json, s.quality, s.phenomenon_time_end)`;

/** COPY text: backslash, tab, newline and carriage return escaped; null as \N. */
function copyText(v: string | null): string {
  if (v === null) return '\\N';
  return v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
const copyTime = (d: Date | null): string => (d === null ? '\\N' : d.toISOString());
const copyNum = (n: number | null): string => (n === null ? '\\N' : String(n));

/** The columns of a row as insertReturning sends them: an array each, of the type named. */
const UNNEST_COLUMNS: readonly { column: string; type: string; always?: true; value: (r: StagedRow) => unknown }[] = [
  { column: 'datastream_id', type: 'bigint', always: true, value: (r) => r.datastreamId },
  { column: 'phenomenon_time', type: 'timestamptz', always: true, value: (r) => r.time.toISOString() },
  { column: 'quality', type: 'text', always: true, value: (r) => r.quality },
  { column: 'phenomenon_time_end', type: 'timestamptz', value: (r) => r.end?.toISOString() ?? null },
  { column: 'result', type: 'float8', value: (r) => r.result },
  { column: 'result_json', type: 'jsonb', value: (r) => r.resultJson },
  { column: 'result_time', type: 'timestamptz', value: (r) => r.resultTime?.toISOString() ?? null },
  { column: 'quality_reason', type: 'text', value: (r) => r.qualityReason },
  { column: 'parameters', type: 'jsonb', value: (r) => r.parameters },
  { column: 'feature_of_interest_id', type: 'bigint', value: (r) => r.featureOfInterestId },
];

/** The columns of STAGE_COLUMNS a row may leave empty, with how a row's value is written. */
const OPTIONAL_COLUMNS: readonly { column: string; text: (r: StagedRow) => string; empty: (r: StagedRow) => boolean }[] = [
  { column: 'phenomenon_time_end', text: (r) => copyTime(r.end), empty: (r) => r.end === null },
  { column: 'result', text: (r) => copyNum(r.result), empty: (r) => r.result === null },
  { column: 'result_json', text: (r) => copyText(r.resultJson), empty: (r) => r.resultJson === null },
  { column: 'result_time', text: (r) => copyTime(r.resultTime), empty: (r) => r.resultTime === null },
  { column: 'quality_reason', text: (r) => copyText(r.qualityReason), empty: (r) => r.qualityReason === null },
  { column: 'parameters', text: (r) => copyText(r.parameters), empty: (r) => r.parameters === null },
  { column: 'feature_of_interest_id', text: (r) => copyNum(r.featureOfInterestId), empty: (r) => r.featureOfInterestId === null },
];

/**
 * The columns a COPY of `rows` needs: key, quality and batch always, each optional one only when some row has a value
 * (a live feed's readings have a time and a value: PostgreSQL parses 5 fields a line instead of 12).
 */
function copyColumns(rows: readonly StagedRow[], withId: boolean): { list: string; optional: typeof OPTIONAL_COLUMNS } {
  const optional = OPTIONAL_COLUMNS.filter((c) => rows.some((r) => !c.empty(r)));
  return { list: [...(withId ? ['id'] : []), 'datastream_id', 'phenomenon_time', 'quality', ...optional.map((c) => c.column), 'batch_id'].join(', '), optional };
}

/**
 * The rows as COPY text, in the order copyColumns names, in chunks of about 64 kB; `batch` is the batch_id column's
 * text; with `ids`, each line starts with its row's id.
 */
function* copyChunks(rows: readonly StagedRow[], optional: typeof OPTIONAL_COLUMNS, batch: string, ids?: readonly number[]): Generator<string> {
  let chunk = '';
  // Readings of many datastreams share a few instants: each instant's text is made once.
  const iso = new Map<number, string>();
  const [end, result] = [optional.indexOf(OPTIONAL_COLUMNS[0]), optional.indexOf(OPTIONAL_COLUMNS[1])];
  const plain = optional.length === (end >= 0 ? 1 : 0) + (result >= 0 ? 1 : 0);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (ids) chunk += `${ids[k]}\t`;
    const ms = r.time.getTime();
    let time = iso.get(ms);
    if (time === undefined) {
      time = r.time.toISOString();
      if (iso.size < 4096) iso.set(ms, time);
    }
    chunk += `${r.datastreamId}\t${time}\t${r.quality}\t`;
    // The common lines (a value, perhaps an interval end) without a call per column.
    if (plain) chunk += `${end >= 0 ? `${copyTime(r.end)}\t` : ''}${result >= 0 ? `${copyNum(r.result)}\t` : ''}`;
    else for (const c of optional) chunk += `${c.text(r)}\t`;
    chunk += `${batch}\n`;
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** The rows as COPY text in STAGE_COLUMNS order (the stage table has every column). */
function* stageChunks(rows: readonly StagedRow[]): Generator<string> {
  let chunk = '';
  for (const r of rows) {
    chunk += `${r.datastreamId}\t${r.time.toISOString()}\t${copyTime(r.end)}\t${copyNum(r.result)}\t${copyText(r.resultJson)}\t${copyTime(r.resultTime)}\t${r.quality}\t${copyText(r.qualityReason)}\t${copyText(r.parameters)}\t${copyNum(r.featureOfInterestId)}\n`;
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/**
 * What the writer reads of a source's config (sentinels, late window, limits), not the whole config: a push source's
 * `stations` list is sent along with every row of every datastream otherwise (1,000 rows of 100 KB for each pushed
 * batch of a source with 1,000 datastreams, all parsed as JSON, about 2 s of CPU per batch). Evaluated once per
 * source (a MATERIALIZED CTE in the queries below), never once per datastream: unpacking the big config for each of
 * 1,000 datastreams cost PostgreSQL 25 ms per query.
 */
const WRITER_SETTINGS = `(SELECT COALESCE(jsonb_object_agg(e.key, e.value), '{}'::jsonb) FROM jsonb_each(s.config) e WHERE e.key IN ('sentinels', 'late_window_days', 'limits'))`;

/**
 * Runs `fn` with hash and merge joins off (then as before): the batch's keys meet sensor_observation by index lookups.
 * A fresh partition has no statistics yet, and the planner, guessing, may hash the whole partition instead (150 ms
 * at 200,000 rows, growing with the table) to find a thousand keys.
 */
async function byIndexLookups<T>(client: PoolClient, fn: () => Promise<T>): Promise<T> {
  const { rows } = await client.query<{ h: string; m: string }>(
    `SELECT current_setting('enable_hashjoin') AS h, current_setting('enable_mergejoin') AS m, set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`,
  );
  // On failure the transaction is aborted and the settings go with its rollback; restoring would only mask the error.
  const result = await fn();
  await client.query(`SELECT set_config('enable_hashjoin', $1, true), set_config('enable_mergejoin', $2, true)`, [rows[0].h, rows[0].m]);
  return result;
}

/**
 * Every query on the observation tables (sensor_observation and its partitions, sensor_observation_revision,
 * sensor_latest, sensor_aggregate_pending). Writes run on the caller's transaction connection: a batch of new keys is
 * COPYed straight into sensor_observation (copyNew), any other into a temporary table that empties itself at commit,
 * then merged with a few set-based statements (insertNew, revise).
 */
@Injectable()
export class ObservationRepository {
  /** A source's settings (`config` of sensor_source); null if there is no such source. */
  async sourceConfig(db: EntityManager, sourceId: string): Promise<Record<string, unknown> | null> {
    const rows: { config: Record<string, unknown> }[] = await db.query(`SELECT ${WRITER_SETTINGS} AS config FROM sensor_source s WHERE s.id = $1`, [sourceId]);
    return rows[0]?.config ?? null;
  }

  /** Datastreams by id with what the writer needs; limits from their properties and their source's config. */
  async datastreams(db: EntityManager, ids: readonly number[]): Promise<Map<number, DatastreamRef>> {
    const rows: DatastreamRow[] = await db.query(
      `WITH d AS (SELECT d.id, d.quantity, d.unit_of_measurement, d.properties, d.interval_seconds, t.source_id
                   FROM sensor_datastream d JOIN sensor_thing t ON t.id = d.thing_id WHERE d.id = ANY($1::bigint[])),
            src AS MATERIALIZED (SELECT s.id, ${WRITER_SETTINGS} AS config FROM sensor_source s WHERE s.id IN (SELECT source_id FROM d))
       SELECT d.id, d.quantity, d.unit_of_measurement, d.properties, d.interval_seconds, src.config AS source_config
         FROM d LEFT JOIN src ON src.id = d.source_id`,
      [ids],
    );
    return new Map(rows.map((r) => [Number(r.id), toRef(r)]));
  }

  /** The datastreams of a source by the source's keys of station and series (sensor_thing/sensor_datastream.source_key). */
  async datastreamsByKey(db: EntityManager, sourceId: string): Promise<Map<string, DatastreamRef>> {
    const rows: (DatastreamRow & { station: string; stream: string })[] = await db.query(
      `WITH src AS MATERIALIZED (SELECT ${WRITER_SETTINGS} AS config FROM sensor_source s WHERE s.id = $1)
       SELECT d.id, d.quantity, d.unit_of_measurement, d.properties, d.interval_seconds, src.config AS source_config, t.source_key AS station, d.source_key AS stream
         FROM src, sensor_thing t JOIN sensor_datastream d ON d.thing_id = t.id
        WHERE t.source_id = $1 AND t.source_key IS NOT NULL AND d.source_key IS NOT NULL`,
      [sourceId],
    );
    return new Map(rows.map((r) => [streamKey(r.station, r.stream), toRef(r)]));
  }

  /** The newest stored phenomenon time of each datastream of a source, by the source's keys (streamKey): where a poll resumes. */
  async latestBySourceKey(db: EntityManager, sourceId: string): Promise<Map<string, Date>> {
    const rows: { station: string; stream: string; t: Date }[] = await db.query(
      `SELECT t.source_key AS station, d.source_key AS stream, l.phenomenon_time AS t
         FROM sensor_latest l JOIN sensor_datastream d ON d.id = l.datastream_id JOIN sensor_thing t ON t.id = d.thing_id
        WHERE t.source_id = $1 AND t.source_key IS NOT NULL AND d.source_key IS NOT NULL`,
      [sourceId],
    );
    return new Map(rows.map((r) => [streamKey(r.station, r.stream), new Date(r.t)]));
  }

  /** The newest stored phenomenon time of each datastream (epoch milliseconds). */
  async latestTimes(client: PoolClient, ids: readonly number[]): Promise<Map<number, number>> {
    const { rows } = await client.query<{ id: number; ms: number }>(
      `SELECT datastream_id AS id, extract(epoch FROM phenomenon_time) * 1000 AS ms FROM sensor_latest WHERE datastream_id = ANY($1::bigint[])`,
      [ids],
    );
    return new Map(rows.map((r) => [Number(r.id), Number(r.ms)]));
  }

  /** The caller's transaction connection (the writer works on it so its temporary table and COPY belong to the transaction). */
  client(db: EntityManager): Promise<PoolClient> {
    return transactionClient(db);
  }

  /**
   * `n` new Observation ids from the table's sequence, in one round trip: rows COPYed with them need no lookup
   * afterwards to answer their ids (SensorThings, receive-updates). Under concurrent writers they may have gaps.
   */
  async allocateIds(client: PoolClient, n: number): Promise<number[]> {
    const { rows } = await client.query<{ ids: string }>(
      `SELECT string_agg(nextval('sensor_observation_id_seq')::text, ',') AS ids FROM generate_series(1, $1::int)`,
      [n],
    );
    return rows[0].ids.split(',').map(Number);
  }

  /** Puts the batch into the stage table. */
  async stage(client: PoolClient, rows: readonly StagedRow[]): Promise<void> {
    // Made on first use on a connection and kept (ON COMMIT DELETE ROWS empties it at every commit). Asked every time:
    // a table made in a transaction that rolled back went with it, so no memory of it on our side can be trusted.
    await client.query(`
      CREATE TEMPORARY TABLE IF NOT EXISTS sensor_observation_stage (
        datastream_id bigint NOT NULL, phenomenon_time timestamptz NOT NULL, phenomenon_time_end timestamptz,
        result double precision, result_json jsonb, result_time timestamptz, quality text NOT NULL, quality_reason text,
        parameters jsonb, feature_of_interest_id bigint
      ) ON COMMIT DELETE ROWS`);
    // Several writes in one transaction: each starts from an empty stage.
    await client.query(`DELETE FROM ${STAGE}`);
    await pipeline(Readable.from(stageChunks(rows)), client.query(copyFrom(`COPY ${STAGE} (${STAGE_COLUMNS}) FROM STDIN`)));
  }

  /**
   * The fast path for readings that are all newer than their datastream's latest (a live feed): COPY straight into
   * sensor_observation, inside a savepoint. Answers false, with nothing written, when a key existed after all (a row
   * written around the latest, or by a concurrent writer): the caller then merges.
   */
  async copyNew(client: PoolClient, rows: readonly StagedRow[], batchId: number | null, ids?: readonly (number | undefined)[]): Promise<boolean> {
    // Rows given an id go in one COPY with the id column, the others in one taking the column's default.
    const given: StagedRow[] = [];
    const givenIds: number[] = [];
    const rest: StagedRow[] = [];
    if (ids) rows.forEach((r, k) => (ids[k] === undefined ? rest.push(r) : (given.push(r), givenIds.push(ids[k]!))));
    const batch = batchId === null ? '\\N' : String(batchId);
    const copy = async (part: readonly StagedRow[], partIds?: number[]): Promise<void> => {
      if (!part.length) return;
      const columns = copyColumns(part, partIds !== undefined);
      await pipeline(Readable.from(copyChunks(part, columns.optional, batch, partIds)), client.query(copyFrom(`COPY sensor_observation (${columns.list}) FROM STDIN`)));
    };
    await client.query('SAVEPOINT sensor_observation_copy');
    try {
      if (ids) {
        await copy(given, givenIds);
        await copy(rest);
      } else await copy(rows);
    } catch (err) {
      // 23505: a key existed; 40P01: a concurrent writer of the same keys (PostgreSQL picked this one to give way).
      const code = (err as { code?: string }).code;
      if (code !== '23505' && code !== '40P01') throw err;
      await client.query('ROLLBACK TO SAVEPOINT sensor_observation_copy');
      await client.query('RELEASE SAVEPOINT sensor_observation_copy');
      return false;
    }
    await client.query('RELEASE SAVEPOINT sensor_observation_copy');
    return true;
  }

  /**
   * Inserts rows whose keys are new, in one statement answering their ids by datastream and epoch ms; a row whose key
   * exists is left out (not answered) for the caller to merge. For a few rows, where a COPY's savepoint, id draw and
   * release would be round trips of their own. The same statement does bookkeep's work for the rows it inserted
   * (latest values, FeaturesOfInterest observed, hours pending), so a group of MQTT messages takes one round trip.
   */
  async insertReturning(client: PoolClient, rows: readonly StagedRow[], batchId: number | null): Promise<Map<number, Map<number, number>>> {
    const sorted = [...rows].sort((a, b) => a.datastreamId - b.datastreamId || a.time.getTime() - b.time.getTime());
    // Key, quality and the columns some row fills, as for a COPY: a live reading sends 4 arrays, not 10 (mostly nulls).
    const columns = UNNEST_COLUMNS.filter((c) => c.always || sorted.some((r) => c.value(r) !== null));
    const params: unknown[] = columns.map((c) => sorted.map(c.value));
    params.push(batchId);
    const { rows: got } = await client.query<{ id: string; ds: string; ms: string }>(
      `WITH ins AS (
         INSERT INTO sensor_observation (${columns.map((c) => c.column).join(', ')}, batch_id)
         SELECT *, $${params.length}::bigint FROM unnest(${columns.map((c, k) => `$${k + 1}::${c.type}[]`).join(', ')})
         ON CONFLICT (datastream_id, phenomenon_time) DO NOTHING
         RETURNING id, datastream_id, phenomenon_time, phenomenon_time_end, result, result_json, quality, feature_of_interest_id, received_at),
       latest AS (
         INSERT INTO sensor_latest (datastream_id, observation_id, phenomenon_time, phenomenon_time_end, result, result_json, quality, received_at)
         SELECT * FROM (SELECT DISTINCT ON (datastream_id) datastream_id, id, phenomenon_time, phenomenon_time_end, result, result_json, quality, received_at
                          FROM ins ORDER BY datastream_id, phenomenon_time DESC) n ORDER BY datastream_id
         ON CONFLICT (datastream_id) DO UPDATE
            SET observation_id = EXCLUDED.observation_id, phenomenon_time = EXCLUDED.phenomenon_time, phenomenon_time_end = EXCLUDED.phenomenon_time_end,
                result = EXCLUDED.result, result_json = EXCLUDED.result_json, quality = EXCLUDED.quality, received_at = EXCLUDED.received_at
          WHERE sensor_latest.phenomenon_time < EXCLUDED.phenomenon_time),
       uses AS (
         INSERT INTO sensor_feature_use (feature_of_interest_id, datastream_id)
         SELECT DISTINCT feature_of_interest_id, datastream_id FROM ins WHERE feature_of_interest_id IS NOT NULL ORDER BY 1, 2 ON CONFLICT DO NOTHING),
       pending AS (
         INSERT INTO sensor_aggregate_pending (datastream_id, hour)
         SELECT DISTINCT datastream_id, date_trunc('hour', phenomenon_time, 'UTC') FROM ins ORDER BY 1, 2 ON CONFLICT DO NOTHING)
       SELECT id, datastream_id AS ds, (extract(epoch FROM phenomenon_time) * 1000)::bigint AS ms FROM ins`,
      params,
    );
    const out = new Map<number, Map<number, number>>();
    for (const g of got) {
      const ds = Number(g.ds);
      let m = out.get(ds);
      if (!m) out.set(ds, (m = new Map()));
      m.set(Number(g.ms), Number(g.id));
    }
    return out;
  }

  /** Inserts the staged readings whose key is new; answers how many. Keys in ascending order, so concurrent writers lock alike. */
  async insertNew(client: PoolClient, batchId: number | null): Promise<number> {
    const { rowCount } = await client.query(
      `INSERT INTO sensor_observation (${STAGE_COLUMNS}, batch_id)
       SELECT ${STAGE_COLUMNS}, $1::bigint FROM ${STAGE} ORDER BY datastream_id, phenomenon_time
       ON CONFLICT (datastream_id, phenomenon_time) DO NOTHING`,
      [batchId],
    );
    return rowCount ?? 0;
  }

  /**
   * Staged readings whose stored value differs: the old value goes to the revision log, then the row is updated.
   * The rows are locked first (FOR UPDATE), so what the log keeps is exactly what the update replaced, whatever
   * another writer does meanwhile. Answers how many readings were revised.
   */
  async revise(client: PoolClient, batchId: number | null): Promise<number> {
    return byIndexLookups(client, () => this.reviseNow(client, batchId));
  }

  private async reviseNow(client: PoolClient, batchId: number | null): Promise<number> {
    await client.query(
      `INSERT INTO sensor_observation_revision
              (datastream_id, phenomenon_time, old_result, old_result_json, old_quality, old_batch_id, new_result, new_result_json, new_quality, batch_id)
       SELECT o.datastream_id, o.phenomenon_time, o.result, o.result_json, o.quality, o.batch_id, s.result, s.result_json, s.quality, $1::bigint
         FROM ${STAGE} s JOIN sensor_observation o ON o.datastream_id = s.datastream_id AND o.phenomenon_time = s.phenomenon_time
        WHERE ${DIFFERS}
        ORDER BY o.datastream_id, o.phenomenon_time
          FOR UPDATE OF o`,
      [batchId],
    );
    const { rowCount } = await client.query(
      `UPDATE sensor_observation o
          SET result = s.result, result_json = s.result_json, quality = s.quality, quality_reason = s.quality_reason,
              phenomenon_time_end = s.phenomenon_time_end, result_time = s.result_time, parameters = s.parameters,
              feature_of_interest_id = COALESCE(s.feature_of_interest_id, o.feature_of_interest_id), received_at = now(), batch_id = $1::bigint
         FROM ${STAGE} s
        WHERE o.datastream_id = s.datastream_id AND o.phenomenon_time = s.phenomenon_time AND ${DIFFERS}`,
      [batchId],
    );
    return rowCount ?? 0;
  }

  /**
   * The bookkeeping after a batch's rows are stored, in one statement (one round trip, not four):
   *  - the latest values, moved forward only, to the batch's newest reading of each datastream: from the batch itself
   *    where that row's id is known (`direct`), else looked up among the stored rows (`lookup`; also when the stored
   *    latest reading itself was revised);
   *  - which Datastreams observed which FeaturesOfInterest (sensor_feature_use);
   *  - the (datastream, UTC hour) pairs pending for the aggregate job (aggregates.ts).
   * Every list in ascending key order, so concurrent writers lock alike.
   */
  async bookkeep(client: PoolClient, b: {
    direct: readonly { row: StagedRow; id: number }[];
    lookup: { ids: readonly number[]; times: readonly Date[] };
    uses: { features: readonly number[]; datastreams: readonly number[] };
    pending: { ids: readonly number[]; hours: readonly Date[] };
  }): Promise<void> {
    const params: unknown[] = [];
    const p = (v: unknown, type: string): string => `$${params.push(v)}::${type}`;
    const parts: string[] = [];
    const UPSERT = `ON CONFLICT (datastream_id) DO UPDATE
          SET observation_id = EXCLUDED.observation_id, phenomenon_time = EXCLUDED.phenomenon_time, phenomenon_time_end = EXCLUDED.phenomenon_time_end,
              result = EXCLUDED.result, result_json = EXCLUDED.result_json, quality = EXCLUDED.quality, received_at = EXCLUDED.received_at
        WHERE sensor_latest.phenomenon_time < EXCLUDED.phenomenon_time`;
    if (b.direct.length) {
      const d = [...b.direct].sort((x, y) => x.row.datastreamId - y.row.datastreamId);
      parts.push(`direct AS (INSERT INTO sensor_latest (datastream_id, observation_id, phenomenon_time, phenomenon_time_end, result, result_json, quality, received_at)
       SELECT n.datastream_id, n.id, n.t, n.t_end, n.result, n.result_json, n.quality, now()
         FROM unnest(${p(d.map((l) => l.row.datastreamId), 'bigint[]')}, ${p(d.map((l) => l.id), 'bigint[]')}, ${p(d.map((l) => l.row.time.toISOString()), 'timestamptz[]')},
                     ${p(d.map((l) => l.row.end?.toISOString() ?? null), 'timestamptz[]')}, ${p(d.map((l) => l.row.result), 'float8[]')}, ${p(d.map((l) => l.row.resultJson), 'jsonb[]')},
                     ${p(d.map((l) => l.row.quality), 'text[]')}) AS n(datastream_id, id, t, t_end, result, result_json, quality)
       ${UPSERT})`);
    }
    if (b.lookup.ids.length) {
      // OFFSET 0 keeps the subquery a lookup per key by the primary key (never a join over a whole partition).
      parts.push(`lookup AS (INSERT INTO sensor_latest (datastream_id, observation_id, phenomenon_time, phenomenon_time_end, result, result_json, quality, received_at)
       SELECT o.datastream_id, o.id, o.phenomenon_time, o.phenomenon_time_end, o.result, o.result_json, o.quality, o.received_at
         FROM unnest(${p(b.lookup.ids, 'bigint[]')}, ${p(b.lookup.times.map((t) => t.toISOString()), 'timestamptz[]')}) AS n(datastream_id, t)
         CROSS JOIN LATERAL (SELECT * FROM sensor_observation x WHERE x.datastream_id = n.datastream_id AND x.phenomenon_time = n.t OFFSET 0) o
        ORDER BY o.datastream_id
       ${UPSERT}
           OR (sensor_latest.phenomenon_time = EXCLUDED.phenomenon_time
               AND (sensor_latest.result, sensor_latest.result_json, sensor_latest.quality, sensor_latest.phenomenon_time_end)
                   IS DISTINCT FROM (EXCLUDED.result, EXCLUDED.result_json, EXCLUDED.quality, EXCLUDED.phenomenon_time_end)))`);
    }
    if (b.uses.features.length) {
      parts.push(`uses AS (INSERT INTO sensor_feature_use (feature_of_interest_id, datastream_id)
       SELECT * FROM unnest(${p(b.uses.features, 'bigint[]')}, ${p(b.uses.datastreams, 'bigint[]')}) ON CONFLICT DO NOTHING)`);
    }
    if (b.pending.ids.length) {
      parts.push(`pending AS (INSERT INTO sensor_aggregate_pending (datastream_id, hour)
       SELECT * FROM unnest(${p(b.pending.ids, 'bigint[]')}, ${p(b.pending.hours.map((t) => t.toISOString()), 'timestamptz[]')}) ON CONFLICT DO NOTHING)`);
    }
    if (parts.length) await client.query(`WITH ${parts.join(',\n')} SELECT 1`, params);
  }

  /**
   * Deletes observations by id (SensorThings DELETE): their hours are noted for the aggregates, and a datastream
   * whose latest reading went gets its newest remaining one (or none). Answers how many were deleted.
   */
  async deleteByIds(db: EntityManager, ids: readonly number[]): Promise<number> {
    const gone: { datastream_id: number; n: number }[] = await db.query(
      `WITH gone AS (DELETE FROM sensor_observation WHERE id = ANY($1::bigint[]) RETURNING datastream_id, phenomenon_time),
            pending AS (INSERT INTO sensor_aggregate_pending (datastream_id, hour)
                        SELECT DISTINCT datastream_id, date_trunc('hour', phenomenon_time, 'UTC') FROM gone ORDER BY 1, 2 ON CONFLICT DO NOTHING)
       SELECT datastream_id, count(*)::int AS n FROM gone GROUP BY datastream_id ORDER BY datastream_id`,
      [ids],
    );
    if (gone.length === 0) return 0;
    const streams = gone.map((g) => Number(g.datastream_id));
    await db.query(
      `DELETE FROM sensor_latest l WHERE l.datastream_id = ANY($1::bigint[])
          AND NOT EXISTS (SELECT 1 FROM sensor_observation o WHERE o.datastream_id = l.datastream_id AND o.phenomenon_time = l.phenomenon_time)`,
      [streams],
    );
    await db.query(
      `INSERT INTO sensor_latest (datastream_id, observation_id, phenomenon_time, phenomenon_time_end, result, result_json, quality, received_at)
       SELECT o.datastream_id, o.id, o.phenomenon_time, o.phenomenon_time_end, o.result, o.result_json, o.quality, o.received_at
         FROM unnest($1::bigint[]) AS d(id)
         CROSS JOIN LATERAL (SELECT * FROM sensor_observation x WHERE x.datastream_id = d.id ORDER BY x.phenomenon_time DESC LIMIT 1) o
       ON CONFLICT (datastream_id) DO NOTHING`,
      [streams],
    );
    return gone.reduce((n, g) => n + g.n, 0);
  }

  /** The Observation ids (`@iot.id`) of these keys, by "datastream|epoch ms" (for SensorThings' answers). */
  async idsOf(client: PoolClient, ids: readonly number[], times: readonly Date[]): Promise<Map<string, number>> {
    const { rows } = await byIndexLookups(client, () => client.query<{ ds: number; ms: number; id: number }>(
      `SELECT o.datastream_id AS ds, extract(epoch FROM o.phenomenon_time) * 1000 AS ms, o.id
         FROM unnest($1::bigint[], $2::timestamptz[]) AS k(datastream_id, t)
         CROSS JOIN LATERAL (SELECT * FROM sensor_observation x WHERE x.datastream_id = k.datastream_id AND x.phenomenon_time = k.t) o`,
      [ids, times.map((t) => t.toISOString())],
    ));
    return new Map(rows.map((r) => [`${Number(r.ds)}|${Math.round(Number(r.ms))}`, Number(r.id)]));
  }

}

interface DatastreamRow {
  id: number;
  quantity: string;
  unit_of_measurement: UnitInput;
  properties: Record<string, unknown> | null;
  interval_seconds: number | null;
  source_config: Record<string, unknown> | null;
}

function toRef(r: DatastreamRow): DatastreamRef {
  const quantity: QuantityKey = isKnownQuantity(r.quantity) ? r.quantity : 'other';
  return {
    id: Number(r.id),
    quantity,
    unit: r.unit_of_measurement,
    limits: limitsFor(quantity, r.properties, r.source_config),
    intervalSeconds: r.interval_seconds,
  };
}

/** The key of a source's series: station and stream as the source names them. */
export const streamKey = (station: string, stream: string): string => `${station}\u0000${stream}`;
