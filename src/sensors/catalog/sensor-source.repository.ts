import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUuid } from '../../api/ckan-schema';
import type { SourceType } from './sensor-source-config';

/** A row of `sensor_source`, instants as ISO 8601 text, with the number of datasets and datastreams it made. */
export interface SourceRow {
  id: string;
  name: string;
  title: string;
  owner_org: string;
  type: SourceType;
  config: Record<string, unknown>;
  state: 'active' | 'paused' | 'deleted';
  poll_interval_seconds: number | null;
  next_run_at: string | null;
  last_run_at: string | null;
  last_success_at: string | null;
  last_error: unknown;
  last_warnings: unknown;
  counts: Record<string, unknown>;
  cursor: Record<string, unknown>;
  run_job_id: string | null;
  run_queued_at: string | null;
  created_at: string;
  modified_at: string;
  num_datasets: number;
  num_datastreams: number;
}

export interface SourceValues {
  name: string;
  title: string;
  owner_org: string;
  type: SourceType;
  config: Record<string, unknown>;
  state: 'active' | 'paused';
  poll_interval_seconds: number | null;
}

/** How a finished run changes its source. */
export interface RunOutcome {
  success: boolean;
  error: unknown;
  counts: Record<string, unknown>;
  cursor?: Record<string, unknown>;
  /** What a successful run skipped (unknown sites, unmapped keys): its source's `last_warnings` (null: nothing). */
  warnings?: Record<string, unknown> | null;
}

const iso = (col: string): string => `to_json(${col}) #>> '{}' AS ${col.replace(/^s\./, '')}`;

const COLUMNS = `s.id, s.name, s.title, s.owner_org, s.type, s.config, s.state, s.poll_interval_seconds, ${iso('s.next_run_at')}, ${iso('s.last_run_at')},
  ${iso('s.last_success_at')}, s.last_error, s.last_warnings, s.counts, s.cursor, s.run_job_id, ${iso('s.run_queued_at')}, ${iso('s.created_at')}, ${iso('s.modified_at')},
  (SELECT count(*) FROM sensor_thing t WHERE t.source_id = s.id)::int AS num_datasets,
  (SELECT count(*) FROM sensor_datastream d JOIN sensor_thing t ON t.id = d.thing_id WHERE t.source_id = s.id)::int AS num_datastreams`;

/** Every query on `sensor_source`: the sources' settings, their schedule and what their runs did. */
@Injectable()
export class SensorSourceRepository {
  async find(db: EntityManager, idOrName: string, opts: { lock?: boolean } = {}): Promise<SourceRow | null> {
    const where = isUuid(idOrName) ? 's.id = $1::uuid' : 's.name = $1';
    const rows: SourceRow[] = await db.query(`SELECT ${COLUMNS} FROM sensor_source s WHERE ${where} AND s.state <> 'deleted'${opts.lock ? ' FOR UPDATE OF s' : ''}`, [idOrName]);
    return rows[0] ?? null;
  }

  /** Whether another source holds the name. */
  async nameTaken(db: EntityManager, name: string, exceptId?: string): Promise<boolean> {
    const rows: unknown[] = await db.query(`SELECT 1 FROM sensor_source WHERE name = $1 AND id IS DISTINCT FROM $2::uuid`, [name, exceptId ?? null]);
    return rows.length > 0;
  }

  /** Inserts a source, due for its first poll at once when it polls. */
  async insert(db: EntityManager, v: SourceValues): Promise<string> {
    const rows: { id: string }[] = await db.query(
      `INSERT INTO sensor_source (name, title, owner_org, type, config, state, poll_interval_seconds, next_run_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, CASE WHEN $7::int IS NULL THEN NULL ELSE now() END) RETURNING id`,
      [v.name, v.title, v.owner_org, v.type, JSON.stringify(v.config), v.state, v.poll_interval_seconds],
    );
    return rows[0].id;
  }

  /** Replaces the settings; a changed interval moves the next poll to now + the new interval (or now, if it was unscheduled). */
  async update(db: EntityManager, id: string, v: SourceValues): Promise<void> {
    await db.query(
      `UPDATE sensor_source SET name = $2, title = $3, owner_org = $4, type = $5, config = $6::jsonb, state = $7, poll_interval_seconds = $8,
              next_run_at = CASE WHEN $8::int IS NULL THEN NULL
                                 WHEN poll_interval_seconds IS DISTINCT FROM $8::int THEN coalesce(last_run_at + make_interval(secs => $8::int), now())
                                 ELSE coalesce(next_run_at, now()) END,
              modified_at = now()
        WHERE id = $1`,
      [id, v.name, v.title, v.owner_org, v.type, JSON.stringify(v.config), v.state, v.poll_interval_seconds],
    );
  }

  async delete(db: EntityManager, id: string): Promise<void> {
    await db.query(`DELETE FROM sensor_source WHERE id = $1`, [id]);
  }

  /** Sources of these organizations (null: of all), newest name order, with optional type and paging. */
  async list(db: EntityManager, f: { orgIds: string[] | null; type?: string; limit: number; offset: number }): Promise<SourceRow[]> {
    return db.query(
      `SELECT ${COLUMNS} FROM sensor_source s
        WHERE s.state <> 'deleted' AND ($1::uuid[] IS NULL OR s.owner_org = ANY($1::uuid[])) AND ($2::text IS NULL OR s.type = $2)
        ORDER BY s.name LIMIT $3 OFFSET $4`,
      [f.orgIds, f.type ?? null, f.limit, f.offset],
    );
  }

  /** Notes the poll job queued for a source (in the enqueueing transaction). */
  async markQueued(db: EntityManager, id: string, jobId: string): Promise<void> {
    await db.query(`UPDATE sensor_source SET run_job_id = $2, run_queued_at = now() WHERE id = $1`, [id, jobId]);
  }

  /**
   * Active polled sources whose next poll is due and that have no poll noted, or one noted at least
   * `checkNotedAfterSeconds` ago (the caller asks whether that job has ended or is lost, so a job lost with its process
   * or its database does not stop the source for good), locked for this transaction and skipping rows another instance
   * holds: each due source is taken by one scheduler only.
   */
  async lockDue(db: EntityManager, checkNotedAfterSeconds: number, limit: number): Promise<{ id: string }[]> {
    return db.query(
      `SELECT id FROM sensor_source
        WHERE state = 'active' AND poll_interval_seconds IS NOT NULL AND next_run_at <= now()
          AND (run_job_id IS NULL OR run_queued_at < now() - make_interval(secs => $1::int))
        ORDER BY run_job_id IS NOT NULL, next_run_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [checkNotedAfterSeconds, limit],
    );
  }

  /** Ends a run: what it did (a failure as last_error, a success's warnings as last_warnings), the next poll (now + interval), and no job noted any more (only if this job is still the noted one). */
  async finishRun(db: EntityManager, id: string, jobId: string, o: RunOutcome): Promise<void> {
    await db.query(
      `UPDATE sensor_source SET
          last_run_at = now(),
          last_success_at = CASE WHEN $3 THEN now() ELSE last_success_at END,
          last_error = CASE WHEN $3 THEN NULL ELSE $4::jsonb END,
          -- A failed run says nothing about what a run would skip: the last successful run's warnings stay.
          last_warnings = CASE WHEN $3 THEN $7::jsonb ELSE last_warnings END,
          counts = $5::jsonb,
          cursor = coalesce($6::jsonb, cursor),
          next_run_at = CASE WHEN poll_interval_seconds IS NULL THEN NULL ELSE now() + make_interval(secs => poll_interval_seconds) END,
          run_job_id = CASE WHEN run_job_id = $2::uuid THEN NULL ELSE run_job_id END,
          run_queued_at = CASE WHEN run_job_id = $2::uuid THEN NULL ELSE run_queued_at END
        WHERE id = $1`,
      [id, jobId, o.success, JSON.stringify(o.error ?? null), JSON.stringify(o.counts), o.cursor ? JSON.stringify(o.cursor) : null, o.warnings ? JSON.stringify(o.warnings) : null],
    );
  }

  /**
   * A pushed batch's outcome on its source (push sources have no runs): on success its counts added to the stored ones,
   * last_success_at and its warnings as last_warnings; on a refusal last_error. Written after the batch's own commit, in a statement of its own, so
   * pushes to one source never wait for each other on its row beyond this one update.
   */
  async recordPush(
    db: EntityManager, id: string, outcome: { counts: Record<string, number>; warnings?: Record<string, unknown> | null } | { error: Record<string, unknown> },
  ): Promise<void> {
    if ('error' in outcome) {
      await db.query(`UPDATE sensor_source SET last_error = $2::jsonb, last_run_at = now() WHERE id = $1`, [id, JSON.stringify(outcome.error)]);
      return;
    }
    await db.query(
      `UPDATE sensor_source s SET last_success_at = now(), last_run_at = now(), last_error = NULL, last_warnings = $3::jsonb,
          counts = (SELECT coalesce(jsonb_object_agg(k, coalesce(CASE WHEN jsonb_typeof(s.counts -> k) = 'number' THEN (s.counts ->> k)::numeric END, 0)
                                                       + coalesce(($2::jsonb ->> k)::numeric, 0)), '{}'::jsonb)
                      FROM (SELECT jsonb_object_keys(s.counts) UNION SELECT jsonb_object_keys($2::jsonb)) AS keys(k))
        WHERE id = $1`,
      [id, JSON.stringify(outcome.counts), outcome.warnings ? JSON.stringify(outcome.warnings) : null],
    );
  }
}
