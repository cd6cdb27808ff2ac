import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../free-port';

/**
 * What `npm start` and `npm run cli` do on a fresh machine: the server starts its own embedded
 * PostgreSQL under DATA_DIR, the CLI works on the same database while the server runs, a SIGTERM
 * shuts everything down cleanly, and the data is there after a restart.
 */
const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);


/** The environment of a user's shell: none of the test harness's database settings. */
function env(dataDir: string, port: number): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' };
  delete e.DATABASE_URL;
  delete e.CATALOG_TEST_ADMIN_URL;
  return e;
}

describe('the server as a process with the embedded PostgreSQL', () => {
  let dataDir: string;
  let port: number;
  let server: ChildProcess | undefined;
  let log = '';

  const base = (): string => `http://127.0.0.1:${port}/api/3/action`;

  /**
   * Starts the server; when another process took its free port between our probe and its listen (other suites start
   * servers and PostgreSQL clusters beside this one), it starts again on a new free port.
   */
  async function start(extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startOnce(extraEnv);
      } catch (err) {
        if (attempt >= 3 || !/EADDRINUSE/.test(log)) throw err;
        port = await freePort();
      }
    }
  }

  async function startOnce(extraEnv: NodeJS.ProcessEnv): Promise<void> {
    log = '';
    server = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], { cwd: ROOT, env: { ...env(dataDir, port), ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    server.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    const deadline = Date.now() + 120_000; // compiling the service on start takes long when the rest of the suite runs beside it
    while (Date.now() < deadline) {
      if (server.exitCode !== null) throw new Error(`server exited during start:\n${log}`);
      try {
        const res = await fetch(`${base()}/status_show`);
        if (res.ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`server did not start:\n${log}`);
  }

  async function stop(): Promise<number | null> {
    if (!server || server.exitCode !== null) return server?.exitCode ?? null;
    const exited = new Promise<number | null>((ok) => server!.once('exit', (code) => ok(code)));
    server.kill('SIGTERM');
    return exited;
  }

  const cli = async (...args: string[]): Promise<string> =>
    (await run(process.execPath, ['-r', '@swc-node/register', 'src/cli/main.ts', ...args], { cwd: ROOT, env: env(dataDir, port) })).stdout;

  const post = async (action: string, body: object, token?: string): Promise<{ status: number; body: { success: boolean; result: Record<string, unknown> } }> => {
    const res = await fetch(`${base()}/${action}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { success: boolean; result: Record<string, unknown> } };
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'catalog-process-'));
    port = await freePort();
  });
  afterAll(async () => {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts, shares its database with the CLI, stops cleanly and keeps the data across a restart', async () => {
    await start();
    expect(log).toContain('"database":"embedded"');
    // Not a terminal: a log for machines, every line JSON, without Nest's line per route.
    const lines = log.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('{'))).toEqual([]);
    expect(log).not.toMatch(/Mapped \{/);
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);

    // The CLI joins the cluster the running server started instead of starting a second one.
    const out = await cli('user', 'add', 'steward', '--sysadmin');
    const token = out.trim().split('\n').pop()!;
    expect(token).toMatch(/^odp_[A-Za-z0-9_-]{43}$/);

    const org = await post('organization_create', { name: 'kreis-meissen', title: 'Landkreis Meißen' }, token);
    expect(org.status).toBe(200);
    const ds = await post('package_create', { name: 'badestellen', owner_org: 'kreis-meissen', title: 'Badestellen' }, token);
    expect(ds.status).toBe(200);

    const code = await stop();
    expect(code).toBe(0);
    // Cleanly: nothing warned about or failed on the way down (the job queue's pool closes before PostgreSQL stops).
    expect(log.trim().split('\n').filter((l) => /"level":(40|50|60)/.test(l))).toEqual([]);
    expect(log).toContain('catalog stopped');
    expect(log).toContain('embedded PostgreSQL stopped');
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    // For a person (as at a terminal): where the catalog answers and where its data lives, readable.
    await start({ LOG_FORMAT: 'pretty' });
    expect(log).toContain(`Catalog ready at http://localhost:${port}`);
    expect(log).toMatch(new RegExp(`Database +embedded PostgreSQL on 127\\.0\\.0\\.1:\\d+, data in ${dataDir}/pg`));
    expect(log).toContain(`Uploads      ${dataDir}/uploads`);
    expect(log).toContain(`DATA_DIR=${dataDir} npm run --silent cli -- user add NAME --sysadmin`);
    expect(log).not.toMatch(/^\{/m);
    expect(log).not.toMatch(/Mapped \{/);
    const shown = (await (await fetch(`${base()}/package_show?id=badestellen`)).json()) as { result: unknown };
    expect(shown.result).toMatchObject({ id: ds.body.result.id, title: 'Badestellen', organization: { title: 'Landkreis Meißen' } });
    const me = (await (await fetch(`${base()}/user_show`, { headers: { authorization: token } })).json()) as { result: unknown };
    expect(me.result).toMatchObject({ name: 'steward', sysadmin: true });
    // Three process starts that each compile the service: slow when the rest of the suite runs beside them.
  }, 400_000);

  it('refuses a busy port in one line before it starts or migrates any database', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'catalog-busy-'));
    const blocker = createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', () => ok()));
    const busyPort = (blocker.address() as { port: number }).port;
    try {
      const failed = await run(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], { cwd: ROOT, env: env(join(elsewhere, 'data'), busyPort) }).catch(
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(failed).toMatchObject({ code: 1 });
      expect(failed.stderr.trim()).toBe(`Port ${busyPort} on 127.0.0.1 is already in use (is the catalog already running?): stop that program or set PORT to another port.`);
      expect(failed.stdout).toBe('');
      expect(existsSync(join(elsewhere, 'data', 'pg'))).toBe(false);
    } finally {
      blocker.close();
      await rm(elsewhere, { recursive: true, force: true });
    }
  }, 120_000);
});
