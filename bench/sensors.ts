import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createDataSource } from '../src/database/data-source';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/database/embedded-postgres';
import { ENTITIES } from '../src/entities';
import type { ResolvedReading } from '../src/sensors/observations/observation-writer';
import type { DatastreamRef } from '../src/sensors/observations/observation.repository';
import { monthOf } from '../src/sensors/observations/partitions';
import { makeSource, makeStation, observationKit, type StreamSpec } from '../src/sensors/observations/testing/sensor-fixture.repository';

/**
 * `npm run bench -- sensors`: BENCH_ROWS (10,000,000) readings of 1,000 datastreams (one every 5 minutes each) go
 * into sensor_observation twice, side by side: a raw `COPY` (the limit: no units, no checks, no duplicates, no
 * latest) and the observations writer in batches of 10,000 (what every ingestion path calls: units, sentinels,
 * limits, late window, merge, revisions, latest, pending aggregates), each batch its own transaction, BENCH_WRITERS (2)
 * writers at once with their own datastreams, as separate sources push. Then, on the
 * writer's rows, the reads SensorThings makes: a datastream's latest value (sensor_latest, and the newest observation
 * by `$orderby=phenomenonTime desc&$top=1`) and one day of a datastream, p50/p95 over random datastreams.
 * Runs on its own embedded PostgreSQL (or BENCH_DATABASE_URL, an empty migrated database).
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const DATASTREAMS = 1000;
const BATCH = 10_000;
const STEP_MS = 5 * 60_000;
const START = Date.UTC(2026, 0, 1);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 500);
/** Writers at once, each with its own datastreams (as separate sources push), each its own connection. */
const WRITERS = Number(process.env.BENCH_WRITERS ?? 2);

/** Reading i of the whole set: datastream i mod 1,000, at step i div 1,000. */
const timeOf = (i: number): number => START + Math.floor(i / DATASTREAMS) * STEP_MS;
const valueAt = (ds: number, step: number): number => Math.round(300 + 150 * Math.sin((step * DATASTREAMS + ds) / 7919) + (ds % 13));
const valueOf = (i: number): number => valueAt(i % DATASTREAMS, Math.floor(i / DATASTREAMS));

const rate = (n: number, ms: number): string => `${Math.round(n / (ms / 1000)).toLocaleString('en')} readings/s`;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

export async function run(): Promise<void> {
  const log = (s: string): void => void process.stdout.write(`${s}\n`);
  let pg: EmbeddedPostgresHandle | undefined;
  let dir: string | undefined;
  let url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    dir = await mkdtemp(join(tmpdir(), 'bench-sensors-'));
    pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), database: 'catalog_bench' });
    url = pg.url;
    const migrate = createDataSource({ url, entities: ENTITIES, poolSize: 1 });
    await migrate.initialize();
    await migrate.runMigrations({ transaction: 'each' });
    await migrate.destroy();
  }
  const k = await observationKit(url, WRITERS + 2);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const source = await makeSource(k.ds);
    const streams: DatastreamRef[] = [];
    const specs: StreamSpec[] = Array.from({ length: 10 }, (_, j) => ({ key: `W${j}`, quantity: 'water_level', unit: 'cm', intervalSeconds: STEP_MS / 1000 }));
    for (let s = 0; s < DATASTREAMS / 10; s++) streams.push(...Object.values(await makeStation(k.ds, source, `station-${s}`, specs)));
    const months = new Set<string>();
    for (let t = timeOf(0); t <= timeOf(ROWS - 1); t += 86_400_000) months.add(monthOf(new Date(t)));
    months.add(monthOf(new Date(timeOf(ROWS - 1))));
    await k.partitions.ensure(months);
    log(`${ROWS.toLocaleString('en')} readings of ${DATASTREAMS} datastreams, one every 5 min, over ${months.size} monthly partitions; 2 cores shared by this process and PostgreSQL`);

    // The limit: COPY of the same readings straight into the table.
    async function* lines(): AsyncGenerator<string> {
      let chunk = '';
      for (let i = 0; i < ROWS; i++) {
        chunk += `${streams[i % DATASTREAMS].id}\t${new Date(timeOf(i)).toISOString()}\t${valueOf(i)}\tgood\n`;
        if (chunk.length > 1 << 16) {
          yield chunk;
          chunk = '';
        }
      }
      yield chunk;
    }
    let t0 = performance.now();
    await pipeline(Readable.from(lines()), client.query(copyFrom(`COPY sensor_observation (datastream_id, phenomenon_time, result, quality) FROM STDIN`)));
    const copyMs = performance.now() - t0;
    log(`raw COPY into sensor_observation (the limit):   ${(copyMs / 1000).toFixed(1)} s = ${rate(ROWS, copyMs)}`);
    await client.query(`TRUNCATE sensor_observation, sensor_latest, sensor_aggregate_pending`);
    await client.query(`CHECKPOINT`);

    // The writer, batches of 10,000 readings, one transaction each; WRITERS at once, each with its share of the datastreams.
    const batchMs: number[] = [];
    t0 = performance.now();
    await Promise.all(Array.from({ length: WRITERS }, async (_, w) => {
      const mine = streams.map((d, j) => ({ d, j })).filter((x) => x.j % WRITERS === w);
      const total = Math.floor(ROWS / WRITERS);
      for (let from = 0; from < total; from += BATCH) {
        const b0 = performance.now();
        const readings: ResolvedReading[] = [];
        for (let q = from; q < Math.min(total, from + BATCH); q++) {
          const { d, j } = mine[q % mine.length];
          const step = Math.floor(q / mine.length);
          readings.push({ station: `station-${Math.floor(j / 10)}`, stream: `W${j % 10}`, time: new Date(START + step * STEP_MS), value: valueAt(j, step), unit: 'cm', datastream: d });
        }
        const res = await k.ds.transaction((tx) => k.writer.write(tx, { sourceId: source, readings }));
        if (res.counts.inserted !== readings.length) throw new Error(`batch at ${from}: ${JSON.stringify(res.counts)}`);
        batchMs.push(performance.now() - b0);
      }
    }));
    const writerMs = performance.now() - t0;
    const written = WRITERS * Math.floor(ROWS / WRITERS);
    log(`observations writer, batches of 10,000, ${WRITERS} at once: ${(writerMs / 1000).toFixed(1)} s = ${rate(written, writerMs)} (goal >= 100,000/s and >= 50 % of raw COPY: ${(100 * copyMs / writerMs * written / ROWS).toFixed(0)} %); batch p50 ${pct(batchMs, 50).toFixed(0)} ms, p95 ${pct(batchMs, 95).toFixed(0)} ms`);

    // A repeat of a batch already stored: every reading compared, nothing written.
    const again: ResolvedReading[] = [];
    for (let i = 0; i < BATCH; i++) again.push({ station: '', stream: '', time: new Date(timeOf(i)), value: valueOf(i), unit: 'cm', datastream: streams[i % DATASTREAMS] });
    t0 = performance.now();
    const repeat = await k.ds.transaction((tx) => k.writer.write(tx, { sourceId: source, readings: again, lateWindowSeconds: 1e10 }));
    const repeatMs = performance.now() - t0;
    log(`a repeated batch of 10,000 (all unchanged):     ${repeatMs.toFixed(0)} ms = ${rate(BATCH, repeatMs)} (${repeat.counts.unchanged} unchanged)`);

    // The aggregate job over every hour the writer touched (the first run after the load).
    t0 = performance.now();
    const agg = await k.aggregates.run();
    const aggMs = performance.now() - t0;
    log(`aggregate job, all pending hours:               ${(aggMs / 1000).toFixed(1)} s for ${agg.hours.toLocaleString('en')} hours and ${agg.days.toLocaleString('en')} days (${rate(written, aggMs)} aggregated)`);

    await client.query(`VACUUM ANALYZE sensor_observation`);
    await client.query(`VACUUM ANALYZE sensor_latest`);

    // Reads, as the SensorThings layer makes them, on random datastreams.
    const lastDay = timeOf(ROWS - 1) - 86_400_000;
    const measure = async (label: string, goal: number, sql: string, params: () => unknown[]): Promise<void> => {
      for (let i = 0; i < 20; i++) await client.query(sql, params());
      const ms: number[] = [];
      let rows = 0;
      for (let i = 0; i < QUERIES; i++) {
        const q0 = performance.now();
        rows += (await client.query(sql, params())).rowCount ?? 0;
        ms.push(performance.now() - q0);
      }
      log(`${label.padEnd(48)} p50 ${pct(ms, 50).toFixed(2).padStart(6)} ms   p95 ${pct(ms, 95).toFixed(2).padStart(6)} ms   (goal p95 < ${goal} ms; ${Math.round(rows / QUERIES)} rows each)`);
    };
    const someStream = (): number => streams[Math.floor(Math.random() * DATASTREAMS)].id;
    await measure('latest value (sensor_latest)', 10, `SELECT observation_id, phenomenon_time, result, quality FROM sensor_latest WHERE datastream_id = $1`, () => [someStream()]);
    await measure('latest value ($orderby desc, $top=1)', 10, `SELECT id, phenomenon_time, phenomenon_time_end, result, result_json, result_time, quality, parameters
      FROM sensor_observation WHERE datastream_id = $1 ORDER BY phenomenon_time DESC LIMIT 1`, () => [someStream()]);
    await measure('one day of one datastream', 20, `SELECT id, phenomenon_time, phenomenon_time_end, result, result_json, result_time, quality, parameters
      FROM sensor_observation WHERE datastream_id = $1 AND phenomenon_time >= $2 AND phenomenon_time < $3 ORDER BY phenomenon_time`, () => {
      const from = START + Math.floor(Math.random() * Math.max(1, (lastDay - START) / 3_600_000)) * 3_600_000;
      return [someStream(), new Date(from).toISOString(), new Date(from + 86_400_000).toISOString()];
    });
  } finally {
    await client.end();
    await k.ds.destroy();
    await pg?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
