import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

const polygon = (minx: number, miny: number, maxx: number, maxy: number): string =>
  JSON.stringify({ type: 'Polygon', coordinates: [[[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]] });
const RLP = 'http://dcat-ap.de/def/politicalGeocoding/stateKey/07';

/**
 * ckanext-spatial's `ext_bbox` on package_search, as every search backend must answer it. The extents and the
 * expected answers are worked out by hand in the comments (overlap = 2·X / (Q + T), see overlapScore).
 */
export function spatialSearchContract(label: string, start: () => Promise<TestApp>): void {
  describe(`package_search ext_bbox: ${label}`, () => {
    let t: TestApp;
    let member: TestUser;

    beforeAll(async () => {
      t = await start();
      member = await t.factories.user({ name: 'geo-member' });
      const org = await t.factories.organization({ name: 'geo-amt', members: [[member, 'member']] });
      const make = (name: string, extras: { key: string; value: string }[], more: Record<string, unknown> = {}): Promise<unknown> =>
        t.call('package_create', { name, owner_org: org.id, title: `Karte ${name}`, extras, ...more });
      await make('mainz-innenstadt', [{ key: 'spatial', value: polygon(8.0, 49.9, 8.4, 50.1) }]); // area 0.08
      await make('koblenz-pegel', [{ key: 'spatial', value: JSON.stringify({ type: 'Point', coordinates: [7.6, 50.35] }) }]);
      await make('rheinland-pfalz', [{ key: 'politicalGeocodingURI', value: RLP }]); // 6.11,48.96 – 8.51,50.95, area 4.776
      await make('berlin-linie', [{ key: 'spatial', value: JSON.stringify({ type: 'LineString', coordinates: [[13.1, 52.4], [13.7, 52.6]] }) }]);
      await make('ohne-ort', []);
      await make('mainz-privat', [{ key: 'spatial', value: polygon(8.0, 49.9, 8.4, 50.1) }], { private: true });
      await make('ecke-nordost', [{ key: 'spatial', value: polygon(8.4, 50.1, 8.6, 50.3) }]); // area 0.04, touches mainz-innenstadt's corner
      await t.searchIndexed();
    });
    afterAll(() => t.stop());

    const search = (params: Record<string, unknown>, as?: TestUser): request.Test => {
      const r = request(t.http).post('/api/3/action/package_search').send(params);
      if (as) void r.set('Authorization', as.token);
      return r;
    };
    const names = async (params: Record<string, unknown>, as?: TestUser): Promise<string[]> => {
      const res = await search({ rows: 100, ...params }, as);
      expect(res.status).toBe(200);
      if (params.rows === undefined) expect(res.body.result.count).toBe(res.body.result.results.length);
      return res.body.result.results.map((d: { name: string }) => d.name);
    };

    it('finds the datasets whose extent intersects the box, ordered by overlap as ckanext-spatial ranks them', async () => {
      // Q = 0.6 × 0.4 = 0.24. mainz-innenstadt inside: 2·0.08/(0.24+0.08) = 0.5; rheinland-pfalz holds the box:
      // 2·0.24/(0.24+4.776) ≈ 0.096; ecke-nordost shares 0.1 × 0.1: 2·0.01/(0.24+0.04) ≈ 0.071; koblenz-pegel lies west.
      expect(await names({ ext_bbox: '7.9,49.8,8.5,50.2' })).toEqual(['mainz-innenstadt', 'rheinland-pfalz', 'ecke-nordost']);
    });

    it('counts a dataset that only touches the box at an edge or corner', async () => {
      // ecke-nordost's north-east corner is (8.6, 50.3); Rheinland-Pfalz ends at 8.51.
      expect(await names({ ext_bbox: '8.6,50.3,9,51' })).toEqual(['ecke-nordost']);
    });

    it('finds nothing for a box far from every extent', async () => {
      const res = await search({ ext_bbox: '0,0,1,1' });
      expect(res.body.result).toMatchObject({ count: 0, results: [] });
    });

    it('finds a point searched by its own point first, then the areas holding it', async () => {
      // Both areas zero: a perfect fit (1); Rheinland-Pfalz holds the point but shares no area (0).
      expect(await names({ ext_bbox: '7.6,50.35,7.6,50.35' })).toEqual(['koblenz-pegel', 'rheinland-pfalz']);
    });

    it('clamps a box reaching past the globe to it, and ranks the largest extents first in a world view', async () => {
      // Q = 360 × 180; each scores 2T / (Q + T): Rheinland-Pfalz 4.776, the Berlin line's box 0.6 × 0.2, Mainz 0.08, the corner 0.04, the point 0.
      expect(await names({ ext_bbox: '-200,-100,200,100' })).toEqual(['rheinland-pfalz', 'berlin-linie', 'mainz-innenstadt', 'ecke-nordost', 'koblenz-pegel']);
    });

    it('takes ext_bbox inside extras too, as CKAN hands ext_* parameters to ckanext-spatial', async () => {
      expect(await names({ extras: { ext_bbox: '13,52,14,53' } })).toEqual(['berlin-linie']);
    });

    it('keeps another order when one is asked for, and combines the box with words and filters', async () => {
      expect(await names({ ext_bbox: '5,47,15,55', sort: 'name asc' }))
        .toEqual(['berlin-linie', 'ecke-nordost', 'koblenz-pegel', 'mainz-innenstadt', 'rheinland-pfalz']);
      expect(await names({ q: 'karte', ext_bbox: '13,52,14,53', sort: 'name desc' })).toEqual(['berlin-linie']);
      expect(await names({ ext_bbox: '5,47,15,55', fq: 'name:koblenz-pegel OR name:ohne-ort' })).toEqual(['koblenz-pegel']);
    });

    it('derives a regional key’s extent for search without adding it to the dataset', async () => {
      expect(await names({ ext_bbox: '6.2,49.0,6.3,49.1' })).toEqual(['rheinland-pfalz']);
      const shown = await request(t.http).get('/api/3/action/package_show?id=rheinland-pfalz');
      expect(shown.body.result.extras).toEqual([{ key: 'politicalGeocodingURI', value: RLP }]);
    });

    it('shows a regional key in facets by the name of its Land, and filters by the key as stored', async () => {
      const res = await search({ 'facet.field': ['politicalGeocodingURI'], fq: `politicalGeocodingURI:"${RLP}"` });
      expect(res.body.result.count).toBe(1);
      expect(res.body.result.search_facets.politicalGeocodingURI.items).toEqual([{ name: RLP, display_name: 'Rheinland-Pfalz', count: 1 }]);
    });

    it('never counts a private dataset for those who may not read it, and does for its organization’s members', async () => {
      const box = { ext_bbox: '8.1,49.95,8.2,50.0', include_private: true };
      expect(await names(box)).toEqual(['mainz-innenstadt', 'rheinland-pfalz']);
      const facets = await search({ ...box, 'facet.field': ['capacity'] });
      expect(facets.body.result.facets).toEqual({ capacity: { public: 2 } });
      expect((await names(box, member)).sort()).toEqual(['mainz-innenstadt', 'mainz-privat', 'rheinland-pfalz']);
    });

    it('pages through box results in a chosen order, and never continues one box’s pages with another’s', async () => {
      const all = await names({ ext_bbox: '5,47,15,55', sort: 'name asc' });
      const first = await names({ ext_bbox: '5,47,15,55', sort: 'name asc', rows: 2 });
      const second = await names({ ext_bbox: '5,47,15,55', sort: 'name asc', rows: 2, start: 2 });
      expect([...first, ...second]).toEqual(all.slice(0, 4));
      expect(await names({ ext_bbox: '7,48,9,51', sort: 'name asc', rows: 2, start: 2 })).toEqual(['mainz-innenstadt', 'rheinland-pfalz']);
    });

    it.each([['a,b,c,d'], ['1,2,3'], ['8,50,7,51'], ['1,2,3,nan'], ['1,,3,4']])('refuses ext_bbox=%s as ckanext-spatial does', async (bbox) => {
      const res = await search({ ext_bbox: bbox });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ success: false, error: { __type: 'Search Error', message: 'Search error: Wrong bounding box provided' } });
    });
  });
}
