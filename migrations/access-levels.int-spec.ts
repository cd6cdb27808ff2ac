import { TestApp } from '../test/test-app';
import { AccessLevels1795985000000 } from './1795985000000-AccessLevels';

describe('migration AccessLevels on a catalog that has public and private datasets', () => {
  let t: TestApp;
  afterAll(() => t?.stop());

  it('gives private datasets the private level and the others public, in package and in their search documents, and reverts', async () => {
    t = await TestApp.start();
    const org = await t.factories.organization();
    const priv = await t.factories.dataset({ owner_org: org.id, private: true });
    const pub = await t.factories.dataset({ owner_org: org.id });
    const q = (text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> => t.db.dataSource.query(text, params);
    const levels = async (table: string): Promise<Record<string, unknown>> =>
      Object.fromEntries((await q(`SELECT id, access_level FROM ${table} WHERE id = ANY($1::uuid[])`, [[priv.id, pub.id]])).map((r) => [r.id, r.access_level]));

    const runner = t.db.dataSource.createQueryRunner();
    try {
      await new AccessLevels1795985000000().down(runner);
      expect((await q(`SELECT * FROM package WHERE id = $1`, [priv.id]))[0]).not.toHaveProperty('access_level');
      expect(await q(`SELECT to_regclass('dataset_share') AS t`)).toEqual([{ t: null }]);
      await new AccessLevels1795985000000().up(runner);
    } finally {
      await runner.release();
    }
    expect(await levels('package')).toEqual({ [priv.id as string]: 'private', [pub.id as string]: 'public' });
    expect(await levels('search_document')).toEqual({ [priv.id as string]: 'private', [pub.id as string]: 'public' });
    // Filed for Meilisearch, whose documents gain the fields too.
    const filed = (await q(`SELECT package_id FROM search_outbox`)).map((r) => r.package_id);
    expect(filed).toEqual(expect.arrayContaining([priv.id, pub.id]));
    // The refresh function writes the new columns: a share shows in the document.
    const other = await t.factories.organization();
    await t.call('package_patch', { id: priv.id, access_level: 'shared' });
    await t.call('dataset_share_create', { id: priv.id, organization_id: other.id });
    expect(await q(`SELECT access_level, shared_with FROM search_document WHERE id = $1`, [priv.id])).toEqual([{ access_level: 'shared', shared_with: [other.id] }]);
  });
});
