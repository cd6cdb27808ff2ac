import { TestApp } from '../test/test-app';
import { DatasetReadOnly1796200000000 } from './1796200000000-DatasetReadOnly';

describe('migration DatasetReadOnly on a catalog with harvested datasets', () => {
  let t: TestApp;
  afterAll(() => t?.stop());

  it('makes read-only exactly the datasets a current, attached harvest object holds', async () => {
    t = await TestApp.start();
    const org = await t.factories.organization();
    const [held, detached, withdrawn, local] = [
      await t.factories.dataset({ owner_org: org.id }), await t.factories.dataset({ owner_org: org.id }),
      await t.factories.dataset({ owner_org: org.id }), await t.factories.dataset({ owner_org: org.id }),
    ];
    const source = await t.call<Record<string, unknown>>('harvest_source_create', { name: 'old-source', url: 'https://example.org/catalog', source_type: 'ckan', owner_org: org.id });
    const q = (text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> => t.db.dataSource.query(text, params);
    const [job] = await q(`INSERT INTO harvest_job (source_id, status) VALUES ($1, 'Finished') RETURNING id`, [source.id]);
    const object = (guid: string, packageId: unknown, current: boolean, isDetached: boolean): Promise<unknown> =>
      q(`INSERT INTO harvest_object (guid, identifier, source_id, job_id, package_id, current, detached) VALUES ($1, $1, $2, $3, $4, $5, $6)`,
        [guid, source.id, job.id, packageId, current, isDetached]);
    await object('a', held.id, true, false);
    await object('b', detached.id, true, true);
    await object('c', withdrawn.id, false, false);

    const runner = t.db.dataSource.createQueryRunner();
    try {
      await new DatasetReadOnly1796200000000().down(runner);
      await new DatasetReadOnly1796200000000().up(runner);
    } finally {
      await runner.release();
    }
    const rows = await q(`SELECT id, read_only FROM package WHERE id = ANY($1::uuid[])`, [[held.id, detached.id, withdrawn.id, local.id, source.id]]);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.read_only]))).toEqual({
      [held.id as string]: true, [detached.id as string]: false, [withdrawn.id as string]: false, [local.id as string]: false, [source.id as string]: false,
    });
  });
});
