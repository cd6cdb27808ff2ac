import { Client } from 'pg';
import { createTestDatabase, dropTestDatabase } from '../../../../test/test-db';
import type { GeoJsonGeometry } from './ast';
import { parseWkt } from './wkt';

/**
 * The geo functions of migration 1795810000000-SensorGeo against the DE-9IM matrices PostGIS's ST_Relate gives
 * for the same geometries (planar), and the predicates the OGC Simple Features define from them.
 */
describe('geo functions in SQL', () => {
  let db: { name: string; url: string };
  let c: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    c = new Client({ connectionString: db.url });
    await c.connect();
  });
  afterAll(async () => {
    await c.end();
    await dropTestDatabase(db.name);
  });
  const g = (wkt: string): string => JSON.stringify(parseWkt(wkt));
  const relate = async (a: string, b: string): Promise<string> => (await c.query(`SELECT sta_geo_relate($1, $2) m`, [g(a), g(b)])).rows[0].m;

  const SQUARE = 'POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))';
  it.each([
    ['a polygon and one inside it', SQUARE, 'POLYGON((2 2, 4 2, 4 4, 2 4, 2 2))', '212FF1FF2'],
    ['a polygon and itself', SQUARE, SQUARE, '2FFF1FFF2'],
    ['polygons sharing an edge', SQUARE, 'POLYGON((10 0, 20 0, 20 10, 10 10, 10 0))', 'FF2F11212'],
    ['overlapping polygons', SQUARE, 'POLYGON((5 5, 15 5, 15 15, 5 15, 5 5))', '212101212'],
    ['a point inside a polygon', 'POINT(5 5)', SQUARE, '0FFFFF212'],
    ['a point on a polygon edge', 'POINT(0 5)', SQUARE, 'F0FFFF212'],
    ['a point outside a polygon', 'POINT(13 14)', SQUARE, 'FF0FFF212'],
    ['a point in a polygon hole', 'POINT(5 5)', 'POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 6 4, 6 6, 4 6, 4 4))', 'FF0FFF212'],
    ['a line crossing a polygon edge', 'LINESTRING(-5 5, 5 5)', SQUARE, '1010F0212'],
    ['a line inside a polygon', 'LINESTRING(1 1, 3 3)', SQUARE, '1FF0FF212'],
    ['crossing lines', 'LINESTRING(0 0, 10 10)', 'LINESTRING(0 10, 10 0)', '0F1FF0102'],
    ['lines meeting at an end', 'LINESTRING(0 0, 10 10)', 'LINESTRING(10 10, 20 20)', 'FF1F00102'],
    ['a line and itself', 'LINESTRING(0 0, 10 10)', 'LINESTRING(0 0, 10 10)', '1FFF0FFF2'],
    ['overlapping collinear lines', 'LINESTRING(0 0, 10 0)', 'LINESTRING(5 0, 15 0)', '1010F0102'],
    ['a point on a line', 'POINT(5 5)', 'LINESTRING(0 0, 10 10)', '0FFFFF102'],
    ['a point at the end of a line', 'POINT(10 10)', 'LINESTRING(0 0, 10 10)', 'F0FFFF102'],
    ['equal points', 'POINT(1 2)', 'POINT(1 2)', '0FFFFFFF2'],
    ['a multipoint half in a polygon', 'MULTIPOINT((5 5), (20 20))', SQUARE, '0F0FFF212'],
  ])('relates %s as PostGIS does', async (_what, a, b, matrix) => {
    expect(await relate(a, b)).toBe(matrix);
  });

  it('answers the named predicates from the matrix', async () => {
    const q = async (fn: string, a: string, b: string): Promise<boolean> => (await c.query(`SELECT ${fn}($1, $2) v`, [g(a), g(b)])).rows[0].v;
    const inner = 'POLYGON((2 2, 4 2, 4 4, 2 4, 2 2))';
    expect(await q('sta_st_contains', SQUARE, inner)).toBe(true);
    expect(await q('sta_st_within', inner, SQUARE)).toBe(true);
    expect(await q('sta_st_within', SQUARE, inner)).toBe(false);
    expect(await q('sta_st_touches', 'POINT(0 5)', SQUARE)).toBe(true);
    expect(await q('sta_st_touches', 'POINT(5 5)', SQUARE)).toBe(false);
    expect(await q('sta_st_crosses', 'LINESTRING(-5 5, 5 5)', SQUARE)).toBe(true);
    expect(await q('sta_st_crosses', 'LINESTRING(0 0, 10 10)', 'LINESTRING(0 10, 10 0)')).toBe(true);
    expect(await q('sta_st_overlaps', SQUARE, 'POLYGON((5 5, 15 5, 15 15, 5 15, 5 5))')).toBe(true);
    expect(await q('sta_st_overlaps', 'LINESTRING(0 0, 10 0)', 'LINESTRING(5 0, 15 0)')).toBe(true);
    expect(await q('sta_st_equals', 'POLYGON((0 0, 0 10, 10 10, 10 0, 0 0))', SQUARE)).toBe(true);
    expect(await q('sta_st_disjoint', 'POINT(13 14)', SQUARE)).toBe(true);
    expect(await q('sta_st_intersects', 'POINT(10 10)', SQUARE)).toBe(true);
    expect((await c.query(`SELECT sta_st_relate($1, $2, 'T*F**F***') v`, [g(inner), g(SQUARE)])).rows[0].v).toBe(true);
  });

  it('measures planar distance and length in coordinate units, reading a Feature as its geometry', async () => {
    const feature = JSON.stringify({ type: 'Feature', properties: {}, geometry: parseWkt('POINT(13 14)') as GeoJsonGeometry });
    const r = (
      await c.query(`SELECT sta_geo_distance($1, $2) d, sta_geo_distance($3, $2) inside, sta_geo_length($4) l, sta_geo_length($2) poly`, [
        feature, g(SQUARE), g('POINT(5 5)'), g('MULTILINESTRING((0 0, 3 4), (0 0, 0 1))'),
      ])
    ).rows[0];
    expect(r).toEqual({ d: 5, inside: 0, l: 6, poly: 0 });
  });

  it('writes times as STA does, in UTC, with fractions only when there are some', async () => {
    const r = (await c.query(`SELECT sta_time_text('2026-03-29T03:15:00+02:00') a, sta_time_text('2015-03-01T00:00:00.120Z') b`)).rows[0];
    expect(r).toEqual({ a: '2026-03-29T01:15:00Z', b: '2015-03-01T00:00:00.12Z' });
  });
});
