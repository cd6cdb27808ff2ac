import 'reflect-metadata';
import autocannon from 'autocannon';
import mqtt, { type MqttClient } from 'mqtt';
import { createServer, type AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { monthOf } from '../src/sensors/observations/partitions';
import { observationKit } from '../src/sensors/observations/testing/sensor-fixture.repository';
import { startServer, stopServer, treeCpu, type Server } from './core';

/**
 * `npm run bench -- sensors`: everything through the running service (bench/server.ts: the real HTTP app, its own
 * embedded PostgreSQL and its own MQTT broker on a free port), side by side with the issue's goals:
 *  1. ingestion: BENCH_PUSH_BATCHES (40) JSON batches of 10,000 readings over the 1,000 datastreams of a push source
 *     through `sensor_push`, 2 clients at once, each the sender of half the datastreams; the same through
 *     `POST /sta/v1.1/CreateObservations` (dataArray);
 *     BENCH_MQTT_MESSAGES (30,000) STA Observations published at QoS 1 on `v1.1/Datastreams(ID)/Observations` by
 *     BENCH_MQTT_PUBLISHERS (16) clients, counted when PUBACKed; and the limit: a raw COPY of BENCH_ROWS readings of
 *     the same datastreams into the same table (which also loads the data the reads below run on);
 *  2. publish-to-visible latency: BENCH_LATENCY_SAMPLES (200) Observations published one at a time, each polled
 *     until `datastore_search` on its datastream's resource and SensorThings' newest Observation show it;
 *  3. reads over BENCH_ROWS (10,000,000) observations of 1,000 datastreams: the latest value and one day of a random
 *     datastream through SensorThings HTTP, BENCH_READ_CONNECTIONS (4) connections for BENCH_DURATION (10) s each.
 * Each ingestion path stops after BENCH_PHASE_SECONDS (30) and is rated on what it got acknowledged by then, so a slow
 * path cannot stretch the run. CPU per reading (server process vs PostgreSQL) comes from /proc (treeCpu).
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const STATIONS = 100;
const PER_STATION = 10;
const DATASTREAMS = STATIONS * PER_STATION;
const BATCH = 10_000;
const PUSH_BATCHES = Number(process.env.BENCH_PUSH_BATCHES ?? 40);
const PUSH_CLIENTS = 2;
/**
 * The ingestion clients are senders of their own stations, as a county's gateways are: client c sends the datastreams
 * d with d % PUSH_CLIENTS === c, its batches in time order, 10,000 readings each (500 datastreams x 20 steps).
 */
const CLIENT_STEPS_PER_BATCH = BATCH / (DATASTREAMS / PUSH_CLIENTS);
/** Time steps each client's batches cover in one ingestion phase. */
const CLIENT_STEPS = Math.ceil(PUSH_BATCHES / PUSH_CLIENTS) * CLIENT_STEPS_PER_BATCH;
/** Batch b's sender, its datastreams (indexes into the streams) and its first time step, in a phase starting at `step`. */
const clientBatch = (b: number, step: number): { mine: number[]; from: number } => {
  const c = b % PUSH_CLIENTS;
  return { mine: Array.from({ length: DATASTREAMS / PUSH_CLIENTS }, (_, i) => i * PUSH_CLIENTS + c), from: step + Math.floor(b / PUSH_CLIENTS) * CLIENT_STEPS_PER_BATCH };
};
const MQTT_MESSAGES = Number(process.env.BENCH_MQTT_MESSAGES ?? 30_000);
/** A slow path is measured for at most this many seconds (the batches or messages not sent by then are left out). */
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 30);
const MQTT_PUBLISHERS = Number(process.env.BENCH_MQTT_PUBLISHERS ?? 16);
/** QoS 1 messages a publisher has out before it waits for a PUBACK. */
const MQTT_INFLIGHT = Number(process.env.BENCH_MQTT_INFLIGHT ?? 20);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 200);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const READ_CONNECTIONS = Number(process.env.BENCH_READ_CONNECTIONS ?? 4);
const STEP_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

/** The COPY'd history ends 10 days before today; what the service ingests follows it, step by step, still in the past. */
const COPY_STEPS = Math.ceil(ROWS / DATASTREAMS);
const START = Math.floor(Date.now() / DAY_MS) * DAY_MS - 10 * DAY_MS - COPY_STEPS * STEP_MS;
const timeAt = (step: number): number => START + step * STEP_MS;
const valueAt = (ds: number, step: number): number => Math.round(300 + 150 * Math.sin((step * DATASTREAMS + ds) / 7919) + (ds % 13));

const log = (s: string): void => void process.stdout.write(`${s}\n`);
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (n: number): string => Math.round(n).toLocaleString('en');
const mark = (ok: boolean): string => (ok ? 'met' : 'MISSED');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Stream {
  id: number;
  resourceId: string;
  station: string;
  key: string;
}

/** CPU seconds of the server process and of PostgreSQL (its children) spent in `fn`. */
async function cpuOf<T>(server: Server, fn: () => Promise<T>): Promise<{ value: T; server: number; pg: number; seconds: number }> {
  const before = treeCpu(server.proc.pid!);
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const after = treeCpu(server.proc.pid!);
  return { value, seconds, server: after && before ? after.self - before.self : NaN, pg: after && before ? after.children - before.children : NaN };
}
const perReading = (c: { server: number; pg: number }, n: number): string => `CPU per reading: server ${((c.server * 1e6) / n).toFixed(0)} µs, PostgreSQL ${((c.pg * 1e6) / n).toFixed(0)} µs`;

export async function run(): Promise<void> {
  const mqttPort = await freePort();
  const server = await startServer({ MQTT_PORT: String(mqttPort), LOADER_FORMATS: 'none' });
  const base = `http://127.0.0.1:${server.port}`;
  const auth = { authorization: server.token };
  const json = { ...auth, 'content-type': 'application/json' };
  if (process.env.BENCH_SHOW_URL) log(`database: ${server.databaseUrl}`);
  const db = new Client({ connectionString: server.databaseUrl });
  await db.connect();
  const call = async <T>(action: string, body: unknown): Promise<T> => {
    const res = await fetch(`${base}/api/3/action/${action}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
    const out = (await res.json()) as { success: boolean; result: T; error?: unknown };
    if (!out.success) throw new Error(`${action}: ${JSON.stringify(out.error)}`);
    return out.result;
  };
  const goals: string[] = [];
  try {
    log(`${cpus().length} cores shared by the bench client, the service and its PostgreSQL; ${fmt(ROWS)} observations of ${DATASTREAMS} datastreams`);

    // ---- set-up: a push source whose 100 stations of 10 water levels each become datasets on its first batch
    const org = await call<{ id: string }>('organization_create', { name: `bench-sensors-${Date.now()}`, title: 'Bench-Stadt' });
    const stations = Array.from({ length: STATIONS }, (_, s) => ({
      key: `station-${s}`, name: `Pegel ${s}`, coordinates: [7 + s / 100, 50],
      streams: Array.from({ length: PER_STATION }, (_, j) => ({ key: `W${j}`, name: `Wasserstand ${j}`, quantity: 'water_level', unit: 'cm', interval_seconds: 300 })),
    }));
    const source = await call<{ id: string; name: string }>('sensor_source_create', { name: `bench-push-${Date.now()}`, owner_org: org.id, type: 'push', config: { format: 'json', stations } });
    let t0 = performance.now();
    const first = await fetch(`${base}/api/3/action/sensor_push?source=${source.name}`, { method: 'POST', headers: json, body: JSON.stringify({ readings: [] }) });
    if (first.status !== 200) throw new Error(`first push: ${first.status} ${await first.text()}`);
    const rows: { id: string; resource_id: string; station: string; key: string }[] = (await db.query(
      `SELECT d.id, d.resource_id, th.source_key AS station, d.source_key AS key FROM sensor_datastream d JOIN sensor_thing th ON th.id = d.thing_id
        WHERE th.source_id = $1 ORDER BY th.source_key, d.source_key`, [source.id])).rows;
    const streams: Stream[] = rows.map((r) => ({ id: Number(r.id), resourceId: r.resource_id, station: r.station, key: r.key }));
    if (streams.length !== DATASTREAMS) throw new Error(`expected ${DATASTREAMS} datastreams, found ${streams.length}`);
    log(`set-up: ${STATIONS} sensor datasets with ${DATASTREAMS} datastreams made by the first push in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // ---- the limit, and the history the reads run on: a raw COPY straight into sensor_observation
    const kit = await observationKit(server.databaseUrl, 1);
    const months = new Set<string>();
    for (let t = timeAt(0); t <= Date.now() + DAY_MS; t += DAY_MS) months.add(monthOf(new Date(t)));
    await kit.partitions.ensure(months);
    await kit.ds.destroy();
    async function* lines(): AsyncGenerator<string> {
      let chunk = '';
      for (let i = 0; i < ROWS; i++) {
        const d = i % DATASTREAMS;
        const step = Math.floor(i / DATASTREAMS);
        chunk += `${streams[d].id}\t${new Date(timeAt(step)).toISOString()}\t${valueAt(d, step)}\tgood\n`;
        if (chunk.length > 1 << 16) {
          yield chunk;
          chunk = '';
        }
      }
      yield chunk;
    }
    const copy = await cpuOf(server, () => pipeline(Readable.from(lines()), db.query(copyFrom(`COPY sensor_observation (datastream_id, phenomenon_time, result, quality) FROM STDIN`))));
    const copyRate = ROWS / copy.seconds;
    log(`raw COPY into sensor_observation (the limit):       ${copy.seconds.toFixed(1)} s = ${fmt(copyRate)} readings/s (PostgreSQL ${((copy.pg * 1e6) / ROWS).toFixed(1)} µs CPU per reading)`);
    t0 = performance.now();
    await db.query(`VACUUM ANALYZE sensor_observation`);
    // The load's dirty pages are written now, not by a checkpoint in the middle of the measured phases.
    await db.query(`CHECKPOINT`);
    log(`VACUUM ANALYZE and CHECKPOINT after the load: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    let step = COPY_STEPS; // the next free time step of every datastream

    // ---- 1a. HTTP push: JSON batches of 10,000 readings (10 steps of all 1,000 datastreams), 2 clients at once
    const pushBodies: string[] = [];
    for (let b = 0; b < PUSH_BATCHES; b++) {
      const { mine, from } = clientBatch(b, step);
      const readings = [];
      for (let k = 0; k < CLIENT_STEPS_PER_BATCH; k++) for (const d of mine) {
        const s = streams[d];
        readings.push({ station: s.station, timeseries: s.key, timestamp: new Date(timeAt(from + k)).toISOString(), value: valueAt(d, from + k), unit: 'cm' });
      }
      pushBodies.push(JSON.stringify({ readings }));
    }
    step += CLIENT_STEPS;
    const pushMs: number[] = [];
    let phase0 = performance.now();
    const push = await cpuOf(server, () => Promise.all(Array.from({ length: PUSH_CLIENTS }, async (_, c) => {
      for (let b = c; b < pushBodies.length && performance.now() - phase0 < PHASE_SECONDS * 1000; b += PUSH_CLIENTS) {
        const b0 = performance.now();
        const res = await fetch(`${base}/api/3/action/sensor_push?source=${source.name}`, { method: 'POST', headers: json, body: pushBodies[b] });
        const out = (await res.json()) as { result?: { stored: number } };
        if (res.status !== 200 || out.result?.stored !== BATCH) throw new Error(`push ${b}: ${res.status} ${JSON.stringify(out).slice(0, 300)}`);
        pushMs.push(performance.now() - b0);
      }
    })));
    const pushRate = (pushMs.length * BATCH) / push.seconds;
    pushBodies.length = 0;
    log(`sensor_push, ${pushMs.length} JSON batches of 10,000, ${PUSH_CLIENTS} clients: ${fmt(pushRate)} readings/s = ${((100 * pushRate) / copyRate).toFixed(0)} % of COPY; batch p50 ${pct(pushMs, 50).toFixed(0)} ms p95 ${pct(pushMs, 95).toFixed(0)} ms; ${perReading(push, pushMs.length * BATCH)}`);
    goals.push(`HTTP push (sensor_push)           ${fmt(pushRate).padStart(9)} readings/s, ${((100 * pushRate) / copyRate).toFixed(0).padStart(3)} % of COPY   goal >= 100,000/s and >= 50 %   ${mark(pushRate >= 100_000 && pushRate >= copyRate / 2)}`);

    // ---- 1b. CreateObservations: the same batches as dataArrays (10 rows of each of the 1,000 datastreams)
    const coBodies: string[] = [];
    for (let b = 0; b < PUSH_BATCHES; b++) {
      const { mine, from } = clientBatch(b, step);
      coBodies.push(JSON.stringify(mine.map((d) => ({
        Datastream: { '@iot.id': streams[d].id }, components: ['phenomenonTime', 'result'],
        dataArray: Array.from({ length: CLIENT_STEPS_PER_BATCH }, (_, k) => [new Date(timeAt(from + k)).toISOString(), valueAt(d, from + k)]),
      }))));
    }
    step += CLIENT_STEPS;
    const coMs: number[] = [];
    phase0 = performance.now();
    const co = await cpuOf(server, () => Promise.all(Array.from({ length: PUSH_CLIENTS }, async (_, c) => {
      for (let b = c; b < coBodies.length && performance.now() - phase0 < PHASE_SECONDS * 1000; b += PUSH_CLIENTS) {
        const b0 = performance.now();
        const res = await fetch(`${base}/sta/v1.1/CreateObservations`, { method: 'POST', headers: json, body: coBodies[b] });
        const out = (await res.json()) as string[];
        if (res.status !== 201 || out.length !== BATCH || out.some((x) => x === 'error')) throw new Error(`CreateObservations ${b}: ${res.status} ${JSON.stringify(out).slice(0, 300)}`);
        coMs.push(performance.now() - b0);
      }
    })));
    const coRate = (coMs.length * BATCH) / co.seconds;
    coBodies.length = 0;
    log(`CreateObservations, ${coMs.length} batches of 10,000, ${PUSH_CLIENTS} clients: ${fmt(coRate)} readings/s = ${((100 * coRate) / copyRate).toFixed(0)} % of COPY; batch p50 ${pct(coMs, 50).toFixed(0)} ms p95 ${pct(coMs, 95).toFixed(0)} ms; ${perReading(co, coMs.length * BATCH)}`);
    goals.push(`CreateObservations (dataArray)    ${fmt(coRate).padStart(9)} readings/s, ${((100 * coRate) / copyRate).toFixed(0).padStart(3)} % of COPY   goal >= 100,000/s and >= 50 %   ${mark(coRate >= 100_000 && coRate >= copyRate / 2)}`);

    // ---- 1c. MQTT create at QoS 1, several publishers, each with up to MQTT_INFLIGHT unacknowledged messages
    const connect = async (id: string): Promise<MqttClient> => {
      const c = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, { clientId: id, protocolVersion: 4, clean: true, reconnectPeriod: 0 });
      await new Promise<void>((ok, fail) => { c.once('connect', () => ok()); c.once('error', fail); });
      return c;
    };
    const publishers = await Promise.all(Array.from({ length: MQTT_PUBLISHERS }, (_, p) => connect(`bench-pub-${p}`)));
    const mqttStart = step;
    step += Math.ceil(MQTT_MESSAGES / DATASTREAMS);
    let acked = 0;
    phase0 = performance.now();
    const mq = await cpuOf(server, () => Promise.all(publishers.map(async (c, p) => {
      let next = p;
      const lane = async (): Promise<void> => {
        for (let i = (next += MQTT_PUBLISHERS) - MQTT_PUBLISHERS; i < MQTT_MESSAGES && performance.now() - phase0 < PHASE_SECONDS * 1000; i = (next += MQTT_PUBLISHERS) - MQTT_PUBLISHERS) {
          const d = i % DATASTREAMS;
          const st = mqttStart + Math.floor(i / DATASTREAMS);
          await c.publishAsync(`v1.1/Datastreams(${streams[d].id})/Observations`, JSON.stringify({ phenomenonTime: new Date(timeAt(st)).toISOString(), result: valueAt(d, st) }), { qos: 1 });
          acked++;
        }
      };
      await Promise.all(Array.from({ length: MQTT_INFLIGHT }, lane));
    })));
    const mqttRate = acked / mq.seconds;
    const [{ n: mqttStored }] = (await db.query(`SELECT count(*)::int AS n FROM sensor_observation WHERE phenomenon_time >= $1 AND phenomenon_time < $2`, [new Date(timeAt(mqttStart)), new Date(timeAt(step))])).rows;
    log(`MQTT create, QoS 1, ${MQTT_PUBLISHERS} publishers x ${MQTT_INFLIGHT} in flight: ${fmt(acked)} PUBACKs in ${mq.seconds.toFixed(1)} s = ${fmt(mqttRate)} messages/s (${fmt(mqttStored)} stored); ${perReading(mq, acked)}`);
    goals.push(`MQTT create, QoS 1                ${fmt(mqttRate).padStart(9)} messages/s                   goal >= 20,000/s                ${mark(mqttRate >= 20_000)}`);
    await Promise.all(publishers.map((c) => c.endAsync()));

    // ---- 2. publish to visible in datastore_search and SensorThings, one message at a time
    const pub = await connect('bench-latency');
    const toDatastore: number[] = [];
    const toSta: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++, step++) {
      const s = streams[Math.floor(Math.random() * DATASTREAMS)];
      const time = new Date(timeAt(step)).toISOString();
      const sent = performance.now();
      const acked = pub.publishAsync(`v1.1/Datastreams(${s.id})/Observations`, JSON.stringify({ phenomenonTime: time, result: i }), { qos: 1 });
      const until = async (probe: () => Promise<boolean>): Promise<number> => {
        for (;;) {
          if (await probe()) return performance.now() - sent;
          if (performance.now() - sent > 10_000) throw new Error(`not visible after 10 s: datastream ${s.id} at ${time}`);
        }
      };
      const [a, b] = await Promise.all([
        until(async () => {
          const r = (await (await fetch(`${base}/api/3/action/datastore_search?resource_id=${s.resourceId}&sort=phenomenon_time%20desc&limit=1`)).json()) as { result?: { records: { phenomenon_time: string }[] } };
          return r.result?.records[0] !== undefined && Date.parse(r.result.records[0].phenomenon_time) === Date.parse(time);
        }),
        until(async () => {
          const r = (await (await fetch(`${base}/sta/v1.1/Datastreams(${s.id})/Observations?$orderby=phenomenonTime%20desc&$top=1`)).json()) as { value?: { phenomenonTime: string }[] };
          return r.value?.[0] !== undefined && Date.parse(r.value[0].phenomenonTime) === Date.parse(time);
        }),
      ]);
      await acked;
      toDatastore.push(a);
      toSta.push(b);
    }
    await pub.endAsync();
    log(`publish -> visible, ${LATENCY_SAMPLES} samples: datastore_search p50 ${pct(toDatastore, 50).toFixed(1)} ms p95 ${pct(toDatastore, 95).toFixed(1)} ms; SensorThings p50 ${pct(toSta, 50).toFixed(1)} ms p95 ${pct(toSta, 95).toFixed(1)} ms`);
    goals.push(`publish -> datastore_search p95   ${pct(toDatastore, 95).toFixed(1).padStart(9)} ms (p50 ${pct(toDatastore, 50).toFixed(1)})              goal < 1,000 ms                 ${mark(pct(toDatastore, 95) < 1000)}`);
    goals.push(`publish -> SensorThings p95       ${pct(toSta, 95).toFixed(1).padStart(9)} ms (p50 ${pct(toSta, 50).toFixed(1)})              goal < 1,000 ms                 ${mark(pct(toSta, 95) < 1000)}`);

    // ---- 3. reads through SensorThings HTTP over the COPY'd history, random datastreams
    await db.query(`ANALYZE sensor_observation`);
    const pick = (): Stream => streams[Math.floor(Math.random() * DATASTREAMS)];
    const lastDayStep = Math.max(0, COPY_STEPS - DAY_MS / STEP_MS);
    const reads: Record<string, { goal: number; path: () => string; rows: (body: string) => number }> = {
      'latest value ($orderby desc, $top=1)': { goal: 10, path: () => `/sta/v1.1/Datastreams(${pick().id})/Observations?$orderby=phenomenonTime%20desc&$top=1`, rows: (b) => (JSON.parse(b) as { value: unknown[] }).value.length },
      'one day ($filter ge/lt, $top=1000)': {
        goal: 20,
        path: () => {
          const from = new Date(timeAt(Math.floor(Math.random() * lastDayStep / 12) * 12)).toISOString();
          const to = new Date(Date.parse(from) + DAY_MS).toISOString();
          return `/sta/v1.1/Datastreams(${pick().id})/Observations?$filter=${encodeURIComponent(`phenomenonTime ge ${from} and phenomenonTime lt ${to}`)}&$orderby=phenomenonTime&$top=1000`;
        },
        rows: (b) => (JSON.parse(b) as { value: unknown[] }).value.length,
      },
    };
    for (const [label, r] of Object.entries(reads)) {
      const sample = await (await fetch(`${base}${r.path()}`)).text();
      const measure = async (seconds: number): Promise<{ ms: number[]; rps: number; errors: number }> => {
        const ms: number[] = [];
        let inst: autocannon.Instance | undefined;
        const done = new Promise<autocannon.Result>((ok, fail) => {
          inst = autocannon({ url: base, connections: READ_CONNECTIONS, duration: seconds, requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: r.path() }) }] }, (err, res) => (err ? fail(err) : ok(res)));
        });
        inst!.on('response', (_c, _status, _bytes, responseTime) => ms.push(responseTime));
        const res = await done;
        return { ms, rps: res.requests.average, errors: res.errors + res.non2xx };
      };
      await measure(2);
      const m = await measure(DURATION);
      log(`${label}: ${fmt(m.rps)} req/s with ${READ_CONNECTIONS} connections, p50 ${pct(m.ms, 50).toFixed(2)} ms p95 ${pct(m.ms, 95).toFixed(2)} ms, errors ${m.errors}, ${r.rows(sample)} rows in a sample answer`);
      goals.push(`${label.padEnd(34)}${pct(m.ms, 95).toFixed(2).padStart(9)} ms p95 (p50 ${pct(m.ms, 50).toFixed(2)})             goal < ${r.goal} ms                     ${mark(pct(m.ms, 95) < r.goal)}`);
    }
  } finally {
    await db.end();
    await stopServer(server);
    if (!process.env.BENCH_DATA_DIR) await rm(server.dataDir, { recursive: true, force: true });
    if (goals.length) log(`\nagainst the goals (${cpus().length} cores, BENCH_ROWS=${fmt(ROWS)}):\n${goals.map((g) => `  ${g}`).join('\n')}`);
  }
}
