import { TestApp } from '../../../test/test-app';
import { JobQueue, type JobStatus } from '../../jobs/job-queue';
import { AGGREGATE_JOB } from './aggregates';
import { ObservationWriter } from './observation-writer';
import { addMonths, monthOf, PARTITIONS_JOB, PartitionManager } from './partitions';
import { RETENTION_JOB } from './retention';
import { makeSource, makeStation } from './testing/sensor-fixture.repository';

async function until(q: JobQueue, name: string, id: string): Promise<JobStatus> {
  for (let i = 0; i < 200; i++) {
    const s = await q.status(name, id);
    if (s && (s.state === 'completed' || s.state === 'failed')) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${name} did not finish`);
}

/** The service as it runs: the writer from the module, the upkeep as jobs on the project's queue. */
describe('observations in the running service', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ JOBS_POLL_INTERVAL_MS: '500' });
  });
  afterAll(() => t?.stop());

  it('runs partitions, aggregates and retention as jobs on the queue', async () => {
    const q = t.app.get(JobQueue);
    const ds = t.db.dataSource;
    const source = await makeSource(ds, { retention: { raw_days: 3650 } });
    const { W } = await makeStation(ds, source, 'COCHEM', [{ key: 'W', quantity: 'water_level', unit: 'cm' }]);
    const writer = t.app.get(ObservationWriter);
    const resolved = await ds.transaction((tx) => writer.resolve(tx, source, {
      readings: [
        { station: 'COCHEM', stream: 'W', time: new Date('2025-03-29T10:00:00Z'), value: 3.01, unit: 'm' },
        { station: 'COCHEM', stream: 'Q', time: new Date('2025-03-29T10:00:00Z'), value: 50, unit: 'm³/s', at: 'line 2' },
        { station: 'TRIER', stream: 'W', time: new Date('2025-03-29T10:00:00Z'), value: 300, unit: 'cm', at: 'line 3' },
      ],
      warnings: [],
    }));
    expect(resolved.readings.map((r) => r.datastream.id)).toEqual([W.id]);
    expect(resolved.warnings).toEqual([
      expect.objectContaining({ code: 'unknown_stream', station: 'COCHEM', stream: 'Q', at: 'line 2' }),
      expect.objectContaining({ code: 'unknown_station', station: 'TRIER', at: 'line 3' }),
    ]);
    await ds.transaction((tx) => writer.write(tx, { sourceId: source, readings: resolved.readings }));

    const partitions = await until(q, PARTITIONS_JOB, await q.enqueue(PARTITIONS_JOB, {}));
    expect(partitions.state).toBe('completed');
    expect(await t.app.get(PartitionManager).list()).toEqual(expect.arrayContaining([monthOf(new Date()), addMonths(monthOf(new Date()), 2)]));

    // (The scheduled run may take the pending hour first; runs are serialised, so it is aggregated once this one ends.)
    expect((await until(q, AGGREGATE_JOB, await q.enqueue(AGGREGATE_JOB, {}))).state).toBe('completed');
    const [hour]: { avg: number }[] = await ds.query(`SELECT avg FROM sensor_aggregate WHERE datastream_id = $1 AND period = 'hour'`, [W.id]);
    expect(hour.avg).toBe(301);
    expect((await until(q, RETENTION_JOB, await q.enqueue(RETENTION_JOB, {}))).state).toBe('completed');
  });
});
