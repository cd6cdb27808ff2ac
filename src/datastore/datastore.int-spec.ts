import { TestApp } from '../../test/test-app';

describe('DataStore actions called by other actions', () => {
  let t: TestApp;
  let resourceId: string;

  beforeAll(async () => {
    t = await TestApp.start();
    const org = await t.factories.organization();
    const d = await t.factories.dataset({ owner_org: org.id });
    resourceId = (await t.call<{ resource_id: string }>('datastore_create', { resource: { package_id: d.id }, fields: [{ id: 'v', type: 'int' }], records: [{ v: 1 }] })).resource_id;
  });
  afterAll(() => t.stop());

  it('a search inside a writing transaction leaves that transaction writable, and its records parsed', async () => {
    const total = await t.context().transaction(async (tx) => {
      const before = await tx.call<{ total: number; records: unknown[]; _links: unknown }>('datastore_search', { resource_id: resourceId });
      expect(before.records).toEqual([{ _id: 1, v: 1 }]);
      // No HTTP request: no links, as in CKAN's local actions.
      expect(before._links).toEqual({});
      await tx.call('datastore_upsert', { resource_id: resourceId, method: 'insert', records: [{ v: 2 }] });
      return (await tx.call<{ total: number }>('datastore_search', { resource_id: resourceId })).total;
    });
    expect(total).toBe(2);
  });

  it('a failed write inside a transaction rolls back the whole transaction, records and table alike', async () => {
    const org = await t.factories.organization();
    const d = await t.factories.dataset({ owner_org: org.id });
    await expect(
      t.context().transaction(async (tx) => {
        await tx.call('datastore_create', { resource: { package_id: d.id }, fields: [{ id: 'v', type: 'int' }], records: [{ v: 1 }] });
        await tx.call('datastore_upsert', { resource_id: resourceId, method: 'insert', records: [{ v: 'nicht' }] });
      }),
    ).rejects.toMatchObject({ fields: { records: [expect.stringContaining('invalid input syntax')] } });
    const shown = await t.call<{ resources: unknown[] }>('package_show', { id: d.id });
    expect(shown.resources).toEqual([]);
    const tables = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM datastore_table WHERE package_id = $1`, [d.id]);
    expect(tables[0].n).toBe(0);
  });

  it('indexes full text with GIN by default, the whole row only (CKAN 2.12: no index per text column)', async () => {
    const org = await t.factories.organization();
    const d = await t.factories.dataset({ owner_org: org.id });
    const id = (await t.call<{ resource_id: string }>('datastore_create', { resource: { package_id: d.id }, fields: [{ id: 'station', type: 'text' }, { id: 'v', type: 'int' }] })).resource_id;
    const indexes: { indexdef: string }[] = await t.db.dataSource.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'datastore' AND tablename = $1`, [id]);
    const fullText = indexes.filter((i) => /_full_text|to_tsvector/.test(i.indexdef));
    expect(fullText.map((i) => i.indexdef)).toEqual([expect.stringMatching(/USING gin \(_full_text\)/)]);
    // q by field works without an index of its own.
    await t.call('datastore_upsert', { resource_id: id, method: 'insert', records: [{ station: 'Kaub am Rhein', v: 1 }, { station: 'Trier', v: 2 }] });
    const found = await t.call<{ records: { v: number }[] }>('datastore_search', { resource_id: id, q: { station: 'rhein' } });
    expect(found.records.map((r) => r.v)).toEqual([1]);
  });

  it('indexes each text column too when DATASTORE_FTS_INDEX_FIELD_TYPES names text (CKAN 2.11 default)', async () => {
    const t2 = await TestApp.start({ DATASTORE_FTS_INDEX_FIELD_TYPES: 'text' });
    try {
      const org = await t2.factories.organization();
      const d = await t2.factories.dataset({ owner_org: org.id });
      const id = (await t2.call<{ resource_id: string }>('datastore_create', { resource: { package_id: d.id }, fields: [{ id: 'station', type: 'text' }, { id: 'v', type: 'int' }] })).resource_id;
      const indexes: { indexdef: string }[] = await t2.db.dataSource.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'datastore' AND tablename = $1`, [id]);
      const fullText = indexes.filter((i) => /_full_text|to_tsvector/.test(i.indexdef)).map((i) => i.indexdef);
      expect(fullText).toHaveLength(2);
      expect(fullText).toEqual(expect.arrayContaining([expect.stringMatching(/USING gin \(_full_text\)/), expect.stringMatching(/USING gin \(to_tsvector\('english'::regconfig, station\)\)/)]));
    } finally {
      await t2.stop();
    }
  });

  it('gives inserted and upserted rows the same _full_text the trigger makes, for every column type, and the trigger still fills rows others write', async () => {
    const org = await t.factories.organization();
    const d = await t.factories.dataset({ owner_org: org.id });
    const fields = [
      { id: 'name', type: 'text' }, { id: 'n', type: 'int' }, { id: 'big', type: 'bigint' }, { id: 'x', type: 'float8' }, { id: 'amount', type: 'numeric' },
      { id: 'ok', type: 'bool' }, { id: 'day', type: 'date' }, { id: 'at', type: 'timestamp' }, { id: 'clock', type: 'time' }, { id: 'doc', type: 'json' },
      { id: 'words', type: '_text' },
    ];
    const records = [
      { name: 'Pegel Kaub', n: 3, big: '9007199254740993', x: 1.5e-7, amount: '1234.560', ok: true, day: '2025-03-30', at: '2025-03-30T02:30:00', clock: '12:15', doc: { Fluss: 'Rhein', km: [546.3] }, words: ['Hochwasser', 'Meldestufe'] },
      { name: 'Straßenbrücke über die Mosel', n: null, ok: false, doc: 'nur Text', words: [] },
      { name: '' },
    ];
    const id = (await t.call<{ resource_id: string }>('datastore_create', { resource: { package_id: d.id }, fields, records, primary_key: 'name' })).resource_id;
    await t.call('datastore_upsert', { resource_id: id, method: 'upsert', records: [{ name: 'Pegel Kaub', n: 4 }, { name: 'Pegel Trier', amount: 7 }] });
    // A writer that leaves _full_text to the trigger (as COPY does).
    await t.db.dataSource.query(`INSERT INTO datastore.${JSON.stringify(id)} (name, n, at) VALUES ('Pegel Cochem', 12, '2025-10-26 02:15')`);
    const rows: { name: string; same: boolean; fts: string }[] = await t.db.dataSource.query(
      `SELECT name, _full_text::text AS fts, _full_text = (SELECT to_tsvector('english', coalesce(string_agg(value, ' '), '')) FROM json_each_text(row_to_json(r.*)) WHERE key NOT LIKE '\\_%') AS same
         FROM datastore.${JSON.stringify(id)} r ORDER BY _id`,
    );
    expect(rows.map((r) => r.name)).toEqual(['Pegel Kaub', 'Straßenbrücke über die Mosel', '', 'Pegel Trier', 'Pegel Cochem']);
    for (const r of rows) expect(r).toMatchObject({ same: true });
    expect(rows.every((r) => r.fts !== null)).toBe(true);
    expect(rows[0].fts).toContain("'rhein'");
  });
});
