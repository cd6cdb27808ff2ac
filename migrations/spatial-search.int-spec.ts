import { LAENDER } from '../dcat-profiles/vocabularies/regions';
import { TestApp } from '../test/test-app';
import { SpatialSearch1796400000000 } from './1796400000000-SpatialSearch';

describe('migration SpatialSearch', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t?.stop());
  const query = <T>(sql: string, params: unknown[] = []): Promise<T[]> => t.db.dataSource.query(sql, params);

  it('writes the same Länder boxes into SQL as dcat-profiles/vocabularies/regions.ts holds', async () => {
    for (const land of LAENDER) {
      const [row] = await query<{ b: string | null }>(`SELECT catalog_region_box($1)::text AS b`, [`http://dcat-ap.de/def/politicalGeocoding/stateKey/${land.key}`]);
      const [minx, miny, maxx, maxy] = land.bbox;
      expect(row.b).toBe(`(${maxx},${maxy}),(${minx},${miny})`);
    }
  });

  it('gives no box for what is no extent, instead of failing the write', async () => {
    const rows = await query<{ b: string | null }>(
      `SELECT catalog_geojson_box(x)::text AS b FROM unnest($1::text[]) x`,
      [['not json', '{"type":"Point","coordinates":[200,50]}', '{"type":"Point"}', '[]', '']],
    );
    expect(rows.map((r) => r.b)).toEqual([null, null, null, null, null]);
  });

  it('indexes the extents of datasets written before it, and files them for Meilisearch, and back on revert', async () => {
    const org = await t.factories.organization();
    const ds = await t.factories.dataset({ owner_org: org.id, extras: [{ key: 'spatial', value: '{"type":"LineString","coordinates":[[6,50],[7,51.5]]}' }] });
    const plain = await t.factories.dataset({ owner_org: org.id });
    const runner = t.db.dataSource.createQueryRunner();
    try {
      await new SpatialSearch1796400000000().down(runner);
      await query(`DELETE FROM search_outbox`);
      await new SpatialSearch1796400000000().up(runner);
    } finally {
      await runner.release();
    }
    const docs = await query<{ id: string; b: string | null }>(`SELECT id, bbox::text AS b FROM search_document WHERE id = ANY($1::uuid[])`, [[ds.id, plain.id]]);
    expect(Object.fromEntries(docs.map((d) => [d.id, d.b]))).toEqual({ [ds.id]: '(7,51.5),(6,50)', [plain.id]: null });
    expect((await query<{ package_id: string }>(`SELECT package_id FROM search_outbox`)).map((r) => r.package_id)).toEqual([ds.id]);
  });
});
