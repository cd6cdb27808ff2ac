import request from 'supertest';
import { TestApp } from '../test-app';

/**
 * A dataset's `spatial` extra (ckanext-spatial's convention): one GeoJSON geometry in WGS 84, checked on every write
 * and refused as a field error `spatial`, as ckanext-spatial's check_spatial_extra refuses it, leaving nothing written.
 */
describe('spatial extent of a dataset', () => {
  let t: TestApp;
  let org: { id: string };
  const post = (action: string, body: unknown): request.Test =>
    request(t.http).post(`/api/3/action/${action}`).set('Authorization', t.sysadmin.token).send(body as object);
  const spatial = (value: unknown): { key: string; value: string }[] => [{ key: 'spatial', value: typeof value === 'string' ? value : JSON.stringify(value) }];
  let n = 0;
  const create = (value: unknown): request.Test => post('package_create', { name: `ort-${++n}`, owner_org: org.id, extras: spatial(value) });

  beforeAll(async () => {
    t = await TestApp.start();
    org = await t.factories.organization();
  });
  afterAll(() => t.stop());

  it.each([
    ['a point', { type: 'Point', coordinates: [7.6057, 50.3582] }],
    ['a polygon with a hole', { type: 'Polygon', coordinates: [[[6, 50], [8, 50], [8, 52], [6, 52], [6, 50]], [[6.5, 50.5], [7, 50.5], [7, 51], [6.5, 50.5]]] }],
    ['a geometry collection with heights', { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [13.4, 52.5, 34] }, { type: 'LineString', coordinates: [[-180, -90], [180, 90]] }] }],
  ])('stores %s exactly as the client wrote it', async (_, geometry) => {
    const text = JSON.stringify(geometry, null, 1);
    const res = await create(text);
    expect(res.status).toBe(200);
    expect(res.body.result.extras).toEqual(spatial(text));
  });

  it.each([
    ['text that is no JSON', '{"type": "Point", "coordinates": [7,', /^Error decoding JSON object: /],
    ['a ring that does not close', { type: 'Polygon', coordinates: [[[6, 50], [8, 50], [8, 52], [6, 50.5]]] }, /^Error: Wrong GeoJSON object: .*ring should be the same/],
    ['a position of one number', { type: 'Point', coordinates: [7] }, /^Error: Wrong GeoJSON object: /],
    ['a Feature instead of a geometry', { type: 'Feature', geometry: { type: 'Point', coordinates: [7, 50] }, properties: {} }, /a geometry is expected .*not Feature/],
    ['a longitude past 180°', { type: 'Point', coordinates: [200, 50] }, /longitude 200 is outside -180\.\.180/],
    ['a latitude past 90° (easting/northing sent as degrees)', { type: 'Point', coordinates: [32, 5550000] }, /latitude 5550000 is outside -90\.\.90/],
    ['more than 10,000 positions', { type: 'MultiPoint', coordinates: Array.from({ length: 10_001 }, (_, i) => [7 + (i % 10), 50]) }, /more than 10000 positions/],
  ])('refuses %s with a 409 field error on spatial', async (_, value, message) => {
    const res = await create(value);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ success: false, error: { __type: 'Validation Error', spatial: [expect.stringMatching(message)] } });
    expect(Object.keys(res.body.error).sort()).toEqual(['__type', 'spatial']);
  });

  it('checks package_update and package_patch too, and leaves the dataset as it was', async () => {
    const good = { type: 'Point', coordinates: [8.27, 50.0] };
    const made = (await create(good)).body.result;
    const patched = await post('package_patch', { id: made.id, extras: spatial({ type: 'Point', coordinates: [8.27, 95] }) });
    expect(patched.status).toBe(409);
    expect(patched.body.error.spatial).toEqual([expect.stringContaining('latitude 95')]);
    const updated = await post('package_update', { ...made, extras: spatial('nicht json') });
    expect(updated.status).toBe(409);
    const shown = await post('package_show', { id: made.id });
    expect(shown.body.result.extras).toEqual(spatial(good));
  });

  it('gives the extent of a valid geometry to search, not that of a refused one', async () => {
    const made = (await create({ type: 'Polygon', coordinates: [[[9, 48], [9.5, 48], [9.5, 48.5], [9, 48], [9, 48]]] })).body.result;
    await t.searchIndexed();
    // Found too: the collection reaching from (-180, -90) to (180, 90); not found: every refused write.
    const found = await post('package_search', { ext_bbox: '9.4,48.4,10,49', sort: 'name asc' });
    expect(found.body.result.results.map((d: { name: string }) => d.name).sort()).toEqual(['ort-3', made.name].sort());
  });
});
