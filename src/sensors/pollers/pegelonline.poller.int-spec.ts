import { TestApp } from '../../../test/test-app';
import { JobQueue } from '../../jobs/job-queue';
import { POLL_JOB } from '../catalog/sensor-poll.job';
import { PegelonlinePoller } from './pegelonline.poller';
import { fixtureText, pegelonlineRoutes, startFixtureServer, type FixtureServer } from './testing/fixture-server';

type Source = Record<string, unknown> & { id: string; name: string; counts: Record<string, number>; last_error: Record<string, unknown> | null };
type Row = { t: string; result: number | null; quality: string; quality_reason: string | null };

const KOBLENZ = '69b8dbdf-886f-4351-b626-1c6a9a9b8653';
const TRIER = 'ad468294-35f6-4220-8d86-496e6450430d';
const COCHEM = 'dae5bb54-34a5-478f-80bf-e754266844a1';
const BAD_KREUZNACH = 'd4f98322-9f89-455d-af41-5d93dd1d8c4d';
/** The end of the recorded window (2025-03-29T00:00+01:00 .. 2025-03-31T00:00+02:00), taken as "now" by the poller. */
const WINDOW_END = Date.parse('2025-03-31T00:00:00+02:00');

/** A measurements answer of KOBLENZ W across the October switch: local midnight to midnight, 25 hours with offsets. */
function octoberNight(): string {
  const out: { timestamp: string; value: number }[] = [];
  const start = Date.parse('2025-10-26T00:00:00+02:00');
  const end = Date.parse('2025-10-27T00:00:00+01:00');
  for (let t = start, i = 0; t < end; t += 900_000, i++) {
    const summer = t < Date.parse('2025-10-26T01:00:00Z');
    const offsetMs = (summer ? 2 : 1) * 3600_000;
    const local = new Date(t + offsetMs).toISOString().slice(0, 19);
    out.push({ timestamp: `${local}${summer ? '+02:00' : '+01:00'}`, value: 300 + (i % 7) });
  }
  return JSON.stringify(out);
}

describe('the PEGELONLINE poller', () => {
  let t: TestApp;
  let wsv: FixtureServer;
  let land: FixtureServer;
  let org: { id: string; name: string };
  let n = 0;

  beforeAll(async () => {
    wsv = await startFixtureServer(pegelonlineRoutes('/webservices/rest-api/v2'));
    // A state's gauge service (the Nahe is no federal waterway): the same shape at another address, with only BAD KREUZNACH.
    // Its measurements are KOBLENZ's recording (synthetic data; only the path matters here).
    land = await startFixtureServer(
      pegelonlineRoutes('/pegel/api', { stations: ['BAD KREUZNACH'], measurements: (s, ts) => (s === 'BAD KREUZNACH' && ts === 'W' ? fixtureText('pegelonline/stations/KOBLENZ/W/measurements.json') : undefined) }),
    );
    t = await TestApp.start({ LOADER_ALLOW_PRIVATE_ADDRESSES: 'true' });
    org = (await t.factories.organization()) as { id: string; name: string };
    t.app.get(PegelonlinePoller).now = () => WINDOW_END;
  });
  afterAll(async () => {
    await t.stop();
    await wsv.close();
    await land.close();
  });
  afterEach(() => {
    wsv.clear();
    land.clear();
  });

  const create = async (config: Record<string, unknown>, base = `${wsv.base}/webservices/rest-api/v2`): Promise<Source> => {
    const s = await t.call<Source>('sensor_source_create', { name: `pegel-${++n}`, owner_org: org.name, type: 'pegelonline', config: { base_url: base, ...config } });
    // Polled only when a test says so, not by the minute's scheduler in between.
    await t.db.dataSource.query(`UPDATE sensor_source SET next_run_at = now() + interval '1 day' WHERE id = $1`, [s.id]);
    return s;
  };
  const run = async (s: Source): Promise<Source> => {
    const { job_id } = await t.call<{ job_id: string }>('sensor_source_run', { id: s.id });
    const jobs = t.app.get(JobQueue);
    for (let i = 0; i < 600; i++) {
      const st = await jobs.status(POLL_JOB, job_id);
      if (st && ['completed', 'failed'].includes(st.state)) return t.call<Source>('sensor_source_show', { id: s.id });
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`poll ${job_id} did not finish`);
  };
  const series = (s: Source, station: string, stream = 'W'): Promise<Row[]> =>
    t.db.dataSource.query(
      `SELECT to_char(o.phenomenon_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t, o.result, o.quality, o.quality_reason
         FROM sensor_observation o JOIN sensor_datastream d ON d.id = o.datastream_id JOIN sensor_thing th ON th.id = d.thing_id
        WHERE th.source_id = $1 AND th.source_key = $2 AND d.source_key = $3 ORDER BY o.phenomenon_time`,
      [s.id, station, stream],
    );
  const measurementStarts = (server: FixtureServer, uuid: string): string[] =>
    server.requests.filter((u) => u.pathname.includes(`/stations/${uuid}/W/`)).map((u) => u.searchParams.get('start') ?? '');

  it('makes a dataset per gauge with its characteristic values on the Datastream, and stores both days of the March switch as 188 quarter-hours', async () => {
    const s = await create({ stations: ['KOBLENZ', 'TRIER', 'COCHEM'], timeseries: ['W'], first_window: 'P2D' });
    const after = await run(s);
    expect(after).toMatchObject({ last_error: null, num_datasets: 3, num_datastreams: 3, counts: { runs: 1, stations: 3, readings: 188 + 186 + 182, stored: 188 + 186 + 182, missing: 1 } });

    const koblenz = await series(s, KOBLENZ);
    expect(koblenz).toHaveLength(188);
    expect(koblenz[0].t).toBe('2025-03-28T23:00:00Z');
    expect(koblenz[187].t).toBe('2025-03-30T21:45:00Z');
    // Every step is 15 minutes in UTC, across the switch from +01:00 to +02:00.
    const steps = new Set(koblenz.slice(1).map((r, i) => Date.parse(r.t) - Date.parse(koblenz[i].t)));
    expect([...steps]).toEqual([900_000]);
    // TRIER's -777 at 15:00+01:00 is a missing value, never a level of -777 cm.
    expect((await series(s, TRIER)).find((r) => r.t === '2025-03-29T14:00:00Z')).toEqual({ t: '2025-03-29T14:00:00Z', result: null, quality: 'missing', quality_reason: 'sentinel -777' });

    const [ds]: { properties: { characteristicValues: Record<string, { value: number }>; gaugeZero: { value: number } }; interval_seconds: number }[] = await t.db.dataSource.query(
      `SELECT d.properties, d.interval_seconds FROM sensor_datastream d JOIN sensor_thing th ON th.id = d.thing_id WHERE th.source_id = $1 AND th.source_key = $2`,
      [s.id, COCHEM],
    );
    expect(ds.interval_seconds).toBe(900);
    expect(Object.keys(ds.properties.characteristicValues)).toEqual(expect.arrayContaining(['MNW', 'MW', 'MHW']));
    expect(ds.properties.characteristicValues.MHW.value).toBe(700);
    expect(ds.properties.gaugeZero.value).toEqual(expect.any(Number));
    // The first poll asked for the configured window back from now.
    expect(measurementStarts(wsv, KOBLENZ)).toEqual([new Date(WINDOW_END - 2 * 86_400_000).toISOString()]);
    // The audit trail has the poll's counts, not its readings.
    const audited: { input: Record<string, unknown> }[] = await t.db.dataSource.query(`SELECT input FROM audit_write WHERE action = 'sensor_poll' AND object_id = $1`, [s.id]);
    expect(audited.map((a) => a.input.stored).reduce((x, y) => Number(x) + Number(y), 0)).toBe(188 + 186 + 182);
  });

  it('asks each series again from its last stored time, so a second poll stores nothing twice', async () => {
    const s = await create({ stations: ['KOBLENZ'], timeseries: ['W'], first_window: 'P2D' });
    await run(s);
    const second = await run(s);
    expect(measurementStarts(wsv, KOBLENZ).at(-1)).toBe('2025-03-30T21:45:00.000Z');
    // The last stored reading comes again and changes nothing.
    expect(second.counts).toMatchObject({ runs: 2, stored: 188, unchanged: 1 });
    expect(await series(s, KOBLENZ)).toHaveLength(188);
    const [row]: { cursor: { series: Record<string, string> } }[] = await t.db.dataSource.query(`SELECT cursor FROM sensor_source WHERE id = $1`, [s.id]);
    expect(row.cursor.series).toEqual({ [`${KOBLENZ}/W`]: '2025-03-30T21:45:00.000Z' });
  });

  it('fails a poll whose fetch fails without storing any of it, and the next poll resumes from the last stored time', async () => {
    const s = await create({ stations: ['KOBLENZ', 'COCHEM'], timeseries: ['W'], first_window: 'P2D' });
    wsv.override((u) => (u.pathname.includes(`/stations/${COCHEM}/`) ? { status: 503, body: 'Wartung' } : undefined));
    const failed = await run(s);
    expect(failed).toMatchObject({ last_success_at: null, counts: { runs: 1, failures: 1 }, last_error: { message: expect.stringContaining('HTTP 503') } });
    expect(await series(s, KOBLENZ)).toHaveLength(0);
    wsv.clear();

    const ok = await run(s);
    expect(ok).toMatchObject({ last_error: null, counts: { runs: 2, failures: 1, stored: 188 + 182 } });
    // A later failure leaves the cursor where the last success put it; the next poll asks from there.
    wsv.override((u) => (u.pathname.includes(`/stations/${COCHEM}/`) ? { status: 500, body: '' } : undefined));
    await run(s);
    wsv.clear();
    await run(s);
    expect(measurementStarts(wsv, COCHEM).slice(-2)).toEqual(['2025-03-30T21:45:00.000Z', '2025-03-30T21:45:00.000Z']);
  });

  it('makes a deleted gauge\'s dataset anew at the next poll and fetches its series again from the first window', async () => {
    const s = await create({ stations: ['KOBLENZ'], timeseries: ['W'], first_window: 'P2D' });
    await run(s);
    const [thing]: { package_id: string }[] = await t.db.dataSource.query(`SELECT package_id FROM sensor_thing WHERE source_id = $1`, [s.id]);
    await t.call('package_delete', { id: thing.package_id });
    expect(await series(s, KOBLENZ)).toHaveLength(0);
    const after = await run(s);
    expect(after).toMatchObject({ last_error: null, num_datasets: 1 });
    expect(measurementStarts(wsv, KOBLENZ).at(-1)).toBe(new Date(WINDOW_END - 2 * 86_400_000).toISOString());
    expect(await series(s, KOBLENZ)).toHaveLength(188);
  });

  it('polls a state gauge service of the same shape at another base_url (BAD KREUZNACH on the Nahe)', async () => {
    const s = await create({ stations: ['BAD KREUZNACH'], first_window: 'P2D' }, `${land.base}/pegel/api`);
    const after = await run(s);
    expect(after).toMatchObject({ last_error: null, num_datasets: 1, num_datastreams: 2, counts: { stations: 1, stored: 188 } });
    // The station's name went through the URL with its space encoded.
    expect(land.requests.some((u) => u.pathname === '/pegel/api/stations.json' && u.searchParams.get('ids') === 'BAD KREUZNACH')).toBe(true);
    expect(await series(s, BAD_KREUZNACH)).toHaveLength(188);
    const [pkg]: { title: string }[] = await t.db.dataSource.query(
      `SELECT p.title FROM package p JOIN sensor_thing th ON th.package_id = p.id WHERE th.source_id = $1`,
      [s.id],
    );
    expect(pkg.title).toContain('BAD KREUZNACH');
  });

  it('stores the October night across the switch back to winter time as 100 quarter-hours, the repeated hour twice in UTC', async () => {
    wsv.override((u) => (u.pathname.endsWith(`/stations/${KOBLENZ}/W/measurements.json`) ? { body: octoberNight() } : undefined));
    const s = await create({ stations: ['KOBLENZ'], timeseries: ['W'] });
    await run(s);
    const rows = await series(s, KOBLENZ);
    expect(rows).toHaveLength(100);
    expect(rows[0].t).toBe('2025-10-25T22:00:00Z');
    expect(rows[99].t).toBe('2025-10-26T22:45:00Z');
    expect(new Set(rows.slice(1).map((r, i) => Date.parse(r.t) - Date.parse(rows[i].t)))).toEqual(new Set([900_000]));
  });

  it('polls the stations of a water, leaving out a gauge without any of the series asked for, with a warning', async () => {
    const s = await create({ waters: ['RHEIN'], timeseries: ['WT'] });
    const after = await run(s);
    // Of MAINZ, KAUB and KOBLENZ only KAUB measures the water temperature.
    expect(after).toMatchObject({ num_datasets: 1, num_datastreams: 1, counts: { stations: 1 }, last_error: null, last_warnings: { count: 2, warnings: [expect.objectContaining({ code: 'unknown_stream' }), expect.objectContaining({ code: 'unknown_stream' })] } });
  });

  it('converts a series that declares metres to the centimetres of the water level (bad/wrong-unit-meters.json: 3.01 m is 301 cm)', async () => {
    wsv.override((u) => (u.pathname.endsWith(`/stations/${COCHEM}/W/measurements.json`) ? { body: fixtureText('bad/wrong-unit-meters.json') } : undefined));
    const s = await create({ stations: ['COCHEM'], timeseries: ['W'] });
    expect(await run(s)).toMatchObject({ last_error: null, counts: { stored: 6 } });
    expect((await series(s, COCHEM)).map((r) => r.result)).toEqual([301, 299, 300, 300, 301, 300]);
  });

  it('fails a poll of a truncated answer (bad/malformed.json) naming the byte, and stores nothing of it', async () => {
    wsv.override((u) => (u.pathname.endsWith(`/stations/${COCHEM}/W/measurements.json`) ? { body: fixtureText('bad/malformed.json') } : undefined));
    const s = await create({ stations: ['KOBLENZ', 'COCHEM'], timeseries: ['W'], first_window: 'P2D' });
    const after = await run(s);
    expect(after.last_error).toMatchObject({ code: 'malformed', at: 'byte 167' });
    expect(await series(s, KOBLENZ)).toHaveLength(0);
    expect(await series(s, COCHEM)).toHaveLength(0);
  });
});
