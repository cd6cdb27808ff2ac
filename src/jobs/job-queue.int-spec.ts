import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { createLogger } from '../common/logger';
import { createDataSource } from '../database/data-source';
import { createTestDatabase, dropTestDatabase } from '../../test/test-db';
import { JobQueue, JobQueueOptions, JobStatus } from './job-queue';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A promise the test resolves when it chooses. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

/** Polls until `check` holds (the test's own timeout bounds it). */
async function until<T>(read: () => Promise<T>, check: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    await sleep(50);
  }
}

/**
 * The job queue on a real PostgreSQL: several queue instances on one database stand for several
 * processes of the catalog.
 */
describe('the job queue', () => {
  let db: { name: string; url: string };
  let ds: DataSource;
  const queues: JobQueue[] = [];

  const queue = (opts: Partial<JobQueueOptions> = {}): JobQueue => {
    const q = new JobQueue(
      { url: db.url, worker: true, concurrency: 1, pollIntervalMs: 500, shutdownTimeoutMs: 1000, cronCheckSeconds: 1, ...opts },
      createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    );
    queues.push(q);
    return q;
  };
  const status = (q: JobQueue, name: string, id: string) => (): Promise<JobStatus | null> => q.status(name, id);
  const dbNow = async (): Promise<Date> => new Date((await ds.query(`SELECT clock_timestamp() AS t`))[0].t);

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource({ url: db.url, entities: [], poolSize: 2 });
    await ds.initialize();
  });
  afterAll(async () => {
    for (const q of queues) await q.stop();
    await ds.destroy();
    await dropTestDatabase(db.name);
  });

  it('answers "no such job" for an id that is not a job id, instead of failing', async () => {
    const q = queue();
    q.register('test.lookup', { handler: async () => undefined });
    await q.start();
    expect(await q.status('test.lookup', 'nicht-uuid')).toBeNull();
    expect(await q.status('test.lookup', '00000000-0000-0000-0000-000000000000')).toBeNull();
  });

  it('retries a failing job with growing delays until it succeeds, and keeps the last error visible', async () => {
    const q = queue();
    const failedAt: Date[] = [];
    const scheduledFor: Date[] = [];
    q.register<{ source: string }>('test.flaky', {
      retry: { limit: 3, delaySeconds: 1, backoff: true },
      handler: async (data, run) => {
        if (run.attempt > 1) {
          const [row] = await ds.query(`SELECT start_after FROM pgboss.job WHERE id = $1`, [run.id]);
          scheduledFor.push(new Date(row.start_after));
        }
        if (run.attempt < 3) {
          failedAt.push(await dbNow());
          throw new Error(`${data.source} did not answer (attempt ${run.attempt})`);
        }
        return { loaded: 12 };
      },
    });
    await q.start();
    const id = await q.enqueue('test.flaky', { source: 'pegelonline' });

    const done = await until(status(q, 'test.flaky', id), (s) => s?.state === 'completed');
    expect(done).toMatchObject({ attempts: 3, maxAttempts: 4, lastError: 'pegelonline did not answer (attempt 2)', output: { loaded: 12 } });
    // Back-off: the first retry waited at least the delay, the second at least twice that.
    const waited = scheduledFor.map((s, i) => (s.getTime() - failedAt[i].getTime()) / 1000);
    expect(waited).toHaveLength(2);
    expect(waited[0]).toBeGreaterThanOrEqual(0.9);
    expect(waited[1]).toBeGreaterThanOrEqual(1.9);
  });

  it('gives up on a job that always fails after its retries, leaving it failed with its error', async () => {
    const q = queue();
    let calls = 0;
    q.register('test.broken', {
      retry: { limit: 1, delaySeconds: 0, backoff: false },
      handler: async () => {
        calls++;
        throw new Error('the source answered 500');
      },
    });
    await q.start();
    const id = await q.enqueue('test.broken', {});
    const s = await until(status(q, 'test.broken', id), (v) => v?.state === 'failed');
    expect(s).toMatchObject({ state: 'failed', attempts: 2, maxAttempts: 2, lastError: 'the source answered 500' });
    expect(calls).toBe(2);
    expect(await q.recent({ queue: 'test.broken' })).toEqual([expect.objectContaining({ id, state: 'failed', lastError: 'the source answered 500' })]);
  });

  it('enqueues inside the caller’s transaction: a rolled-back write leaves no job, a committed one runs', async () => {
    const q = queue();
    const seen: string[] = [];
    q.register<{ dataset: string }>('test.after-write', { handler: async (d) => void seen.push(d.dataset) });
    await q.start();

    let rolledBackId = '';
    await expect(
      ds.transaction(async (em) => {
        rolledBackId = await q.enqueue('test.after-write', { dataset: 'rolled-back' }, { transaction: { db: em, afterCommit: () => undefined } });
        throw new Error('the write failed');
      }),
    ).rejects.toThrow('the write failed');
    expect(rolledBackId).not.toBe('');
    expect(await q.status('test.after-write', rolledBackId)).toBeNull();

    const hooks: (() => unknown)[] = [];
    const id = await ds.transaction((em) => q.enqueue('test.after-write', { dataset: 'committed' }, { transaction: { db: em, afterCommit: (h) => void hooks.push(h) } }));
    for (const h of hooks) await h();
    await until(status(q, 'test.after-write', id), (s) => s?.state === 'completed');
    expect(seen).toEqual(['committed']);
  });

  it('shows the progress a running job reports', async () => {
    const q = queue();
    const release = gate();
    q.register('test.progress', {
      handler: async (_d, run) => {
        await run.report(0.5, '500 of 1000 rows');
        await release.opened;
      },
    });
    await q.start();
    const id = await q.enqueue('test.progress', {});
    const running = await until(status(q, 'test.progress', id), (s) => s?.progress === 0.5);
    expect(running).toMatchObject({ state: 'active', attempts: 1, progress: 0.5, message: '500 of 1000 rows', lastError: null });
    release.open();
    expect(await until(status(q, 'test.progress', id), (s) => s?.state === 'completed')).toMatchObject({ progress: 0.5, message: '500 of 1000 rows' });
  });

  it('runs a schedule once per tick although two instances keep it', async () => {
    // A tick is a minute: start early in one, so that the instances' checks (every second) all fall into it.
    while ((await dbNow()).getUTCSeconds() > 48) await sleep(500);
    const from = await dbNow();
    const runs: string[] = [];
    for (const who of ['a', 'b']) {
      const q = queue();
      q.register('test.tick', { handler: async () => void runs.push(who) });
      q.schedule('test.tick', '* * * * *');
      await q.start();
    }
    await until(async () => runs.length, (n) => n >= 1);
    await sleep(3500); // several more checks by both instances
    const to = await dbNow();
    const ticks = Math.floor(to.getTime() / 60000) - Math.floor(from.getTime() / 60000) + 1;
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'test.tick'`);
    expect(n).toBe(runs.length);
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.length).toBeLessThanOrEqual(ticks);
  });

  it('lets a running job finish at shutdown and leaves the jobs it did not start to another instance', async () => {
    const a = queue();
    const release = gate();
    const started: string[] = [];
    a.register<{ n: number }>('test.drain', {
      handler: async ({ n }) => {
        started.push(`a${n}`);
        await release.opened;
        return { by: 'a' };
      },
    });
    await a.start();
    const first = await a.enqueue('test.drain', { n: 1 });
    const second = await a.enqueue('test.drain', { n: 2 });
    await until(async () => started.length, (n) => n === 1);

    const stopped = a.stop();
    await sleep(100); // the shutdown has begun: no further job is taken
    release.open();
    await stopped;
    expect(started).toEqual(['a1']);
    expect(await status(queue({ worker: false }), 'test.drain', first)()).toMatchObject({ state: 'completed', output: { by: 'a' } });

    const b = queue();
    b.register('test.drain', { handler: async () => ({ by: 'b' }) });
    await b.start();
    expect(await until(status(b, 'test.drain', second), (s) => s?.state === 'completed')).toMatchObject({ attempts: 1, output: { by: 'b' } });
  });

  it('hands a job still running when the shutdown wait ends back, and another instance runs it (even without retries left)', async () => {
    const a = queue({ shutdownTimeoutMs: 1000 });
    const stuck = gate();
    let startedOnA = false;
    a.register('test.stuck', {
      retry: { limit: 0 },
      handler: async () => {
        startedOnA = true;
        await stuck.opened;
        return { by: 'a' };
      },
    });
    await a.start();
    const id = await a.enqueue('test.stuck', {});
    await until(async () => startedOnA, (v) => v);
    await a.stop();

    const b = queue();
    b.register('test.stuck', { retry: { limit: 0 }, handler: async () => ({ by: 'b' }) });
    await b.start();
    const done = await until(status(b, 'test.stuck', id), (s) => s?.state === 'completed');
    expect(done).toMatchObject({ output: { by: 'b' }, attempts: 2 });
    // The interrupted run ending late changes nothing.
    stuck.open();
    await sleep(100);
    expect(await b.status('test.stuck', id)).toMatchObject({ state: 'completed', output: { by: 'b' } });
  });
});
