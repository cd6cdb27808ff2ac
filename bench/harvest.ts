import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { benchDataset, createDatasets, Server, startServer, stopServer, treeCpu } from './core';

/**
 * `npm run bench -- harvest`: a county platform harvesting a town's catalog, both this service on loopback.
 *
 * A second instance (the remote, its own process and database) is loaded with BENCH_HARVEST_DATASETS (10,000)
 * datasets through package_create. A first instance (HARVEST_ALLOW_PRIVATE_ADDRESSES=true, since the remote is on
 * 127.0.0.1) harvests it through its own action API as a sysadmin, as an operator would: harvest_source_create,
 * harvest_job_create, then harvest_job_show until the job is finished; harvest_job_show's `stats` (ckanext-harvest's
 * counts) and harvest_job_report's errors are compared with the exact numbers expected. Then 100 datasets are changed
 * (package_patch) and 50 deleted (package_delete) at the remote and the source is harvested again (incremental run).
 * The same, on a fresh first instance, with a `dcat_rdf` source over the remote's /catalog.ttl.
 *
 * Goals on the 2-core machine: full run < 60 s, incremental run < 5 s, exact counts in every report.
 */
const DATASETS = Number(process.env.BENCH_HARVEST_DATASETS ?? 10_000);
const CHANGED = Number(process.env.BENCH_HARVEST_CHANGED ?? 100);
const DELETED = Number(process.env.BENCH_HARVEST_DELETED ?? 50);
const FULL_LIMIT_S = 60;
const INCREMENTAL_LIMIT_S = 5;
/** A job still running after this long is aborted (harvest_job_abort) and the run reported as failed. */
const JOB_TIMEOUT_S = Number(process.env.BENCH_HARVEST_TIMEOUT ?? 600);
/** The remote's /catalog.ttl page size (the service's default unless given). */
const DCAT_PAGE = process.env.BENCH_HARVEST_DCAT_PAGE;
/** Which harvesters to measure (`ckan,dcat_rdf` unless given), e.g. BENCH_HARVEST_KINDS=dcat_rdf to profile one. */
const KINDS = (process.env.BENCH_HARVEST_KINDS ?? 'ckan,dcat_rdf').split(',').map((k) => k.trim());

const log = (s: string): void => void process.stdout.write(`${s}\n`);

/** ckanext-harvest's harvest_job_dictize `stats` (logic/dictization.py). */
interface JobStats {
  added: number;
  updated: number;
  'not modified': number;
  errored: number;
  deleted: number;
}

/** ckanext-harvest's job dict (HarvestJob.as_dict() plus stats). */
interface HarvestJob {
  id: string;
  source_id: string;
  status: string;
  created: string;
  gather_started: string | null;
  gather_finished: string | null;
  finished: string | null;
  stats?: JobStats;
}

/** ckanext-harvest's harvest_job_report. */
interface JobReport {
  gather_errors: { message: string }[];
  object_errors: Record<string, { guid: string; errors: { message: string; line?: number | null; type?: string }[] }>;
}

interface Counts {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  errors: number;
}

/** An action call failing: CKAN's envelope, or a bare string for an unknown action. */
class ActionFailed extends Error {
  constructor(readonly action: string, readonly status: number, readonly body: unknown) {
    super(`${action}: HTTP ${status} ${JSON.stringify(body).slice(0, 500)}`);
  }

  /** The action is not registered on this build (CKAN answers 400 with a bare string). */
  get isUnknownAction(): boolean {
    return this.status === 400 && typeof this.body === 'string';
  }
}

class Api {
  readonly base: string;
  constructor(readonly server: Server) {
    this.base = `http://127.0.0.1:${server.port}`;
  }

  async call<T>(action: string, body: Record<string, unknown>): Promise<T> {
    const res = await fetch(`${this.base}/api/3/action/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: this.server.token },
      body: JSON.stringify(body),
    });
    const parsed = (await res.json().catch(() => null)) as { success?: boolean; result?: T } | string | null;
    if (!res.ok || typeof parsed !== 'object' || !parsed?.success) throw new ActionFailed(action, res.status, parsed);
    return parsed.result as T;
  }
}

/** A port free right now on 127.0.0.1 (the remote must know its own address before it starts: hydra links). */
function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/**
 * Each instance its own data directory and embedded PostgreSQL, whatever BENCH_DATA_DIR / BENCH_DATABASE_URL say (they
 * would make the two instances share one catalog); both are removed at the end.
 */
const OWN_DATABASE = { BENCH_DATA_DIR: undefined, BENCH_DATABASE_URL: undefined };

async function stopAndRemove(server: Server): Promise<void> {
  await stopServer(server);
  await rm(server.dataDir, { recursive: true, force: true });
}

/** Runs `fn` over `items`, `concurrency` at a time. */
async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/** Waits until the remote's package_search answers from memory with every public dataset indexed. */
async function searchReady(api: Api, expected: number): Promise<void> {
  const until = Date.now() + 300_000;
  for (;;) {
    const s = (await (await fetch(`${api.base}/__bench/search-ready`)).json()) as { ready: boolean; documents: number };
    if (s.ready && s.documents >= expected) return;
    if (Date.now() > until) throw new Error(`remote search not ready after 300 s (${s.documents} of ${expected} documents)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The job to follow after harvest_job_create: the one it returns, or (ckanext-harvest's HarvestJobExists) the unrun one. */
async function startJob(api: Api, sourceId: string): Promise<HarvestJob> {
  try {
    return await api.call<HarvestJob>('harvest_job_create', { source_id: sourceId, run: true });
  } catch (err) {
    if (!(err instanceof ActionFailed) || err.status !== 409) throw err;
    const jobs = await api.call<HarvestJob[]>('harvest_job_list', { source_id: sourceId });
    const pending = jobs.find((j) => j.status === 'New' || j.status === 'Running');
    if (!pending) throw err;
    return pending;
  }
}

/** One harvest job, from harvest_job_create to a status other than New/Running; wall time, counts and errors. */
async function harvestOnce(api: Api, sourceId: string): Promise<{ seconds: number; job: HarvestJob; report: JobReport; cpu?: number }> {
  const cpuBefore = treeCpu(api.server.proc.pid!);
  const t0 = performance.now();
  let job = await startJob(api, sourceId);
  while (job.status === 'New' || job.status === 'Running') {
    if (performance.now() - t0 > JOB_TIMEOUT_S * 1000) {
      await api.call('harvest_job_abort', { source_id: sourceId }).catch(() => undefined);
      throw new Error(`harvest job ${job.id} still ${job.status} after ${JOB_TIMEOUT_S} s: aborted`);
    }
    await new Promise((r) => setTimeout(r, 100));
    job = await api.call<HarvestJob>('harvest_job_show', { id: job.id });
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpuAfter = treeCpu(api.server.proc.pid!);
  const report = await api.call<JobReport>('harvest_job_report', { id: job.id });
  const cpu = cpuBefore && cpuAfter ? cpuAfter.self - cpuBefore.self + (cpuAfter.children - cpuBefore.children) : undefined;
  return { seconds, job, report, cpu };
}

const countsOf = (stats: JobStats | undefined): Counts => ({
  created: stats?.added ?? NaN,
  updated: stats?.updated ?? NaN,
  deleted: stats?.deleted ?? NaN,
  unchanged: stats?.['not modified'] ?? NaN,
  errors: stats?.errored ?? NaN,
});
const countsText = (c: Counts): string => `created ${c.created} updated ${c.updated} deleted ${c.deleted} unchanged ${c.unchanged} errors ${c.errors}`;

/** Where a job's time went, from its own timestamps: the gather (listing, fetching and writing records) and what followed (withdrawals, the report). */
function phases(job: HarvestJob): string {
  const t = (v: string | null): number => (v ? Date.parse(v) : NaN);
  const gather = (t(job.gather_finished) - t(job.gather_started)) / 1000;
  const after = (t(job.finished) - t(job.gather_finished)) / 1000;
  return Number.isFinite(gather) && Number.isFinite(after) ? `, gather ${gather.toFixed(1)} s, then ${after.toFixed(1)} s to finish` : '';
}

/** Runs one job and prints its line: time against the limit, counts against the expected ones. True when both hold. */
async function measuredRun(api: Api, sourceId: string, label: string, datasets: number, limit: number, expected: Counts): Promise<boolean> {
  const { seconds, job, report, cpu } = await harvestOnce(api, sourceId);
  const got = countsOf(job.stats);
  const countsOk = (Object.keys(expected) as (keyof Counts)[]).every((k) => got[k] === expected[k]);
  const inTime = seconds < limit;
  const verdict = countsOk && inTime ? 'OK' : [countsOk ? '' : 'COUNTS DIFFER', inTime ? '' : 'OVER THE LIMIT'].filter(Boolean).join(', ');
  log(
    `${label}: ${datasets} datasets in ${seconds.toFixed(1)} s (limit ${limit} s) ${countsText(got)} (expected ${countsText(expected)}) ${verdict}` +
      `  [job ${job.status}${cpu === undefined ? '' : `, harvesting instance CPU ${cpu.toFixed(1)} s`}${phases(job)}]`,
  );
  const objectErrors = Object.values(report.object_errors);
  for (const e of report.gather_errors.slice(0, 3)) log(`  gather error: ${e.message}`);
  for (const e of objectErrors.slice(0, 5)) log(`  error at ${e.guid}: ${e.errors.map((x) => x.message).join('; ')}`);
  if (report.gather_errors.length + objectErrors.length > 8) log(`  … ${report.gather_errors.length} gather errors, ${objectErrors.length} records with errors in all`);
  return countsOk && inTime;
}

/** Changes `CHANGED` and deletes `DELETED` of the remote's bench datasets, starting at dataset `from`. */
async function changeRemote(remote: Api, orgId: string, from: number): Promise<void> {
  const name = (i: number): string => String(benchDataset(i, orgId).name);
  const changed = Array.from({ length: CHANGED }, (_, k) => from + k);
  const deleted = Array.from({ length: DELETED }, (_, k) => from + CHANGED + k);
  const t0 = performance.now();
  await pool(changed, 8, (i) => remote.call('package_patch', { id: name(i), notes: `${String(benchDataset(i, orgId).notes)} Geändert am ${new Date().toISOString()}.` }));
  await pool(deleted, 8, (i) => remote.call('package_delete', { id: name(i) }));
  log(`remote: ${CHANGED} datasets changed (package_patch) and ${DELETED} deleted (package_delete) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** Full run, changes at the remote, incremental run, for one source type on a fresh harvesting instance. */
async function scenario(kind: 'ckan' | 'dcat_rdf', remote: Api, orgId: string, present: number, changeFrom: number): Promise<'ok' | 'failed' | 'skipped'> {
  // BENCH_HARVEST_LOCAL_DATABASE_URL: the harvesting instance on a database of your own (an empty one per run), to
  // look at its statements (pg_stat_statements, say).
  const localDb = process.env.BENCH_HARVEST_LOCAL_DATABASE_URL ? { BENCH_DATABASE_URL: process.env.BENCH_HARVEST_LOCAL_DATABASE_URL } : {};
  const local = new Api(await startServer({ ...OWN_DATABASE, ...localDb, LOADER_FORMATS: 'none', HARVEST_ALLOW_PRIVATE_ADDRESSES: 'true' }));
  try {
    const org = await local.call<{ id: string }>('organization_create', { name: `landkreis-${kind.replace('_', '-')}`, title: 'Landkreis (Harvest-Bench)' });
    let source: { id: string };
    try {
      source = await local.call<{ id: string }>('harvest_source_create', {
        name: `bench-${kind.replace('_', '-')}-source`,
        title: `Bench ${kind} source`,
        url: kind === 'ckan' ? remote.base : `${remote.base}/catalog.ttl`,
        source_type: kind,
        frequency: 'MANUAL',
        owner_org: org.id,
        config: JSON.stringify({}),
      });
    } catch (err) {
      if (err instanceof ActionFailed && err.isUnknownAction) {
        log(`harvest ${kind}: SKIPPED, this build has no harvest actions (${JSON.stringify(err.body)}); harvesting instance was up on ${local.base}`);
        return 'skipped';
      }
      throw err;
    }
    const label = kind === 'ckan' ? 'harvest ckan' : 'harvest dcat_rdf';
    const full = await measuredRun(local, source.id, `${label} full run`, present, FULL_LIMIT_S, { created: present, updated: 0, deleted: 0, unchanged: 0, errors: 0 });
    await changeRemote(remote, orgId, changeFrom);
    const incremental = await measuredRun(local, source.id, `${label} incremental run`, present, INCREMENTAL_LIMIT_S, {
      created: 0, updated: CHANGED, deleted: DELETED, unchanged: present - CHANGED - DELETED, errors: 0,
    });
    const status = await local.call<{ total_datasets: number; job_count: number }>('harvest_source_show_status', { id: source.id });
    const expectedTotal = present - DELETED;
    log(`${label}: harvest_source_show_status total_datasets ${status.total_datasets} (expected ${expectedTotal}), job_count ${status.job_count} (expected 2) ${status.total_datasets === expectedTotal && status.job_count === 2 ? 'OK' : 'DIFFERS'}`);
    return full && incremental && status.total_datasets === expectedTotal ? 'ok' : 'failed';
  } finally {
    await stopAndRemove(local.server);
  }
}

export async function run(): Promise<void> {
  const port = await freePort();
  const remoteServer = await startServer({
    ...OWN_DATABASE,
    LOADER_FORMATS: 'none',
    BENCH_PORT: String(port),
    BENCH_SITE_URL: `http://127.0.0.1:${port}`,
    ...(DCAT_PAGE ? { DCAT_PAGE_SIZE: DCAT_PAGE } : {}),
  });
  const remote = new Api(remoteServer);
  try {
    const orgId = await createDatasets(remoteServer, DATASETS, `remote instance (${remote.base}) loaded`);
    await searchReady(remote, DATASETS);
    const count = (await remote.call<{ count: number }>('package_search', { rows: 0 })).count;
    if (count !== DATASETS) throw new Error(`the remote has ${count} public datasets, expected ${DATASETS}: the load failed`);
    // The CKAN run changes datasets 0…149; the DCAT run, on a fresh harvesting instance, starts from what is left and
    // changes the next 150, so both see the same kind of change.
    // The DCAT harvester follows the remote's hydra links: they must name the address it really answers on.
    const firstPage = await (await fetch(`${remote.base}/catalog.ttl`)).text();
    const next = /hydra:next <([^>]+)>/.exec(firstPage)?.[1];
    log(`remote /catalog.ttl: first page ${Buffer.byteLength(firstPage)} bytes, hydra:next ${next ?? '(none: one page)'}`);
    if (next && !next.startsWith(remote.base)) throw new Error(`the remote's hydra:next ${next} does not lead back to ${remote.base}`);
    const results: ('ok' | 'failed' | 'skipped')[] = [];
    if (KINDS.includes('ckan')) results.push(await scenario('ckan', remote, orgId, DATASETS, 0));
    // Without the CKAN run before it, the remote still holds every dataset.
    const ckanRan = KINDS.includes('ckan');
    if (KINDS.includes('dcat_rdf')) results.push(await scenario('dcat_rdf', remote, orgId, ckanRan ? DATASETS - DELETED : DATASETS, ckanRan ? CHANGED + DELETED : 0));
    const summary = results.every((r) => r === 'ok') ? 'all runs within their limits with the expected counts'
      : results.includes('failed') ? 'NOT all runs met their limits and counts (see above)'
      : 'harvest runs skipped (no harvest actions in this build); remote loaded and harvesting instances started';
    log(`harvest bench: ${summary}`);
  } finally {
    await stopAndRemove(remoteServer);
  }
}
