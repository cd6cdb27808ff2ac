import { Client } from 'pg';
import { TestApp } from '../../../test/test-app';
import { JobQueue, type JobStatus } from '../../jobs/job-queue';
import { POLL_JOB } from '../catalog/sensor-poll.job';
import { PegelonlinePoller } from './pegelonline.poller';
import { fixtureText, pegelonlineRoutes, startFixtureServer, type FixtureServer } from './testing/fixture-server';

type Source = Record<string, unknown> & { id: string; counts: Record<string, number>; last_error: Record<string, unknown> | null; run_job_id?: string | null };

const KOBLENZ = '69b8dbdf-886f-4351-b626-1c6a9a9b8653';
const WINDOW_END = Date.parse('2025-03-31T00:00:00+02:00');
/** Where the gauge's recording stood at the first poll: the first of its two days. */
const FIRST_DAY_END = Date.parse('2025-03-30T00:00:00+01:00');

/**
 * A database restart in the middle of a poll: every connection of the service ends while the poll's write transaction
 * is open (it waits on a lock the test holds, so the cut falls inside it). The
 * failed poll stores nothing; the next poll resumes from the last stored time and stores every reading exactly once.
 */
describe('pollers across a database restart', () => {
  let t: TestApp;
  let wsv: FixtureServer;
  let datex: FixtureServer;
  let admin: Client;
  let org: { name: string };
  let n = 0;
  /** The detector centre's current publication: the recorded one, an hour later for the second. */
  let publication = 0;
  /** Until when the gauge's recording is published (epoch ms). */
  let publishedUntil = FIRST_DAY_END;

  beforeAll(async () => {
    const koblenz = JSON.parse(fixtureText('pegelonline/stations/KOBLENZ/W/measurements.json')) as { timestamp: string }[];
    wsv = await startFixtureServer(
      pegelonlineRoutes('/api', { measurements: (s, ts) => (s === 'KOBLENZ' && ts === 'W' ? JSON.stringify(koblenz.filter((r) => Date.parse(r.timestamp) < publishedUntil)) : undefined) }),
    );
    datex = await startFixtureServer((u) => {
      if (u.pathname === '/mst.xml') return { type: 'application/xml', body: fixtureText('datex2/measurement-site-table.v3.xml') };
      if (u.pathname === '/measured.xml') return { type: 'application/xml', body: fixtureText('datex2/measured-data-publication.v3.xml').replaceAll('2025-06-17T06:', `2025-06-17T0${6 + publication}:`) };
      return undefined;
    });
    t = await TestApp.start({ LOADER_ALLOW_PRIVATE_ADDRESSES: 'true' });
    t.app.get(PegelonlinePoller).now = () => WINDOW_END;
    org = (await t.factories.organization()) as { name: string };
    admin = new Client({ connectionString: t.db.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await t.stop();
    await wsv.close();
    await datex.close();
  });

  const create = async (type: string, config: Record<string, unknown>): Promise<Source> => {
    const s = await t.call<Source>('sensor_source_create', { name: `restart-${++n}`, owner_org: org.name, type, config });
    await t.db.dataSource.query(`UPDATE sensor_source SET next_run_at = now() + interval '1 day' WHERE id = $1`, [s.id]);
    return s;
  };
  const show = (s: Source): Promise<Source> => t.call<Source>('sensor_source_show', { id: s.id });
  const finished = async (jobId: string): Promise<JobStatus> => {
    const jobs = t.app.get(JobQueue);
    for (let i = 0; i < 1200; i++) {
      const st = await jobs.status(POLL_JOB, jobId).catch(() => null);
      if (st && ['completed', 'failed'].includes(st.state)) return st;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`poll ${jobId} did not finish`);
  };
  const run = async (s: Source): Promise<Source> => {
    const { job_id } = await t.call<{ job_id: string }>('sensor_source_run', { id: s.id });
    await finished(job_id);
    return show(s);
  };
  /** Runs a poll while the database drops every connection in its write transaction; returns the source after it. */
  const runCutInTheMiddle = async (s: Source): Promise<Source> => {
    await admin.query('BEGIN');
    // The poll's write transaction cannot finish while the test holds this: it moves the datastreams' latest values.
    await admin.query('LOCK TABLE sensor_latest IN EXCLUSIVE MODE');
    let jobId: string;
    try {
      ({ job_id: jobId } = await t.call<{ job_id: string }>('sensor_source_run', { id: s.id }));
      // The poll has fetched everything (its progress says so) and its write transaction waits for the test's lock.
      let waiting = 0;
      for (let i = 0; i < 400 && !waiting; i++) {
        await new Promise((r) => setTimeout(r, 25));
        const progress = (await t.app.get(JobQueue).status(POLL_JOB, jobId))?.progress ?? 0;
        const { rows } = await admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND pg_backend_pid() = ANY(pg_blocking_pids(pid))`,
        );
        waiting = progress >= 0.5 ? rows[0].n : 0;
      }
      expect(waiting).toBe(1);
      // What a database restart does to the service: every connection ends under it, the poll's among them.
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    } finally {
      await admin.query('COMMIT');
    }
    await finished(jobId);
    return show(s);
  };
  const count = async (s: Source): Promise<number> =>
    (
      await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM sensor_observation o JOIN sensor_datastream d ON d.id = o.datastream_id JOIN sensor_thing th ON th.id = d.thing_id WHERE th.source_id = $1`,
        [s.id],
      )
    ).rows[0].n;
  const storedTimes = async (s: Source): Promise<{ t: string; n: number }[]> =>
    (
      await admin.query<{ t: string; n: number }>(
        `SELECT to_json(o.phenomenon_time) #>> '{}' AS t, count(*)::int AS n
           FROM sensor_observation o JOIN sensor_datastream d ON d.id = o.datastream_id JOIN sensor_thing th ON th.id = d.thing_id
          WHERE th.source_id = $1 GROUP BY o.phenomenon_time ORDER BY o.phenomenon_time`,
        [s.id],
      )
    ).rows;

  it('PEGELONLINE: a poll cut off by a database restart stores nothing, and the next resumes from the last stored time and stores every reading once', async () => {
    publishedUntil = FIRST_DAY_END;
    const s = await create('pegelonline', { base_url: `${wsv.base}/api`, stations: ['KOBLENZ'], timeseries: ['W'], first_window: 'P2D' });
    const first = await run(s);
    expect(first).toMatchObject({ last_error: null, counts: { stored: 96 } });
    const lastStored = (await storedTimes(s)).at(-1)!.t;

    publishedUntil = WINDOW_END;
    const cut = await runCutInTheMiddle(s);
    expect(cut.last_error).toMatchObject({ message: expect.any(String) });
    expect(cut.run_job_id ?? null).toBeNull();
    // The cut transaction left nothing behind: still the first day only.
    expect(await storedTimes(s)).toHaveLength(96);

    wsv.requests.splice(0);
    const next = await run(s);
    expect(next).toMatchObject({ last_error: null, counts: { stored: 188, revised: 0 } });
    // It asked from the last stored time on (inclusive: the last reading comes again as a no-op).
    const starts = wsv.requests.filter((u) => u.pathname.endsWith(`/stations/${KOBLENZ}/W/measurements.json`)).map((u) => u.searchParams.get('start'));
    expect(starts).toEqual([new Date(lastStored).toISOString()]);
    const rows = await storedTimes(s);
    expect(rows).toHaveLength(188);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const [{ revisions }] = (await admin.query<{ revisions: number }>(`SELECT count(*)::int AS revisions FROM sensor_observation_revision r JOIN sensor_datastream d ON d.id = r.datastream_id JOIN sensor_thing th ON th.id = d.thing_id WHERE th.source_id = $1`, [s.id])).rows;
    expect(revisions).toBe(0);
  });

  it('DATEX II: a poll cut off by a database restart stores nothing, and the next stores the whole publication once', async () => {
    const s = await create('datex2', { url: `${datex.base}/measured.xml`, format: 'v3-xml', site_table_url: `${datex.base}/mst.xml` });
    publication = 0;
    const first = await run(s);
    expect(first).toMatchObject({ last_error: null, num_datasets: 5 });
    const perPublication = first.counts.stored;
    expect(perPublication).toBeGreaterThan(0);

    publication = 1;
    const cut = await runCutInTheMiddle(s);
    expect(cut.last_error).toMatchObject({ message: expect.any(String) });
    expect(cut.run_job_id ?? null).toBeNull();
    expect(await count(s)).toBe(perPublication);

    const next = await run(s);
    expect(next).toMatchObject({ last_error: null, counts: { stored: 2 * perPublication, revised: 0 } });
    expect(await count(s)).toBe(2 * perPublication);
  });

  it('polls again at once when the noted poll ended without recording its end (the database stayed away through its retries)', async () => {
    publishedUntil = WINDOW_END;
    const s = await create('pegelonline', { base_url: `${wsv.base}/api`, stations: ['KOBLENZ'], timeseries: ['W'], first_window: 'P2D' });
    const { job_id: ended } = await t.call<{ job_id: string }>('sensor_source_run', { id: s.id });
    await finished(ended);
    // What a run leaves when it could not write its outcome: its job still noted on the source, minutes ago.
    await admin.query(`UPDATE sensor_source SET run_job_id = $2, run_queued_at = now() - interval '2 minutes' WHERE id = $1`, [s.id, ended]);
    const again = await t.call<{ job_id: string; queued?: boolean }>('sensor_source_run', { id: s.id });
    expect(again).toMatchObject({ queued: true });
    expect(again.job_id).not.toBe(ended);
    await finished(again.job_id);
    expect(await show(s)).toMatchObject({ run_job_id: null, last_error: null, counts: { runs: 2 } });
  });
});
