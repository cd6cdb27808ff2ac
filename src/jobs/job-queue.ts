import { Pool, type PoolClient } from 'pg';
import PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';
import type { Logger } from '../common/logger';
import { JOB_SCHEMA } from './job-schema';

/** How a failed job is tried again. */
export interface RetryPolicy {
  /** Attempts after the first one; then the job ends `failed`. */
  limit: number;
  /** Seconds before a retry (whole seconds, pg-boss's unit). */
  delaySeconds: number;
  /** Double the delay at every further retry (with jitter), so a struggling service is not hammered. */
  backoff: boolean;
}

export const DEFAULT_RETRY: RetryPolicy = { limit: 5, delaySeconds: 5, backoff: true };

/** One run of a job, as its handler sees it. */
export interface JobRun {
  readonly id: string;
  readonly name: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Tells anyone looking at the job's status how far it is: a fraction 0..1 (or null) and/or a message. */
  report(progress: number | null, message?: string): Promise<void>;
}

export interface JobDefinition<T> {
  handler(data: T, run: JobRun): Promise<unknown>;
  retry?: Partial<RetryPolicy>;
  /**
   * A run that takes longer counts as failed and is retried. It is also how a job comes back whose
   * process died while running it: the job stays `active` until then. pg-boss's default: 15 minutes.
   */
  timeoutSeconds?: number;
}

/**
 * The caller's transaction, structurally (an ActionContext fits): the job is inserted with `db`, so it
 * exists exactly if the write commits, and `afterCommit` wakes this process's worker for it at once.
 */
export interface TransactionHandle {
  readonly db: EntityManager;
  afterCommit(hook: () => void | Promise<void>): void;
}

export interface EnqueueOptions {
  /** Enqueue inside this transaction instead of on its own. */
  transaction?: TransactionHandle;
  /** Not before this many seconds from now. */
  startAfterSeconds?: number;
}

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

/** What anyone may know about a job. */
export interface JobStatus {
  id: string;
  name: string;
  state: JobState;
  /** Attempts started so far. */
  attempts: number;
  /** Attempts allowed in all (the first plus the retries). */
  maxAttempts: number;
  /** The error of the latest failed attempt, even when a later attempt succeeded. */
  lastError: string | null;
  progress: number | null;
  message: string | null;
  /** What the handler returned, once completed. */
  output: unknown;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /** When it runs (again), while waiting. */
  runAfter: string;
}

/** A job as the job_* actions show it. */
export interface WaitingJob {
  id: string;
  queue: string;
  /** PostgreSQL's text form (the service's pools parse no timestamps), UTC. */
  createdAt: string;
}

export interface JobQueueOptions {
  url: string;
  /** Run jobs here; false: only enqueue and schedule. */
  worker: boolean;
  /** Jobs of one kind run at the same time in this process. */
  concurrency: number;
  pollIntervalMs: number;
  shutdownTimeoutMs: number;
  /** Seconds between the checks whether a schedule is due (one process per check does it); default 30. */
  cronCheckSeconds?: number;
  applicationName?: string;
}

const PRUNE_JOB = 'jobs.prune-progress';

/**
 * The one durable job queue and scheduler, on pg-boss in PostgreSQL (schema `pgboss`, installed by a
 * migration). Work is registered by name with its retry policy; jobs are rows, so they survive crashes
 * and are shared by every process on the database (each is taken by one, FOR UPDATE SKIP LOCKED);
 * schedules (cron, UTC) fire once per tick across all processes. `stop()` stops taking jobs, lets running
 * ones finish for a bounded time and hands the rest back to be retried, so no job is lost.
 */
export class JobQueue {
  private readonly pool: Pool;
  private readonly boss: PgBoss;
  private readonly definitions = new Map<string, JobDefinition<never>>();
  private readonly schedules = new Map<string, { cron: string; data: object }>();
  /** Queues made ready in the database (created, policy and schedule written, workers started). */
  private readonly prepared = new Map<string, Promise<void>>();
  private readonly workerIds = new Map<string, string[]>();
  /** Runs of this process not yet finished, by job id. */
  private readonly running = new Map<string, { name: string; done: Promise<unknown> }>();
  private started?: Promise<void>;
  private stopping = false;
  private workersStopped: Promise<void> = Promise.resolve();
  private stopped?: Promise<void>;
  /** The pool's open connections, so stop() can wait until each has really closed. */
  private readonly connections = new Set<PoolClient>();
  private closed = false;

  constructor(private readonly opts: JobQueueOptions, private readonly log: Logger) {
    this.pool = new Pool({
      connectionString: opts.url,
      max: opts.worker ? Math.min(10, 3 + opts.concurrency) : 2,
      application_name: opts.applicationName ?? 'catalog-jobs',
      options: '-c TimeZone=UTC',
    });
    this.pool.on('error', (err) => this.log.warn({ err }, 'a job queue connection failed'));
    this.pool.on('connect', (client) => {
      this.connections.add(client);
      client.once('end', () => this.connections.delete(client));
    });
    // Our own pool, closed only after the last handed-back job is written; afterwards a late answer of a
    // run that was handed back finds nothing to do (pg-boss's own pool behaves so when closed).
    const db = { executeSql: (text: string, values?: unknown[]) => (this.closed ? Promise.resolve(undefined as never) : this.pool.query(text, values)) };
    this.boss = new PgBoss({
      db,
      schema: JOB_SCHEMA,
      migrate: false,
      supervise: opts.worker,
      schedule: opts.worker,
      pollingIntervalSeconds: opts.pollIntervalMs / 1000,
      cronMonitorIntervalSeconds: opts.cronCheckSeconds ?? 30,
      cronWorkerIntervalSeconds: Math.min(opts.cronCheckSeconds ?? 5, 5),
    });
    this.boss.on('error', (err) => this.log.error({ err }, 'job queue error'));
    this.register(PRUNE_JOB, {
      retry: { limit: 2 },
      handler: () => this.pool.query(`DELETE FROM job_progress WHERE updated_at < clock_timestamp() - interval '30 days'`).then(() => undefined),
    });
    this.schedule(PRUNE_JOB, '17 3 * * *');
  }

  /** Nest: every module has registered its jobs in onModuleInit by now. */
  onApplicationBootstrap(): Promise<void> {
    return this.start();
  }

  /**
   * Nest, at shutdown: stop taking jobs and let running ones finish while the database and the HTTP server still run
   * (jobs enqueued meanwhile wait in the database). The pool closes when the database asks (Database.closeBefore),
   * or here at the latest.
   */
  beforeApplicationShutdown(): Promise<void> {
    return this.stopWorkers();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** Names the work behind a job name; takes effect at start (or at once, if started). */
  register<T>(name: string, definition: JobDefinition<T>): void {
    if (this.definitions.has(name)) throw new Error(`job ${name} is registered twice`);
    this.definitions.set(name, definition as JobDefinition<never>);
    if (this.started) void this.prepare(name).catch((err) => this.log.error({ err, queue: name }, 'could not prepare a job queue'));
  }

  /** Runs job `name` with `data` at every tick of `cron` (five fields, UTC), in one process of all. */
  schedule(name: string, cron: string, data: object = {}): void {
    this.schedules.set(name, { cron, data });
    if (this.started) void this.prepare(name, true).catch((err) => this.log.error({ err, queue: name }, 'could not write a job schedule'));
  }

  /** Checks the schema, writes queues and schedules, starts the workers. */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      // One after another: creating a queue adds a partition to pg-boss's job table, and concurrent ones deadlock.
      for (const name of this.definitions.keys()) await this.prepare(name);
    })();
    return this.started;
  }

  private prepare(name: string, again = false): Promise<void> {
    let p = this.prepared.get(name);
    if (!p || again) {
      p = (p ?? Promise.resolve()).catch(() => undefined).then(() => this.prepareNow(name, !this.workerIds.has(name)));
      this.prepared.set(name, p);
    }
    return p;
  }

  private async prepareNow(name: string, startWorkers: boolean): Promise<void> {
    const def = this.definitions.get(name);
    if (!def) throw new Error(`job ${name} has no handler`);
    const retry = { ...DEFAULT_RETRY, ...def.retry };
    const queue: PgBoss.Queue = {
      name, policy: 'standard', retryLimit: retry.limit, retryDelay: retry.delaySeconds, retryBackoff: retry.backoff, expireInSeconds: def.timeoutSeconds ?? 15 * 60,
    };
    // createQueue keeps an existing queue's settings: the update makes the code's policy the one in force.
    await retryOnDeadlock(() => this.boss.createQueue(name, queue));
    await this.boss.updateQueue(name, queue);
    const schedule = this.schedules.get(name);
    if (schedule) await this.boss.schedule(name, schedule.cron, schedule.data, { tz: 'UTC' });
    if (!this.opts.worker || !startWorkers || this.stopping) return;
    const ids: string[] = [];
    this.workerIds.set(name, ids);
    for (let i = 0; i < this.opts.concurrency; i++) {
      ids.push(await this.boss.work<never>(name, { includeMetadata: true, batchSize: 1 }, ([job]) => this.runOne(name, def, job)));
    }
  }

  private async runOne(name: string, def: JobDefinition<never>, job: PgBoss.JobWithMetadata<never>): Promise<unknown> {
    const run: JobRun = { id: job.id, name, attempt: job.retryCount + 1, report: (progress, message) => this.report(job.id, name, progress, message) };
    const done = Promise.resolve().then(() => def.handler(job.data, run));
    this.running.set(job.id, { name, done });
    try {
      return await done;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn({ err, job: job.id, queue: name, attempt: run.attempt }, `job ${name} failed`);
      await this.pool
        .query(
          `INSERT INTO job_progress (job_id, queue, last_error) VALUES ($1, $2, $3)
           ON CONFLICT (job_id) DO UPDATE SET last_error = EXCLUDED.last_error, updated_at = clock_timestamp()`,
          [job.id, name, message],
        )
        .catch((e) => this.log.warn({ err: e, job: job.id }, 'could not note a job error'));
      throw err;
    } finally {
      this.running.delete(job.id);
    }
  }

  private async report(id: string, name: string, progress: number | null, message?: string): Promise<void> {
    const fraction = progress === null ? null : Math.min(1, Math.max(0, progress));
    await this.pool.query(
      `INSERT INTO job_progress (job_id, queue, progress, message) VALUES ($1, $2, $3, $4)
       ON CONFLICT (job_id) DO UPDATE SET progress = EXCLUDED.progress, message = COALESCE(EXCLUDED.message, job_progress.message), updated_at = clock_timestamp()`,
      [id, name, fraction, message ?? null],
    );
  }

  /**
   * Adds a job; returns its id. With `transaction`, the job is written in the caller's transaction: it
   * exists if and only if that transaction commits.
   */
  async enqueue<T extends object>(name: string, data: T, opts: EnqueueOptions = {}): Promise<string> {
    if (!this.definitions.has(name)) throw new Error(`job ${name} has no handler`);
    await this.start();
    await this.prepare(name);
    const tx = opts.transaction;
    const send: PgBoss.SendOptions = { startAfter: opts.startAfterSeconds };
    // TypeORM answers an INSERT … RETURNING with its rows; pg-boss reads `rows`.
    if (tx) send.db = { executeSql: async (text, values) => ({ rows: await tx.db.query(text, values) }) };
    const id = await this.boss.send(name, data, send);
    // Only a unique key (which we never set) makes pg-boss skip an insert: a missing id is a bug, never a lost job.
    if (!id) throw new Error(`job ${name} was not enqueued`);
    if (tx) tx.afterCommit(() => this.wake(name));
    else this.wake(name);
    return id;
  }

  /** Lets this process's idle workers of `name` look for jobs now instead of at their next poll. */
  wake(name: string): void {
    for (const id of this.workerIds.get(name) ?? []) this.boss.notifyWorker(id);
  }

  /** A job's state, attempts, last error and progress; null once it is gone (completed jobs are kept for days). */
  async status(name: string, id: string): Promise<JobStatus | null> {
    if (!isJobId(id)) return null;
    await this.start();
    const job = await this.boss.getJobById<unknown>(name, id, { includeArchive: true });
    if (!job) return null;
    const { rows } = await this.pool.query<{ progress: number | null; message: string | null; last_error: string | null }>(
      `SELECT progress, message, last_error FROM job_progress WHERE job_id = $1`,
      [id],
    );
    const p = rows[0];
    const output = job.output as { message?: string } | null;
    const failedNow = job.state === 'failed' || job.state === 'retry';
    return {
      id: job.id,
      name: job.name,
      state: job.state,
      attempts: job.startedOn ? job.retryCount + 1 : 0,
      maxAttempts: job.retryLimit + 1,
      lastError: p?.last_error ?? (failedNow ? (output?.message ?? null) : null),
      progress: p?.progress ?? null,
      message: p?.message ?? null,
      output: job.state === 'completed' ? (output as { value?: unknown } | null)?.value ?? output : null,
      createdAt: String(job.createdOn),
      startedAt: job.startedOn ? String(job.startedOn) : null,
      completedAt: job.completedOn ? String(job.completedOn) : null,
      runAfter: String(job.startAfter),
    };
  }

  /**
   * The latest jobs (of one queue, or of all but pg-boss's own), newest first, with state, attempts,
   * last error and progress: what `npm run cli -- jobs list` shows. Reads pg-boss's job table directly,
   * which its API cannot list.
   */
  async recent(opts: { queue?: string; limit?: number } = {}): Promise<JobStatus[]> {
    await this.start();
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `SELECT j.id, j.name, j.state::text AS state, j.retry_count, j.retry_limit, j.started_on, j.created_on, j.completed_on, j.start_after, j.output,
              p.progress, p.message, p.last_error
         FROM ${JOB_SCHEMA}.job j LEFT JOIN job_progress p ON p.job_id = j.id
        WHERE ($1::text IS NULL AND j.name NOT LIKE '\\_\\_pgboss\\_\\_%') OR j.name = $1
        ORDER BY j.created_on DESC LIMIT $2`,
      [opts.queue ?? null, opts.limit ?? 50],
    );
    return rows.map((r) => {
      const output = r.output as { message?: string; value?: unknown } | null;
      const state = r.state as JobState;
      return {
        id: r.id as string,
        name: r.name as string,
        state,
        attempts: r.started_on ? (r.retry_count as number) + 1 : 0,
        maxAttempts: (r.retry_limit as number) + 1,
        lastError: (r.last_error as string | null) ?? (state === 'failed' || state === 'retry' ? (output?.message ?? null) : null),
        progress: (r.progress as number | null) ?? null,
        message: (r.message as string | null) ?? null,
        output: state === 'completed' ? (output?.value ?? output) : null,
        createdAt: String(r.created_on),
        startedAt: r.started_on ? String(r.started_on) : null,
        completedAt: r.completed_on ? String(r.completed_on) : null,
        runAfter: String(r.start_after),
      };
    });
  }

  /** The queues (one per kind of job, named as registered), without pg-boss's own. */
  async queueNames(): Promise<string[]> {
    await this.start();
    return (await this.boss.getQueues()).map((q) => q.name).filter((n) => !isInternalQueue(n)).sort();
  }

  /**
   * The jobs still waiting to run (state created or retry) in `queues` (default: every queue but pg-boss's own),
   * oldest first. Reads pg-boss's job table directly: its API can count a queue's jobs but not list them.
   */
  async waiting(queues?: string[]): Promise<WaitingJob[]> {
    await this.start();
    const { rows } = await this.pool.query<{ id: string; name: string; created_on: string }>(
      `SELECT id, name, created_on FROM ${JOB_SCHEMA}.job
        WHERE state < 'active' AND (($1::text[] IS NULL AND name NOT LIKE '\\_\\_pgboss\\_\\_%') OR name = ANY($1))
        ORDER BY created_on, id`,
      [queues ?? null],
    );
    return rows.map((r) => ({ id: r.id, queue: r.name, createdAt: String(r.created_on) }));
  }

  /** The job with this id in any queue (finished ones too, while pg-boss keeps them), or null. */
  async find(id: string): Promise<WaitingJob | null> {
    if (!isJobId(id)) return null;
    for (const queue of await this.queueNames()) {
      const job = await this.boss.getJobById<unknown>(queue, id, { includeArchive: true });
      if (job) return { id: job.id, queue, createdAt: String(job.createdOn) };
    }
    return null;
  }

  /** Deletes a job that has not been archived yet (waiting, running or recently finished); false if there is none. */
  async remove(id: string): Promise<boolean> {
    if (!isJobId(id)) return false;
    for (const queue of await this.queueNames()) {
      if (!(await this.boss.getJobById<unknown>(queue, id))) continue;
      await this.boss.deleteJob(queue, id);
      return true;
    }
    return false;
  }

  /** Deletes the waiting jobs of `queues` (default: every queue but pg-boss's own); returns the queues emptied. */
  async clear(queues?: string[]): Promise<string[]> {
    const names = queues ?? (await this.queueNames());
    for (const name of names) await this.boss.purgeQueue(name);
    return names;
  }

  /**
   * Stops taking jobs, lets running ones finish within the shutdown timeout and hands back the rest:
   * pg-boss fails them as interrupted, which retries them; one that had used up its retries is put back
   * once more, since the interruption was not its fault. Then the pool closes.
   */
  /** Stops the workers and closes the pool; callers at once (the database's closeBefore, Nest's hook) share one stop. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await this.stopWorkers();
      this.closed = true;
      await this.pool.end();
      // pg-pool's end() resolves once it has asked each connection to close, not when they have: PostgreSQL stopping right
      // after would terminate a connection still closing, which then fails loudly. Wait until each has said goodbye.
      await Promise.all([...this.connections].map((c) => new Promise<void>((resolve) => {
        c.once('end', resolve);
        setTimeout(resolve, 2000).unref();
      })));
    })();
    return this.stopped;
  }

  /** Stops taking jobs, lets running ones finish (up to the shutdown timeout) and hands the rest back; enqueueing still works. */
  async stopWorkers(): Promise<void> {
    if (this.stopping || this.closed) return this.workersStopped;
    this.stopping = true;
    this.workersStopped = this.stopWorkersNow();
    return this.workersStopped;
  }

  private async stopWorkersNow(): Promise<void> {
    if (this.started) {
      await this.started.catch(() => undefined);
      await Promise.all(this.prepared.values()).catch(() => undefined);
      await this.boss.stop({ graceful: true, wait: true, timeout: this.opts.shutdownTimeoutMs, close: false });
      for (const [id, { name }] of this.running) {
        this.log.warn({ job: id, queue: name }, `job ${name} was still running at shutdown; another process or the next start runs it again`);
        await this.boss.retry(name, id).catch((err) => this.log.error({ err, job: id }, 'could not hand back an interrupted job'));
      }
    }
  }
}

/** Job ids are UUIDs: anything else names no job (rather than failing in PostgreSQL's cast). */
const isJobId = (id: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/** pg-boss's own queues (its cron sender): not work of ours. */
const isInternalQueue = (name: string): boolean => name.startsWith('__pgboss__');

/**
 * Creating a queue changes pg-boss's partitioned job table; two processes starting at once may deadlock
 * there, and PostgreSQL then aborts one of them, which simply tries again.
 */
async function retryOnDeadlock<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}
