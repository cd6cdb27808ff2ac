import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { ActionContext, Caller } from '../api/action-context';
import { Dispatcher } from '../api/dispatcher';
import { NotFound, ValidationError } from '../api/errors';
import { mungeName } from '../common/munge';
import { APP_CONFIG, AppConfig } from '../config/env';
import { Dict, GatherItem, Harvester, HarvestError, HarvestRun, HarvestTools, RemoteRecord } from './harvester';
import { HARVEST_TOOLS, HarvesterRegistry } from './harvester-registry';
import { HarvestObjectRow, HarvestRepository, HarvestStats, NO_STATS, ObjectSummary } from './harvest.repository';
import { remoteFetcher } from './remote-fetch';
import { SourceConfigs } from './source-config';

/** Listens to a run's progress (the CLI's bar). */
export type ProgressListener = (done: number, total: number | undefined, stats: HarvestStats) => void;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Stops a run: harvest_job_abort (seen by polling the job's row, so it works from any process) or the job's timeout. */
class RunStop {
  readonly controller = new AbortController();
  reason: 'aborted' | 'timeout' | null = null;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(timeoutMs: number, poll: () => Promise<boolean>) {
    // Every record waiting for a slot and every step raced against the stop listen to it: many listeners by design.
    setMaxListeners(0, this.controller.signal);
    this.timers.push(setTimeout(() => this.stop('timeout'), timeoutMs));
    const tick = (): void => {
      void poll().then((aborted) => (aborted ? this.stop('aborted') : undefined), () => undefined);
    };
    this.timers.push(setInterval(tick, 500));
  }

  stop(reason: 'aborted' | 'timeout'): void {
    if (this.reason) return;
    this.reason = reason;
    this.controller.abort();
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
  }
}

/**
 * One harvest job from start to report. The plug-in gathers, fetches and maps; the runner keeps harvest objects,
 * decides added / updated / not modified / deleted, keeps a dataset offered by two sources once (newest `modified`
 * wins), and writes datasets through the dispatcher as the site (ignoreAuth, the source's user recorded). Each
 * record's write is its own transaction: a record that fails rolls back alone and becomes an object error. The job
 * always ends, Finished or Aborted, with its counts.
 */
@Injectable()
export class HarvestRunner {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly repo: HarvestRepository,
    private readonly registry: HarvesterRegistry,
    private readonly configs: SourceConfigs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(HARVEST_TOOLS) private readonly tools: HarvestTools,
  ) {}

  async run(jobId: string, onProgress?: ProgressListener): Promise<HarvestStats | null> {
    const root = this.dispatcher.context(null, { ignoreAuth: true });
    const job = await this.repo.job(root.db, jobId);
    if (!job) return null;
    const source = await this.repo.source(root.db, job.source_id);
    if (!source || !(await this.repo.startJob(root.db, jobId))) return null;
    const stats: HarvestStats = { ...NO_STATS };
    const stop = new RunStop(this.config.HARVEST_JOB_TIMEOUT_MINUTES * 60_000, async () => (await this.repo.status(root.db, jobId)) === 'Aborted');
    let gatherFailed = false;
    let progressWrites: Promise<unknown> = Promise.resolve();
    const gatherError = async (message: string): Promise<void> => {
      gatherFailed = true;
      stats.errored += 1;
      await this.repo.addGatherError(root.db, jobId, message);
    };
    try {
      const ctx = await this.actingContext(root, source.user_id);
      const pkg = await ctx.call<Dict>('package_show', { id: source.id });
      const org = (pkg.organization as { name?: string } | null)?.name ?? null;
      const harvester = this.registry.get(source.source_type);
      if (!harvester) {
        await gatherError(`No harvester for source type ${source.source_type}`);
        return stats;
      }
      let config: Dict;
      try {
        config = this.configs.forRun(harvester, source);
      } catch (err) {
        await gatherError(`Invalid source configuration: ${messageOf(err)}`);
        return stats;
      }
      const since = await this.repo.lastSuccessfulStart(root.db, source.id);
      let done = 0;
      let total: number | undefined;
      let lastWrite = 0;
      const report = (force = false): void => {
        onProgress?.(done, total, stats);
        // At most a few writes a second, one after the other, so a late one never overwrites the final counts.
        if (!force && Date.now() - lastWrite < 250) return;
        lastWrite = Date.now();
        const snapshot = { progress: { done, total }, stats: { ...stats } };
        progressWrites = progressWrites.then(() => this.repo.setProgress(root.db, jobId, snapshot.progress, snapshot.stats)).catch(() => undefined);
      };
      const run: HarvestRun = {
        source: { id: source.id, url: source.url, type: source.source_type, config, organization: org },
        since: since ? new Date(since).toISOString() : null,
        fetch: remoteFetcher(
          { maxBytes: this.config.HARVEST_MAX_BYTES, timeoutMs: this.config.HARVEST_TIMEOUT_MS, allowPrivate: this.config.HARVEST_ALLOW_PRIVATE_ADDRESSES,
            retries: this.config.HARVEST_RETRIES, retryDelayMs: this.config.HARVEST_RETRY_DELAY_MS },
          stop.controller.signal,
        ),
        signal: stop.controller.signal,
        progress: (d, t) => {
          total = t ?? total;
          onProgress?.(Math.max(done, d), total, stats);
        },
        tools: this.tools,
      };
      const present = new Set<string>();
      const job: JobInfo = {
        jobId, sourceTitle: String(pkg.title || pkg.name), known: await this.repo.currentSummaries(root.db, source.id), slots: new Slots(this.config.HARVEST_CONCURRENCY),
      };
      const inFlight = new Set<Promise<void>>();
      let complete = false;
      try {
        // Each step raced against the stop, so a plug-in that hangs outside run.fetch still cannot keep the job Running.
        const items = (harvester.gather(run) as AsyncIterable<GatherItem>)[Symbol.asyncIterator]();
        for (;;) {
          const next = await untilStopped(items.next(), stop.controller.signal);
          if (next.done || stop.reason) {
            if (stop.reason) void Promise.resolve(items.return?.()).catch(() => undefined);
            break;
          }
          const item = next.value;
          if ('record' in item) {
            // Up to HARVEST_CONCURRENCY records fetched and written at once, each in its own transaction, while the
            // listing runs ahead by up to RECORDS_AHEAD a slot (the next pages are read while records are written); a
            // stop ends the job after those being written.
            const task = this.importRecord(ctx, harvester, run, job, item.record, org).then((status) => {
              stats[status] += 1;
              done += 1;
              report();
            });
            inFlight.add(task);
            void task.then(() => inFlight.delete(task), () => inFlight.delete(task));
            if (inFlight.size >= this.config.HARVEST_CONCURRENCY * RECORDS_AHEAD) await untilStopped(Promise.race(inFlight), stop.controller.signal);
          } else if ('present' in item) item.present.forEach((g) => present.add(g));
          else if ('complete' in item) complete = true;
        }
        await untilStopped(Promise.all(inFlight), stop.controller.signal);
      } catch (err) {
        if (!stop.reason) await gatherError(messageOf(err));
      }
      // Records already being written finish (their transactions are short); the job's counts include them.
      await Promise.allSettled(inFlight);
      await this.repo.gatherFinished(root.db, jobId);
      if (complete && !gatherFailed && !stop.reason) stats.deleted += await this.withdraw(ctx, source.id, jobId, [...present], stop.controller.signal);
      report(true);
      return stats;
    } catch (err) {
      await gatherError(messageOf(err));
      return stats;
    } finally {
      stop.dispose();
      await progressWrites;
      if (stop.reason === 'timeout') stats.errored += 1;
      if (stop.reason === 'timeout') await this.repo.addGatherError(root.db, jobId, `The job ran longer than HARVEST_JOB_TIMEOUT_MINUTES (${this.config.HARVEST_JOB_TIMEOUT_MINUTES}) and was aborted`);
      const status = stop.reason ? 'Aborted' : 'Finished';
      const message = stop.reason === 'timeout' ? 'Timed out' : stop.reason === 'aborted' ? 'Aborted by harvest_job_abort' : null;
      // An abort already ended the row: the counts of what was done are kept all the same.
      if (!(await this.repo.finishJob(root.db, jobId, status, stats, message))) await this.repo.setProgress(root.db, jobId, { done: -1 }, stats);
    }
  }

  /** The site acting (ignoreAuth) as the source's user, so the activity stream names them. */
  private async actingContext(root: ActionContext, userId: string | null): Promise<ActionContext> {
    if (!userId) return root;
    try {
      const u = await root.call<{ id: string; name: string; sysadmin: boolean }>('user_show', { id: userId });
      const caller: Caller = { id: u.id, name: u.name, sysadmin: u.sysadmin };
      return this.dispatcher.context(caller, { ignoreAuth: true });
    } catch {
      return root;
    }
  }

  /**
   * One record: unchanged since the last run as far as the listing tells (its `modified`), nothing to fetch, map or
   * write; else, in one of the job's slots, fetched, mapped and written (importHeld).
   */
  private async importRecord(ctx: ActionContext, h: Harvester, run: HarvestRun, job: JobInfo, gathered: RemoteRecord, org: string | null): Promise<keyof HarvestStats> {
    if (knownUnchanged(job.known.get(gathered.guid), gathered)) return 'not modified';
    await job.slots.take(run.signal);
    try {
      return await this.importHeld(ctx, h, run, job, gathered, org);
    } finally {
      job.slots.give();
    }
  }

  /** One record in its own transaction; a failure is an object error with the record's guid, never the job's end. */
  private async importHeld(ctx: ActionContext, h: Harvester, run: HarvestRun, job: JobInfo, gathered: RemoteRecord, org: string | null): Promise<keyof HarvestStats> {
    const jobId = job.jobId;
    const started = new Date();
    let record = gathered;
    let stage = 'Fetch';
    try {
      record = await untilStopped(h.fetch(gathered, run), run.signal);
      if (knownUnchanged(job.known.get(record.guid), record)) return 'not modified';
      stage = 'Import';
      const decision = await untilStopped(Promise.resolve(h.toPackage(record, run)), run.signal);
      if (decision.action === 'skip') throw new HarvestError(decision.reason, record.guid);
      const attempt = (): Promise<keyof HarvestStats> =>
        ctx.transaction(async (tx) => {
          await this.repo.commitWithoutWaitingForDisk(tx.db);
          return this.write(tx, run, job, record, decision.package, await this.organizationFor(tx, run, decision.remoteOrganization, org), started);
        });
      // A name another record of this run took in the meantime: once more, with the next free name.
      return await attempt().catch((err) => (err instanceof ValidationError && err.fields.name ? attempt() : Promise.reject(err)));
    } catch (err) {
      // Stopped mid-record: the run ends, the record is not its fault.
      if (run.signal.aborted) throw err;
      await ctx.transaction(async (tx) => {
        const id = await this.repo.insertObject(tx.db, {
          guid: record.guid, identifier: record.identifier || record.guid, sourceId: run.source.id, jobId, packageId: null, current: false,
          modified: validDate(record.modified), content: record.content ?? null, reportStatus: 'errored', importStarted: started,
        });
        await this.repo.addObjectError(tx.db, id, messageOf(err), stage);
      });
      return 'errored';
    }
  }

  private async write(tx: ActionContext, run: HarvestRun, { jobId, sourceTitle }: JobInfo, r: RemoteRecord, pkg: Dict, org: string | null, started: Date): Promise<keyof HarvestStats> {
    const sourceId = run.source.id;
    const identifier = r.identifier || r.guid;
    const modified = validDate(r.modified);
    const current = await this.repo.currentObject(tx.db, sourceId, r.guid);
    if (current && knownUnchanged(summaryOf(current), r)) return 'not modified';
    let packageId = current?.package_id ?? null;
    let status: keyof HarvestStats = packageId ? 'updated' : 'added';
    if (!packageId) {
      // GovData's rule: one dataset per identifier across sources, the newest `modified` wins. Two sources offering
      // the same new identifier at the same moment take turns here, so the second finds the first's.
      await this.repo.lockIdentifier(tx.db, identifier);
      const other = await this.repo.otherHolder(tx.db, sourceId, identifier);
      if (other) {
        const newer = modified && (!other.modified || new Date(modified) > new Date(other.modified));
        if (!newer) return 'not modified';
        await this.repo.retire(tx.db, other.id);
        packageId = other.package_id;
        status = 'updated';
      }
    }
    // ckanext-harvest's harvest_* extras name the object, source and its title (a remote's own are dropped).
    const objectId = randomUUID();
    const extras = [
      ...withoutHarvestExtras(pkg.extras),
      { key: 'harvest_object_id', value: objectId }, { key: 'harvest_source_id', value: sourceId }, { key: 'harvest_source_title', value: sourceTitle },
    ];
    // read_only: the catalog lets local editors edit it again only once harvest_dataset_detach clears it.
    // A harvested record is a dataset, or one of DCAT-AP 3's dataset series and standalone data services (never a
    // harvest source, nor a sensor dataset, whose data this catalog does not hold).
    const type = pkg.type === 'dataset_series' || pkg.type === 'data_service' ? pkg.type : 'dataset';
    const dict: Dict = { ...pkg, owner_org: org ?? pkg.owner_org, type, extras, read_only: true };
    delete dict.id;
    if (packageId) {
      const existing = await tx.call<Dict>('package_show', { id: packageId }).catch((err) => (err instanceof NotFound ? null : Promise.reject(err)));
      if (existing) {
        await tx.call('package_update', { ...dict, id: packageId, name: existing.name, state: 'active' });
      } else packageId = null;
    }
    if (!packageId) {
      const created = await tx.call<Dict>('package_create', { ...dict, name: await this.freeName(tx, dict, r.guid) });
      packageId = created.id as string;
      status = 'added';
    }
    if (current) await this.repo.retire(tx.db, current.id);
    await this.repo.insertObject(tx.db, {
      id: objectId, guid: r.guid, identifier, sourceId, jobId, packageId, current: true, modified, content: r.content ?? null, reportStatus: status, importStarted: started,
    });
    return status;
  }

  /**
   * Where a record's dataset goes: the source's organization, unless the config's `remote_orgs` (ckanext-harvest's CKAN
   * harvester) maps the remote organization: `only_local` to a local one of the same name when it exists, `create`
   * also creates it. Without `remote_orgs` the source's organization always.
   */
  private async organizationFor(tx: ActionContext, run: HarvestRun, remote: { name: string; title?: string; description?: string; image_url?: string } | undefined, org: string | null): Promise<string | null> {
    const mode = run.source.config.remote_orgs;
    if (!remote?.name || (mode !== 'only_local' && mode !== 'create')) return org;
    const found = await tx.call<Dict>('organization_show', { id: remote.name, include_datasets: false }).catch((err) => (err instanceof NotFound ? null : Promise.reject(err)));
    if (found) return found.name as string;
    if (mode === 'only_local') return org;
    const created = await tx.call<Dict>('organization_create', {
      name: mungeName(remote.name), title: remote.title ?? remote.name, description: remote.description ?? '', image_url: remote.image_url ?? '',
    });
    return created.name as string;
  }

  /** The proposed name, or with a suffix when taken (ckanext-harvest's _gen_new_name). */
  private async freeName(tx: ActionContext, dict: Dict, guid: string): Promise<string> {
    const base = mungeName(String(dict.name || dict.title || guid), 90) || 'dataset';
    // Many datasets of a catalog share a title (one per town and year): after the plain name, one drawn from the
    // record's identity is almost always free, so a name costs two lookups, not one per earlier namesake.
    const drawn = `${base}-${createHash('sha256').update(guid).digest('hex').slice(0, 8)}`;
    for (let i = 0; i < 1000; i++) {
      const name = i === 0 ? base : i === 1 ? drawn : `${drawn}-${i - 1}`;
      try {
        await tx.call('package_show', { id: name });
      } catch (err) {
        if (err instanceof NotFound) return name;
        throw err;
      }
    }
    throw new HarvestError(`No free name for ${base}`, guid);
  }

  /** After a whole listing: what the source no longer has is withdrawn (package_delete). */
  private async withdraw(ctx: ActionContext, sourceId: string, jobId: string, present: string[], signal: AbortSignal): Promise<number> {
    let n = 0;
    const absent = await this.repo.absent(ctx.db, sourceId, present);
    const one = async (o: HarvestObjectRow): Promise<void> => {
      try {
        await ctx.transaction(async (tx) => {
          // As a record's write: lost in a crash only whole, and then withdrawn by the next run.
          await this.repo.commitWithoutWaitingForDisk(tx.db);
          // No longer the source's: read-only no more (as detached), then deleted.
          if (o.package_id) await tx.call('package_patch', { id: o.package_id, read_only: false }).then(() => tx.call('package_delete', { id: o.package_id }))
            .catch((err) => (err instanceof NotFound ? null : Promise.reject(err)));
          await this.repo.retire(tx.db, o.id);
          await this.repo.insertObject(tx.db, {
            guid: o.guid, identifier: o.identifier, sourceId, jobId, packageId: o.package_id, current: false, modified: o.modified ? new Date(o.modified).toISOString() : null,
            content: null, reportStatus: 'deleted', importStarted: new Date(),
          });
        });
        n += 1;
      } catch (err) {
        await this.repo.addGatherError(ctx.db, jobId, `Could not withdraw ${o.guid}: ${messageOf(err)}`);
      }
    };
    // HARVEST_CONCURRENCY at a time, as records are written; a stop leaves the rest to the next run.
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(this.config.HARVEST_CONCURRENCY, absent.length) }, async () => {
      while (next < absent.length && !signal.aborted) await one(absent[next++]);
    }));
    return n;
  }
}

/** A dict's extras without harvest_* keys (a list of {key, value}, or none). */
export function withoutHarvestExtras(extras: unknown): { key: string; value: unknown }[] {
  return (Array.isArray(extras) ? (extras as { key: string; value: unknown }[]) : []).filter((e) => !HARVEST_EXTRAS.has(e?.key));
}

const HARVEST_EXTRAS = new Set(['harvest_object_id', 'harvest_source_id', 'harvest_source_title']);

interface JobInfo {
  jobId: string;
  sourceTitle: string;
  /** The source's current objects when the run started. */
  known: Map<string, ObjectSummary>;
  /** HARVEST_CONCURRENCY places for records being fetched and written. */
  slots: Slots;
}

/** Records the listing may run ahead of the writes, per slot. */
const RECORDS_AHEAD = 50;

/** A counting semaphore: `take` waits for a free place (first come, first served), or rejects once `signal` aborts. */
class Slots {
  private waiters: (() => void)[] = [];

  constructor(private free: number) {}

  take(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new HarvestError('The harvest job was stopped'));
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new HarvestError('The harvest job was stopped'));
      };
      this.waiters.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  give(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free += 1;
  }
}

/**
 * A record the run started with holding unchanged: detached (never touched again), or written before and the same
 * `modified` (when both say one), else the same content. write() checks again in its transaction, so a record
 * this misses costs time only.
 */
function knownUnchanged(known: ObjectSummary | undefined, r: RemoteRecord): boolean {
  if (!known) return false;
  if (known.detached) return true;
  if (!known.hasPackage) return false;
  const modified = validDate(r.modified);
  if (modified && known.modified !== null) return new Date(modified).getTime() === known.modified;
  return r.content !== undefined && known.contentMd5 !== null && createHash('md5').update(r.content).digest('hex') === known.contentMd5;
}

/** `p`, or a HarvestError as soon as `signal` aborts. */
function untilStopped<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new HarvestError('The harvest job was stopped'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new HarvestError('The harvest job was stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function validDate(v: string | undefined): string | null {
  if (!v) return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/** A current object as knownUnchanged compares it (the run's start reads the same from the database). */
function summaryOf(o: HarvestObjectRow): ObjectSummary {
  return {
    modified: o.modified ? new Date(o.modified).getTime() : null, contentMd5: o.content === null ? null : createHash('md5').update(o.content).digest('hex'),
    detached: o.detached, hasPackage: o.package_id !== null,
  };
}
