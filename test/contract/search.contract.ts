import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/**
 * What every search backend must answer, through package_search as CKAN clients call it. Each
 * backend's spec file runs this suite against a catalog of German municipal datasets.
 */
export function searchContract(label: string, start: () => Promise<TestApp>): void {
  describe(`package_search contract: ${label}`, () => {
    let t: TestApp;
    let member: TestUser;
    let outsider: TestUser;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      t = await start();
      member = await t.factories.user({ name: 'mainz-member' });
      outsider = await t.factories.user({ name: 'outsider' });
      const mainz = await t.factories.organization({ name: 'stadt-mainz', title: 'Stadt Mainz', members: [[member, 'member']] });
      const meissen = await t.factories.organization({ name: 'kreis-meissen', title: 'Landkreis Meißen' });
      await t.factories.group({ name: 'umwelt', title: 'Umwelt' });
      await t.factories.group({ name: 'verkehr', title: 'Verkehr und Mobilität' });
      const thema = await t.call<{ id: string }>('vocabulary_create', {
        name: 'thema', tags: [{ name: 'Hydrologie' }, { name: 'Klima' }, { name: 'Mobilitaet' }, { name: 'Geheimsache' }],
      });
      const vocab = (...tags: string[]): { name: string; vocabulary_id: string }[] => tags.map((name) => ({ name, vocabulary_id: thema.id }));
      const make = async (name: string, fields: Record<string, unknown>): Promise<void> => {
        ids[name] = (await t.call<{ id: string }>('package_create', { name, ...fields })).id;
      };
      await make('pegelstaende-rhein', {
        owner_org: mainz.id, title: 'Pegelstände am Rhein', notes: 'Tägliche Messwerte der Messstellen', tags: [{ name: 'Pegel' }, { name: 'Messung' }, ...vocab('Hydrologie')],
        groups: [{ name: 'umwelt' }], license_id: 'http://dcat-ap.de/def/licenses/dl-by-de/2.0',
        extras: [
          { key: 'spatial_ref', value: 'EPSG:25832' }, { key: 'herkunft', value: 'Landesamt Messnetz' },
          { key: 'hvd_category', value: '["c_dd313021", "http://data.europa.eu/bna/c_43f88346", "C_DD313021"]' },
        ],
        resources: [{ url: 'http://x.example/p.csv', format: 'CSV', name: 'Tageswerte' }, { url: 'http://x.example/p.json', format: 'JSON' }],
      });
      await make('verkehrsdaten-mainz', {
        owner_org: mainz.id, title: 'Verkehrsdaten Mainz', notes: 'Zählstellen an der Straße', tags: [{ name: 'Verkehr' }, ...vocab('Mobilitaet')],
        groups: [{ name: 'verkehr' }], license_id: 'http://dcat-ap.de/def/licenses/cc-by/4.0', resources: [{ url: 'http://x.example/v.xlsx', format: 'XLSX' }],
        extras: [{ key: 'hvd_category', value: 'c_b79e35eb' }],
      });
      await make('ueberschwemmungsgebiete-elbe', {
        owner_org: meissen.id, title: 'Überschwemmungsgebiete Elbe', notes: 'Gebiete bei Hochwasser', tags: [{ name: 'Hochwasser' }, ...vocab('Hydrologie', 'Klima')],
        license_id: 'http://dcat-ap.de/def/licenses/dl-zero-de/2.0', resources: [{ url: 'http://x.example/u.geojson', format: 'GeoJSON' }],
        extras: [{ key: 'hvd_category', value: 'http://data.europa.eu/bna/c_dd313021' }],
      });
      await make('baumkataster', {
        owner_org: meissen.id, title: 'Baumkataster', notes: 'Alle Bäume in der Stadt', tags: [{ name: 'Umwelt' }, { name: 'Bäume' }],
        groups: [{ name: 'umwelt' }], resources: [{ url: 'http://x.example/b.csv', format: 'CSV' }],
      });
      await make('wasserqualitaet', { owner_org: meissen.id, title: 'Wasserqualität der Badeseen', tags: [{ name: 'Baden' }] });
      await make('seen', { owner_org: meissen.id, title: 'Seen Verzeichnis', tags: [{ name: 'Wasser' }] });
      await make('brunnen', { owner_org: meissen.id, title: 'Brunnen Verzeichnis', notes: 'Öffentliche Brunnen mit Wasser' });
      await make('haushalt-intern', {
        owner_org: mainz.id, title: 'Haushaltsplan intern', private: true, tags: [{ name: 'Finanzen' }, { name: 'Pegel' }, ...vocab('Geheimsache')],
        resources: [{ url: 'http://x.example/h.pdf', format: 'PDF' }], extras: [{ key: 'hvd_category', value: 'c_4ac557e7' }],
      });
      await make('radwege-entwurf', { owner_org: mainz.id, title: 'Radwege Entwurf', state: 'draft', tags: [{ name: 'Verkehr' }] });
      await t.searchIndexed();
    });
    afterAll(() => t.stop());

    const search = async (params: Record<string, unknown>, as?: TestUser) => {
      const r = request(t.http).post('/api/3/action/package_search').send(params);
      if (as) r.set('Authorization', as.token);
      return r;
    };
    const names = async (params: Record<string, unknown>, as?: TestUser): Promise<string[]> => {
      const res = await search(params, as);
      expect(res.status).toBe(200);
      return res.body.result.results.map((d: { name: string }) => d.name);
    };

    describe('results and paging', () => {
      it('answers in CKAN’s shape with full dataset dicts, newest change first by default', async () => {
        const res = await search({});
        expect(res.body.result).toMatchObject({ count: 7, sort: 'score desc, metadata_modified desc', facets: {}, search_facets: {} });
        expect(res.body.result.results).toHaveLength(7);
        expect(res.body.result.results[0]).toMatchObject({ name: 'brunnen', organization: { name: 'kreis-meissen' } });
        expect(res.body.result.results[6].name).toBe('pegelstaende-rhein');
      });

      it('pages with rows and start, and caps rows at 1000 silently', async () => {
        const all = await names({ sort: 'name asc', rows: 100 });
        expect(all).toEqual([...all].sort());
        expect(await names({ sort: 'name asc', rows: 2, start: 2 })).toEqual(all.slice(2, 4));
        expect(await names({ sort: 'name asc', start: 100 })).toEqual([]);
        const big = await search({ rows: 5000 });
        expect(big.status).toBe(200);
        const get = await request(t.http).get('/api/3/action/package_search?rows=2&start=1&sort=name%20asc');
        expect(get.body.result.results.map((d: { name: string }) => d.name)).toEqual(all.slice(1, 3));
      });

      it.each([
        ['name asc', ['baumkataster', 'brunnen', 'pegelstaende-rhein']],
        // Code-point order, as Solr sorts strings: "Ü" comes after "W".
        ['title_string desc', ['ueberschwemmungsgebiete-elbe', 'wasserqualitaet', 'verkehrsdaten-mainz']],
        ['metadata_created desc', ['brunnen', 'seen', 'wasserqualitaet']],
        ['metadata_modified desc', ['brunnen', 'seen', 'wasserqualitaet']],
      ])('sorts by %s', async (sort, first) => {
        expect((await names({ sort, rows: 3 })).slice(0, 3)).toEqual(first);
      });

      it('sorts by id', async () => {
        const byId = await search({ sort: 'id asc', rows: 100 });
        const got = byId.body.result.results.map((d: { id: string }) => d.id);
        expect(got).toEqual([...got].sort());
      });

      it('returns only the fields fl names', async () => {
        const res = await search({ fq: 'name:seen', fl: 'id,name' });
        expect(res.body.result.results).toEqual([{ id: ids.seen, name: 'seen' }]);
      });
    });

    describe('free text in German', () => {
      it.each([
        ['Pegelstand', 'pegelstaende-rhein'],
        ['Pegelstaende', 'pegelstaende-rhein'],
        ['Strasse', 'verkehrsdaten-mainz'],
        ['Ueberschwemmung', 'ueberschwemmungsgebiete-elbe'],
        ['überschwemmungsgebiet', 'ueberschwemmungsgebiete-elbe'],
        ['Baum', 'baumkataster'],
        ['Verkersdaten', 'verkehrsdaten-mainz'],
        ['Verkehrsd', 'verkehrsdaten-mainz'],
      ])('"%s" finds %s', async (q, expected) => {
        expect(await names({ q })).toContain(expected);
      });

      it('weighs titles above tags above descriptions', async () => {
        expect(await names({ q: 'Wasser' })).toEqual(['wasserqualitaet', 'seen', 'brunnen']);
      });

      it('requires all of two words, and lets one of three be missing', async () => {
        expect(await names({ q: 'Verkehrsdaten Mainz' })).toEqual(['verkehrsdaten-mainz']);
        expect(await names({ q: 'Verkehrsdaten Elbe' })).toEqual([]);
        expect(await names({ q: 'Verkehrsdaten Mainz Elbe' })).toEqual(['verkehrsdaten-mainz']);
      });

      it('honours +required and -excluded words and quoted phrases', async () => {
        expect(await names({ q: 'Verzeichnis -Brunnen' })).toEqual(['seen']);
        expect(await names({ q: '"am Rhein"' })).toEqual(['pegelstaende-rhein']);
      });

      it('ignores German stop words', async () => {
        expect(await names({ q: 'Bäume in der' })).toEqual(['baumkataster']);
      });
    });

    describe('filters in Solr syntax', () => {
      it.each([
        [{ fq: 'organization:stadt-mainz' }, ['pegelstaende-rhein', 'verkehrsdaten-mainz']],
        [{ fq: 'tags:Pegel' }, ['pegelstaende-rhein']],
        [{ fq: 'groups:umwelt' }, ['baumkataster', 'pegelstaende-rhein']],
        [{ fq: 'res_format:CSV' }, ['baumkataster', 'pegelstaende-rhein']],
        [{ fq: 'license_id:"http://dcat-ap.de/def/licenses/cc-by/4.0"' }, ['verkehrsdaten-mainz']],
        [{ fq: '+organization:kreis-meissen -tags:Hochwasser -tags:Wasser' }, ['baumkataster', 'brunnen', 'wasserqualitaet']],
        [{ fq: 'tags:Verkehr OR tags:Hochwasser' }, ['ueberschwemmungsgebiete-elbe', 'verkehrsdaten-mainz']],
        [{ fq: 'tags:(Verkehr OR Hochwasser)' }, ['ueberschwemmungsgebiete-elbe', 'verkehrsdaten-mainz']],
        [{ fq_list: ['organization:kreis-meissen', 'groups:umwelt'] }, ['baumkataster']],
        [{ q: 'name:ueber*' }, ['ueberschwemmungsgebiete-elbe']],
        [{ q: 'title:Brunnen' }, ['brunnen']],
        [{ q: 'notes:Zählstellen' }, ['verkehrsdaten-mainz']],
        [{ fq: 'spatial_ref:"EPSG:25832"' }, ['pegelstaende-rhein']],
        [{ fq: 'extras_herkunft:messnetz' }, ['pegelstaende-rhein']],
        [{ fq: 'num_resources:[2 TO *]' }, ['pegelstaende-rhein']],
        [{ fq: 'res_name:Tageswerte' }, ['pegelstaende-rhein']],
        [{ fq: 'capacity:public AND dataset_type:dataset AND organization:stadt-mainz' }, ['pegelstaende-rhein', 'verkehrsdaten-mainz']],
        [{ fq: 'vocab_thema:Hydrologie' }, ['pegelstaende-rhein', 'ueberschwemmungsgebiete-elbe']],
        [{ fq: 'vocab_thema:Hydrologie -vocab_thema:Klima' }, ['pegelstaende-rhein']],
        [{ q: 'vocab_thema:Mobilitaet' }, ['verkehrsdaten-mainz']],
        [{ q: 'Messwerte', fq: 'vocab_thema:Hydrologie' }, ['pegelstaende-rhein']],
        [{ q: 'Gebiete', fq: '-vocab_thema:Klima' }, []],
        [{ fq: 'vocab_thema:*' }, ['pegelstaende-rhein', 'ueberschwemmungsgebiete-elbe', 'verkehrsdaten-mainz']],
        [{ fq: 'tags:Hydrologie' }, []],
        [{ q: 'Hydrologie' }, ['pegelstaende-rhein', 'ueberschwemmungsgebiete-elbe']],
      ])('filters %j', async (params, expected) => {
        expect((await names({ ...params, rows: 100 })).sort()).toEqual(expected);
      });

      it('filters by owner_org id and by modification time', async () => {
        const org = await t.call<{ id: string }>('organization_show', { id: 'stadt-mainz' });
        expect((await names({ fq: `owner_org:${org.id}` })).sort()).toEqual(['pegelstaende-rhein', 'verkehrsdaten-mainz']);
        expect(await names({ fq: 'metadata_modified:[NOW-1DAY TO NOW+1DAY]', rows: 100 })).toHaveLength(7);
        expect(await names({ fq: 'metadata_modified:[* TO 2000-01-01T00:00:00Z]' })).toEqual([]);
      });
    });

    describe('facets', () => {
      it('counts facet values over the matches, with CKAN’s two shapes', async () => {
        const res = await search({ fq: 'organization:kreis-meissen', 'facet.field': ['tags', 'organization', 'res_format', 'groups', 'license_id'] });
        const { facets, search_facets } = res.body.result;
        expect(facets.organization).toEqual({ 'kreis-meissen': 5 });
        expect(facets.tags).toEqual({ Baden: 1, Bäume: 1, Hochwasser: 1, Umwelt: 1, Wasser: 1 });
        expect(facets.res_format).toEqual({ CSV: 1, GeoJSON: 1 });
        expect(facets.groups).toEqual({ umwelt: 1 });
        expect(facets.license_id).toEqual({ 'http://dcat-ap.de/def/licenses/dl-zero-de/2.0': 1 });
        expect(search_facets.organization).toEqual({ title: 'organization', items: [{ name: 'kreis-meissen', display_name: 'Landkreis Meißen', count: 5 }] });
        expect(search_facets.license_id.items[0].display_name).toBe('Datenlizenz Deutschland – Zero – Version 2.0');
        expect(search_facets.tags.items.map((i: { name: string }) => i.name)).toEqual(['Wasser', 'Umwelt', 'Hochwasser', 'Bäume', 'Baden']);
      });

      it('orders by count and applies facet.limit and facet.mincount', async () => {
        const res = await search({ 'facet.field': '["organization","res_format"]', 'facet.limit': 1 });
        expect(Object.entries(res.body.result.facets.organization)).toEqual([['kreis-meissen', 5]]);
        const min = await search({ 'facet.field': ['res_format'], 'facet.mincount': 2 });
        expect(res.body.result.facets.res_format).toEqual({ CSV: 2 });
        expect(min.body.result.facets.res_format).toEqual({ CSV: 2 });
        const off = await search({ 'facet.field': ['tags'], facet: 'false' });
        expect(off.body.result.facets).toEqual({});
      });

      it('counts vocabulary tags under vocab_<vocabulary name>, not under tags', async () => {
        for (const q of ['Hydrologie', '*:*']) {
          const res = await search({ q, fq: 'vocab_thema:Hydrologie', 'facet.field': ['vocab_thema', 'tags'] });
          expect(res.body.result.facets).toEqual({ vocab_thema: { Hydrologie: 2, Klima: 1 }, tags: { Hochwasser: 1, Messung: 1, Pegel: 1 } });
          expect(res.body.result.search_facets.vocab_thema).toEqual({
            title: 'vocab_thema', items: [{ name: 'Klima', display_name: 'Klima', count: 1 }, { name: 'Hydrologie', display_name: 'Hydrologie', count: 2 }],
          });
        }
      });

      it('counts HVD categories per category IRI, whatever spelling a steward stored, with the category\'s name', async () => {
        const res = await search({ 'facet.field': ['hvd_category'] });
        const earth = 'http://data.europa.eu/bna/c_dd313021';
        expect(res.body.result.facets.hvd_category).toEqual({ [earth]: 2, 'http://data.europa.eu/bna/c_43f88346': 1, 'http://data.europa.eu/bna/c_b79e35eb': 1 });
        const items = res.body.result.search_facets.hvd_category.items as { name: string; display_name: string; count: number }[];
        expect(items.find((i) => i.name === earth)).toEqual({ name: earth, display_name: 'Erdbeobachtung und Umwelt', count: 2 });
        const limited = await search({ 'facet.field': ['hvd_category'], 'facet.limit': 1, fq: 'organization:stadt-mainz' });
        expect(limited.body.result.facets.hvd_category).toEqual({ 'http://data.europa.eu/bna/c_43f88346': 1 });
        // A filter matches the stored text, whichever way a dataset names the category.
        expect((await names({ fq: 'hvd_category:*c_dd313021*' })).sort()).toEqual(['pegelstaende-rhein', 'ueberschwemmungsgebiete-elbe']);
      });

      it('counts facets of free-text matches', async () => {
        const res = await search({ q: 'Verzeichnis', 'facet.field': ['organization'] });
        expect(res.body.result.facets.organization).toEqual({ 'kreis-meissen': 2 });
      });
    });

    describe('visibility', () => {
      it('keeps private datasets out of results, counts and facets for everyone who may not read them', async () => {
        for (const as of [undefined, outsider]) {
          for (const params of [
            { q: 'Haushaltsplan' }, { fq: 'tags:Finanzen', include_private: true }, { 'facet.field': ['tags', 'res_format', 'vocab_thema'], include_private: true, rows: 100 },
            { q: 'Geheimsache', include_private: true }, { fq: 'vocab_thema:Geheimsache', include_private: true }, { q: 'Haushaltsplan', 'facet.field': ['vocab_thema'], include_private: true },
            { 'facet.field': ['hvd_category'], include_private: true },
          ]) {
            const res = await search(params, as);
            const text = JSON.stringify(res.body);
            expect(text).not.toContain('haushalt-intern');
            expect(text).not.toContain('Finanzen');
            expect(text).not.toContain('PDF');
            expect(text).not.toContain('Geheimsache');
            expect(text).not.toContain('c_4ac557e7');
          }
          const pegel = await search({ 'facet.field': ['tags'], include_private: true }, as);
          expect(pegel.body.result.facets.tags.Pegel).toBe(1);
        }
      });

      it('shows private datasets to members only with include_private, and drafts with include_drafts', async () => {
        expect(await names({ q: 'Haushaltsplan' }, member)).toEqual([]);
        expect(await names({ q: 'Haushaltsplan', include_private: true }, member)).toEqual(['haushalt-intern']);
        const counted = await search({ include_private: true, 'facet.field': ['tags'] }, member);
        expect(counted.body.result.count).toBe(8);
        expect(counted.body.result.facets.tags.Pegel).toBe(2);
        const vocab = await search({ include_private: true, 'facet.field': ['vocab_thema'] }, member);
        expect(vocab.body.result.facets.vocab_thema).toEqual({ Geheimsache: 1, Hydrologie: 2, Klima: 1, Mobilitaet: 1 });
        expect(await names({ q: 'Radwege' }, member)).toEqual([]);
        expect(await names({ q: 'Radwege', include_drafts: true }, member)).toEqual(['radwege-entwurf']);
        expect(await names({ q: 'Radwege', include_drafts: true }, outsider)).toEqual([]);
        expect(await names({ q: 'Haushaltsplan', include_private: true }, t.sysadmin)).toEqual(['haushalt-intern']);
        expect(await names({ q: 'Haushaltsplan' }, t.sysadmin)).toEqual([]);
      });
    });

    describe('bad requests', () => {
      it.each([
        [{ foo: 'bar' }, "Invalid search parameters: ['foo']"],
        [{ q: 'title:(pegel' }, 'a closing ")" is missing'],
        [{ fq: 'metadata_modified:[2020 TO' }, 'Cannot parse'],
        [{ sort: 'name' }, 'Invalid "sort" parameter'],
        [{ fq: 'metadata_modified:[yesterday TO *]' }, 'Invalid date'],
      ])('answers %j with 400 Search Query Error', async (params, message) => {
        const res = await search(params);
        expect(res.status).toBe(400);
        expect(res.body.success).toBe(false);
        expect(res.body.error.__type).toBe('Search Query Error');
        expect(res.body.error.message).toContain(message);
      });

      it('answers an unknown sort field with 409 Search Error and negative rows with 409', async () => {
        const res = await search({ sort: 'notes asc' });
        expect(res.status).toBe(409);
        expect(res.body.error.__type).toBe('Search Error');
        const rows = await search({ rows: -1 });
        expect(rows.status).toBe(409);
        expect(rows.body.error.rows).toEqual(['Must be a natural number']);
      });
    });
  });
}
