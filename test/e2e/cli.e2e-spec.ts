import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import request from 'supertest';
import { TestApp } from '../test-app';
import { urlFor, withAdmin } from '../test-db';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

/** The command line, on the database a running server uses (here: DATABASE_URL). */
describe('the command line', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.stop());

  const cli = async (...args: string[]): Promise<{ stdout: string; stderr: string }> =>
    run(process.execPath, ['-r', '@swc-node/register', 'src/cli/main.ts', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: t.db.url } });

  it('creates a sysadmin and prints its token alone on the last line', async () => {
    const { stdout } = await cli('user', 'add', 'landrat', '--sysadmin', '--email', 'landrat@example.org');
    const token = stdout.trim().split('\n').pop()!;
    const me = await request(t.http).get('/api/3/action/user_show').set('Authorization', token);
    expect(me.body.result).toMatchObject({ name: 'landrat', sysadmin: true, email: 'landrat@example.org' });
    const second = (await cli('user', 'token', 'landrat')).stdout.trim();
    expect(second).toMatch(/^odp_/);
    expect((await request(t.http).get('/api/3/action/user_show').set('Authorization', second)).body.result.name).toBe('landrat');
  });

  it('creates a token with scopes and a lifetime in days', async () => {
    const secret = (await cli('user', 'token', 'landrat', '--label', 'lesen', '--scopes', 'read,datastore', '--days', '7')).stdout.trim();
    const [row] = await t.db.dataSource.query(`SELECT scopes, expires_at > now() + interval '6 days 23 hours' AND expires_at <= now() + interval '7 days' AS week FROM api_token WHERE name = 'lesen'`);
    expect(row).toEqual({ scopes: ['read', 'datastore'], week: true });
    const write = await request(t.http).post('/api/3/action/organization_create').set('Authorization', secret).send({ name: 'nie' });
    expect(write.status).toBe(403);
  });

  it('reports a refused user the way a steward reads it, with exit code 1', async () => {
    await expect(cli('user', 'add', 'X!')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('name: Must be purely lowercase alphanumeric') });
  });

  it('rebuilds the search index, and running servers pick it up', async () => {
    const org = await t.factories.organization();
    await t.factories.dataset({ owner_org: org.id, name: 'neu-indiziert', title: 'Straßenbäume' });
    await t.db.dataSource.query(`DELETE FROM search_document`);
    const { stdout } = await cli('search', 'reindex');
    expect(stdout).toMatch(/reindexed 1 datasets in PostgreSQL/);
    let found: string[] = [];
    for (let i = 0; i < 100 && !found.length; i++) {
      const res = await request(t.http).get('/api/3/action/package_search?fq=name:neu-indiziert');
      found = res.body.result.results.map((d: { name: string }) => d.name);
      if (!found.length) await new Promise((r) => setTimeout(r, 20));
    }
    expect(found).toEqual(['neu-indiziert']);
    const text = await request(t.http).get('/api/3/action/package_search?q=Strassenbaum');
    expect(text.body.result.count).toBe(1);
  });

  it('reports every dataset that GovData would reject, private ones included, field by field, with exit code 1', async () => {
    const org = await t.factories.organization();
    await t.call('package_create', { name: 'ohne-lizenz', title: 'Ohne Lizenz', notes: 'Keine Lizenz angegeben.', owner_org: org.id, private: true, dcat_validation: 'off' });
    const failed = await cli('dcat', 'validate').catch((e: { code: number; stdout: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect(failed.stdout).toMatch(/ohne-lizenz — not valid/);
    expect(failed.stdout).toMatch(/contributorID: .*contributor/i);
    expect(failed.stdout).toMatch(/datasets checked: .* with violations/);
  });

  it('scores every dataset\'s metadata quality anew, private ones and those written without validation included', async () => {
    // As datasets written before scoring existed: no derived fields.
    await t.db.dataSource.query(`UPDATE package SET derived = NULL`);
    const { stdout } = await cli('dcat', 'quality');
    expect(stdout).toMatch(/2 datasets scored: 0 excellent, 0 good, 0 sufficient, 2 bad/);
    const shown = await t.call<{ quality: { score: number; indicators: { indicator: string; met: boolean | null }[] } }>('package_show', { id: 'ohne-lizenz' });
    // Its write had validation off; the refresh validates it (its organization's mode) and finds the violations.
    expect(shown.quality.indicators.find((i) => i.indicator === 'dcat_ap_compliance')).toMatchObject({ met: false });
    expect(shown.quality.score).toBe(20);
  });

  it('refuses to create a second, empty catalog when started with another DATA_DIR than the server, and says where it looked', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'catalog-cli-elsewhere-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: elsewhere };
      delete env.DATABASE_URL;
      const failed = await run(process.execPath, ['-r', '@swc-node/register', 'src/cli/main.ts', 'user', 'add', 'verirrt', '--sysadmin'], { cwd: ROOT, env }).catch(
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(failed).toMatchObject({ code: 1, stdout: '' });
      expect(failed.stderr).toContain('No catalog found');
      expect(failed.stderr).toContain(`DATA_DIR=${elsewhere}`);
      expect(failed.stderr).toMatch(/same DATA_DIR or DATABASE_URL as the server/);
      expect(existsSync(join(elsewhere, 'pg'))).toBe(false);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('refuses to turn a DATABASE_URL without a catalog into one, except for migration run', async () => {
    const empty = `catalog_test_cli_empty_${process.pid}`;
    await withAdmin((c) => c.query(`CREATE DATABASE ${empty}`));
    try {
      const env = { ...process.env, DATABASE_URL: urlFor(empty) };
      const cliOn = (...args: string[]): Promise<{ stdout: string; stderr: string }> =>
        run(process.execPath, ['-r', '@swc-node/register', 'src/cli/main.ts', ...args], { cwd: ROOT, env });
      const failed = await cliOn('user', 'token', 'niemand').catch((e: { code: number; stderr: string }) => e);
      expect(failed).toMatchObject({ code: 1 });
      expect(failed.stderr).toMatch(new RegExp(`No catalog found: this command looked at DATABASE_URL, and the database .*${empty} holds no catalog`));
      expect(failed.stderr).not.toMatch(/:[^/@]+@127/); // no password in the message
      const c = new Client({ connectionString: urlFor(empty) });
      await c.connect();
      const tables = (await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`).finally(() => c.end())).rows[0].n;
      expect(tables).toBe(0);
      // Building a catalog is what `migration run` is for.
      expect((await cliOn('migration', 'run')).stdout).toMatch(/applied InitialSchema/);
      expect((await cliOn('migration', 'show')).stdout).toMatch(/\[X\] InitialSchema/);
    } finally {
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${empty} WITH (FORCE)`));
    }
  });

  it('lists the migrations it has applied', async () => {
    const { stdout } = await cli('migration', 'show');
    expect(stdout).toMatch(/\[X\] InitialSchema/);
    expect(stdout).toMatch(/\[X\] AddSearchIndex/);
  });
});
