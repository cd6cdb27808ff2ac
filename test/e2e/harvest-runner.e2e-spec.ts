import { execFile } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { Dict, GatherItem, Harvester, HarvestConfigError, HarvestError, HarvestRun, RemoteRecord } from '../../src/harvest/harvester';
import { HarvesterRegistry } from '../../src/harvest/harvester-registry';
import { HarvestRunner } from '../../src/harvest/harvest-runner';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/** What the local "remote catalog" offers: datasets by id, each with an identifier, a modified time and a title. */
interface RemoteDataset { id: string; identifier?: string; modified: string; title: string; fail?: boolean; org?: string }

/** A small remote catalog over HTTP: /list (all datasets, no content), /ds/<id> (one dataset), /hang (never answers). */
class RemoteCatalog {
  readonly datasets = new Map<string, RemoteDataset>();
  readonly server: http.Server;
  delayMs = 0;
  constructor() {
    this.server = http.createServer((req, res) => {
      const path = req.url ?? '';
      if (path.startsWith('/hang')) return; // accepts, never answers
      const m = /\/ds\/([^/?]+)$/.exec(path);
      const send = (status: number, body: unknown): void => {
        setTimeout(() => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        }, this.delayMs);
      };
      if (path.endsWith('/list')) return send(200, [...this.datasets.values()].map(({ id, modified }) => ({ id, modified })));
      const d = m && this.datasets.get(m[1]);
      if (!d) return send(404, { error: 'not found' });
      if (d.fail) return send(200, 'not a dict');
      return send(200, d);
    });
  }
  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  put(d: Omit<RemoteDataset, 'modified'> & { modified?: string }): void {
    this.datasets.set(d.id, { modified: new Date().toISOString(), ...d });
  }
}

/** The configs the plug-in was given, run by run (secrets decrypted). */
const seenConfigs: Dict[] = [];

/** The test plug-in: lists /list, yields what changed since the last run, fetches /ds/<id>, maps it to a dataset. */
const testHarvester: Harvester = {
  type: 'test',
  info: { name: 'test', title: 'Test', description: 'A test harvester over a local HTTP server' },
  secretKeys: ['api_key'],
  parseConfig(raw: Dict): Dict {
    if (raw.page_size !== undefined && typeof raw.page_size !== 'number') throw new HarvestConfigError(['page_size: must be a number']);
    return raw;
  },
  async *gather(run: HarvestRun): AsyncIterable<GatherItem> {
    seenConfigs.push(run.source.config);
    const res = await run.fetch(`${run.source.url}/list`, { accept: 'application/json' });
    if (res.status !== 200) throw new HarvestError(`list answered HTTP ${res.status}`);
    const list = JSON.parse(res.text()) as { id: string; modified: string }[];
    const changed = list.filter((d) => !run.since || d.modified > run.since);
    run.progress(0, changed.length);
    for (const d of changed) yield { record: { guid: d.id, identifier: d.id, modified: d.modified } };
    yield { present: list.map((d) => d.id) };
    yield { complete: true };
  },
  async fetch(record: RemoteRecord, run: HarvestRun): Promise<RemoteRecord> {
    const res = await run.fetch(`${run.source.url}/ds/${record.guid}`);
    if (res.status !== 200) throw new HarvestError(`HTTP ${res.status}`, record.guid);
    const data = JSON.parse(res.text()) as unknown;
    if (typeof data !== 'object') throw new HarvestError('The record is not a JSON object', record.guid);
    const d = data as RemoteDataset;
    return { ...record, identifier: d.identifier ?? record.guid, modified: d.modified, content: res.text(), data: d };
  },
  toPackage(record: RemoteRecord) {
    const d = record.data as RemoteDataset;
    return { action: 'import', package: { name: d.id, title: d.title, notes: 'harvested' }, ...(d.org ? { remoteOrganization: { name: d.org, title: `Remote ${d.org}` } } : {}) };
  },
};

type Report = { status: string; stats: Record<string, number>; gather_errors: { message: string }[]; object_errors: Record<string, { guid: string; errors: { message: string }[] }> };

describe('harvest runner (test plug-in over a local HTTP server)', () => {
  let t: TestApp;
  let remote: RemoteCatalog;
  let base: string;
  let org: Dict;
  let editor: TestUser;
  let member: TestUser;
  let admin: TestUser;
  let outsider: TestUser;

  beforeAll(async () => {
    t = await TestApp.start({ JOBS_WORKER: 'false', HARVEST_ALLOW_PRIVATE_ADDRESSES: 'true', HARVEST_TIMEOUT_MS: '500', HARVEST_RETRIES: '1', HARVEST_RETRY_DELAY_MS: '10' });
    t.app.get(HarvesterRegistry).register(testHarvester);
    remote = new RemoteCatalog();
    base = await remote.listen();
    [editor, member, admin, outsider] = [await t.factories.user(), await t.factories.user(), await t.factories.user(), await t.factories.user()];
    org = await t.factories.organization({ members: [[editor, 'editor'], [member, 'member'], [admin, 'admin']] });
  });
  afterAll(async () => {
    remote.server.close();
    await t.stop();
  });

  let sourceN = 0;
  const source = (o: Dict = {}): Promise<Dict> =>
    t.call<Dict>('harvest_source_create', { name: `source-${++sourceN}`, url: `${base}/s${sourceN}`, source_type: 'test', owner_org: org.id, ...o });
  const run = async (sourceId: string): Promise<Report> => {
    const job = await t.call<Dict>('harvest_job_create', { source_id: sourceId });
    await t.app.get(HarvestRunner).run(job.id as string);
    return t.call<Report>('harvest_job_report', { id: job.id });
  };

  it('stores a source\'s secrets encrypted and shows them masked', async () => {
    const s = await source({ config: JSON.stringify({ api_key: 's3cret-key', page_size: 10 }), frequency: 'daily' });
    expect(s).toMatchObject({ type: 'harvest', source_type: 'test', frequency: 'DAILY', url: expect.stringContaining(base) });
    expect(JSON.parse(s.config as string)).toEqual({ api_key: '********', page_size: 10 });
    const [row] = await t.db.dataSource.query(`SELECT config, secrets FROM harvest_source WHERE id = $1`, [s.id]);
    expect(row.config).not.toContain('s3cret-key');
    expect(Buffer.from(row.secrets).includes(Buffer.from('s3cret-key'))).toBe(false);
    // Sending the mask back keeps the secret; the run sees the real value.
    const patched = await t.call<Dict>('harvest_source_patch', { id: s.id, config: s.config });
    expect(JSON.parse(patched.config as string).api_key).toBe('********');
    // The run's plug-in gets the secret itself.
    remote.datasets.clear();
    await run(s.id as string);
    expect(seenConfigs.at(-1)).toEqual({ api_key: 's3cret-key', page_size: 10 });
  });

  it('imports, then harvests incrementally: changed, new, withdrawn and unchanged records counted exactly', async () => {
    const s = await source();
    const url = s.url as string;
    remote.datasets.clear();
    for (const id of ['alpha', 'beta', 'gamma']) remote.put({ id, title: `Title ${id}` });
    const first = await run(s.id as string);
    expect(first).toMatchObject({ status: 'Finished', stats: { added: 3, updated: 0, deleted: 0, 'not modified': 0, errored: 0 }, gather_errors: [] });
    const alpha = await t.call<Dict>('package_show', { id: 'alpha' });
    expect(alpha).toMatchObject({ owner_org: org.id, title: 'Title alpha' });
    // ckanext-harvest's extras name the object, the source and its title.
    const extras = Object.fromEntries((alpha.extras as { key: string; value: string }[]).map((e) => [e.key, e.value]));
    expect(extras).toEqual({ harvest_object_id: expect.any(String), harvest_source_id: s.id, harvest_source_title: s.title });
    expect(await t.call<Dict>('harvest_object_show', { id: extras.harvest_object_id })).toMatchObject({ guid: 'alpha', package_id: alpha.id, current: true });

    await new Promise((r) => setTimeout(r, 20));
    remote.put({ id: 'beta', title: 'Beta changed' });
    remote.put({ id: 'delta', title: 'New delta' });
    remote.datasets.delete('gamma');
    const second = await run(s.id as string);
    // Only what changed since the first run was gathered: alpha is not fetched at all.
    expect(second).toMatchObject({ status: 'Finished', stats: { added: 1, updated: 1, deleted: 1, errored: 0 } });
    expect(await t.call<Dict>('package_show', { id: 'beta' })).toMatchObject({ title: 'Beta changed' });
    expect(await t.call<Dict>('package_show', { id: 'gamma' })).toMatchObject({ state: 'deleted' });
    // What the source withdrew is no longer the source's: its organization's editors may take it up; what it still offers stays read-only.
    await expect(t.call('package_patch', { id: 'beta', notes: 'local' }, { as: editor })).rejects.toMatchObject({ kind: 'not_authorized' });
    expect(await t.call<Dict>('package_patch', { id: 'gamma', notes: 'local' }, { as: editor })).toMatchObject({ notes: 'local', state: 'deleted' });
    const status = await t.call<Dict>('harvest_source_show_status', { id: s.id });
    expect(status).toMatchObject({ job_count: 2, total_datasets: 3 });
    expect(url).toContain(base);
  });

  it('names namesakes after the record they come from, so a catalog of many equal titles needs no long search for a free name', async () => {
    const s = await source({ url: `${base}/namesakes` });
    remote.datasets.clear();
    for (const id of ['Pegel-Nord', 'pegel-nord', 'PEGEL-NORD']) remote.put({ id, title: 'Pegel Nord' });
    const report = await run(s.id as string);
    expect(report.stats).toMatchObject({ added: 3, errored: 0 });
    const names = (await t.db.dataSource.query(`SELECT p.name FROM harvest_object o JOIN package p ON p.id = o.package_id WHERE o.source_id = $1 AND o.current`, [s.id]))
      .map((r: { name: string }) => r.name).sort();
    expect(names).toHaveLength(3);
    expect(new Set(names).size).toBe(3);
    expect(names.filter((n: string) => n === 'pegel-nord')).toHaveLength(1);
    expect(names.filter((n: string) => /^pegel-nord-[0-9a-f]{8}$/.test(n))).toHaveLength(2);
  });

  it('reports a failing record as an object error with its guid and imports the others', async () => {
    const s = await source({ url: `${base}/fail` });
    remote.datasets.clear();
    remote.put({ id: 'good-1', title: 'Good' });
    remote.put({ id: 'bad-1', title: 'Bad', fail: true });
    remote.put({ id: 'good-2', title: 'Good too' });
    const report = await run(s.id as string);
    expect(report.stats).toMatchObject({ added: 2, errored: 1 });
    expect(Object.values(report.object_errors)).toEqual([{ guid: 'bad-1', errors: [expect.objectContaining({ message: 'The record is not a JSON object' })] }]);
    expect(report.status).toBe('Finished');
  });

  it('keeps a dataset offered by two sources once: the newest modified wins', async () => {
    remote.datasets.clear();
    const a = await source();
    const b = await source();
    remote.put({ id: 'shared-ds', title: 'From A', modified: '2024-01-01T00:00:00Z' });
    expect((await run(a.id as string)).stats).toMatchObject({ added: 1 });
    // Source B offers the same identifier, older: not taken.
    remote.put({ id: 'shared-ds', title: 'Older at B', modified: '2023-01-01T00:00:00Z' });
    expect((await run(b.id as string)).stats).toMatchObject({ added: 0, updated: 0, 'not modified': 1 });
    expect(await t.call<Dict>('package_show', { id: 'shared-ds' })).toMatchObject({ title: 'From A' });
    // Newer at B: the one dataset is updated from B.
    await t.call('harvest_source_clear', { id: b.id });
    remote.put({ id: 'shared-ds', title: 'Newer at B', modified: '2025-01-01T00:00:00Z' });
    const rb = await run(b.id as string);
    expect(rb.stats).toMatchObject({ added: 0, updated: 1 });
    const found = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM package WHERE name LIKE 'shared-ds%' AND state = 'active'`);
    expect(found[0].n).toBe(1);
    expect(await t.call<Dict>('package_show', { id: 'shared-ds' })).toMatchObject({ title: 'Newer at B' });
  });

  it('clears a source as ckanext-harvest does: its datasets purged (gone from package_show and search, names free), jobs gone, the source kept', async () => {
    remote.datasets.clear();
    const s = await source();
    const other = await source();
    for (const id of ['clear-a', 'clear-b', 'clear-c']) remote.put({ id, title: `Title ${id}` });
    remote.put({ id: 'clear-d', title: 'Older', modified: '2024-01-01T00:00:00Z' });
    await run(s.id as string);
    await t.call('harvest_dataset_detach', { id: 'clear-c' });
    remote.datasets.delete('clear-b');
    expect((await run(s.id as string)).stats).toMatchObject({ deleted: 1 });
    // Another source now holds clear-d (newer there).
    remote.datasets.clear();
    remote.put({ id: 'clear-d', title: 'Newer', modified: '2025-01-01T00:00:00Z' });
    expect((await run(other.id as string)).stats).toMatchObject({ updated: 1 });

    expect(await t.call<Dict>('harvest_source_clear', { id: s.id })).toEqual({ id: s.id });
    // Current and withdrawn datasets are purged; the detached one and the one the other source holds stay.
    for (const id of ['clear-a', 'clear-b']) await expect(t.call('package_show', { id })).rejects.toMatchObject({ kind: 'not_found' });
    expect(await t.call<Dict>('package_show', { id: 'clear-c' })).toMatchObject({ state: 'active' });
    expect(await t.call<Dict>('package_show', { id: 'clear-d' })).toMatchObject({ title: 'Newer', state: 'active' });
    await t.searchIndexed();
    const found = await t.call<{ results: Dict[] }>('package_search', { q: 'name:clear*', include_deleted: true, rows: 10 });
    expect(found.results.map((d) => d.name).sort()).toEqual(['clear-c', 'clear-d']);
    expect(await t.call<Dict>('harvest_source_show_status', { id: s.id })).toMatchObject({ job_count: 0 });
    expect(await t.call<Dict>('harvest_source_show', { id: s.id })).toMatchObject({ id: s.id, state: 'active' });
    // It starts again fresh: a record comes back under its own name.
    remote.put({ id: 'clear-a', title: 'Again' });
    expect((await run(s.id as string)).stats).toMatchObject({ added: 1 });
    expect(await t.call<Dict>('package_show', { id: 'clear-a' })).toMatchObject({ name: 'clear-a', title: 'Again' });
  });

  it('lists a source\'s harvest objects as ckanext-harvest\'s harvest_object_list, for those who may read the source', async () => {
    remote.datasets.clear();
    const s = await source({ private: true });
    remote.put({ id: 'obj-a', title: 'A' });
    remote.put({ id: 'obj-b', title: 'B' });
    await run(s.id as string);
    await new Promise((r) => setTimeout(r, 20));
    remote.put({ id: 'obj-a', title: 'A changed' });
    expect((await run(s.id as string)).stats).toMatchObject({ updated: 1 });

    const current = await t.call<string[]>('harvest_object_list', { source_id: s.id });
    const shown = await Promise.all(current.map((id) => t.call<Dict>('harvest_object_show', { id })));
    expect(shown.map((o) => [o.guid, o.current, o.harvest_source_id]).sort()).toEqual([['obj-a', true, s.id], ['obj-b', true, s.id]]);
    const all = await t.call<string[]>('harvest_object_list', { source_id: s.name, only_current: false });
    expect(all).toHaveLength(3);
    expect(all).toEqual(expect.arrayContaining(current));
    // Without source_id: every source the caller may read (a sysadmin: all of them).
    expect(await t.call<string[]>('harvest_object_list', {})).toEqual(expect.arrayContaining(current));
    expect(await t.call<string[]>('harvest_object_list', { source_id: s.id }, { as: member })).toEqual(current);
    await expect(t.call('harvest_object_list', { source_id: s.id }, { as: outsider })).rejects.toMatchObject({ kind: 'not_authorized' });
    expect(await t.call<string[]>('harvest_object_list', {}, { as: outsider })).not.toEqual(expect.arrayContaining([current[0]]));
    await expect(t.call('harvest_object_list', { source_id: s.id }, { as: null })).rejects.toMatchObject({ kind: 'not_authorized' });
    await expect(t.call('harvest_object_list', { source_id: 'no-such-source' })).rejects.toMatchObject({ kind: 'not_found' });
    const bad = await request(t.http).get('/api/3/action/harvest_object_list').query({ source_id: 'x'.repeat(101) }).set('Authorization', t.sysadmin.token);
    expect(bad).toMatchObject({ status: 409, body: { error: { source_id: [expect.any(String)] } } });
  });

  it('describes the installed harvesters as ckanext-harvest\'s harvesters_info_show, to anyone', async () => {
    const info = await t.call<Dict[]>('harvesters_info_show', {}, { as: null });
    expect(info).toEqual(expect.arrayContaining([
      { name: 'ckan', title: 'CKAN', description: 'Harvests remote CKAN instances', form_config_interface: 'Text', show_config: true },
      expect.objectContaining({ name: 'dcat_rdf', title: 'Generic DCAT RDF Harvester', show_config: false }),
      { ...testHarvester.info, show_config: false },
    ]));
    const res = await request(t.http).get('/api/3/action/harvesters_info_show');
    expect(res).toMatchObject({ status: 200, body: { success: true } });
  });

  it('keeps a dataset two sources offer at the same moment once, whichever writes first', async () => {
    remote.datasets.clear();
    const [a, b] = [await source(), await source()];
    for (let i = 0; i < 12; i++) remote.put({ id: `zugleich-${i}`, title: `Zugleich ${i}`, modified: '2024-05-01T00:00:00Z' });
    const [ra, rb] = await Promise.all([run(a.id as string), run(b.id as string)]);
    expect(ra.stats.added + rb.stats.added).toBe(12);
    expect(ra.stats['not modified'] + rb.stats['not modified']).toBe(12);
    const found = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM package WHERE name LIKE 'zugleich-%' AND state = 'active'`);
    expect(found[0].n).toBe(12);
  });

  it('maps remote organizations as remote_orgs says: only_local to an existing one, create also makes it, else the source\'s', async () => {
    const local = await t.factories.organization({ name: 'stadt-nord' });
    remote.datasets.clear();
    remote.put({ id: 'org-known', title: 'Known', org: 'stadt-nord' });
    remote.put({ id: 'org-unknown', title: 'Unknown', org: 'stadt-sued' });
    await run((await source({ config: JSON.stringify({ remote_orgs: 'only_local' }) })).id as string);
    expect(await t.call<Dict>('package_show', { id: 'org-known' })).toMatchObject({ owner_org: local.id });
    expect(await t.call<Dict>('package_show', { id: 'org-unknown' })).toMatchObject({ owner_org: org.id });
    remote.datasets.clear();
    remote.put({ id: 'org-created', title: 'Created', org: 'stadt-west' });
    await run((await source({ config: JSON.stringify({ remote_orgs: 'create' }) })).id as string);
    expect(await t.call<Dict>('package_show', { id: 'org-created' })).toMatchObject({ organization: expect.objectContaining({ name: 'stadt-west', title: 'Remote stadt-west' }) });
    remote.datasets.clear();
    remote.put({ id: 'org-ignored', title: 'Ignored', org: 'stadt-nord' });
    await run((await source()).id as string);
    expect(await t.call<Dict>('package_show', { id: 'org-ignored' })).toMatchObject({ owner_org: org.id });
  });

  it('aborts a running job: it ends Aborted with what it did so far', async () => {
    remote.datasets.clear();
    for (let i = 0; i < 40; i++) remote.put({ id: `slow-${i}`, title: `Slow ${i}` });
    const s = await source();
    remote.delayMs = 150;
    try {
      const job = await t.call<Dict>('harvest_job_create', { source_id: s.id });
      const running = t.app.get(HarvestRunner).run(job.id as string);
      await new Promise((r) => setTimeout(r, 700));
      await t.call('harvest_job_abort', { id: job.id }, { as: admin });
      await running;
      const shown = await t.call<Dict>('harvest_job_show', { id: job.id });
      expect(shown.status).toBe('Aborted');
      expect((shown.stats as Dict).added).toBeLessThan(40);
    } finally {
      remote.delayMs = 0;
    }
  });

  it('ends a job Aborted even when the plug-in hangs outside run.fetch', async () => {
    const registry = t.app.get(HarvesterRegistry);
    if (!registry.get('hanging')) {
      registry.register({ ...testHarvester, type: 'hanging', info: { ...testHarvester.info, name: 'hanging' }, gather: () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<GatherItem>>(() => undefined) }) }) });
    }
    const s = await source({ source_type: 'hanging' });
    const job = await t.call<Dict>('harvest_job_create', { source_id: s.id });
    const running = t.app.get(HarvestRunner).run(job.id as string);
    await new Promise((r) => setTimeout(r, 200));
    await t.call('harvest_job_abort', { id: job.id });
    await running;
    expect(await t.call<Dict>('harvest_job_show', { id: job.id })).toMatchObject({ status: 'Aborted' });
  });

  it('ends the job of a source that never answers with a gather error', async () => {
    const s = await source({ url: `${base}/hang` });
    const report = await run(s.id as string);
    expect(report.status).toBe('Finished');
    expect(report.gather_errors).toEqual([{ message: expect.stringMatching(/länger als|HARVEST_TIMEOUT_MS/) }]);
  });

  it('makes harvested datasets read-only for local editors until detached', async () => {
    remote.datasets.clear();
    remote.put({ id: 'locked-ds', title: 'Locked' });
    const s = await source();
    await run(s.id as string);
    await expect(t.call('package_patch', { id: 'locked-ds', title: 'Edited' }, { as: editor })).rejects.toMatchObject({ kind: 'not_authorized' });
    // activity_data_show is for those who may edit the dataset, and its SQL form of the rule agrees: not while harvested.
    const [activity] = await t.call<Dict[]>('package_activity_list', { id: 'locked-ds' });
    await expect(t.call('activity_data_show', { id: activity.id }, { as: editor })).rejects.toMatchObject({ kind: 'not_authorized' });
    await expect(t.call('harvest_dataset_detach', { id: 'locked-ds' }, { as: member })).rejects.toMatchObject({ kind: 'not_authorized' });
    expect(await t.call<Dict>('harvest_object_show', { dataset_id: 'locked-ds' })).toMatchObject({ guid: 'locked-ds', current: true, harvest_source_id: s.id });
    await t.call('harvest_dataset_detach', { id: 'locked-ds' }, { as: editor });
    expect((await t.call<Dict>('package_show', { id: 'locked-ds' })).extras).toEqual([]);
    await expect(t.call('harvest_dataset_detach', { id: 'locked-ds' }, { as: editor })).rejects.toMatchObject({ kind: 'validation', fields: { id: [expect.stringMatching(/already detached/)] } });
    await t.call('package_patch', { id: 'locked-ds', title: 'Edited' }, { as: editor });
    expect(await t.call<Dict>('activity_data_show', { id: activity.id }, { as: editor })).toMatchObject({ package: { name: 'locked-ds', title: 'Locked' } });
    // The source no longer touches it.
    remote.put({ id: 'locked-ds', title: 'Changed remotely' });
    await run(s.id as string);
    expect(await t.call<Dict>('package_show', { id: 'locked-ds' })).toMatchObject({ title: 'Edited', state: 'active' });
    // Only sysadmins (and the site) make a dataset read-only; an editor's read_only is ignored.
    const own = await t.call<Dict>('package_create', { name: 'own-ds', owner_org: org.id, read_only: true }, { as: editor });
    await t.call('package_patch', { id: own.id, read_only: true }, { as: editor });
    await t.call('package_patch', { id: own.id, title: 'Still mine' }, { as: editor });
    await t.call('package_patch', { id: own.id, read_only: true });
    await expect(t.call('package_patch', { id: own.id, title: 'Not mine' }, { as: editor })).rejects.toMatchObject({ kind: 'not_authorized' });
  });

  it('lets organization editors and admins (and sysadmins) manage sources, not members, outsiders or anonymous', async () => {
    const create = (as: TestUser | null) => t.call('harvest_source_create', { name: `perm-${++sourceN}`, url: `${base}/p${sourceN}`, source_type: 'test', owner_org: org.id }, { as });
    await expect(create(null)).rejects.toMatchObject({ kind: 'not_authorized' });
    await expect(create(member)).rejects.toMatchObject({ kind: 'not_authorized' });
    await expect(create(outsider)).rejects.toMatchObject({ kind: 'not_authorized' });
    const s = (await create(editor)) as Dict;
    const live = (await create(admin)) as Dict;
    await expect(t.call('harvest_job_create', { source_id: s.id }, { as: member })).rejects.toMatchObject({ kind: 'not_authorized' });
    await expect(t.call('harvest_job_list', { source_id: s.id }, { as: outsider })).rejects.toMatchObject({ kind: 'not_authorized' });
    const job = await t.call<Dict>('harvest_job_create', { source_id: s.id }, { as: editor });
    expect(job.status).toBe('New');
    await expect(t.call('harvest_job_create', { source_id: s.id }, { as: admin })).rejects.toMatchObject({ kind: 'validation' });
    await t.call('harvest_job_abort', { source_id: s.id }, { as: admin });
    // Reports and jobs: the source's editors and admins; the source itself: whoever may read its dataset.
    for (const as of [null, member, outsider]) await expect(t.call('harvest_job_report', { id: job.id }, { as })).rejects.toMatchObject({ kind: 'not_authorized' });
    for (const as of [editor, admin]) expect(await t.call<Dict>('harvest_job_report', { id: job.id }, { as })).toMatchObject({ status: 'Aborted' });
    for (const as of [null, member, outsider, editor]) expect(await t.call<Dict>('harvest_source_show', { id: s.id }, { as })).toMatchObject({ id: s.id, config: '' });
    for (const as of [member, outsider]) await expect(t.call('harvest_source_patch', { id: s.id, frequency: 'WEEKLY' }, { as })).rejects.toMatchObject({ kind: 'not_authorized' });
    await expect(t.call('harvest_source_delete', { id: s.id }, { as: member })).rejects.toMatchObject({ kind: 'not_authorized' });
    expect(await t.call<Dict>('harvest_source_patch', { id: s.id, frequency: 'WEEKLY' }, { as: editor })).toMatchObject({ frequency: 'WEEKLY' });
    await t.call('harvest_source_delete', { id: s.id }, { as: admin });
    await expect(t.call('harvest_job_create', { source_id: s.id }, { as: admin })).rejects.toMatchObject({ kind: 'validation' });
    expect(await t.call<Dict[]>('harvest_source_type_list', {}, { as: null })).toContainEqual(testHarvester.info);
    expect((await t.call<{ extensions: string[] }>('status_show', {}, { as: null })).extensions).toContain('harvest');
    // A source is a dataset of type harvest, but not data: the DCAT catalog leaves it out, as ckanext-dcat does.
    const data = await t.factories.dataset({ owner_org: org.id as string });
    await t.searchIndexed();
    const ttl = await request(t.http).get('/catalog.ttl');
    expect(ttl.status).toBe(200);
    expect(ttl.text).toContain(String(data.id));
    expect(ttl.text).not.toContain(String(live.id));
  });

  it('counts in total_datasets only the active public datasets of a source: one a sysadmin deletes or makes private locally no longer counts', async () => {
    const s = await source();
    remote.datasets.clear();
    for (const id of ['count-a', 'count-b', 'count-c']) remote.put({ id, title: `Count ${id}` });
    expect(await run(s.id as string)).toMatchObject({ status: 'Finished', stats: { added: 3 } });
    const total = async (): Promise<unknown> => (await t.call<Dict>('harvest_source_show_status', { id: s.id })).total_datasets;
    expect(await total()).toBe(3);
    await t.call('package_delete', { id: 'count-a' });
    expect(await total()).toBe(2);
    await t.call('package_patch', { id: 'count-b', private: true });
    expect(await total()).toBe(1);
    await t.call('package_patch', { id: 'count-b', private: false });
    expect(await total()).toBe(2);
  });

  it('lets a sysadmin delete a harvested dataset while a run holds its harvest object, without waiting for the run', async () => {
    const s = await source();
    remote.datasets.clear();
    remote.put({ id: 'held-a', title: 'Held' });
    await run(s.id as string);
    // As the runner does while it writes a record: its current object locked first, then the dataset written.
    const held = t.db.dataSource.createQueryRunner();
    await held.startTransaction();
    let deleted: Promise<unknown> = Promise.resolve();
    try {
      await held.query(`SELECT id FROM harvest_object WHERE source_id = $1 AND current FOR UPDATE`, [s.id]);
      deleted = t.call('package_delete', { id: 'held-a' });
      const outcome = await Promise.race([deleted.then(() => 'deleted'), new Promise((r) => setTimeout(() => r('waiting'), 3000))]);
      expect(outcome).toBe('deleted');
    } finally {
      await held.rollbackTransaction();
      await held.release();
      await deleted;
    }
    expect((await t.call<Dict>('harvest_source_show_status', { id: s.id })).total_datasets).toBe(0);
  });

  it('neither lists nor schedules a source whose dataset was deleted (a client\'s package_delete, harvest_source_delete); restored, it is both again', async () => {
    const [kept, byClient, bySource] = [await source({ frequency: 'DAILY' }), await source({ frequency: 'DAILY' }), await source({ frequency: 'DAILY' })];
    await t.call('package_delete', { id: byClient.id });
    await t.call('harvest_source_delete', { id: bySource.id });
    const listed = async (): Promise<unknown[]> => (await t.call<Dict[]>('harvest_source_list', {})).map((d) => d.id);
    expect(await listed()).toContain(kept.id);
    expect(await listed()).not.toEqual(expect.arrayContaining([byClient.id]));
    expect(await listed()).not.toEqual(expect.arrayContaining([bySource.id]));
    const { HarvestModule } = await import('../../src/harvest/harvest.module');
    const jobs = async (s: Dict): Promise<number> => (await t.call<Dict[]>('harvest_job_list', { source_id: s.id })).length;
    await t.app.get(HarvestModule).schedule();
    expect([await jobs(kept), await jobs(byClient), await jobs(bySource)]).toEqual([1, 0, 0]);
    // A sysadmin brings the dataset back: the source is listed and scheduled again.
    await t.call('package_patch', { id: byClient.id, state: 'active' });
    expect(await listed()).toContain(byClient.id);
    await t.app.get(HarvestModule).schedule();
    expect(await jobs(byClient)).toBe(1);
  });

  it('lists a source under the organization its dataset is in now', async () => {
    const other = await t.factories.organization();
    const s = await source();
    const ofOrg = async (o: Dict): Promise<unknown[]> => (await t.call<Dict[]>('harvest_source_list', { organization_id: o.id })).map((d) => d.id);
    expect(await ofOrg(other)).toEqual([]);
    await t.call('package_patch', { id: s.id, owner_org: other.id });
    expect(await ofOrg(other)).toEqual([s.id]);
    expect(await ofOrg(org)).not.toContain(s.id);
  });

  it('answers bad input with 409 field errors', async () => {
    const post = (body: Dict) => request(t.http).post('/api/3/action/harvest_source_create').set('Authorization', t.sysadmin.token).send(body);
    const ok = { name: 'bad-input', url: `${base}/x`, source_type: 'test', owner_org: org.id };
    const cases: [Dict, string][] = [
      [{ ...ok, config: '{not json' }, 'config'],
      [{ ...ok, config: JSON.stringify({ page_size: 'ten' }) }, 'config'],
      [{ ...ok, source_type: 'nope' }, 'source_type'],
      [{ ...ok, url: 'ftp://example.org/' }, 'url'],
      [{ ...ok, frequency: 'SOMETIMES' }, 'frequency'],
      [{ ...ok, name: 'Bad Name' }, 'name'],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      expect({ field, status: res.status, type: res.body.error?.__type }).toEqual({ field, status: 409, type: 'Validation Error' });
      expect(res.body.error[field]).toBeDefined();
    }
    const missing = await request(t.http).post('/api/3/action/harvest_job_show').set('Authorization', t.sysadmin.token).send({ id: 'not-a-job' });
    expect(missing.status).toBe(404);
  });
});

describe('harvest runner without HARVEST_ALLOW_PRIVATE_ADDRESSES', () => {
  it('refuses a source on a loopback address', async () => {
    const t = await TestApp.start({ JOBS_WORKER: 'false' });
    try {
      t.app.get(HarvesterRegistry).register(testHarvester);
      const org = await t.factories.organization();
      const s = await t.call<Dict>('harvest_source_create', { name: 'private-src', url: 'http://127.0.0.1:9/', source_type: 'test', owner_org: org.id });
      const job = await t.call<Dict>('harvest_job_create', { source_id: s.id });
      await t.app.get(HarvestRunner).run(job.id as string);
      const report = await t.call<Report>('harvest_job_report', { id: job.id });
      expect(report.gather_errors).toEqual([{ message: expect.stringContaining('127.0.0.1') }]);
      expect(report.gather_errors[0].message).toMatch(/Adresse|address/i);
    } finally {
      await t.stop();
    }
  });
});

describe('harvest runner with a job timeout (HARVEST_JOB_TIMEOUT_MINUTES)', () => {
  it('ends a job that outlives its time Aborted, with a gather error naming the setting and the records done so far kept', async () => {
    // 0.02 minutes = 1.2 s; each record takes 0.3 s and no single request times out.
    const t = await TestApp.start({ JOBS_WORKER: 'false', HARVEST_ALLOW_PRIVATE_ADDRESSES: 'true', HARVEST_JOB_TIMEOUT_MINUTES: '0.02', HARVEST_CONCURRENCY: '1', HARVEST_TIMEOUT_MS: '5000' });
    const remote = new RemoteCatalog();
    try {
      t.app.get(HarvesterRegistry).register(testHarvester);
      const base = await remote.listen();
      for (let i = 0; i < 20; i++) remote.put({ id: `langsam-${i}`, title: `Langsam ${i}` });
      remote.delayMs = 300;
      const org = await t.factories.organization();
      const s = await t.call<Dict>('harvest_source_create', { name: 'slow-src', url: `${base}/slow`, source_type: 'test', owner_org: org.id });
      const job = await t.call<Dict>('harvest_job_create', { source_id: s.id });
      const started = Date.now();
      await t.app.get(HarvestRunner).run(job.id as string);
      expect(Date.now() - started).toBeLessThan(5000);
      const report = await t.call<Report>('harvest_job_report', { id: job.id });
      expect(report.status).toBe('Aborted');
      expect(report.gather_errors).toEqual([{ message: expect.stringContaining('HARVEST_JOB_TIMEOUT_MINUTES (0.02)') }]);
      const shown = await t.call<Dict>('harvest_job_show', { id: job.id });
      const added = (shown.stats as Record<string, number>).added;
      expect(added).toBeGreaterThan(0);
      expect(added).toBeLessThan(20);
      // What was written before the stop stays, and nothing was withdrawn.
      const found = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM package WHERE name LIKE 'langsam-%' AND state = 'active'`);
      expect(found[0].n).toBe(added);
    } finally {
      remote.server.close();
      await t.stop();
    }
  });
});

describe('npm run cli -- harvest run', () => {
  it('runs one job of a source in the CLI process and prints its report (a type this process has no plug-in for: a gather error, exit code 1)', async () => {
    const t = await TestApp.start({ JOBS_WORKER: 'false' });
    try {
      t.app.get(HarvesterRegistry).register(testHarvester);
      const org = await t.factories.organization();
      await t.call<Dict>('harvest_source_create', { name: 'cli-src', url: 'http://example.org/', source_type: 'test', owner_org: org.id });
      const cli = promisify(execFile)(process.execPath, ['-r', '@swc-node/register', 'src/cli/main.ts', 'harvest', 'run', 'cli-src'], {
        cwd: resolve(__dirname, '../..'), env: { ...process.env, DATABASE_URL: t.db.url },
      });
      await expect(cli).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('gather error: No harvester for source type test') });
      const [job] = await t.call<Dict[]>('harvest_job_list', { source_id: 'cli-src' });
      expect(job).toMatchObject({ status: 'Finished', stats: expect.objectContaining({ errored: 1 }) });
    } finally {
      await t.stop();
    }
  }, 60_000);
});

describe('harvest jobs on the job queue', () => {
  let t: TestApp;
  let remote: RemoteCatalog;
  let base: string;
  let org: Dict;
  beforeAll(async () => {
    t = await TestApp.start({ HARVEST_ALLOW_PRIVATE_ADDRESSES: 'true', JOBS_POLL_INTERVAL_MS: '500' });
    t.app.get(HarvesterRegistry).register(testHarvester);
    remote = new RemoteCatalog();
    base = await remote.listen();
    org = await t.factories.organization();
  });
  afterAll(async () => {
    remote.server.close();
    await t.stop();
  });

  const finished = async (jobId: string): Promise<Dict> => {
    for (let i = 0; i < 100; i++) {
      const job = await t.call<Dict>('harvest_job_show', { id: jobId });
      if (job.status === 'Finished' || job.status === 'Aborted') return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${jobId} did not end`);
  };

  it('runs a good source while another never answers: the stuck one holds one worker, not the queue', async () => {
    remote.put({ id: 'nebenan-1', title: 'Nebenan' });
    const stuck = await t.call<Dict>('harvest_source_create', { name: 'stuck-src', url: `${base}/hang`, source_type: 'test', owner_org: org.id });
    const good = await t.call<Dict>('harvest_source_create', { name: 'good-src', url: `${base}/g`, source_type: 'test', owner_org: org.id });
    const stuckJob = await t.call<Dict>('harvest_job_create', { source_id: stuck.id });
    for (let i = 0; i < 100 && (await t.call<Dict>('harvest_job_show', { id: stuckJob.id })).status !== 'Running'; i++) await new Promise((r) => setTimeout(r, 100));
    const goodJob = await t.call<Dict>('harvest_job_create', { source_id: good.id });
    const goodDone = await finished(goodJob.id as string);
    expect(goodDone).toMatchObject({ status: 'Finished', stats: expect.objectContaining({ errored: 0 }) });
    expect((goodDone.stats as Record<string, number>).added).toBeGreaterThanOrEqual(1);
    expect((await t.call<Dict>('harvest_job_show', { id: stuckJob.id })).status).toBe('Running');
    await t.call('harvest_job_abort', { id: stuckJob.id });
    expect(await finished(stuckJob.id as string)).toMatchObject({ status: 'Aborted' });
  });

  it('runs a job harvest_job_create queued, in a worker', async () => {
    remote.put({ id: 'queued-1', title: 'Queued' });
    const s = await t.call<Dict>('harvest_source_create', { name: 'queued-src', url: `${base}/q`, source_type: 'test', owner_org: org.id });
    const job = await t.call<Dict>('harvest_job_create', { source_id: s.id });
    expect(await finished(job.id as string)).toMatchObject({ status: 'Finished', stats: expect.objectContaining({ added: 1 }) });
  });

  it('runs a job once when the queue worker and two direct calls take it at the same moment: one run, exact counts', async () => {
    remote.datasets.clear();
    for (let i = 0; i < 5; i++) remote.put({ id: `raced-${i}`, title: `Raced ${i}` });
    const s = await t.call<Dict>('harvest_source_create', { name: 'raced-src', url: `${base}/r`, source_type: 'test', owner_org: org.id });
    const runner = t.app.get(HarvestRunner);
    const runs: Promise<unknown>[] = [];
    const spy = jest.spyOn(runner, 'run').mockImplementation(function (this: HarvestRunner, ...args) {
      const p = HarvestRunner.prototype.run.apply(this, args);
      runs.push(p);
      return p;
    });
    remote.delayMs = 50;
    try {
      const job = await t.call<Dict>('harvest_job_create', { source_id: s.id });
      await Promise.all([runner.run(job.id as string), runner.run(job.id as string)]);
      const report = await finished(job.id as string);
      // The worker's call too (woken at the commit, or at its next poll).
      for (let i = 0; i < 100 && runs.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
      expect(runs).toHaveLength(3);
      const results = await Promise.all(runs);
      const exact = { added: 5, updated: 0, deleted: 0, 'not modified': 0, errored: 0 };
      // One caller got the job; the others got null and touched nothing.
      expect(results.filter((r) => r !== null)).toEqual([exact]);
      expect(report).toMatchObject({ status: 'Finished', stats: exact });
      const objects: { guid: string; report_status: string }[] = await t.db.dataSource.query(`SELECT guid, report_status FROM harvest_object WHERE job_id = $1 ORDER BY guid`, [job.id]);
      expect(objects).toEqual([0, 1, 2, 3, 4].map((i) => ({ guid: `raced-${i}`, report_status: 'added' })));
    } finally {
      remote.delayMs = 0;
      spy.mockRestore();
    }
  });

  it('queues the sources that are due by their frequency, and ends jobs left Running by a dead worker as Aborted', async () => {
    const due = await t.call<Dict>('harvest_source_create', { name: 'daily-src', url: `${base}/d`, source_type: 'test', owner_org: org.id, frequency: 'DAILY' });
    const manual = await t.call<Dict>('harvest_source_create', { name: 'manual-src', url: `${base}/m`, source_type: 'test', owner_org: org.id });
    const [stale] = await t.db.dataSource.query(
      `INSERT INTO harvest_job (source_id, status, created, gather_started) VALUES ($1, 'Running', now() - interval '1 day', now() - interval '1 day') RETURNING id`, [manual.id]);
    const { HarvestModule } = await import('../../src/harvest/harvest.module');
    // (The every-minute schedule may come first: either way, what it leaves is checked.)
    await t.app.get(HarvestModule).schedule();
    expect(await t.call<Dict>('harvest_job_show', { id: stale.id })).toMatchObject({ status: 'Aborted', message: expect.stringContaining('ended by the sweep') });
    const jobs = await t.call<Dict[]>('harvest_job_list', { source_id: due.id });
    expect(jobs).toHaveLength(1);
    expect(await finished(jobs[0].id as string)).toMatchObject({ status: 'Finished', source_id: due.id });
    expect(await t.call<Dict[]>('harvest_job_list', { source_id: manual.id })).toHaveLength(1);
    // Ran just now: not due again.
    expect((await t.app.get(HarvestModule).schedule()).queued).toEqual([]);
  });
});
