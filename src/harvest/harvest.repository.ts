import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUuid } from '../api/ckan-schema';
import { preparedQuery } from '../database/prepared';

export interface HarvestSourceRow {
  id: string;
  url: string;
  source_type: string;
  frequency: string;
  config: string;
  secrets: Buffer | null;
  active: boolean;
  user_id: string | null;
  created: Date | string;
}

export type JobStatus = 'New' | 'Running' | 'Finished' | 'Aborted';

export interface HarvestStats {
  added: number;
  updated: number;
  deleted: number;
  'not modified': number;
  errored: number;
}

export const NO_STATS: HarvestStats = { added: 0, updated: 0, deleted: 0, 'not modified': 0, errored: 0 };

export interface HarvestJobRow {
  id: string;
  source_id: string;
  status: JobStatus;
  created: Date | string;
  gather_started: Date | string | null;
  gather_finished: Date | string | null;
  finished: Date | string | null;
  stats: Partial<HarvestStats>;
  progress: { done: number; total?: number } | null;
  message: string | null;
}

export interface HarvestObjectRow {
  id: string;
  guid: string;
  identifier: string;
  source_id: string;
  job_id: string;
  package_id: string | null;
  current: boolean;
  detached: boolean;
  modified: Date | string | null;
  content: string | null;
  report_status: string | null;
  gathered: Date | string;
  import_started: Date | string | null;
  import_finished: Date | string | null;
}

/** A current harvest object as a run's start sees it (currentSummaries). */
export interface ObjectSummary {
  /** `modified` in ms since the epoch. */
  modified: number | null;
  /** md5 of the stored content (PostgreSQL's md5 of its UTF-8 text). */
  contentMd5: string | null;
  detached: boolean;
  hasPackage: boolean;
}

export interface NewObject {
  /** Given when the dataset's extras must name it before it is written. */
  id?: string;
  guid: string;
  identifier: string;
  sourceId: string;
  jobId: string;
  packageId: string | null;
  current: boolean;
  modified: string | null;
  content: string | null;
  reportStatus: string;
  importStarted: Date | string;
}

/** What harvest keeps of a catalog dataset it follows (harvest_dataset, HarvestDatasetMirror). */
export interface MirroredDataset {
  id: string;
  state: string;
  ownerOrg: string | null;
  isPrivate: boolean;
}

/** Every query on the harvest_* tables. */
@Injectable()
export class HarvestRepository {
  async source(db: EntityManager, id: string, lock = false): Promise<HarvestSourceRow | null> {
    const rows: HarvestSourceRow[] = await db.query(`SELECT * FROM harvest_source WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ?? null;
  }

  async sourceByUrl(db: EntityManager, url: string): Promise<HarvestSourceRow | null> {
    const rows: HarvestSourceRow[] = await db.query(
      `SELECT h.* FROM harvest_source h JOIN harvest_dataset d ON d.package_id = h.id WHERE h.url = $1 AND d.state <> 'deleted' LIMIT 1`, [url]);
    return rows[0] ?? null;
  }

  async insertSource(db: EntityManager, s: Omit<HarvestSourceRow, 'created'>): Promise<void> {
    await db.query(
      `INSERT INTO harvest_source (id, url, source_type, frequency, config, secrets, active, user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [s.id, s.url, s.source_type, s.frequency, s.config, s.secrets, s.active, s.user_id],
    );
  }

  async updateSource(db: EntityManager, s: Omit<HarvestSourceRow, 'created' | 'user_id'>): Promise<void> {
    await db.query(`UPDATE harvest_source SET url = $2, source_type = $3, frequency = $4, config = $5, secrets = $6, active = $7 WHERE id = $1`,
      [s.id, s.url, s.source_type, s.frequency, s.config, s.secrets, s.active]);
  }

  async setActive(db: EntityManager, id: string, active: boolean): Promise<void> {
    await db.query(`UPDATE harvest_source SET active = $2 WHERE id = $1`, [id, active]);
  }

  /** Ids of the sources whose dataset is not deleted (optionally only active ones), optionally of one organization. */
  async sourceIds(db: EntityManager, opts: { organizationId?: string; onlyActive?: boolean } = {}): Promise<string[]> {
    const rows: { id: string }[] = await db.query(
      `SELECT h.id FROM harvest_source h JOIN harvest_dataset d ON d.package_id = h.id
        WHERE d.state <> 'deleted' AND ($1::uuid IS NULL OR d.owner_org = $1) AND ($2::boolean IS FALSE OR h.active)
        ORDER BY h.created, h.id`,
      [opts.organizationId ?? null, opts.onlyActive ?? false],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Active, non-manual sources of an active dataset whose last job was created longer ago than their frequency says (or
   * that never ran), without a job waiting or running.
   */
  async dueSourceIds(db: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await db.query(
      `SELECT h.id FROM harvest_source h JOIN harvest_dataset d ON d.package_id = h.id
        WHERE d.state = 'active' AND h.active AND h.frequency <> 'MANUAL'
          AND NOT EXISTS (SELECT 1 FROM harvest_job j WHERE j.source_id = h.id AND j.status IN ('New', 'Running'))
          AND COALESCE((SELECT max(j.created) FROM harvest_job j WHERE j.source_id = h.id), '-infinity') <= now() - CASE h.frequency
            WHEN 'ALWAYS' THEN interval '0' WHEN 'HOURLY' THEN interval '1 hour' WHEN 'DAILY' THEN interval '1 day'
            WHEN 'WEEKLY' THEN interval '7 days' WHEN 'BIWEEKLY' THEN interval '14 days' ELSE interval '1 month' END`,
    );
    return rows.map((r) => r.id);
  }

  async createJob(db: EntityManager, sourceId: string): Promise<HarvestJobRow> {
    const rows: HarvestJobRow[] = await db.query(`INSERT INTO harvest_job (source_id) VALUES ($1) RETURNING *`, [sourceId]);
    return rows[0];
  }

  async job(db: EntityManager, id: string): Promise<HarvestJobRow | null> {
    if (!isUuid(id)) return null;
    const rows: HarvestJobRow[] = await db.query(`SELECT * FROM harvest_job WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async jobs(db: EntityManager, opts: { sourceId?: string; status?: string; limit?: number }): Promise<HarvestJobRow[]> {
    return db.query(
      `SELECT * FROM harvest_job WHERE ($1::uuid IS NULL OR source_id = $1) AND ($2::text IS NULL OR status = $2) ORDER BY created DESC, id LIMIT $3`,
      [opts.sourceId ?? null, opts.status ?? null, opts.limit ?? 1000],
    );
  }

  async openJob(db: EntityManager, sourceId: string): Promise<HarvestJobRow | null> {
    const rows: HarvestJobRow[] = await db.query(`SELECT * FROM harvest_job WHERE source_id = $1 AND status IN ('New', 'Running')`, [sourceId]);
    return rows[0] ?? null;
  }

  async jobCount(db: EntityManager, sourceId: string): Promise<number> {
    const rows: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM harvest_job WHERE source_id = $1`, [sourceId]);
    return rows[0].n;
  }

  /** Start of the last job that finished without a gather error: what an incremental run asks for changes since. */
  async lastSuccessfulStart(db: EntityManager, sourceId: string): Promise<Date | string | null> {
    const rows: { at: Date | string }[] = await db.query(
      `SELECT j.gather_started AS at FROM harvest_job j
        WHERE j.source_id = $1 AND j.status = 'Finished' AND j.gather_started IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM harvest_gather_error e WHERE e.harvest_job_id = j.id)
        ORDER BY j.gather_started DESC LIMIT 1`,
      [sourceId],
    );
    return rows[0]?.at ?? null;
  }

  /**
   * Marks a New job Running: the one claim that lets a job run once, whoever races for it (the queue worker, the CLI, a
   * direct call). False when it is no longer New (another runner has it, or it was aborted before it started).
   */
  async startJob(db: EntityManager, id: string): Promise<boolean> {
    const rows = await updated<{ id: string }>(db,
      `UPDATE harvest_job SET status = 'Running', gather_started = now() WHERE id = $1 AND status = 'New' RETURNING id`, [id]);
    return rows.length > 0;
  }

  async gatherFinished(db: EntityManager, id: string): Promise<void> {
    await db.query(`UPDATE harvest_job SET gather_finished = COALESCE(gather_finished, now()) WHERE id = $1`, [id]);
  }

  async setProgress(db: EntityManager, id: string, progress: { done: number; total?: number }, stats: HarvestStats): Promise<void> {
    await db.query(`UPDATE harvest_job SET progress = $2::jsonb, stats = $3::jsonb WHERE id = $1`, [id, JSON.stringify(progress), JSON.stringify(stats)]);
  }

  async status(db: EntityManager, id: string): Promise<JobStatus | null> {
    const rows: { status: JobStatus }[] = await db.query(`SELECT status FROM harvest_job WHERE id = $1`, [id]);
    return rows[0]?.status ?? null;
  }

  /** Ends a job that is still open; returns false when it had already ended. */
  async finishJob(db: EntityManager, id: string, status: 'Finished' | 'Aborted', stats: HarvestStats | null, message: string | null): Promise<boolean> {
    const rows = await updated<{ id: string }>(db,
      `UPDATE harvest_job SET status = $2, finished = now(), gather_finished = COALESCE(gather_finished, now()),
              stats = COALESCE($3::jsonb, stats), message = COALESCE($4, message)
        WHERE id = $1 AND status IN ('New', 'Running') RETURNING id`,
      [id, status, stats ? JSON.stringify(stats) : null, message],
    );
    return rows.length > 0;
  }

  /** Running jobs started before `minutes` ago (their worker died or hangs): Aborted with a message. */
  async abortStale(db: EntityManager, minutes: number, message: string): Promise<string[]> {
    const rows = await updated<{ id: string }>(db,
      `UPDATE harvest_job SET status = 'Aborted', finished = now(), message = $2
        WHERE status = 'Running' AND gather_started < now() - interval '1 minute' * $1::float8 RETURNING id`,
      [minutes, message],
    );
    return rows.map((r) => r.id);
  }

  async addGatherError(db: EntityManager, jobId: string, message: string): Promise<void> {
    await db.query(`INSERT INTO harvest_gather_error (harvest_job_id, message) VALUES ($1, $2)`, [jobId, message]);
  }

  async gatherErrors(db: EntityManager, jobId: string): Promise<{ message: string; created: Date | string }[]> {
    return db.query(`SELECT message, created FROM harvest_gather_error WHERE harvest_job_id = $1 ORDER BY created, id`, [jobId]);
  }

  async objectErrors(db: EntityManager, jobId: string): Promise<{ harvest_object_id: string; guid: string; message: string; stage: string; line: number | null }[]> {
    return db.query(
      `SELECT e.harvest_object_id, o.guid, e.message, e.stage, e.line FROM harvest_object_error e JOIN harvest_object o ON o.id = e.harvest_object_id
        WHERE o.job_id = $1 ORDER BY o.guid, e.created`,
      [jobId],
    );
  }

  async errorSummaries(db: EntityManager, jobId: string): Promise<{ object: { message: string; error_count: number }[]; gather: { message: string; error_count: number }[] }> {
    const object = await db.query(
      `SELECT e.message, count(*)::int AS error_count FROM harvest_object_error e JOIN harvest_object o ON o.id = e.harvest_object_id
        WHERE o.job_id = $1 GROUP BY e.message ORDER BY error_count DESC, e.message LIMIT 20`, [jobId]);
    const gather = await db.query(
      `SELECT message, count(*)::int AS error_count FROM harvest_gather_error WHERE harvest_job_id = $1 GROUP BY message ORDER BY error_count DESC, message LIMIT 20`, [jobId]);
    return { object, gather };
  }

  /** The current object of a guid at a source (detached ones included: the runner leaves those alone). */
  async currentObject(db: EntityManager, sourceId: string, guid: string): Promise<HarvestObjectRow | null> {
    const rows = await preparedQuery<HarvestObjectRow>(db, 'harvest-current-object', `SELECT * FROM harvest_object WHERE source_id = $1 AND guid = $2 AND current FOR UPDATE`, [sourceId, guid]);
    return rows[0] ?? null;
  }

  /**
   * What a run needs to know of each record it harvested before, without the records' content: one query at the
   * start of a run, so unchanged records are told apart without a transaction each.
   */
  async currentSummaries(db: EntityManager, sourceId: string): Promise<Map<string, ObjectSummary>> {
    const rows: { guid: string; modified: Date | null; content_md5: string | null; detached: boolean; has_package: boolean }[] = await db.query(
      `SELECT guid, modified, md5(content) AS content_md5, detached, package_id IS NOT NULL AS has_package FROM harvest_object WHERE source_id = $1 AND current`,
      [sourceId],
    );
    return new Map(rows.map((r) => [r.guid, { modified: r.modified ? new Date(r.modified).getTime() : null, contentMd5: r.content_md5, detached: r.detached, hasPackage: r.has_package }]));
  }

  /**
   * This transaction's commit does not wait for its WAL to reach the disk (PostgreSQL's asynchronous commit): a
   * record's write costs a disk flush otherwise, most of a harvest's time. A crash can lose the last moments of
   * commits, each one whole (the dataset with its harvest object), so the next run harvests them again; nothing a
   * client sent is written this way.
   */
  async commitWithoutWaitingForDisk(db: EntityManager): Promise<void> {
    await db.query(`SET LOCAL synchronous_commit = off`);
  }

  /** Holds the identifier for this transaction: the duplicate rule's check and write happen one source at a time. */
  async lockIdentifier(db: EntityManager, identifier: string): Promise<void> {
    await preparedQuery(db, 'harvest-lock-identifier', `SELECT pg_advisory_xact_lock(hashtextextended('harvest:identifier:' || $1, 0))`, [identifier]);
  }

  /** The current object of the same identifier at another source (GovData's duplicate rule). */
  async otherHolder(db: EntityManager, sourceId: string, identifier: string): Promise<HarvestObjectRow | null> {
    const rows = await preparedQuery<HarvestObjectRow>(db, 'harvest-other-holder',
      `SELECT * FROM harvest_object WHERE identifier = $2 AND current AND NOT detached AND source_id <> $1 AND package_id IS NOT NULL
        ORDER BY modified DESC NULLS LAST LIMIT 1 FOR UPDATE`,
      [sourceId, identifier],
    );
    return rows[0] ?? null;
  }

  async retire(db: EntityManager, objectId: string, reportStatus?: string): Promise<void> {
    await db.query(`UPDATE harvest_object SET current = false, report_status = COALESCE($2, report_status) WHERE id = $1`, [objectId, reportStatus ?? null]);
  }

  async insertObject(db: EntityManager, o: NewObject): Promise<string> {
    const rows = await preparedQuery<{ id: string }>(db, 'harvest-insert-object',
      `INSERT INTO harvest_object (id, guid, identifier, source_id, job_id, package_id, current, modified, content, report_status, import_started, import_finished)
       VALUES (COALESCE($11::uuid, gen_random_uuid()), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now()) RETURNING id`,
      [o.guid, o.identifier, o.sourceId, o.jobId, o.packageId, o.current, o.modified, o.content, o.reportStatus, o.importStarted, o.id ?? null],
    );
    return rows[0].id;
  }

  async addObjectError(db: EntityManager, objectId: string, message: string, stage: string): Promise<void> {
    await db.query(`INSERT INTO harvest_object_error (harvest_object_id, message, stage) VALUES ($1, $2, $3)`, [objectId, message, stage]);
  }

  /** Current, attached objects of a source whose guid is not in `present`: withdrawn at the source. */
  async absent(db: EntityManager, sourceId: string, present: string[]): Promise<HarvestObjectRow[]> {
    return db.query(
      `SELECT * FROM harvest_object WHERE source_id = $1 AND current AND NOT detached AND NOT (guid = ANY($2::text[]))`, [sourceId, present]);
  }

  async object(db: EntityManager, id: string): Promise<HarvestObjectRow | null> {
    if (!isUuid(id)) return null;
    const rows: HarvestObjectRow[] = await db.query(`SELECT * FROM harvest_object WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** harvest_object_list: ids of the objects of `sourceIds` (null: of every source), oldest first. */
  async objectIds(db: EntityManager, sourceIds: string[] | null, onlyCurrent: boolean): Promise<string[]> {
    const rows: { id: string }[] = await db.query(
      `SELECT id FROM harvest_object WHERE ($1::uuid[] IS NULL OR source_id = ANY($1::uuid[])) AND ($2::boolean IS FALSE OR current)
        ORDER BY gathered, id`,
      [sourceIds, onlyCurrent],
    );
    return rows.map((r) => r.id);
  }

  async objectOfPackage(db: EntityManager, packageId: string): Promise<HarvestObjectRow | null> {
    const rows: HarvestObjectRow[] = await db.query(`SELECT * FROM harvest_object WHERE package_id = $1 AND current ORDER BY gathered DESC LIMIT 1`, [packageId]);
    return rows[0] ?? null;
  }

  async objectErrorsOf(db: EntityManager, objectId: string): Promise<{ message: string; stage: string; line: number | null; created: Date | string }[]> {
    return db.query(`SELECT message, stage, line, created FROM harvest_object_error WHERE harvest_object_id = $1 ORDER BY created`, [objectId]);
  }

  /** Cuts the dataset from its source: it becomes locally editable and the source no longer touches it. */
  async detach(db: EntityManager, packageId: string): Promise<boolean> {
    const rows = await updated<{ id: string }>(db, `UPDATE harvest_object SET detached = true WHERE package_id = $1 AND current AND NOT detached RETURNING id`, [packageId]);
    return rows.length > 0;
  }

  /**
   * The datasets harvest_source_clear (and _delete with clearsource) purges: every one an object of the source made,
   * current or withdrawn, as ckanext-harvest's; not those since detached, nor those another source now holds.
   */
  async packagesOf(db: EntityManager, sourceId: string): Promise<string[]> {
    const rows: { package_id: string }[] = await db.query(
      `SELECT DISTINCT o.package_id FROM harvest_object o
        WHERE o.source_id = $1 AND o.package_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM harvest_object h WHERE h.package_id = o.package_id AND h.current AND (h.detached OR h.source_id <> $1))
        ORDER BY o.package_id`,
      [sourceId]);
    return rows.map((r) => r.package_id);
  }

  /** harvest_source_clear: jobs, objects and errors of the source go (the source stays). */
  async clear(db: EntityManager, sourceId: string): Promise<void> {
    await db.query(`DELETE FROM harvest_object WHERE source_id = $1`, [sourceId]);
    await db.query(`DELETE FROM harvest_job WHERE source_id = $1`, [sourceId]);
  }

  /** Active public datasets the source's current objects hold (harvest_source_show_status's total_datasets). */
  async datasetCount(db: EntityManager, sourceId: string): Promise<number> {
    const rows: { n: number }[] = await db.query(
      `SELECT count(DISTINCT d.package_id)::int AS n FROM harvest_object o JOIN harvest_dataset d ON d.package_id = o.package_id
        WHERE o.source_id = $1 AND o.current AND d.state = 'active' AND NOT d.private`, [sourceId]);
    return rows[0].n;
  }

  /** Of datasets `ids`, those harvest_dataset follows (HarvestDatasetMirror): sources' datasets and those a current object holds. */
  async followedDatasets(db: EntityManager, ids: string[]): Promise<string[]> {
    const rows: { id: string }[] = await db.query(
      `SELECT id FROM harvest_source WHERE id = ANY($1::uuid[])
       UNION SELECT package_id FROM harvest_object WHERE current AND package_id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map((r) => r.id);
  }

  /** Writes harvest_dataset's copy of these datasets (in id order, so two writers lock the rows in the same order). */
  async mirrorDatasets(db: EntityManager, datasets: MirroredDataset[]): Promise<void> {
    if (!datasets.length) return;
    await db.query(
      `INSERT INTO harvest_dataset (package_id, state, owner_org, private)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::boolean[]) ORDER BY 1
       ON CONFLICT (package_id) DO UPDATE SET state = EXCLUDED.state, owner_org = EXCLUDED.owner_org, private = EXCLUDED.private`,
      [datasets.map((d) => d.id), datasets.map((d) => d.state), datasets.map((d) => d.ownerOrg), datasets.map((d) => d.isPrivate)],
    );
  }
}

/**
 * The rows an UPDATE … RETURNING changed. Asked as a SELECT over it: TypeORM answers a bare UPDATE with [rows, count],
 * whose length is always 2, so a check on it would hold even when no row matched (a claim taken twice).
 */
async function updated<T>(db: EntityManager, update: string, params: unknown[]): Promise<T[]> {
  return db.query(`WITH changed AS (${update}) SELECT * FROM changed`, params);
}
