import { DataSource } from 'typeorm';
import { TestApp } from '../../../test/test-app';
import { DatasetChanges } from '../../catalog/datasets/dataset-changes';
import { LOGGER } from '../../common/logger.provider';
import { JobQueue } from '../../jobs/job-queue';
import { SearchDocumentRepository } from '../pg/search-document.repository';
import { MeiliOutboxRepository } from './meili-outbox.repository';
import { MEILI_DRAIN_JOB, MeiliSearchBackend } from './meili-search.backend';

/**
 * How changes reach Meilisearch, without a Meilisearch server (the contract in
 * test/e2e/search-meilisearch.e2e-spec.ts needs MEILI_URL): the writing transaction files the outbox
 * rows and the drain job together, and a drain that cannot reach Meilisearch keeps both for a retry.
 */
describe('the Meilisearch outbox', () => {
  let t: TestApp;
  let jobs: JobQueue;
  let ds: DataSource;

  const drainJobs = async (): Promise<{ id: string }[]> => ds.query(`SELECT id FROM pgboss.job WHERE name = $1 ORDER BY created_on`, [MEILI_DRAIN_JOB]);
  const outbox = async (): Promise<string[]> => (await ds.query(`SELECT package_id FROM search_outbox ORDER BY package_id`)).map((r: { package_id: string }) => r.package_id);

  beforeAll(async () => {
    t = await TestApp.start();
    jobs = t.app.get(JobQueue);
    ds = t.db.dataSource;
    // A backend following this app's writes, pointed at a port where no Meilisearch answers. Only
    // follow(): onModuleInit would first ask Meilisearch to configure the index.
    const backend = new MeiliSearchBackend(ds, new MeiliOutboxRepository(), new SearchDocumentRepository(), t.app.get(DatasetChanges), jobs, { ...t.config, MEILI_URL: 'http://127.0.0.1:9' }, t.app.get(LOGGER));
    backend.follow();
  });
  afterAll(() => t.stop());

  it('files the change and one drain job in the writing transaction, and keeps both while Meilisearch is away', async () => {
    const org = await t.factories.organization();
    const d = await t.factories.dataset({ owner_org: org.id, resources: [{ url: 'http://example.org/a.csv' }] });
    expect(await outbox()).toContain(d.id);
    const filed = await drainJobs();
    expect(filed).toHaveLength(1);

    let s = await jobs.status(MEILI_DRAIN_JOB, filed[0].id);
    while (s?.state !== 'retry') {
      await new Promise((r) => setTimeout(r, 50));
      s = await jobs.status(MEILI_DRAIN_JOB, filed[0].id);
    }
    expect(s).toMatchObject({ state: 'retry', attempts: 1, lastError: expect.stringContaining('http://127.0.0.1:9/') });
    // It tried to add the dataset's document (the failed request names the endpoint), and kept the change for the retry.
    expect(s?.lastError).toContain('/indexes/datasets/documents has failed');
    expect(await outbox()).toContain(d.id);
  });

  it('asks for one drain per transaction however many changes it reports', async () => {
    const org = await t.factories.organization();
    const [a, b] = [await t.factories.dataset({ owner_org: org.id }), await t.factories.dataset({ owner_org: org.id })];
    const before = (await drainJobs()).length;
    await t.context().transaction(async (tx) => {
      await t.app.get(DatasetChanges).changed(tx, a.id);
      await t.app.get(DatasetChanges).changed(tx, b.id);
    });
    expect(await drainJobs()).toHaveLength(before + 1);
    expect(await outbox()).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('files nothing for a write that is rolled back', async () => {
    const org = await t.factories.organization();
    const d = await t.factories.dataset({ owner_org: org.id });
    await ds.query(`DELETE FROM search_outbox`);
    const before = (await drainJobs()).length;
    await expect(
      t.context().transaction(async (tx) => {
        await t.app.get(DatasetChanges).changed(tx, d.id);
        throw new Error('the write failed');
      }),
    ).rejects.toThrow('the write failed');
    expect(await outbox()).toEqual([]);
    expect(await drainJobs()).toHaveLength(before);
  });
});
