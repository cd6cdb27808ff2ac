import { TestApp } from '../test/test-app';
import { DatastoreFullTextWhen1795760000000 } from './1795760000000-DatastoreFullTextWhen';

describe('migration DatastoreFullTextWhen on a catalog that has DataStore tables', () => {
  let t: TestApp;
  afterAll(() => t?.stop());

  it('gives each existing table the trigger that runs only for rows without _full_text, and takes it back on revert', async () => {
    t = await TestApp.start();
    const org = await t.factories.organization();
    const d = await t.factories.dataset({ owner_org: org.id });
    const id = (await t.call<{ resource_id: string }>('datastore_create', { resource: { package_id: d.id }, fields: [{ id: 'ort', type: 'text' }], records: [{ ort: 'Kaub' }] })).resource_id;
    const trigger = async (): Promise<string> =>
      (await t.db.dataSource.query(`SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname = 'zfulltext'`, [`datastore."${id}"`]))[0].def;
    const runner = t.db.dataSource.createQueryRunner();
    try {
      await new DatastoreFullTextWhen1795760000000().down(runner);
      expect(await trigger()).not.toMatch(/WHEN/);
      await new DatastoreFullTextWhen1795760000000().up(runner);
      expect(await trigger()).toMatch(/WHEN \(\(new\._full_text IS NULL\)\).*populate_full_text\('english'\)/);
    } finally {
      await runner.release();
    }
    // The table works as before: a row written without _full_text gets it from the trigger.
    await t.db.dataSource.query(`INSERT INTO datastore."${id}" (ort) VALUES ('Cochem an der Mosel')`);
    const found = await t.call<{ records: { ort: string }[] }>('datastore_search', { resource_id: id, q: 'mosel' });
    expect(found.records.map((r) => r.ort)).toEqual(['Cochem an der Mosel']);
  });
});
