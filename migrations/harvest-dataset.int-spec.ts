import { TestApp } from '../test/test-app';
import { HarvestDataset1796300000000 } from './1796300000000-HarvestDataset';

describe('migration HarvestDataset on a catalog with harvest sources and harvested datasets', () => {
  let t: TestApp;
  afterAll(() => t?.stop());

  it('copies state, organization and private flag of the sources\' datasets and of those current objects hold, and of no other', async () => {
    t = await TestApp.start();
    const [org, other] = [await t.factories.organization(), await t.factories.organization()];
    const [active, hidden, gone, withdrawn] = [
      await t.factories.dataset({ owner_org: org.id }), await t.factories.dataset({ owner_org: org.id, private: true }),
      await t.factories.dataset({ owner_org: org.id }), await t.factories.dataset({ owner_org: org.id }),
    ];
    await t.factories.dataset({ owner_org: org.id }); // a local dataset: no copy
    await t.call('package_delete', { id: gone.id });
    const live = await t.call<Record<string, unknown>>('harvest_source_create', { name: 'live-source', url: 'https://example.org/a', source_type: 'ckan', owner_org: org.id });
    const dead = await t.call<Record<string, unknown>>('harvest_source_create', { name: 'dead-source', url: 'https://example.org/b', source_type: 'ckan', owner_org: other.id });
    await t.call('package_delete', { id: dead.id });
    const q = (text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> => t.db.dataSource.query(text, params);
    const [job] = await q(`INSERT INTO harvest_job (source_id, status) VALUES ($1, 'Finished') RETURNING id`, [live.id]);
    const object = (guid: string, packageId: unknown, current: boolean): Promise<unknown> =>
      q(`INSERT INTO harvest_object (guid, identifier, source_id, job_id, package_id, current) VALUES ($1, $1, $2, $3, $4, $5)`, [guid, live.id, job.id, packageId, current]);
    await object('a', active.id, true);
    await object('b', hidden.id, true);
    await object('c', gone.id, true);
    await object('d', withdrawn.id, false);

    const runner = t.db.dataSource.createQueryRunner();
    try {
      await new HarvestDataset1796300000000().down(runner);
      await new HarvestDataset1796300000000().up(runner);
    } finally {
      await runner.release();
    }
    const rows = await q(`SELECT package_id, state, owner_org, private FROM harvest_dataset`);
    expect(Object.fromEntries(rows.map((r) => [r.package_id, [r.state, r.owner_org, r.private]]))).toEqual({
      [live.id as string]: ['active', org.id, false], [dead.id as string]: ['deleted', other.id, false],
      [active.id as string]: ['active', org.id, false], [hidden.id as string]: ['active', org.id, true], [gone.id as string]: ['deleted', org.id, false],
    });
  });
});
