import { TestApp } from '../test/test-app';
import { SearchVocabularyTags1795937000000 } from './1795937000000-SearchVocabularyTags';

describe('migration SearchVocabularyTags on a catalog that has vocabulary tags', () => {
  let t: TestApp;
  afterAll(() => t?.stop());

  it('moves the vocabulary tags of existing search documents out of tags into vocab_tags, files them for Meilisearch, and back on revert', async () => {
    t = await TestApp.start();
    const org = await t.factories.organization();
    const v = await t.call<{ id: string }>('vocabulary_create', { name: 'thema', tags: [{ name: 'Wasser' }] });
    const ds = await t.factories.dataset({ owner_org: org.id, tags: [{ name: 'Wasser', vocabulary_id: v.id }, { name: 'Pegel' }] });
    const plain = await t.factories.dataset({ owner_org: org.id, tags: [{ name: 'Luft' }] });
    const doc = async (id: string): Promise<Record<string, unknown>> => (await t.db.dataSource.query(`SELECT * FROM search_document WHERE id = $1`, [id]))[0];
    const outbox = async (): Promise<string[]> => (await t.db.dataSource.query(`SELECT package_id FROM search_outbox`)).map((r: { package_id: string }) => r.package_id);

    const runner = t.db.dataSource.createQueryRunner();
    try {
      // The documents as the catalog made them before: every tag in tags.
      await new SearchVocabularyTags1795937000000().down(runner);
      expect(await doc(ds.id)).toMatchObject({ tags: ['Pegel', 'Wasser'], num_tags: 2 });
      expect(await doc(ds.id)).not.toHaveProperty('vocab_tags');
      await t.db.dataSource.query(`DELETE FROM search_outbox`);

      await new SearchVocabularyTags1795937000000().up(runner);
    } finally {
      await runner.release();
    }
    expect(await doc(ds.id)).toMatchObject({ tags: ['Pegel'], vocab_tags: ['thema:Wasser'], num_tags: 2 });
    expect(await doc(plain.id)).toMatchObject({ tags: ['Luft'], vocab_tags: [], num_tags: 1 });
    expect(await outbox()).toEqual([ds.id]);
    const found = await t.call<{ results: { id: string }[] }>('package_search', { fq: 'vocab_thema:Wasser' });
    expect(found.results.map((d) => d.id)).toEqual([ds.id]);
  });
});
