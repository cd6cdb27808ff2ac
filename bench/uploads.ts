import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { spawn, ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { startServer, stopServer } from './core';

/**
 * `npm run bench -- uploads`: uploads and downloads files of 1 MiB, 100 MiB and 2 GiB through the
 * API on loopback (resource_create with a multipart `upload`, then the download URL), and beside
 * each the same machine's raw disk speed for the same size (write with fsync, read), which is the
 * limit. Prints MB/s both ways and the server's resident memory: before, peak during, growth.
 * Reads are measured after dropping the page cache when the machine allows it (root), so both
 * the raw read and the download come from the disk; otherwise both come from the cache.
 *
 * A third reference is the loopback HTTP ceiling: a bare Node.js server in its own process that
 * writes a request body straight to a file (fsync) and streams a file back, with no parsing, hashing
 * or database. On a small machine the client, the server and the kernel's loopback copy share the
 * same cores, so this, not the disk, is often the real limit of any HTTP upload.
 *
 * BENCH_UPLOAD_SIZES=1,100,2048 (MiB) chooses the sizes, BENCH_UPLOAD_ROUNDS the rounds per size
 * (default 5, and 2 from 1 GiB); the table shows medians.
 */
const MIB = 1024 * 1024;
const SIZES = (process.env.BENCH_UPLOAD_SIZES ?? '1,100,2048').split(',').map((s) => Number(s) * MIB);
const BLOCK = 4 * MIB;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const mbps = (bytes: number, ms: number): string => `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;

/** A file of random-looking bytes (one random block repeated: incompressible enough, cheap to make). */
async function makeFile(path: string, size: number): Promise<void> {
  const block = randomBytes(BLOCK);
  let left = size;
  const src = Readable.from((function* () {
    while (left > 0) {
      const n = Math.min(left, BLOCK);
      left -= n;
      yield n === BLOCK ? block : block.subarray(0, n);
    }
  })());
  await pipeline(src, createWriteStream(path));
}

async function dropCaches(): Promise<boolean> {
  try {
    await writeFile('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

const discard = (): Writable => new Writable({ write: (_c, _e, done) => done(), highWaterMark: MIB });

async function rawWrite(source: string, target: string): Promise<number> {
  const t0 = performance.now();
  await pipeline(createReadStream(source, { highWaterMark: MIB }), createWriteStream(target, { flush: true, highWaterMark: MIB }));
  return performance.now() - t0;
}

async function rawRead(path: string): Promise<number> {
  const t0 = performance.now();
  await pipeline(createReadStream(path, { highWaterMark: MIB }), discard());
  return performance.now() - t0;
}

/** The server's resident memory now and its peak since the last reset, from /proc (MiB). */
async function memory(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

async function resetPeak(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => undefined);
}

/** The bare HTTP server of the ceiling measurement (a child process, like the catalog). */
const BARE_SERVER = `
const http = require('node:http'), fs = require('node:fs'), { pipeline } = require('node:stream/promises');
const file = process.argv[1];
http.createServer(async (req, res) => {
  try {
    if (req.method === 'PUT') {
      await pipeline(req, fs.createWriteStream(file, { flush: true, highWaterMark: 1 << 20 }));
      res.end('ok');
    } else {
      res.setHeader('content-length', fs.statSync(file).size);
      await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), res);
    }
  } catch (e) { res.destroy(e); }
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });
`;

async function startBareServer(file: string): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, ['-e', BARE_SERVER, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(proc.stdout!, 'data')) as [Buffer];
  return { proc, port: Number(chunk.toString().trim()) };
}

/** PUT the file's bytes as the request body and GET them back from the bare server. */
async function bareRoundTrip(port: number, path: string, size: number): Promise<{ upMs: number; downMs: number }> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest({ port, host: '127.0.0.1', path: '/f', method: 'PUT', headers: { 'content-length': String(size) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`bare upload: ${res.statusCode}`))));
    });
    req.on('error', reject);
    createReadStream(path, { highWaterMark: MIB }).on('error', reject).pipe(req);
  });
  const upMs = performance.now() - t0;
  await dropCaches(); // when allowed, the download reads from disk like the others
  const downMs = await download(port, `http://127.0.0.1:${port}/f`, size);
  return { upMs, downMs };
}

/** resource_create with the file streamed as a multipart `upload`, as ckanapi sends it. */
export function upload(port: number, token: string, packageId: string, path: string, size: number, filename = 'messwerte.bin'): Promise<{ ms: number; url: string; id: string }> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="package_id"\r\n\r\n${packageId}\r\n`
    + `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = httpRequest({
      port, host: '127.0.0.1', path: '/api/3/action/resource_create', method: 'POST',
      headers: { authorization: token, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + size + tail.length) },
    }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        const parsed = JSON.parse(body) as { success: boolean; result: { id: string; url: string; size: number } };
        if (!parsed.success || parsed.result.size !== size) return reject(new Error(`upload failed: ${body.slice(0, 300)}`));
        resolve({ ms: performance.now() - t0, url: parsed.result.url, id: parsed.result.id });
      });
    });
    req.on('error', reject);
    req.write(head);
    const file = createReadStream(path, { highWaterMark: MIB });
    file.on('error', reject);
    file.pipe(req, { end: false });
    file.on('end', () => req.end(tail));
  });
}

function download(port: number, url: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = httpRequest({ port, host: '127.0.0.1', path: new URL(url).pathname }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => (n === size ? resolve(performance.now() - t0) : reject(new Error(`downloaded ${n} of ${size} bytes`))));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function run(): Promise<void> {
  const log = (s: string): void => void process.stdout.write(`${s}\n`);
  const maxSize = Math.max(...SIZES);
  const server = await startServer({ UPLOAD_MAX_BYTES: String(Math.max(2048 * MIB, maxSize)) });
  const pid = server.proc.pid!;
  const base = `http://127.0.0.1:${server.port}`;
  const headers = { 'content-type': 'application/json', authorization: server.token };
  const scratch = (name: string): string => join(server.dataDir, name);
  try {
    const org = await (await fetch(`${base}/api/3/action/organization_create`, { method: 'POST', headers, body: JSON.stringify({ name: 'bench-uploads', title: 'Bench' }) })).json() as { result: { id: string } };
    const pkg = await (await fetch(`${base}/api/3/action/package_create`, { method: 'POST', headers, body: JSON.stringify({ name: 'bench-dateien', owner_org: org.result.id }) })).json() as { result: { id: string } };
    const cold = await dropCaches();
    log(`reads: ${cold ? 'from disk (page cache dropped before each read)' : 'from the page cache (dropping it needs root)'}`);
    log(`server RSS at start: ${(await memory(pid)).rss.toFixed(0)} MiB\n`);
    log('upload:   through resource_create; raw = file write with fsync; http = bare Node server writing the body to a file');
    log('download: through the download URL;   raw = file read;            http = bare Node server streaming the file');
    log('\nsize   rounds upload   raw write  of raw  http ceiling of http | download   raw read  of raw  http ceiling of http | server RSS before → peak (growth)');

    for (const size of SIZES) {
      const source = scratch(`source-${size}`);
      await makeFile(source, size);
      const rounds = Number(process.env.BENCH_UPLOAD_ROUNDS ?? (size >= 1024 * MIB ? 2 : 5));
      const t = { up: [] as number[], rawW: [] as number[], httpUp: [] as number[], down: [] as number[], rawR: [] as number[], httpDown: [] as number[] };
      const before = await memory(pid);
      await resetPeak(pid);
      // This machine's disk is shared and its speed drifts by 2-3x within a minute: each round measures the
      // three ways one after the other, and the table shows the median of each.
      for (let round = 0; round < rounds; round++) {
        // The limit of the disk: the same bytes written (with fsync) and read back by plain file streams.
        t.rawW.push(await rawWrite(source, scratch(`raw-${size}`)));
        if (cold) await dropCaches();
        t.rawR.push(await rawRead(scratch(`raw-${size}`)));
        await rm(scratch(`raw-${size}`));
        // The limit of HTTP on loopback: a bare server, body to file and back.
        const bare = await startBareServer(scratch(`bare-${size}`));
        const ceiling = await bareRoundTrip(bare.port, source, size).finally(() => bare.proc.kill());
        t.httpUp.push(ceiling.upMs);
        t.httpDown.push(ceiling.downMs);
        await rm(scratch(`bare-${size}`));
        // Ours: resource_create with the file, then its download URL; resource_delete removes the file again.
        const up = await upload(server.port, server.token, pkg.result.id, source, size);
        t.up.push(up.ms);
        if (cold) await dropCaches();
        t.down.push(await download(server.port, up.url, size));
        const del = await fetch(`${base}/api/3/action/resource_delete`, { method: 'POST', headers, body: JSON.stringify({ id: up.id }) });
        if (!del.ok) throw new Error(`resource_delete failed: ${await del.text()}`);
      }
      const peak = (await memory(pid)).peak;
      const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])) as Record<keyof typeof t, number>;
      const pct = (ref: number, ms: number): string => `${((ref / ms) * 100).toFixed(0)} %`.padStart(7);
      log(`${(size / MIB).toFixed(0).padStart(5)} MiB ×${rounds} ${mbps(size, m.up).padStart(9)} ${mbps(size, m.rawW).padStart(11)} ${pct(m.rawW, m.up)} ${mbps(size, m.httpUp).padStart(13)} ${pct(m.httpUp, m.up)} |`
        + ` ${mbps(size, m.down).padStart(10)} ${mbps(size, m.rawR).padStart(10)} ${pct(m.rawR, m.down)} ${mbps(size, m.httpDown).padStart(13)} ${pct(m.httpDown, m.down)} |`
        + ` ${before.rss.toFixed(0)} → ${peak.toFixed(0)} MiB (+${Math.max(0, peak - before.rss).toFixed(0)} MiB)`);
      await rm(source);
    }
    log('\ngoal: at least 70 % of the raw disk speed both ways for 100 MiB and more; RSS growth under 64 MiB');
  } finally {
    await stopServer(server);
    if (!process.env.BENCH_DATA_DIR) await rm(server.dataDir, { recursive: true, force: true });
  }
}
