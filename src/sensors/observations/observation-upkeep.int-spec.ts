import { createTestDatabase, dropTestDatabase } from '../../../test/test-db';
import { bodyHash } from './ingest-batch.repository';
import type { ResolvedReading, WriteInput, WriteResult } from './observation-writer';
import type { DatastreamRef } from './observation.repository';
import { addMonths, monthOf } from './partitions';
import { makeSource, makeStation, observationKit, type ObservationKit } from './testing/sensor-fixture.repository';

describe('observation upkeep: partitions, idempotent batches, aggregates, retention', () => {
  let db: { name: string; url: string };
  let k: ObservationKit;

  beforeAll(async () => {
    db = await createTestDatabase();
    k = await observationKit(db.url);
  });
  afterAll(async () => {
    await k.ds.destroy();
    await dropTestDatabase(db.name);
  });

  const write = (input: WriteInput): Promise<WriteResult> => k.ds.transaction((tx) => k.writer.write(tx, input));
  const at = (datastream: DatastreamRef, time: string | Date, value: number | null): ResolvedReading => ({
    station: 'S', stream: 'W', time: new Date(time), value, datastream,
  });
  const gauge = async (source: string | null = null): Promise<DatastreamRef> =>
    (await makeStation(k.ds, source, `G${Math.random()}`, [{ key: 'W', quantity: 'water_level', unit: 'cm' }])).W;
  const partitionOf = async (id: number, time: string): Promise<string> =>
    ((await k.ds.query(`SELECT tableoid::regclass::text AS p FROM sensor_observation WHERE datastream_id = $1 AND phenomenon_time = $2`, [id, time])) as { p: string }[])[0]?.p;

  it('makes the partition of a month on demand, moving the rows the default partition held for it', async () => {
    const w = await gauge();
    // A row that arrived while 2019-07 had no partition (written directly, as before this writer): in the default partition.
    await k.ds.query(`INSERT INTO sensor_observation (datastream_id, phenomenon_time, result) VALUES ($1, '2019-07-10T12:00:00Z', 100)`, [w.id]);
    expect(await partitionOf(w.id, '2019-07-10T12:00:00Z')).toBe('sensor_observation_default');

    const res = await write({ readings: [at(w, '2019-07-11T12:00:00Z', 101), at(w, '2019-07-10T12:00:00Z', 100)], lateWindowSeconds: 1e10 });
    expect(res.counts).toMatchObject({ inserted: 1, unchanged: 1 });
    expect(await partitionOf(w.id, '2019-07-10T12:00:00Z')).toBe('sensor_observation_p2019_07');
    expect(await partitionOf(w.id, '2019-07-11T12:00:00Z')).toBe('sensor_observation_p2019_07');
    const [{ n }]: { n: number }[] = await k.ds.query(`SELECT count(*)::int AS n FROM sensor_observation_default`);
    expect(n).toBe(0);
  });

  it('stores readings in the default partition when their month\'s partition cannot be made now, refusing nothing', async () => {
    const w = await gauge();
    const reader = k.ds.createQueryRunner();
    try {
      // A long reader of the default partition: making a partition would have to wait for it.
      await reader.startTransaction();
      await reader.query(`SELECT count(*) FROM sensor_observation_default`);
      const res = await write({ readings: [at(w, '2017-03-01T00:00:00Z', 7)], lateWindowSeconds: 1e10 });
      expect(res.counts.inserted).toBe(1);
    } finally {
      await reader.rollbackTransaction();
      await reader.release();
    }
    expect(await partitionOf(w.id, '2017-03-01T00:00:00Z')).toBe('sensor_observation_default');
    // The daily job moves it into its partition.
    expect(await k.partitions.ensureAhead()).toContain('2017-03');
    expect(await partitionOf(w.id, '2017-03-01T00:00:00Z')).toBe('sensor_observation_p2017_03');
  });

  it('makes the current and the coming months ahead, and the months of rows left in the default partition', async () => {
    const w = await gauge();
    await k.ds.query(`INSERT INTO sensor_observation (datastream_id, phenomenon_time, result) VALUES ($1, '2018-02-03T00:00:00Z', 1)`, [w.id]);
    const now = new Date();
    const made = await k.partitions.ensureAhead(now);
    expect(made).toContain('2018-02');
    expect(await k.partitions.list()).toEqual(expect.arrayContaining([monthOf(now), addMonths(monthOf(now), 1), addMonths(monthOf(now), 2)]));
    expect(await partitionOf(w.id, '2018-02-03T00:00:00Z')).toBe('sensor_observation_p2018_02');
    expect(await k.partitions.ensureAhead(now)).toEqual([]);
  });

  it('answers a replay of a batch with the same body with the first answer, and one with another body with a conflict', async () => {
    const source = await makeSource(k.ds);
    const body = JSON.stringify({ readings: [1, 2, 3] });
    const first = await k.ds.transaction(async (tx) => {
      const b = await k.batches.begin(tx, source, 'key-1', bodyHash(body));
      if (b.kind !== 'new') throw new Error(b.kind);
      await k.batches.finish(tx, b.batchId, 202, { accepted: 3 }, { inserted: 3 });
      return b;
    });
    const again = await k.ds.transaction((tx) => k.batches.begin(tx, source, 'key-1', bodyHash(body)));
    expect(again).toEqual({ kind: 'replay', batchId: first.batchId, status: 202, response: { accepted: 3 } });
    const other = await k.ds.transaction((tx) => k.batches.begin(tx, source, 'key-1', bodyHash(`${body} `)));
    expect(other).toEqual({ kind: 'conflict', batchId: first.batchId });
    // The same key at another source is another batch.
    const second = await makeSource(k.ds);
    const elsewhere = await k.ds.transaction((tx) => k.batches.begin(tx, second, 'key-1', bodyHash(body)));
    expect(elsewhere.kind).toBe('new');
  });

  it('makes a second request with the same key wait for the first and answers it the first answer', async () => {
    const source = await makeSource(k.ds);
    const first = k.ds.createQueryRunner();
    try {
      await first.startTransaction();
      const b = await k.batches.begin(first.manager, source, 'key-3', 'h');
      if (b.kind !== 'new') throw new Error(b.kind);
      const second = k.ds.transaction((tx) => k.batches.begin(tx, source, 'key-3', 'h'));
      await new Promise((r) => setTimeout(r, 200));
      await k.batches.finish(first.manager, b.batchId, 202, { accepted: 1 });
      await first.commitTransaction();
      expect(await second).toEqual({ kind: 'replay', batchId: b.batchId, status: 202, response: { accepted: 1 } });
    } finally {
      await first.release();
    }
  });

  it('forgets a batch whose transaction rolled back, so its replay runs again', async () => {
    const source = await makeSource(k.ds);
    await expect(k.ds.transaction(async (tx) => {
      await k.batches.begin(tx, source, 'key-2', 'h');
      throw new Error('refused');
    })).rejects.toThrow('refused');
    expect((await k.ds.transaction((tx) => k.batches.begin(tx, source, 'key-2', 'h'))).kind).toBe('new');
  });

  it('aggregates hours and days from good values only, and recomputes just what a later batch touched', async () => {
    const w = await gauge();
    await k.aggregates.run();
    await write({
      readings: [
        at(w, '2025-03-29T10:00:00Z', 300), at(w, '2025-03-29T10:15:00Z', -777), at(w, '2025-03-29T10:30:00Z', 99999),
        at(w, '2025-03-29T10:45:00Z', 310), at(w, '2025-03-29T11:00:00Z', 320),
      ],
    });
    expect(await k.aggregates.run()).toEqual({ hours: 2, days: 1 });
    const aggregates = (): Promise<unknown[]> => k.ds.query(
      `SELECT period, to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS bucket, count, min, max, avg, sum
         FROM sensor_aggregate WHERE datastream_id = $1 ORDER BY period DESC, bucket`,
      [w.id],
    );
    expect(await aggregates()).toEqual([
      { period: 'hour', bucket: '2025-03-29T10:00Z', count: 2, min: 300, max: 310, avg: 305, sum: 610 },
      { period: 'hour', bucket: '2025-03-29T11:00Z', count: 1, min: 320, max: 320, avg: 320, sum: 320 },
      // The local day of 2025-03-29 (Europe/Berlin) starts at 23:00 UTC the day before.
      { period: 'day', bucket: '2025-03-28T23:00Z', count: 3, min: 300, max: 320, avg: 310, sum: 930 },
    ]);
    // A revision of one reading recomputes its hour and its day, nothing else.
    await write({ readings: [at(w, '2025-03-29T11:00:00Z', 330)] });
    expect(await k.aggregates.run()).toEqual({ hours: 1, days: 1 });
    expect(await aggregates()).toEqual([
      expect.objectContaining({ bucket: '2025-03-29T10:00Z', count: 2 }),
      expect.objectContaining({ bucket: '2025-03-29T11:00Z', count: 1, max: 330 }),
      expect.objectContaining({ period: 'day', count: 3, max: 330, sum: 940 }),
    ]);
    expect(await k.aggregates.run()).toEqual({ hours: 0, days: 0 });
  });

  it('makes the local day of the October switch a day of 25 hours in the daily aggregate', async () => {
    const w = await gauge();
    // Hourly readings from local midnight 2025-10-26 (22:00 UTC the day before) to the next local midnight (23:00 UTC).
    const readings = Array.from({ length: 26 }, (_, h) => at(w, new Date(Date.UTC(2025, 9, 25, 22 + h)), 100 + h));
    await write({ readings });
    await k.aggregates.run();
    const days: { bucket: string; count: number }[] = await k.ds.query(
      `SELECT to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS bucket, count FROM sensor_aggregate WHERE datastream_id = $1 AND period = 'day' ORDER BY bucket`,
      [w.id],
    );
    expect(days).toEqual([{ bucket: '2025-10-25T22:00Z', count: 25 }, { bucket: '2025-10-26T23:00Z', count: 1 }]);
  });

  it('deletes raw readings past the source\'s retention after aggregating them, keeps the aggregates, and drops a month nobody keeps', async () => {
    const now = new Date('2026-12-05T12:00:00Z');
    const limited = await makeSource(k.ds, { retention: { raw_days: 90 } });
    const kept = await gauge(null); // a datastream of no source keeps everything
    const a = await gauge(limited);
    const old = '2026-06-10T10:00:00Z'; // older than 90 days: its own month, shared with the unlimited datastream
    const older = '2026-05-10T10:00:00Z'; // a month only the limited source has rows in
    const recent = '2026-11-30T10:00:00Z';
    await write({ readings: [at(a, older, 1), at(a, old, 2), at(a, recent, 3)], lateWindowSeconds: 1e10 });
    await write({ readings: [at(kept, old, 4)] });
    const run = await k.retention.run(now);
    expect(run.droppedPartitions).toEqual(['2026-05']);
    expect(run.deletedObservations).toBe(1);
    const rows: { id: number; result: number }[] = await k.ds.query(
      `SELECT datastream_id AS id, result FROM sensor_observation WHERE datastream_id = ANY($1::bigint[]) ORDER BY result`,
      [[a.id, kept.id]],
    );
    expect(rows).toEqual([{ id: a.id, result: 3 }, { id: kept.id, result: 4 }]);
    const hours: { result: number }[] = await k.ds.query(`SELECT sum AS result FROM sensor_aggregate WHERE datastream_id = $1 AND period = 'hour' ORDER BY bucket`, [a.id]);
    expect(hours).toEqual([{ result: 1 }, { result: 2 }, { result: 3 }]);
    // A reading for the dropped month later on gets its partition again.
    await write({ readings: [at(kept, older, 5)], lateWindowSeconds: 1e10 });
    expect(await partitionOf(kept.id, older)).toBe('sensor_observation_p2026_05');
  });
});
