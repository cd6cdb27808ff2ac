import { Inject, Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { Dispatcher } from '../../api/dispatcher';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { JobQueue, JobRun, TransactionHandle } from '../../jobs/job-queue';
import { isDatabaseUnavailable } from '../push/database-unavailable';
import { IngestError } from '../readings';
import type { SourceConfig } from './sensor-source-config';
import { SensorPollers } from './sensor-poller';
import { RunOutcome, SensorSourceRepository, SourceRow } from './sensor-source.repository';

/** The job that polls one source. */
export const POLL_JOB = 'sensors.poll';
/** The scheduler: every minute, queues a poll of each source that is due. */
export const POLL_DUE_JOB = 'sensors.poll-due';

export interface PollJobData {
  source_id: string;
}

/** A poll longer than this counts as failed (the job queue then retries it). */
export const POLL_TIMEOUT_SECONDS = 600;
/**
 * A noted poll job older than this is taken for lost (its process died past the queue's retries), so the scheduler
 * queues a new one: the longest a job can take with its retries, and some.
 */
const STALE_AFTER_SECONDS = POLL_TIMEOUT_SECONDS * 3 + 600;
/** A noted job younger than this is not asked whether it has ended: it has barely started. */
const CHECK_ENDED_AFTER_SECONDS = 60;
/** How a run's outcome is written while the database is unreachable: tries, and the pause before the first retry (doubling). */
const RECORD_TRIES = 8;
const RECORD_FIRST_PAUSE_MS = 100;
/** Sources queued per scheduler run. */
const DUE_BATCH = 500;

const errorOf = (err: unknown): Record<string, unknown> => {
  if (err instanceof IngestError) return { message: err.message, code: err.code, ...(err.at ? { at: err.at } : {}) };
  return { message: err instanceof Error ? err.message : String(err) };
};

/** The counts after a run: the run's numbers added to the stored ones, plus runs and failures. */
export function addCounts(stored: Record<string, unknown>, run: Record<string, number>, failed: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(stored)) if (typeof v === 'number') out[k] = v;
  for (const [k, v] of Object.entries(run)) if (Number.isFinite(v)) out[k] = (out[k] ?? 0) + v;
  out.runs = (out.runs ?? 0) + 1;
  if (failed) out.failures = (out.failures ?? 0) + 1;
  return out;
}

/**
 * Polls of sensor sources on the job queue: `sensors.poll` runs one source's poller; `sensors.poll-due` (cron, once per
 * minute across all instances) queues polls of the sources that are due. Both `sensor_source_run` and the scheduler
 * note the queued job on the source (`run_job_id`) in the transaction that queues it, and queue nothing while one is
 * noted: one poll per source at a time, however many instances run. The run clears it when it ends.
 */
@Injectable()
export class SensorPollJob {
  constructor(
    private readonly repo: SensorSourceRepository,
    private readonly pollers: SensorPollers,
    private readonly jobs: JobQueue,
    private readonly dispatcher: Dispatcher,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  register(): void {
    // A failed poll is recorded on the source and tried at its next turn, so the job itself is not retried for it; the
    // one retry is for a process that died mid-run.
    this.jobs.register<PollJobData>(POLL_JOB, { retry: { limit: 1, delaySeconds: 30, backoff: false }, timeoutSeconds: POLL_TIMEOUT_SECONDS, handler: (data, run) => this.poll(data, run) });
    this.jobs.register(POLL_DUE_JOB, { retry: { limit: 0 }, timeoutSeconds: 60, handler: () => this.queueDue() });
    this.jobs.schedule(POLL_DUE_JOB, '* * * * *');
  }

  /**
   * Queues a poll of a source unless one is queued or running; in the caller's transaction, on the source row it
   * locked. Returns the job's id and whether it is new. A noted job that has ended without clearing itself (its run
   * could not record its outcome, the database being down through its retries) or is older than any run can be, is
   * taken for lost: else the source would wait for nothing.
   */
  async queue(tx: TransactionHandle, s: SourceRow): Promise<{ jobId: string; queued: boolean }> {
    if (s.run_job_id && !(await this.isLost(s.run_job_id, s.run_queued_at))) return { jobId: s.run_job_id, queued: false };
    const jobId = await this.jobs.enqueue<PollJobData>(POLL_JOB, { source_id: s.id }, { transaction: tx });
    await this.repo.markQueued(tx.db, s.id, jobId);
    return { jobId, queued: true };
  }

  private async isLost(jobId: string, queuedAt: string | null): Promise<boolean> {
    const age = queuedAt === null ? Infinity : (Date.now() - Date.parse(queuedAt)) / 1000;
    if (age > STALE_AFTER_SECONDS) return true;
    if (age < CHECK_ENDED_AFTER_SECONDS) return false;
    const job = await this.jobs.status(POLL_JOB, jobId);
    return !job || job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled';
  }

  /** `sensors.poll-due`: a poll for each due source, in one transaction that skips sources another instance holds. */
  async queueDue(): Promise<{ queued: number }> {
    const ctx = this.dispatcher.context(null, { ignoreAuth: true });
    return ctx.transaction(async (tx) => {
      let queued = 0;
      for (const { id } of await this.repo.lockDue(tx.db, CHECK_ENDED_AFTER_SECONDS, DUE_BATCH)) {
        const s = await this.repo.find(tx.db, id);
        if (s && (await this.queue(tx, s)).queued) queued++;
      }
      return { queued };
    });
  }

  /** `sensors.poll`: the source's poller, and what it did (or why it failed) recorded on the source. */
  async poll(data: PollJobData, run: JobRun): Promise<Record<string, unknown>> {
    const ctx = this.dispatcher.context(null, { ignoreAuth: true });
    const s = await this.repo.find(ctx.db, data.source_id);
    if (!s) return { skipped: 'the source is gone' };
    // A job the source no longer notes was replaced (taken for lost): the newer one polls.
    if (s.run_job_id !== run.id) return { skipped: 'another poll of this source was queued in its place' };
    const poller = this.pollers.get(s.type);
    let outcome: { success: boolean; error: unknown; counts: Record<string, number>; cursor?: Record<string, unknown>; warnings?: Record<string, unknown> | null };
    if (!poller) {
      const error = { code: 'no_poller', message: `Sources of type ${s.type} cannot be polled here: no poller for ${s.type} is installed in this service` };
      outcome = { success: false, error, counts: addCounts(s.counts, {}, true) };
    } else {
      try {
        const result = await poller.poll(
          { id: s.id, name: s.name, title: s.title, owner_org: s.owner_org, type: s.type, config: s.config as unknown as SourceConfig, cursor: s.cursor },
          { ctx, jobId: run.id, attempt: run.attempt, log: this.log, report: (p, m) => run.report(p, m) },
        );
        const warnings = result.warnings ?? [];
        if (warnings.length) this.log.info({ source: s.id, warnings: warnings.slice(0, 20), count: warnings.length }, 'a sensor source poll skipped some of its input');
        const counts = warnings.length ? { ...result.counts, warnings: warnings.length } : result.counts;
        // A run that skipped input succeeded; what it skipped is shown apart from failures, as last_warnings.
        const shown = warnings.length
          ? { message: `${warnings.length} Hinweise beim letzten Abruf; übersprungene Eingaben siehe warnings`, count: warnings.length, warnings: warnings.slice(0, 50) }
          : null;
        outcome = { success: true, error: null, counts: addCounts(s.counts, counts, false), cursor: result.cursor, warnings: shown };
      } catch (err) {
        this.log.warn({ err, source: s.id, type: s.type }, 'a sensor source poll failed');
        outcome = { success: false, error: errorOf(err), counts: addCounts(s.counts, {}, true) };
      }
    }
    await this.record(ctx, s.id, run.id, outcome);
    return { success: outcome.success, error: outcome.error };
  }

  /**
   * Writes a run's outcome, trying again for a while when the database is unreachable (a restart cut the poll's
   * connections, and the pool hands out the next dead one): a run that cannot say it ended keeps its source noted as
   * polling. If the database stays away, the job fails and its retry polls again from the last stored time.
   */
  private async record(ctx: ActionContext, sourceId: string, jobId: string, outcome: RunOutcome): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await ctx.transaction((tx) => this.repo.finishRun(tx.db, sourceId, jobId, outcome));
        return;
      } catch (err) {
        if (attempt >= RECORD_TRIES || !isDatabaseUnavailable(err)) throw err;
        this.log.warn({ err, source: sourceId, attempt }, 'could not record a sensor source poll; the database is unreachable, trying again');
        await new Promise((r) => setTimeout(r, RECORD_FIRST_PAUSE_MS * 2 ** (attempt - 1)));
      }
    }
  }
}
