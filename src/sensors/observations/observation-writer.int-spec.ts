import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, dropTestDatabase } from '../../../test/test-db';
import { IngestError, type Reading } from '../readings';
import type { ResolvedReading, WriteInput, WriteResult } from './observation-writer';
import type { DatastreamRef } from './observation.repository';
import { makeSource, makeStation, observationKit, type ObservationKit } from './testing/sensor-fixture.repository';

const FIXTURES = join(__dirname, '../../../test/fixtures/sensors');
const fixture = <T>(path: string): T => JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as T;
const csv = (path: string): Record<string, string>[] => {
  const [head, ...lines] = readFileSync(join(FIXTURES, path), 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
};

describe('the observations writer', () => {
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
  const reading = (datastream: DatastreamRef, time: string, value: number | null, extra: Partial<Reading> = {}): ResolvedReading => ({
    station: 'S', stream: String(datastream.id), time: new Date(time), value, datastream, ...extra,
  });
  const stored = (id: number): Promise<{ t: string; result: number | null; quality: string; quality_reason: string | null }[]> =>
    k.ds.query(
      `SELECT to_char(phenomenon_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t, result, quality, quality_reason
         FROM sensor_observation WHERE datastream_id = $1 ORDER BY phenomenon_time`,
      [id],
    );
  const latest = async (id: number): Promise<{ t: string; result: number | null } | undefined> =>
    ((await k.ds.query(
      `SELECT to_char(phenomenon_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t, result FROM sensor_latest WHERE datastream_id = $1`,
      [id],
    )) as { t: string; result: number | null }[])[0];
  const gauge = async (source: string | null = null, station = `G${Math.random()}`): Promise<DatastreamRef> =>
    (await makeStation(k.ds, source, station, [{ key: 'W', quantity: 'water_level', unit: 'cm', intervalSeconds: 900 }])).W;

  it('stores new readings once and treats an exact repeat of the batch as a no-op', async () => {
    const w = await gauge();
    const batch = [reading(w, '2025-03-29T00:00:00+01:00', 301), reading(w, '2025-03-29T00:15:00+01:00', 300)];
    expect((await write({ readings: batch })).counts).toMatchObject({ received: 2, inserted: 2, unchanged: 0, revised: 0 });
    expect((await write({ readings: batch })).counts).toMatchObject({ received: 2, inserted: 0, unchanged: 2, revised: 0 });
    expect(await stored(w.id)).toEqual([
      { t: '2025-03-28T23:00:00Z', result: 301, quality: 'good', quality_reason: null },
      { t: '2025-03-28T23:15:00Z', result: 300, quality: 'good', quality_reason: null },
    ]);
    const revisions: unknown[] = await k.ds.query(`SELECT 1 FROM sensor_observation_revision WHERE datastream_id = $1`, [w.id]);
    expect(revisions).toHaveLength(0);
  });

  it('stores a changed value as a revision and keeps the old value in the log', async () => {
    const w = await gauge();
    await write({ readings: [reading(w, '2025-03-29T00:00:00Z', 301), reading(w, '2025-03-29T00:15:00Z', 300)] });
    const second = await write({ readings: [reading(w, '2025-03-29T00:15:00Z', 305), reading(w, '2025-03-29T00:00:00Z', 301)] });
    expect(second.counts).toMatchObject({ inserted: 0, unchanged: 1, revised: 1 });
    expect((await stored(w.id)).map((r) => r.result)).toEqual([301, 305]);
    const log: { old_result: number; new_result: number; old_quality: string }[] = await k.ds.query(
      `SELECT old_result, new_result, old_quality FROM sensor_observation_revision WHERE datastream_id = $1`,
      [w.id],
    );
    expect(log).toEqual([{ old_result: 300, new_result: 305, old_quality: 'good' }]);
    // The revised reading was the latest: the latest value follows the revision.
    expect(await latest(w.id)).toEqual({ t: '2025-03-29T00:15:00Z', result: 305 });
  });

  it('stores a poll that repeats its last stored reading: the repeat unchanged, a corrected older value revised, the rest new', async () => {
    const w = await gauge();
    await write({ readings: [reading(w, '2025-03-29T00:00:00Z', 300), reading(w, '2025-03-29T00:15:00Z', 301)] });
    const poll = await write({
      readings: [reading(w, '2025-03-29T00:00:00Z', 299), reading(w, '2025-03-29T00:15:00Z', 301), reading(w, '2025-03-29T00:30:00Z', 302), reading(w, '2025-03-29T00:45:00Z', 303)],
    });
    expect(poll.counts).toMatchObject({ inserted: 2, unchanged: 1, revised: 1 });
    expect((await stored(w.id)).map((r) => r.result)).toEqual([299, 301, 302, 303]);
    expect(await latest(w.id)).toEqual({ t: '2025-03-29T00:45:00Z', result: 303 });
  });

  it('keeps one row per key when a batch repeats a key: the last reading wins and the others are counted', async () => {
    // bad/duplicates.csv: two exact repeats, and lane 3 repeated with another count.
    const source = await makeSource(k.ds);
    const lanes = await makeStation(k.ds, source, 'ZS-KO-101', [1, 2, 3, 4].map((l) => ({ key: `lane${l}`, quantity: 'vehicle_count' as const, unit: '{veh}', intervalSeconds: 300 })));
    const other = await makeStation(k.ds, source, 'ZS-KO-102', [1, 2].map((l) => ({ key: `lane${l}`, quantity: 'vehicle_count' as const, unit: '{veh}', intervalSeconds: 300 })));
    const rows = csv('bad/duplicates.csv');
    const readings = rows.map((r) => reading((r.site === 'ZS-KO-101' ? lanes : other)[`lane${r.lane}`], r.timestamp, Number(r.vehicle_count)));
    const res = await write({ sourceId: source, readings });
    expect(res.counts).toMatchObject({ received: 9, inserted: 6, duplicates: 3 });
    expect(await stored(lanes.lane3.id)).toEqual([{ t: '2025-06-16T22:00:00Z', result: 19, quality: 'good', quality_reason: null }]);
  });

  it('accepts out-of-order readings, refuses those older than the late window with a warning, and moves the latest value only forward', async () => {
    const strict = await makeSource(k.ds, { late_window_days: 1 });
    const lenient = await makeSource(k.ds);
    const file = fixture<{ readings: { timestamp: string; value: number }[] }>('bad/out-of-order-and-late.json');
    const strictW = await gauge(strict, 'KOBLENZ');
    const lenientW = await gauge(lenient, 'KOBLENZ');
    const toReadings = (w: DatastreamRef): ResolvedReading[] => file.readings.map((r, i) => reading(w, r.timestamp, r.value, { at: `readings[${i}]` }));

    const refused = await write({ sourceId: strict, readings: toReadings(strictW) });
    expect(refused.counts).toMatchObject({ received: 9, inserted: 8, late_refused: 1 });
    expect(refused.warnings).toEqual([expect.objectContaining({ code: 'late', at: 'readings[8]', message: expect.stringContaining('2025-03-25T23:00:00.000Z') })]);
    expect(await stored(strictW.id)).toHaveLength(8);

    // Within the default window of 31 days the three-day-old reading is stored.
    expect((await write({ sourceId: lenient, readings: toReadings(lenientW) })).counts).toMatchObject({ inserted: 9, late_refused: 0 });
    expect(await latest(lenientW.id)).toEqual({ t: '2025-03-29T00:45:00Z', result: 265 });
    // An older reading arriving later leaves the latest value where it is.
    await write({ sourceId: lenient, readings: [reading(lenientW, '2025-03-28T12:00:00Z', 250)] });
    expect(await latest(lenientW.id)).toEqual({ t: '2025-03-29T00:45:00Z', result: 265 });
    await write({ sourceId: lenient, readings: [reading(lenientW, '2025-03-29T01:00:00Z', 263)] });
    expect(await latest(lenientW.id)).toEqual({ t: '2025-03-29T01:00:00Z', result: 263 });
  });

  it('turns the source\'s sentinels into missing values with a reason, and keeps other negative values', async () => {
    const source = await makeSource(k.ds);
    const custom = await makeSource(k.ds, { sentinels: [-777, -999, -1] });
    const rows = csv('bad/sentinels.csv');
    const a = await gauge(source, 'COCHEM');
    const b = await gauge(custom, 'COCHEM');
    const res = await write({ sourceId: source, readings: rows.map((r) => reading(a, r.timestamp, Number(r.value_cm))) });
    expect(res.counts).toMatchObject({ inserted: 6, missing: 2 });
    expect((await stored(a.id)).map((r) => [r.result, r.quality, r.quality_reason])).toEqual([
      [301, 'good', null], [null, 'missing', 'sentinel -777'], [300, 'good', null], [null, 'missing', 'sentinel -999'], [301, 'good', null], [-1, 'good', null],
    ]);
    await write({ sourceId: custom, readings: rows.map((r) => reading(b, r.timestamp, Number(r.value_cm))) });
    expect((await stored(b.id)).at(-1)).toMatchObject({ result: null, quality: 'missing', quality_reason: 'sentinel -1' });
  });

  it('flags out-of-range values invalid, keeps them as sent, and lets a datastream widen its range', async () => {
    const source = await makeSource(k.ds);
    const s = await makeStation(k.ds, source, 'OOR', [
      { key: 'W', quantity: 'water_level', unit: 'cm' },
      { key: 'W-wide', quantity: 'water_level', unit: 'cm', properties: { limits: { max: 100_000 } } },
      { key: 'count', quantity: 'vehicle_count', unit: '{veh}', intervalSeconds: 300 },
      { key: 'speed', quantity: 'speed', unit: 'km/h' },
      { key: 'occ', quantity: 'occupancy', unit: '%' },
    ]);
    const f = fixture<Record<string, unknown>[]>('bad/out-of-range.json');
    const five = (t: string): Date => new Date(new Date(t).getTime() + 300_000);
    const readings = [
      reading(s.W, f[0].timestamp as string, f[0].value as number),
      reading(s.W, f[1].timestamp as string, f[1].value as number),
      reading(s['W-wide'], f[0].timestamp as string, f[0].value as number),
      reading(s.count, f[2].timestamp as string, f[2].vehicle_count as number, { end: five(f[2].timestamp as string) }),
      reading(s.speed, f[3].timestamp as string, f[3].avg_speed_kmh as number),
      reading(s.count, '2025-06-17T08:05:00+02:00', f[4].vehicle_count as number, { end: five('2025-06-17T08:05:00+02:00') }),
      reading(s.occ, f[5].timestamp as string, f[5].occupancy_pct as number),
    ];
    const res = await write({ sourceId: source, readings });
    expect(res.counts).toMatchObject({ inserted: 7, invalid: 6 });
    expect((await stored(s.W.id)).map((r) => [r.result, r.quality])).toEqual([[99999, 'invalid'], [-2500, 'invalid']]);
    expect((await stored(s.W.id))[0].quality_reason).toBe('out of range: 99999 cm is above 3000 cm');
    expect(await stored(s['W-wide'].id)).toEqual([expect.objectContaining({ result: 99999, quality: 'good' })]);
    expect((await stored(s.count.id)).map((r) => [r.result, r.quality])).toEqual([[-4, 'invalid'], [9000, 'invalid']]);
    expect((await stored(s.count.id))[1].quality_reason).toContain('in 5 min');
    expect(await stored(s.speed.id)).toEqual([expect.objectContaining({ result: 412, quality: 'invalid' })]);
    expect(await stored(s.occ.id)).toEqual([expect.objectContaining({ result: 130, quality: 'invalid' })]);
  });

  it('applies the source\'s limits to a datastream handed in without its own', async () => {
    const source = await makeSource(k.ds, { limits: { water_level: { max: 500 } } });
    const { limits: _ignored, ...w } = await gauge(source);
    await write({ sourceId: source, readings: [reading(w, '2025-03-29T00:00:00Z', 600)] });
    expect(await stored(w.id)).toEqual([expect.objectContaining({ result: 600, quality: 'invalid', quality_reason: 'out of range: 600 cm is above 500 cm' })]);
  });

  it('converts metres to centimetres and m/s to km/h', async () => {
    const w = await gauge();
    const meters = fixture<{ unit: string; measurements: { timestamp: string; value: number }[] }>('bad/wrong-unit-meters.json');
    await write({ readings: meters.measurements.map((m) => reading(w, m.timestamp, m.value, { unit: meters.unit })) });
    expect((await stored(w.id)).map((r) => r.result)).toEqual([301, 299, 300, 300, 301, 300]);

    const { speed } = await makeStation(k.ds, null, 'ZS-KO-101', [{ key: 'speed', quantity: 'speed', unit: 'km/h' }]);
    const ms = csv('bad/wrong-unit-speed-ms.csv').filter((r) => r.avg_speed_ms !== '' && r.site === 'ZS-KO-101' && r.lane === '2');
    await write({ readings: ms.map((r) => reading(speed, r.timestamp, Number(r.avg_speed_ms), { unit: 'm/s' })) });
    expect((await stored(speed.id)).map((r) => r.result)).toEqual([52.92]);
    // A SensorThings unitOfMeasurement object and kelvin for a temperature.
    const { wt } = await makeStation(k.ds, null, 'KAUB', [{ key: 'wt', quantity: 'water_temperature', unit: '°C' }]);
    await write({ readings: [reading(wt, '2025-03-29T00:00:00Z', 281.15, { unit: { symbol: 'K' } as unknown as string })] });
    expect((await stored(wt.id)).map((r) => r.result)).toEqual([8]);
  });

  it.each([
    ['km/h for a water level', 'km/h', 'incompatible_unit', /unit "km\/h" does not fit datastream \d+/],
    ['an unknown unit', 'furlong', 'unknown_unit', /unknown unit "furlong" for datastream \d+/],
    ['no unit', null, 'missing_unit', /no unit for datastream \d+/],
  ])('refuses the whole batch for %s, naming the unit and the datastream, and stores nothing', async (_label, unit, code, message) => {
    const w = await gauge();
    const batch = [reading(w, '2025-03-29T00:00:00Z', 301), reading(w, '2025-03-29T00:15:00Z', 300, { unit, at: 'line 3' })];
    const err = await write({ readings: batch }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect(err).toMatchObject({ code, at: 'line 3', message: expect.stringMatching(message) });
    expect(await stored(w.id)).toEqual([]);
    expect(await latest(w.id)).toBeUndefined();
  });

  it('accepts for a datastream of another quantity only the unit it was declared with, unconverted', async () => {
    const { ph } = await makeStation(k.ds, null, 'LAB', [{ key: 'ph', quantity: 'other', unit: 'pH' }]);
    await write({ readings: [reading(ph, '2025-03-29T00:00:00Z', 7.4), reading(ph, '2025-03-29T01:00:00Z', 7.5, { unit: 'pH' })] });
    expect((await stored(ph.id)).map((r) => r.result)).toEqual([7.4, 7.5]);
    await expect(write({ readings: [reading(ph, '2025-03-29T02:00:00Z', 7.6, { unit: 'mg/l' })] })).rejects.toMatchObject({
      code: 'incompatible_unit', message: expect.stringContaining('its declared unit "pH"'),
    });
  });

  it('stores readings across the March DST switch as exact instants: 188 quarter-hours in two days', async () => {
    const w = await gauge();
    const series = fixture<{ timestamp: string; value: number }[]>('pegelonline/stations/KOBLENZ/W/measurements.json');
    const res = await write({ readings: series.map((m) => reading(w, m.timestamp, m.value)) });
    expect(res.counts.inserted).toBe(188);
    const [span]: { n: number; gaps: number }[] = await k.ds.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE step <> interval '15 minutes')::int AS gaps
         FROM (SELECT phenomenon_time - lag(phenomenon_time) OVER (ORDER BY phenomenon_time) AS step FROM sensor_observation
                WHERE datastream_id = $1 AND phenomenon_time >= '2025-03-29T00:00:00+01:00' AND phenomenon_time < '2025-03-31T00:00:00+02:00') s`,
      [w.id],
    );
    expect(span).toEqual({ n: 188, gaps: 0 }); // every step is 15 minutes (the first row has none)
    const around = (await stored(w.id)).map((r) => r.t).filter((t) => t >= '2025-03-30T00:30:00Z' && t <= '2025-03-30T01:15:00Z');
    // 01:45+01:00 is followed by 03:00+02:00: one quarter-hour apart.
    expect(around).toEqual(['2025-03-30T00:30:00Z', '2025-03-30T00:45:00Z', '2025-03-30T01:00:00Z', '2025-03-30T01:15:00Z']);
  });

  it('still treats a stored key as a revision when the latest value did not know of it (a row written around the writer)', async () => {
    const w = await gauge();
    await k.ds.query(`INSERT INTO sensor_observation (datastream_id, phenomenon_time, result) VALUES ($1, '2025-04-01T00:00:00Z', 10)`, [w.id]);
    const res = await write({ readings: [reading(w, '2025-04-01T00:00:00Z', 11), reading(w, '2025-04-01T00:15:00Z', 12)] });
    expect(res.counts).toMatchObject({ inserted: 1, revised: 1 });
    expect((await stored(w.id)).map((r) => r.result)).toEqual([11, 12]);
    expect(await latest(w.id)).toEqual({ t: '2025-04-01T00:15:00Z', result: 12 });
  });

  it('keeps one row and logs the revision when two writers store the same new key at once', async () => {
    const w = await gauge();
    const a = k.ds.createQueryRunner();
    const b = k.ds.createQueryRunner();
    try {
      await a.startTransaction();
      await b.startTransaction();
      const first = await k.writer.write(a.manager, { readings: [reading(w, '2025-05-01T00:00:00Z', 1)] });
      // The second waits on the first's uncommitted key, then finds it stored and revises it.
      const second = k.writer.write(b.manager, { readings: [reading(w, '2025-05-01T00:00:00Z', 2)] });
      await new Promise((r) => setTimeout(r, 200));
      await a.commitTransaction();
      const res = await second;
      await b.commitTransaction();
      expect(first.counts.inserted).toBe(1);
      expect(res.counts).toMatchObject({ inserted: 0, revised: 1 });
    } finally {
      await a.release();
      await b.release();
    }
    expect((await stored(w.id)).map((r) => r.result)).toEqual([2]);
    const log: { old_result: number; new_result: number }[] = await k.ds.query(`SELECT old_result, new_result FROM sensor_observation_revision WHERE datastream_id = $1`, [w.id]);
    expect(log).toEqual([{ old_result: 1, new_result: 2 }]);
    expect(await latest(w.id)).toEqual({ t: '2025-05-01T00:00:00Z', result: 2 });
  });

  it('deletes observations by id, moving the latest value back to the newest remaining reading', async () => {
    const w = await gauge();
    const res = await write({ readings: [reading(w, '2025-06-01T00:00:00Z', 1), reading(w, '2025-06-01T00:15:00Z', 2)], returnIds: true });
    expect(await k.ds.transaction((tx) => k.writer.remove(tx, [res.ids![1]!]))).toBe(1);
    expect(await latest(w.id)).toEqual({ t: '2025-06-01T00:00:00Z', result: 1 });
    await k.ds.transaction((tx) => k.writer.remove(tx, [res.ids![0]!]));
    expect(await latest(w.id)).toBeUndefined();
    expect(await stored(w.id)).toEqual([]);
  });

  it('writes after a rolled-back write on the same connection (the stage table went with the rollback)', async () => {
    const small = await observationKit(db.url, 2);
    try {
      const w = await gauge();
      await small.partitions.list();
      await small.ds.transaction((tx) => small.writer.write(tx, { readings: [reading(w, '2025-03-29T00:00:00Z', 1)] }));
      // A merge (the key exists) as the connection's first use of the stage table, rolled back.
      await expect(small.ds.transaction(async (tx) => {
        await small.writer.write(tx, { readings: [reading(w, '2025-03-29T00:00:00Z', 2)] });
        throw new Error('rolled back');
      })).rejects.toThrow('rolled back');
      for (let i = 0; i < 3; i++) {
        const res = await small.ds.transaction((tx) => small.writer.write(tx, { readings: [reading(w, '2025-03-29T00:00:00Z', 3 + i)] }));
        expect(res.counts.revised).toBe(1);
      }
    } finally {
      await small.ds.destroy();
    }
  });

  it('answers the Observation id of every stored reading when asked', async () => {
    const w = await gauge();
    const res = await write({ readings: [reading(w, '2025-03-29T00:00:00Z', 1), reading(w, '2025-03-29T00:00:00Z', 2)], returnIds: true });
    const [row]: { id: number }[] = await k.ds.query(`SELECT id FROM sensor_observation WHERE datastream_id = $1`, [w.id]);
    expect(res.ids).toEqual([Number(row.id), Number(row.id)]);
  });

  it('keeps as latest value the newest reading with its own Observation id, whether it came in new or was merged', async () => {
    const w = await gauge();
    const latestRow = async (): Promise<{ id: string; result: number; end: number | null }> =>
      ((await k.ds.query(`SELECT observation_id AS id, result, extract(epoch FROM phenomenon_time_end)::int AS "end" FROM sensor_latest WHERE datastream_id = $1`, [w.id])) as { id: string; result: number; end: number | null }[])[0];
    const idAt = async (t: string): Promise<string> => ((await k.ds.query(`SELECT id FROM sensor_observation WHERE datastream_id = $1 AND phenomenon_time = $2`, [w.id, t])) as { id: string }[])[0].id;
    await write({ readings: [reading(w, '2025-03-29T00:00:00Z', 1), reading(w, '2025-03-29T00:15:00Z', 2, { end: new Date('2025-03-29T00:30:00Z') })] });
    expect(await latestRow()).toEqual({ id: await idAt('2025-03-29T00:15:00Z'), result: 2, end: Date.parse('2025-03-29T00:30:00Z') / 1000 });
    // The newest reading revised (merged, not COPYed): the latest value follows it, with the same Observation.
    await write({ readings: [reading(w, '2025-03-29T00:00:00Z', 5), reading(w, '2025-03-29T00:15:00Z', 7)] });
    expect(await latestRow()).toEqual({ id: await idAt('2025-03-29T00:15:00Z'), result: 7, end: null });
  });

  it.each([['a few rows (one INSERT)', 3], ['many rows (COPY)', 1500]])(
    'stores %s whose keys turn out to exist beyond the latest value as revisions, not duplicates or failures',
    async (_how, n) => {
      const w = await gauge();
      const at = (i: number): string => new Date(Date.parse('2025-03-29T00:00:00Z') + i * 60_000).toISOString();
      // A row stored without its latest value moving (as by a writer that has not committed its latest yet).
      await k.ds.query(`INSERT INTO sensor_observation (datastream_id, phenomenon_time, result, quality) VALUES ($1, $2, 7, 'good')`, [w.id, at(n - 1)]);
      const res = await write({ readings: Array.from({ length: n }, (_, i) => reading(w, at(i), i)), returnIds: true });
      expect(res.counts).toMatchObject({ received: n, inserted: n - 1, revised: 1 });
      expect((await stored(w.id)).map((r) => r.result)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(new Set(res.ids).size).toBe(n);
      expect(res.ids!.every((id) => typeof id === 'number')).toBe(true);
      expect(await latest(w.id)).toEqual({ t: at(n - 1).replace('.000', ''), result: n - 1 });
    },
  );

  it('answers each reading\'s own Observation id whether it was new (COPYed in) or merged with a stored one', async () => {
    const w = await gauge();
    const v = await gauge();
    await write({ readings: [reading(w, '2025-03-29T01:00:00Z', 10)] });
    // w: one reading before its latest (merged), one at it (unchanged), one after (new); v: all new.
    const batch = [reading(w, '2025-03-29T00:00:00Z', 1), reading(w, '2025-03-29T01:00:00Z', 10), reading(w, '2025-03-29T02:00:00Z', 3), reading(v, '2025-03-29T00:00:00Z', 4), reading(v, '2025-03-29T00:15:00Z', 5)];
    const res = await write({ readings: batch, returnIds: true });
    const rows: { id: string; ds: string; t: Date }[] = await k.ds.query(
      `SELECT id, datastream_id AS ds, phenomenon_time AS t FROM sensor_observation WHERE datastream_id = ANY($1::bigint[])`,
      [[w.id, v.id]],
    );
    const idOf = new Map(rows.map((r) => [`${r.ds}|${new Date(r.t).getTime()}`, Number(r.id)]));
    expect(res.ids).toEqual(batch.map((r) => idOf.get(`${r.datastream.id}|${r.time.getTime()}`)));
    expect(new Set(res.ids).size).toBe(5);
  });
});
