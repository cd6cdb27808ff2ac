import autocannon from 'autocannon';
import { createWriteStream, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { inferTypes, readTable } from '../src/datastore/loader';
import { cannon, startServer, stopServer } from './core';
import { upload } from './uploads';

/**
 * `npm run bench -- datastore`: BENCH_ROWS (10,000,000) gauge readings (timestamp, station, value, quality) go into the
 * DataStore three ways, side by side: the loader on a German CSV export (`dd.mm.yyyy hh:mm:ss`, `1.234,56`, `;`),
 * `datastore_create` + `datastore_upsert` in batches of 10,000, and a raw `COPY` of the same rows into a table of the
 * same shape (the limit). Then `datastore_search` latency on the upserted table (a station's readings, a station in a
 * time window through `datastore_search_sql`, a full-text `q`, a sort at `offset=1000000`), and `/datastore/dump`
 * throughput with the server's resident memory growth.
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const BATCH = 10_000;
const STATIONS = 200;
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const UPSERT_CONNECTIONS = Number(process.env.BENCH_UPSERT_CONNECTIONS ?? 2);
const QUALITY = ['geprüft', 'vorläufig', 'Rohwert', 'geprüft'];
const START = Date.UTC(2024, 0, 1);

interface Reading {
  at: Date;
  station: string;
  value: number;
  quality: string;
}

/** Reading i: 200 stations, one reading per station and minute; values up to about 2,500 cm. */
function reading(i: number): Reading {
  const station = i % STATIONS;
  const minute = Math.floor(i / STATIONS);
  const value = Math.round((200 + station * 11 + 150 * Math.sin(minute / 240 + station)) * 100 + (i % 97)) / 100;
  return { at: new Date(START + minute * 60_000), station: `Pegel ${String(station + 1).padStart(3, '0')}`, value, quality: QUALITY[(i >> 3) % QUALITY.length] };
}

const two = (n: number): string => String(n).padStart(2, '0');
const germanNumber = (v: number): string => {
  const [int, dec] = v.toFixed(2).split('.');
  return `${int.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${dec}`;
};
const germanLine = (r: Reading): string =>
  `${two(r.at.getUTCDate())}.${two(r.at.getUTCMonth() + 1)}.${r.at.getUTCFullYear()} ${two(r.at.getUTCHours())}:${two(r.at.getUTCMinutes())}:00;${r.station};${germanNumber(r.value)};${r.quality}\n`;
const isoTime = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

/** The export a gauge office would send: title line, header, readings, a footnote. */
async function writeGermanCsv(path: string): Promise<void> {
  async function* lines(): AsyncGenerator<string> {
    yield 'Pegelstände der Messstellen, Export vom 05.12.2026\n';
    yield 'Zeitpunkt;Station;Wasserstand;Qualität\n';
    let chunk = '';
    for (let i = 0; i < ROWS; i++) {
      chunk += germanLine(reading(i));
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    yield `${chunk}Quelle: Bench-Stadt, Wasserwirtschaft\n`;
  }
  await pipeline(Readable.from(lines()), createWriteStream(path));
}

async function* copyLines(): AsyncGenerator<string> {
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    const r = reading(i);
    chunk += `${isoTime(r.at)}\t${r.station}\t${r.value}\t${r.quality}\n`;
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}

const rate = (rows: number, ms: number): string => `${Math.round(rows / (ms / 1000)).toLocaleString('en')} rows/s`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function rssKb(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((s) => Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0)).catch(() => 0);
}

export async function run(): Promise<void> {
  const log = (s: string): void => void process.stdout.write(`${s}\n`);
  const server = await startServer({ DATASTORE_SQL_ENABLED: 'true', UPLOAD_MAX_BYTES: String(4 * 1024 ** 3) });
  const base = `http://127.0.0.1:${server.port}`;
  const headers = { 'content-type': 'application/json', authorization: server.token };
  const call = async <T>(action: string, body: object): Promise<T> => {
    const res = await fetch(`${base}/api/3/action/${action}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const parsed = (await res.json()) as { success: boolean; result: T; error?: unknown };
    if (!parsed.success) throw new Error(`${action}: ${JSON.stringify(parsed.error).slice(0, 400)}`);
    return parsed.result;
  };
  const dir = await mkdtemp(join(tmpdir(), 'bench-datastore-'));
  const db = new Client({ connectionString: server.databaseUrl });
  await db.connect();
  try {
    const org = await call<{ id: string }>('organization_create', { name: `bench-org-${Date.now()}`, title: 'Bench-Stadt' });
    const dataset = await call<{ id: string }>('package_create', { name: `pegel-${Date.now()}`, owner_org: org.id, title: 'Pegelstände' });
    const fields = [{ id: 'zeitpunkt', type: 'timestamp' }, { id: 'station', type: 'text' }, { id: 'wasserstand', type: 'numeric' }, { id: 'qualitaet', type: 'text' }];
    log(`${ROWS.toLocaleString('en')} readings of ${STATIONS} stations; 2 cores shared by server, PostgreSQL and this client`);

    // The limit: COPY of the same rows (ISO text, no parsing) into a DataStore table of the same shape (its full-text trigger included).
    const raw = await call<{ resource_id: string }>('datastore_create', { resource: { package_id: dataset.id, name: 'raw COPY' }, fields });
    let t0 = performance.now();
    await pipeline(Readable.from(copyLines()), db.query(copyFrom(`COPY datastore.${db.escapeIdentifier(raw.resource_id)} (zeitpunkt, station, wasserstand, qualitaet) FROM STDIN`)));
    const copyMs = performance.now() - t0;
    log(`raw COPY (the limit):                 ${seconds(copyMs)} = ${rate(ROWS, copyMs)}`);

    // datastore_create + datastore_upsert, batches of 10,000 records, UPSERT_CONNECTIONS requests at a time.
    const table = await call<{ resource_id: string }>('datastore_create', {
      // A composite index for reads by station and time (CKAN's indexes: 'a,b'), and one on time, as a steward makes them.
      resource: { package_id: dataset.id, name: 'upsert' }, fields, indexes: ['station,zeitpunkt', 'zeitpunkt'],
    });
    let next = 0;
    t0 = performance.now();
    await Promise.all(Array.from({ length: UPSERT_CONNECTIONS }, async () => {
      while (next < ROWS) {
        const from = next;
        next += BATCH;
        const records = [];
        for (let i = from; i < Math.min(ROWS, from + BATCH); i++) {
          const r = reading(i);
          records.push({ zeitpunkt: r.at.toISOString(), station: r.station, wasserstand: r.value, qualitaet: r.quality });
        }
        await call('datastore_upsert', { resource_id: table.resource_id, method: 'insert', records });
      }
    }));
    const upsertMs = performance.now() - t0;
    log(`datastore_upsert, batches of 10,000:  ${seconds(upsertMs)} = ${rate(ROWS, upsertMs)} (goal >= 50,000 rows/s; ${(100 * copyMs / upsertMs).toFixed(0)} % of raw COPY)`);

    // The loader: the German export uploaded as a resource; it loads on its own.
    const csv = join(dir, 'pegelstaende.csv');
    await writeGermanCsv(csv);
    const size = statSync(csv).size;
    t0 = performance.now();
    const typed = await inferTypes(await readTable(csv, { format: 'csv' }));
    const typeMs = performance.now() - t0;
    log(`type pass alone (in this process):    ${seconds(typeMs)} over ${(size / 1e6).toFixed(0)} MB -> ${typed.columns.map((c) => `${c.name}: ${c.type}`).join(', ')}`);
    t0 = performance.now();
    const uploaded = await upload(server.port, server.token, dataset.id, csv, size, 'pegelstaende.csv');
    let status: { status: string; error?: unknown } = { status: 'pending' };
    while (status.status !== 'complete' && status.status !== 'error') {
      await new Promise((r) => setTimeout(r, 500));
      status = await call('xloader_status', { resource_id: uploaded.id });
    }
    const loaderMs = performance.now() - t0;
    if (status.status === 'error') log(`loader: ERROR ${JSON.stringify(status.error)}`);
    log(`loader (upload to complete):          ${seconds(loaderMs)} = ${rate(ROWS, loaderMs)} (goal >= 50 % of raw COPY: ${(100 * copyMs / loaderMs).toFixed(0)} %; type pass = ${(100 * typeMs / loaderMs).toFixed(0)} % of it)`);

    // Reads of the upserted table.
    const id = table.resource_id;
    const search = (label: string, action: string, body: object): autocannon.Options & { label: string } => ({
      label, url: `${base}/api/3/action/${action}`, method: 'POST', headers, body: JSON.stringify(body), connections: 4, duration: DURATION,
    });
    const day = new Date(START + Math.floor(ROWS / STATIONS / 2) * 60_000);
    const runs = [
      search('one station, newest 100', 'datastore_search', { resource_id: id, filters: { station: 'Pegel 042' }, sort: 'zeitpunkt desc', limit: 100, include_total: false }),
      search('one station, one day (search_sql)', 'datastore_search_sql', {
        sql: `SELECT zeitpunkt, wasserstand FROM "${id}" WHERE station = 'Pegel 042' AND zeitpunkt >= '${isoTime(day)}' AND zeitpunkt < '${isoTime(new Date(day.getTime() + 86_400_000))}' ORDER BY zeitpunkt`,
      }),
      search('full-text q "vorläufig"', 'datastore_search', { resource_id: id, q: 'vorläufig', limit: 100, include_total: false }),
      search('sort zeitpunkt, offset 1,000,000', 'datastore_search', { resource_id: id, sort: 'zeitpunkt', offset: Math.min(1_000_000, ROWS - 100), limit: 100, include_total: false }),
    ];
    for (const r of runs) {
      const res = await cannon(r);
      const bad = res.errors + res.non2xx;
      log(`${r.label.padEnd(38)} p50 ${String(res.latency.p50).padStart(4)} ms   p97.5 ${String(res.latency.p97_5).padStart(4)} ms   ${res.requests.average.toFixed(0)} req/s   errors ${bad}${r.label.startsWith('one station') ? '   (goal p95 < 30 ms)' : ''}`);
    }

    // The dump: streamed, so the server's memory stays flat.
    const pid = server.proc.pid!;
    for (const format of ['csv', 'json', 'xlsx']) {
      const before = await rssKb(pid);
      let peak = before;
      const sampler = setInterval(() => void rssKb(pid).then((kb) => (peak = Math.max(peak, kb))), 100);
      t0 = performance.now();
      const bytes = await new Promise<number>((resolve, reject) => {
        httpRequest({ port: server.port, host: '127.0.0.1', path: `/datastore/dump/${id}?format=${format}` }, (res) => {
          let n = 0;
          if (res.statusCode !== 200) reject(new Error(`dump ${format}: HTTP ${res.statusCode}`));
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => resolve(n));
          res.on('error', reject);
        }).on('error', reject).end();
      });
      const ms = performance.now() - t0;
      clearInterval(sampler);
      log(`/datastore/dump ${format.padEnd(5)}                 ${(bytes / 1e6).toFixed(0)} MB in ${seconds(ms)} = ${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s; server RSS +${((peak - before) / 1024).toFixed(0)} MiB (goal < 64 MiB)`);
    }
  } finally {
    await db.end();
    await stopServer(server);
    await rm(dir, { recursive: true, force: true });
    await rm(server.dataDir, { recursive: true, force: true });
  }
}
