import request from 'supertest';
import { createLogger } from '../../src/common/logger';
import { createHttpApp } from '../../src/http';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/** The search index follows every write at once, in this process and in every other one. */
describe('the search index follows every write', () => {
  let t: TestApp;
  let editor: TestUser;
  let orgId: string;

  beforeAll(async () => {
    t = await TestApp.start();
    editor = await t.factories.user();
    orgId = (await t.factories.organization({ name: 'stadt-trier', title: 'Stadt Trier', members: [[editor, 'editor']] })).id;
  });
  afterAll(() => t.stop());

  const names = async (params: Record<string, unknown>, http = t.http): Promise<string[]> => {
    const res = await request(http).post('/api/3/action/package_search').send({ rows: 100, ...params });
    expect(res.status).toBe(200);
    return res.body.result.results.map((d: { name: string }) => d.name);
  };
  const post = (action: string, body: object) => request(t.http).post(`/api/3/action/${action}`).set('Authorization', editor.token).send(body);

  it('finds a new dataset in the answer to the very next request', async () => {
    await post('package_create', { name: 'ladesaeulen', owner_org: orgId, title: 'Ladesäulen für Elektroautos', tags: [{ name: 'Mobilität' }] });
    expect(await names({ q: 'Ladesäule' })).toEqual(['ladesaeulen']);
    expect(await names({ fq: 'tags:Mobilität' })).toEqual(['ladesaeulen']);
  });

  it('follows changes of title, privacy, resources and deletion', async () => {
    const d = (await post('package_create', { name: 'stellflaechen-1', owner_org: orgId, title: 'Parkhäuser' })).body.result;
    await post('package_patch', { id: d.id, title: 'Parkplätze' });
    expect(await names({ q: 'Parkhaus' })).toEqual([]);
    expect(await names({ q: 'Parkplatz' })).toEqual(['stellflaechen-1']);
    await post('resource_create', { package_id: d.id, url: 'http://p.example/belegung.json' });
    expect(await names({ fq: 'res_format:JSON' })).toContain('stellflaechen-1');
    await post('package_patch', { id: d.id, private: true });
    expect(await names({ q: 'Parkplatz' })).toEqual([]);
    await post('package_patch', { id: d.id, private: false });
    await post('package_delete', { id: d.id });
    expect(await names({ q: 'Parkplatz' })).toEqual([]);
  });

  it('follows renamed organizations and groups into filters and facet titles', async () => {
    const o = await t.factories.organization({ name: 'vg-alt', title: 'VG Alt' });
    await t.factories.dataset({ owner_org: o.id, name: 'in-der-vg' });
    await t.call('organization_patch', { id: o.id, name: 'vg-neu', title: 'Verbandsgemeinde Neu' });
    expect(await names({ fq: 'organization:vg-alt' })).toEqual([]);
    expect(await names({ fq: 'organization:vg-neu' })).toEqual(['in-der-vg']);
    const res = await request(t.http).post('/api/3/action/package_search').send({ fq: 'organization:vg-neu', 'facet.field': ['organization'] });
    expect(res.body.result.search_facets.organization.items).toEqual([{ name: 'vg-neu', display_name: 'Verbandsgemeinde Neu', count: 1 }]);
  });

  it('indexes nothing from a write that fails', async () => {
    const results = await Promise.all([0, 1, 2].map(() => post('package_create', { name: 'nur-einmal', owner_org: orgId, title: 'Einmaliger Datensatz' })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(await names({ q: 'einmalig' })).toEqual(['nur-einmal']);
    expect(await names({ q: 'und der' })).toEqual([]);
    const count = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM search_document WHERE name = 'nur-einmal'`);
    expect(count[0].n).toBe(1);
  });

  it('shows a committed write to another process too', async () => {
    const other = await createHttpApp({ config: t.config, logger: createLogger('silent'), database: { poolSize: 2 } });
    try {
      expect(await names({ fq: 'tags:Fernwärme' }, other.getHttpServer())).toEqual([]);
      await post('package_create', { name: 'fernwaerme', owner_org: orgId, tags: [{ name: 'Fernwärme' }] });
      let seen: string[] = [];
      for (let i = 0; i < 100 && !seen.length; i++) {
        seen = await names({ fq: 'tags:Fernwärme' }, other.getHttpServer());
        if (!seen.length) await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen).toEqual(['fernwaerme']);
    } finally {
      await other.close();
    }
  });

  it('accepts many stewards writing at once, with the same new words in different orders', async () => {
    // Every write adds its new words to the typo vocabulary; concurrent writers must not deadlock on them.
    const words = Array.from({ length: 300 }, (_, i) => `sonderwort${i}`);
    // Overlapping sets of different sizes: PostgreSQL would meet them in different orders.
    const subset = (i: number) => words.filter((_, k) => k % (i + 2) !== 0 && (k * (i + 7)) % 5 !== 0).reverse();
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          post('package_create', { name: `gleichzeitig-${round}-${i}`, owner_org: orgId, title: `Gleichzeitig ${i}`, notes: `${subset(i).join(' ')} runde${round}` })),
      );
      expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
      words.forEach((w, k) => (words[k] = `${w}x`));
    }
    expect((await names({ q: 'Gleichzeitig' })).length).toBe(48);
  });
});

describe('autocomplete actions', () => {
  let t: TestApp;
  let member: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    member = await t.factories.user();
    const o = await t.factories.organization({ name: 'kreisstadt-speyer', title: 'Kreisstadt Speyer', members: [[member, 'member']] });
    await t.factories.organization({ name: 'stadt-landau', title: 'Stadt Landau' });
    await t.factories.group({ name: 'wasser-gruppe', title: 'Wasser' });
    await t.factories.dataset({ owner_org: o.id, tags: [{ name: 'Wasserstand' }, { name: 'Abwasser' }], resources: [{ url: 'http://x/a.csv' }, { url: 'http://x/b.csv' }, { url: 'http://x/c.geojson' }] });
    await t.factories.dataset({ owner_org: o.id, private: true, tags: [{ name: 'Wassergeheimnis' }], resources: [{ url: 'http://x/d.pdf' }] });
  });
  afterAll(() => t.stop());

  const get = (path: string, as?: TestUser) => {
    const r = request(t.http).get(`/api/3/action/${path}`);
    return as ? r.set('Authorization', as.token) : r;
  };

  it('tag_autocomplete returns readable tags containing q, prefix matches first', async () => {
    expect((await get('tag_autocomplete?q=wasser')).body.result).toEqual(['Wasserstand', 'Abwasser']);
    expect((await get('tag_autocomplete?q=wasser', member)).body.result).toEqual(['Wassergeheimnis', 'Wasserstand', 'Abwasser']);
    expect((await get('tag_autocomplete?q=wasser&limit=1')).body.result).toEqual(['Wasserstand']);
  });

  it('organization_autocomplete and group_autocomplete return {id, name, title}', async () => {
    const orgs = (await get('organization_autocomplete?q=stadt')).body.result;
    expect(orgs.map((o: { name: string }) => o.name)).toEqual(['kreisstadt-speyer', 'stadt-landau']);
    expect(orgs[0]).toEqual({ id: expect.any(String), name: 'kreisstadt-speyer', title: 'Kreisstadt Speyer' });
    expect((await get('group_autocomplete?q=wass')).body.result.map((g: { name: string }) => g.name)).toEqual(['wasser-gruppe']);
  });

  it('format_autocomplete returns formats in lower case, most used first, of readable datasets', async () => {
    expect((await get('format_autocomplete?q=')).body.result).toEqual(['csv', 'geojson']);
    expect((await get('format_autocomplete?q=pd')).body.result).toEqual([]);
    expect((await get('format_autocomplete?q=pd', member)).body.result).toEqual(['pdf']);
  });

  it('format_autocomplete requires q (CKAN\'s autocomplete schema); tag_autocomplete without a term answers [] as CKAN\'s does', async () => {
    const res = await get('format_autocomplete');
    expect(res.status).toBe(409);
    expect(res.body.error.q).toEqual(['Missing value']);
    expect((await get('tag_autocomplete')).body).toMatchObject({ success: true, result: [] });
  });
});
