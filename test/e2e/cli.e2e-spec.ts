import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { TestApp } from '../test-app';

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

  it('lists the migrations it has applied', async () => {
    const { stdout } = await cli('migration', 'show');
    expect(stdout).toMatch(/\[X\] InitialSchema/);
    expect(stdout).toMatch(/\[X\] AddSearchIndex/);
  });
});
