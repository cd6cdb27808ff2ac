import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('tag vocabularies and vocabulary tags', () => {
  let t: TestApp;
  let editor: TestUser;
  let member: TestUser;
  let admin: TestUser;
  let org: Dict;

  const post = (action: string, body: object, as?: TestUser): request.Test => {
    const req = request(t.http).post(`/api/3/action/${action}`).send(body);
    return as ? req.set('Authorization', as.token) : req;
  };
  const get = (action: string, query: Record<string, string> = {}, as?: TestUser): request.Test => {
    const req = request(t.http).get(`/api/3/action/${action}`).query(query);
    return as ? req.set('Authorization', as.token) : req;
  };

  beforeAll(async () => {
    t = await TestApp.start();
    editor = await t.factories.user();
    member = await t.factories.user();
    admin = await t.factories.user();
    org = await t.factories.organization({ members: [[editor, 'editor'], [member, 'member'], [admin, 'admin']] });
  });
  afterAll(() => t.stop());

  describe('vocabulary_create, vocabulary_show, vocabulary_list', () => {
    it('creates a vocabulary with its tags and shows it by id or name to anyone', async () => {
      const res = await post('vocabulary_create', { name: 'genre', tags: [{ name: 'Krimi' }, { name: 'Drama' }] }, t.sysadmin);
      expect(res.status).toBe(200);
      const v = res.body.result;
      expect(v).toEqual({
        id: expect.any(String),
        name: 'genre',
        tags: [
          { display_name: 'Drama', id: expect.any(String), name: 'Drama', vocabulary_id: v.id },
          { display_name: 'Krimi', id: expect.any(String), name: 'Krimi', vocabulary_id: v.id },
        ],
      });
      expect((await get('vocabulary_show', { id: 'genre' })).body.result).toEqual(v);
      expect((await get('vocabulary_show', { id: v.id })).body.result).toEqual(v);
      const list = await get('vocabulary_list');
      expect(list.body.result).toContainEqual(v);
    });

    it('refuses anonymous callers and organization admins, editors and members: only sysadmins manage vocabularies', async () => {
      const anon = await post('vocabulary_create', { name: 'nur-admins' });
      expect(anon.status).toBe(403);
      expect(anon.body).toMatchObject({ success: false, error: { __type: 'Authorization Error' } });
      for (const user of [admin, editor, member]) {
        const res = await post('vocabulary_create', { name: 'nur-admins' }, user);
        expect(res.status).toBe(403);
        expect(res.body.error.__type).toBe('Authorization Error');
      }
      expect((await get('vocabulary_show', { id: 'nur-admins' })).status).toBe(404);
    });

    it('answers 409 with field messages for a taken, short or missing name, bad tags and a chosen id', async () => {
      await post('vocabulary_create', { name: 'taken' }, t.sysadmin).expect(200);
      const taken = await post('vocabulary_create', { name: 'taken' }, t.sysadmin);
      expect(taken.status).toBe(409);
      expect(taken.body).toMatchObject({ success: false, error: { __type: 'Validation Error', name: ['That vocabulary name is already in use.'] } });
      expect((await post('vocabulary_create', { name: 'x' }, t.sysadmin)).body.error.name).toEqual(['Name must be at least 2 characters long']);
      expect((await post('vocabulary_create', {}, t.sysadmin)).body.error.name).toEqual(['Missing value']);
      const badTag = await post('vocabulary_create', { name: 'bad-tags', tags: [{ name: 'a' }] }, t.sysadmin);
      expect(badTag.status).toBe(409);
      expect(badTag.body.error.tags).toEqual(['Tag "a" length is less than minimum 2']);
      const withId = await post('vocabulary_create', { id: '0b3c4d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d', name: 'own-id' }, t.sysadmin);
      expect(withId.status).toBe(409);
      expect(withId.body.error.id).toEqual(['The input field id was not expected.']);
    });

    it('vocabulary_show answers 404 for an unknown vocabulary and 409 without id', async () => {
      const res = await get('vocabulary_show', { id: 'gibt-es-nicht' });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ success: false, error: { __type: 'Not Found Error', message: 'Not found: Could not find vocabulary "gibt-es-nicht"' } });
      const noId = await get('vocabulary_show');
      expect(noId.status).toBe(409);
      expect(noId.body.error.id).toEqual(['id not in data']);
    });
  });

  describe('vocabulary_update and vocabulary_delete', () => {
    it('renames and replaces the tags; a kept tag stays on its datasets, a removed one leaves them', async () => {
      const v = (await post('vocabulary_create', { name: 'farbe', tags: [{ name: 'rot' }, { name: 'blau' }] }, t.sysadmin)).body.result;
      const ds = await t.factories.dataset({ owner_org: org.id, tags: [{ name: 'rot', vocabulary_id: v.id }, { name: 'blau', vocabulary_id: v.id }] });
      const res = await post('vocabulary_update', { id: 'farbe', name: 'farben', tags: [{ name: 'rot' }, { name: 'gruen' }] }, t.sysadmin);
      expect(res.status).toBe(200);
      expect(res.body.result).toMatchObject({ id: v.id, name: 'farben' });
      expect(res.body.result.tags.map((x: Dict) => x.name)).toEqual(['gruen', 'rot']);
      expect(res.body.result.tags.find((x: Dict) => x.name === 'rot').id).toBe(v.tags.find((x: Dict) => x.name === 'rot').id);
      const shown = (await get('package_show', { id: ds.name })).body.result;
      expect(shown.tags).toEqual([{ display_name: 'rot', id: expect.any(String), name: 'rot', state: 'active', vocabulary_id: v.id }]);
    });

    it('update and delete are for sysadmins; unknown ids are 404, a missing id 409', async () => {
      await post('vocabulary_create', { name: 'geschuetzt' }, t.sysadmin).expect(200);
      for (const action of ['vocabulary_update', 'vocabulary_delete']) {
        expect((await post(action, { id: 'geschuetzt', name: 'anders' })).status).toBe(403);
        expect((await post(action, { id: 'geschuetzt', name: 'anders' }, editor)).status).toBe(403);
        expect((await post(action, { id: 'geschuetzt', name: 'anders' }, admin)).status).toBe(403);
        expect((await post(action, { id: 'gibt-es-nicht' }, t.sysadmin)).status).toBe(404);
        const noId = await post(action, {}, t.sysadmin);
        expect(noId.status).toBe(409);
        expect(noId.body.error).toMatchObject({ __type: 'Validation Error', id: ['id not in data'] });
      }
      await post('vocabulary_create', { name: 'vergeben' }, t.sysadmin).expect(200);
      const clash = await post('vocabulary_update', { id: 'geschuetzt', name: 'vergeben' }, t.sysadmin);
      expect(clash.status).toBe(409);
      expect(clash.body.error.name).toEqual(['That vocabulary name is already in use.']);
    });

    it('delete removes the vocabulary, its tags and their place in datasets', async () => {
      const v = (await post('vocabulary_create', { name: 'weg', tags: [{ name: 'bald-weg' }] }, t.sysadmin)).body.result;
      const ds = await t.factories.dataset({ owner_org: org.id, tags: [{ name: 'bald-weg', vocabulary_id: v.id }, { name: 'frei-bleibt' }] });
      const res = await post('vocabulary_delete', { id: v.id }, t.sysadmin);
      expect(res.body).toMatchObject({ success: true, result: null });
      expect((await get('vocabulary_show', { id: v.id })).status).toBe(404);
      expect((await get('tag_show', { id: v.tags[0].id })).status).toBe(404);
      expect((await get('package_show', { id: ds.name })).body.result.tags.map((x: Dict) => x.name)).toEqual(['frei-bleibt']);
    });
  });

  describe('vocabulary tags in datasets', () => {
    let v: Dict;
    beforeAll(async () => {
      v = (await post('vocabulary_create', { name: 'thema', tags: [{ name: 'Wasser' }, { name: 'Luft' }] }, t.sysadmin)).body.result;
    });

    it('package_create keeps a vocabulary tag with its vocabulary_id, beside a free tag of the same name', async () => {
      const res = await post('package_create', {
        name: 'mit-vokabular', owner_org: org.id, tags: [{ name: 'Wasser', vocabulary_id: v.id }, { name: 'Wasser' }],
      }, editor);
      expect(res.status).toBe(200);
      const tags = (await get('package_show', { id: 'mit-vokabular' })).body.result.tags;
      expect(tags).toHaveLength(2);
      expect(tags).toContainEqual({ display_name: 'Wasser', id: v.tags.find((x: Dict) => x.name === 'Wasser').id, name: 'Wasser', state: 'active', vocabulary_id: v.id });
      expect(tags).toContainEqual({ display_name: 'Wasser', id: expect.any(String), name: 'Wasser', state: 'active', vocabulary_id: null });
    });

    it('answers 409 for an unknown vocabulary or a tag not in the vocabulary, and stores nothing', async () => {
      const unknown = await post('package_create', {
        name: 'falsches-vokabular', owner_org: org.id, tags: [{ name: 'Wasser', vocabulary_id: '0b3c4d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d' }],
      }, editor);
      expect(unknown.status).toBe(409);
      expect(unknown.body).toMatchObject({ success: false, error: { __type: 'Validation Error', tags: ['Tag vocabulary was not found.'] } });
      const byName = await post('package_create', { name: 'falsches-vokabular', owner_org: org.id, tags: [{ name: 'Wasser', vocabulary_id: 'thema' }] }, editor);
      expect(byName.body.error.tags).toEqual(['Tag vocabulary was not found.']);
      const notIn = await post('package_create', { name: 'falsches-vokabular', owner_org: org.id, tags: [{ name: 'Feuer', vocabulary_id: v.id }] }, editor);
      expect(notIn.status).toBe(409);
      expect(notIn.body.error.tags).toEqual(['Tag Feuer does not belong to vocabulary thema']);
      expect((await get('package_show', { id: 'falsches-vokabular' }, editor)).status).toBe(404);
    });

    it('package_update and package_patch check vocabulary tags too and keep them through a patch', async () => {
      const ds = await t.factories.dataset({ owner_org: org.id, tags: [{ name: 'Luft', vocabulary_id: v.id }] });
      const bad = await post('package_patch', { id: ds.id, tags: [{ name: 'Erde', vocabulary_id: v.id }] }, editor);
      expect(bad.status).toBe(409);
      expect(bad.body.error.tags).toEqual(['Tag Erde does not belong to vocabulary thema']);
      await post('package_patch', { id: ds.id, notes: 'neu' }, editor).expect(200);
      const shown = (await get('package_show', { id: ds.id })).body.result;
      expect(shown.tags).toEqual([expect.objectContaining({ name: 'Luft', vocabulary_id: v.id })]);
    });

    it('tag_list and tag_show with vocabulary_id answer with the vocabulary tags; without, only free tags', async () => {
      expect((await get('tag_list', { vocabulary_id: 'thema' })).body.result).toEqual(['Luft', 'Wasser']);
      const full = await get('tag_list', { vocabulary_id: v.id, all_fields: 'true', query: 'uf' });
      expect(full.body.result).toEqual([{ display_name: 'Luft', id: expect.any(String), name: 'Luft', vocabulary_id: v.id }]);
      expect((await get('tag_list', { vocabulary_id: 'gibt-es-nicht' })).status).toBe(404);
      // With a query CKAN's tag_list searches as tag_search does: an unknown vocabulary finds nothing.
      expect((await get('tag_list', { vocabulary_id: 'gibt-es-nicht', query: 'Luft' })).body).toMatchObject({ success: true, result: [] });
      expect((await get('tag_list')).body.result).not.toContain('Luft');
      expect((await get('tag_autocomplete', { q: 'Luf' })).body.result).toEqual([]);
      const shown = await get('tag_show', { id: 'Luft', vocabulary_id: 'thema' });
      expect(shown.body.result).toEqual({ display_name: 'Luft', id: expect.any(String), name: 'Luft', vocabulary_id: v.id });
      expect((await get('tag_show', { id: 'Luft' })).status).toBe(404);
    });
  });

  describe('package_search over vocabulary tags (CKAN indexes them as vocab_<vocabulary name>, not in tags)', () => {
    let region: Dict;
    const search = async (params: Dict, as?: TestUser): Promise<Dict> => {
      const res = await post('package_search', { rows: 100, sort: 'name asc', ...params }, as);
      expect(res.status).toBe(200);
      return res.body.result;
    };
    const names = async (params: Dict, as?: TestUser): Promise<string[]> => (await search(params, as)).results.map((d: Dict) => d.name);

    beforeAll(async () => {
      region = (await post('vocabulary_create', { name: 'region', tags: [{ name: 'Nord' }, { name: 'Sued' }, { name: 'Geheimregion' }] }, t.sysadmin)).body.result;
      // A vocabulary whose name starts like another's and holds a colon: its tags belong to it alone.
      const other = (await post('vocabulary_create', { name: 'region:alt', tags: [{ name: 'Nord' }, { name: 'Ost' }] }, t.sysadmin)).body.result;
      const tag = (v: Dict, name: string): Dict => ({ name, vocabulary_id: v.id });
      await t.factories.dataset({ name: 'vs-kueste', owner_org: org.id, tags: [tag(region, 'Nord'), { name: 'Kueste' }] });
      await t.factories.dataset({ name: 'vs-beide', owner_org: org.id, tags: [tag(region, 'Nord'), tag(region, 'Sued'), { name: 'Nord' }] });
      await t.factories.dataset({ name: 'vs-alt', owner_org: org.id, tags: [tag(other, 'Ost'), tag(other, 'Nord')] });
      await t.factories.dataset({ name: 'vs-geheim', owner_org: org.id, private: true, tags: [tag(region, 'Geheimregion'), { name: 'Nord' }] });
      await t.searchIndexed();
    });

    it('filters by a vocabulary tag with fq and q, and keeps vocabularies apart', async () => {
      expect(await names({ fq: 'vocab_region:Nord' })).toEqual(['vs-beide', 'vs-kueste']);
      expect(await names({ q: 'vocab_region:Sued' })).toEqual(['vs-beide']);
      expect(await names({ fq: 'vocab_region\\:alt:Ost' })).toEqual(['vs-alt']);
      expect(await names({ fq: 'vocab_region:Nord -vocab_region:Sued' })).toEqual(['vs-kueste']);
      expect(await names({ fq: 'vocab_region:N*' })).toEqual(['vs-beide', 'vs-kueste']);
      expect(await names({ fq: 'vocab_region:*' })).toEqual(['vs-beide', 'vs-kueste']);
      expect(await names({ fq: 'vocab_region:[M TO T]' })).toEqual(['vs-beide', 'vs-kueste']);
      expect(await names({ fq: 'vocab_unbekannt:Nord' })).toEqual([]);
    });

    it('leaves vocabulary tags out of the tags filter and the tags facet, and counts them under vocab_<name>', async () => {
      expect(await names({ fq: 'tags:Nord' })).toEqual(['vs-beide']);
      const res = await search({ q: 'name:vs-*', 'facet.field': ['tags', 'vocab_region', 'vocab_region:alt'] });
      expect(res.facets).toEqual({ tags: { Kueste: 1, Nord: 1 }, vocab_region: { Nord: 2, Sued: 1 }, 'vocab_region:alt': { Nord: 1, Ost: 1 } });
      expect(res.search_facets.vocab_region).toEqual({
        title: 'vocab_region',
        items: [{ name: 'Sued', display_name: 'Sued', count: 1 }, { name: 'Nord', display_name: 'Nord', count: 2 }],
      });
    });

    it('finds datasets by a vocabulary tag in free text, as CKAN copies vocab_* into its text field', async () => {
      expect(await names({ q: 'Sued' })).toEqual(['vs-beide']);
    });

    it('never shows a private dataset\'s vocabulary tags in facets or filters to the public or outsiders; members see them', async () => {
      const outsider = await t.factories.user();
      for (const who of [undefined, outsider]) {
        const res = await search({ fq: 'vocab_region:*', 'facet.field': ['vocab_region'], include_private: true }, who);
        expect(res.facets.vocab_region).toEqual({ Nord: 2, Sued: 1 });
        expect(await names({ fq: 'vocab_region:Geheimregion', include_private: true }, who)).toEqual([]);
      }
      const asMember = await search({ fq: 'vocab_region:*', 'facet.field': ['vocab_region'], include_private: true }, member);
      expect(asMember.facets.vocab_region).toEqual({ Geheimregion: 1, Nord: 2, Sued: 1 });
      expect((await search({ fq: 'vocab_region:*', 'facet.field': ['vocab_region'] }, member)).facets.vocab_region).toEqual({ Nord: 2, Sued: 1 });
    });

    it('follows a vocabulary renamed or losing a tag, and a tag deleted', async () => {
      const v = (await post('vocabulary_create', { name: 'stufe', tags: [{ name: 'hoch' }, { name: 'tief' }] }, t.sysadmin)).body.result;
      await t.factories.dataset({ name: 'vs-stufe', owner_org: org.id, tags: [{ name: 'hoch', vocabulary_id: v.id }, { name: 'tief', vocabulary_id: v.id }] });
      await post('vocabulary_update', { id: v.id, name: 'ebene' }, t.sysadmin).expect(200);
      await t.searchIndexed();
      expect(await names({ fq: 'vocab_ebene:hoch' })).toEqual(['vs-stufe']);
      expect(await names({ fq: 'vocab_stufe:hoch' })).toEqual([]);
      await post('vocabulary_update', { id: v.id, tags: [{ name: 'tief' }] }, t.sysadmin).expect(200);
      await t.searchIndexed();
      expect(await names({ fq: 'vocab_ebene:hoch' })).toEqual([]);
      expect(await names({ fq: 'vocab_ebene:tief' })).toEqual(['vs-stufe']);
      await post('tag_delete', { id: 'tief', vocabulary_id: 'ebene' }, t.sysadmin).expect(200);
      await t.searchIndexed();
      expect(await names({ fq: 'vocab_ebene:*' })).toEqual([]);
    });
  });

  describe('tag_autocomplete with a vocabulary (CKAN: tag_search\'s tags, names only)', () => {
    beforeAll(async () => {
      await post('vocabulary_create', { name: 'farbton', tags: ['Rot', 'Rosa', 'Karo', 'Braun'].map((name) => ({ name })) }, t.sysadmin).expect(200);
    });

    it('answers the vocabulary\'s tags containing the term, those starting with it first, with or without datasets', async () => {
      expect((await get('tag_autocomplete', { q: 'ro', vocabulary_id: 'farbton' })).body).toEqual(expect.objectContaining({ success: true, result: ['Rosa', 'Rot', 'Karo'] }));
      const byId = (await get('vocabulary_show', { id: 'farbton' })).body.result.id;
      expect((await get('tag_autocomplete', { query: 'RO', vocabulary_id: byId })).body.result).toEqual(['Rosa', 'Rot', 'Karo']);
      expect((await post('tag_autocomplete', { query: ['ro', 't'], vocabulary_id: 'farbton' })).body.result).toEqual(['Rot']);
      expect((await get('tag_autocomplete', { q: 'ro', vocabulary_id: 'farbton', limit: '2', offset: '1' })).body.result).toEqual(['Rot', 'Karo']);
      expect((await post('tag_autocomplete', { fields: { tags: 'aun' }, vocabulary_id: 'farbton' })).body.result).toEqual(['Braun']);
    });

    it('answers [] for an unknown vocabulary or no term, and leaves a vocabulary\'s tags out of free-tag completion', async () => {
      expect((await get('tag_autocomplete', { q: 'ro', vocabulary_id: 'gibt-es-nicht' })).body).toEqual(expect.objectContaining({ success: true, result: [] }));
      expect((await get('tag_autocomplete', { vocabulary_id: 'farbton' })).body.result).toEqual([]);
      await t.factories.dataset({ owner_org: org.id, tags: [{ name: 'Rosa', vocabulary_id: (await get('vocabulary_show', { id: 'farbton' })).body.result.id }] });
      expect((await get('tag_autocomplete', { q: 'Rosa' })).body.result).toEqual([]);
    });
  });

  describe('tag_create and tag_delete', () => {
    let v: Dict;
    beforeAll(async () => {
      v = (await post('vocabulary_create', { name: 'ort' }, t.sysadmin)).body.result;
    });

    it('tag_create adds a tag to a vocabulary, for sysadmins only', async () => {
      const res = await post('tag_create', { name: 'Berlin', vocabulary_id: v.id }, t.sysadmin);
      expect(res.status).toBe(200);
      expect(res.body.result).toEqual({ display_name: 'Berlin', id: expect.any(String), name: 'Berlin', vocabulary_id: v.id, packages: [] });
      expect((await get('vocabulary_show', { id: 'ort' })).body.result.tags.map((x: Dict) => x.name)).toEqual(['Berlin']);
      expect((await post('tag_create', { name: 'Hamburg', vocabulary_id: v.id })).status).toBe(403);
      for (const user of [admin, editor, member]) {
        const denied = await post('tag_create', { name: 'Hamburg', vocabulary_id: v.id }, user);
        expect(denied.status).toBe(403);
        expect(denied.body.error.__type).toBe('Authorization Error');
      }
    });

    it('tag_create answers 409 for a missing or unknown vocabulary, a bad name and a tag already in it', async () => {
      const missing = await post('tag_create', { name: 'Bonn' }, t.sysadmin);
      expect(missing.status).toBe(409);
      expect(missing.body.error.vocabulary_id).toEqual(['Missing value']);
      const unknown = await post('tag_create', { name: 'Bonn', vocabulary_id: '0b3c4d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d' }, t.sysadmin);
      expect(unknown.body.error).toMatchObject({ __type: 'Validation Error', vocabulary_id: ['Tag vocabulary was not found.'] });
      expect((await post('tag_create', { name: 'B', vocabulary_id: v.id }, t.sysadmin)).body.error.name).toEqual(['Tag "B" length is less than minimum 2']);
      await post('tag_create', { name: 'Köln', vocabulary_id: v.id }, t.sysadmin).expect(200);
      const twice = await post('tag_create', { name: 'Köln', vocabulary_id: v.id }, t.sysadmin);
      expect(twice.status).toBe(409);
      expect(twice.body.error.name).toEqual(['Tag Köln already belongs to vocabulary ort']);
    });

    it('tag_delete removes a free tag from its datasets; sysadmins only; unknown tags 404', async () => {
      const ds = await t.factories.dataset({ owner_org: org.id, tags: [{ name: 'loeschbar' }, { name: 'bleibt' }] });
      expect((await post('tag_delete', { id: 'loeschbar' })).status).toBe(403);
      expect((await post('tag_delete', { id: 'loeschbar' }, editor)).status).toBe(403);
      expect((await post('tag_delete', { id: 'loeschbar' }, admin)).status).toBe(403);
      const res = await post('tag_delete', { id: 'loeschbar' }, t.sysadmin);
      expect(res.body).toMatchObject({ success: true, result: null });
      expect((await get('package_show', { id: ds.id })).body.result.tags.map((x: Dict) => x.name)).toEqual(['bleibt']);
      expect((await get('tag_show', { id: 'loeschbar' })).status).toBe(404);
      const unknown = await post('tag_delete', { id: 'loeschbar' }, t.sysadmin);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.message).toBe('Not found: Could not find tag "loeschbar"');
      expect((await post('tag_delete', {}, t.sysadmin)).body.error.id).toEqual(['id not in data']);
    });

    it('tag_delete with vocabulary_id removes the vocabulary tag, not the free tag of the same name', async () => {
      await post('tag_create', { name: 'Mainz', vocabulary_id: v.id }, t.sysadmin).expect(200);
      await t.factories.dataset({ owner_org: org.id, tags: [{ name: 'Mainz' }] });
      await post('tag_delete', { id: 'Mainz', vocabulary_id: 'ort' }, t.sysadmin).expect(200);
      expect((await get('vocabulary_show', { id: 'ort' })).body.result.tags.map((x: Dict) => x.name)).not.toContain('Mainz');
      expect((await get('tag_show', { id: 'Mainz' })).body.result.vocabulary_id).toBeNull();
    });
  });

  describe('tag_search', () => {
    beforeAll(async () => {
      await t.factories.dataset({ owner_org: org.id, tags: [{ name: 'Suche-offen' }, { name: 'Suche-zwei' }] });
      await t.factories.dataset({ owner_org: org.id, private: true, tags: [{ name: 'Suche-geheim' }] });
      await post('vocabulary_create', { name: 'suchvokabular', tags: [{ name: 'Suche-vokabular' }] }, t.sysadmin).expect(200);
    });

    it('finds free tags containing every term, with count, limit and offset', async () => {
      const res = await get('tag_search', { query: 'suche' });
      expect(res.body.result).toEqual({
        count: 2,
        results: [
          { display_name: 'Suche-offen', id: expect.any(String), name: 'Suche-offen', vocabulary_id: null },
          { display_name: 'Suche-zwei', id: expect.any(String), name: 'Suche-zwei', vocabulary_id: null },
        ],
      });
      const paged = await get('tag_search', { query: 'suche', limit: '1', offset: '1' });
      expect(paged.body.result).toMatchObject({ count: 2, results: [{ name: 'Suche-zwei' }] });
      const twoTerms = await post('tag_search', { query: ['suche', 'ZWEI'] });
      expect(twoTerms.body.result.results.map((x: Dict) => x.name)).toEqual(['Suche-zwei']);
      const byFields = await post('tag_search', { fields: { tags: 'offen' } });
      expect(byFields.body.result.results.map((x: Dict) => x.name)).toEqual(['Suche-offen']);
      expect((await get('tag_search')).body.result).toEqual({ count: 0, results: [] });
    });

    it('never shows tags of private datasets to anonymous callers or outsiders; members see them', async () => {
      const outsider = await t.factories.user();
      for (const who of [undefined, outsider]) {
        const res = await get('tag_search', { query: 'geheim' }, who);
        expect(res.body.result).toEqual({ count: 0, results: [] });
      }
      const asMember = await get('tag_search', { query: 'geheim' }, member);
      expect(asMember.body.result.results.map((x: Dict) => x.name)).toEqual(['Suche-geheim']);
    });

    it('searches one vocabulary with vocabulary_id; an unknown vocabulary finds nothing; bad paging is a 409', async () => {
      const res = await get('tag_search', { query: 'suche', vocabulary_id: 'suchvokabular' });
      expect(res.body.result).toMatchObject({ count: 1, results: [{ name: 'Suche-vokabular', vocabulary_id: expect.any(String) }] });
      expect((await get('tag_search', { query: 'suche', vocabulary_id: 'keins' })).body.result).toEqual({ count: 0, results: [] });
      const bad = await get('tag_search', { query: 'suche', limit: '-1' });
      expect(bad.status).toBe(409);
      expect(bad.body.error).toMatchObject({ __type: 'Validation Error', limit: [expect.any(String)] });
    });
  });

  describe('as CKAN’s tests state', () => {
    const badTagLists: unknown[][] = [
      [{ id: 'xxx' }, { name: 'foo' }],
      [{ name: 'foo' }, { name: null }],
      [{ name: 'foo' }, { name: '' }],
      [{ name: 'foo' }, { name: 'f' }],
      [{ name: 'f'.repeat(200) }, { name: 'foo' }],
      [{ name: 'Invalid!' }, { name: 'foo' }],
    ];

    // ckan/tests/logic/action/test_create.py::TestVocabularyCreate
    it('vocabulary_create: empty tags, bad tags, invalid and missing names', async () => {
      const empty = await post('vocabulary_create', { name: 'ck-leer', tags: [] }, t.sysadmin);
      expect(empty.body.result).toMatchObject({ name: 'ck-leer', tags: [] });
      for (const [i, tags] of badTagLists.entries()) {
        const res = await post('vocabulary_create', { name: `ck-bad-${i}`, tags }, t.sysadmin);
        expect([tags, res.status, res.body.error?.__type]).toEqual([tags, 409, 'Validation Error']);
        expect((await get('vocabulary_show', { id: `ck-bad-${i}` })).status).toBe(404);
      }
      for (const name of [null, '', 'a', 'foobar'.repeat(100)]) {
        const res = await post('vocabulary_create', { name }, t.sysadmin);
        expect([name, res.status, res.body.error?.name]).toEqual([name, 409, [expect.any(String)]]);
      }
      const withId = await post('vocabulary_create', { name: 'ck-mit-id', id: 'xxx' }, t.sysadmin);
      expect(withId.status).toBe(409);
    });

    // test_create.py::TestVocabularyCreate::test_with_no_tags: CKAN's navl answers a DataError (400 Integrity Error) for
    // tags=None; here a null list counts as not given, as everywhere (README, "Where we differ from CKAN on purpose").
    it('vocabulary_create takes tags that are null as no tags', async () => {
      const res = await post('vocabulary_create', { name: 'ck-null-tags', tags: null }, t.sysadmin);
      expect(res.status).toBe(200);
      expect(res.body.result).toMatchObject({ name: 'ck-null-tags', tags: [] });
    });

    // test_update.py::TestVocabularyUpdate
    it('vocabulary_update: no change without name or tags, renames, replaces tags, refuses bad tags', async () => {
      const v = (await post('vocabulary_create', { name: 'ck-upd' }, t.sysadmin)).body.result;
      expect((await post('vocabulary_update', { id: v.id }, t.sysadmin)).body.result).toEqual(v);
      // CKAN answers "That vocabulary name is already in use." here; we accept the own name unchanged (see README).
      expect((await post('vocabulary_update', { id: v.id, name: v.name }, t.sysadmin)).body.result).toEqual(v);
      const renamed = await post('vocabulary_update', { id: v.id, name: 'ck-upd-2' }, t.sysadmin);
      expect(renamed.body.result.name).toBe('ck-upd-2');
      const two = await post('vocabulary_update', { id: v.id, tags: [{ name: 'eins' }, { name: 'zwei' }] }, t.sysadmin);
      expect(two.body.result.tags.map((x: Dict) => x.name).sort()).toEqual(['eins', 'zwei']);
      const three = await post('vocabulary_update', { id: v.id, tags: [{ name: 'eins' }, { name: 'zwei' }, { name: 'drei' }] }, t.sysadmin);
      expect(three.body.result.tags.map((x: Dict) => x.name).sort()).toEqual(['drei', 'eins', 'zwei']);
      for (const tags of badTagLists) {
        const res = await post('vocabulary_update', { id: v.id, tags }, t.sysadmin);
        expect([tags, res.status]).toEqual([tags, 409]);
      }
      expect((await get('vocabulary_show', { id: v.id })).body.result.tags).toHaveLength(3);
      expect((await post('vocabulary_update', { id: 'ck-gibt-es-nicht' }, t.sysadmin)).status).toBe(404);
    });

    // test_delete.py::TestVocabularyDelete::test_basic
    it('vocabulary_delete takes the vocabulary out of vocabulary_list', async () => {
      const v = (await post('vocabulary_create', { name: 'ck-weg' }, t.sysadmin)).body.result;
      await post('vocabulary_delete', { id: v.id }, t.sysadmin).expect(200);
      expect((await get('vocabulary_list')).body.result.map((x: Dict) => x.name)).not.toContain('ck-weg');
    });

    // test_create.py::TestTagCreate
    it('tag_create: an id is not allowed, the name is required and must be a valid tag name, the vocabulary must exist', async () => {
      const v = (await post('vocabulary_create', { name: 'ck-tags' }, t.sysadmin)).body.result;
      const withId = await post('tag_create', { name: 'foo', id: 'xxx', vocabulary_id: v.id }, t.sysadmin);
      expect(withId.status).toBe(409);
      expect(withId.body.error.id).toEqual(['The input field id was not expected.']);
      const noName = await post('tag_create', { vocabulary_id: v.id }, t.sysadmin);
      expect(noName.body.error).toMatchObject({ __type: 'Validation Error', name: ['Missing value'] });
      for (const name of ['Not a valid tag name!', '', null]) {
        const res = await post('tag_create', { name, vocabulary_id: v.id }, t.sysadmin);
        expect([name, res.status, res.body.error?.name]).toEqual([name, 409, [expect.any(String)]]);
      }
      const byName = await post('tag_create', { name: 'foo', vocabulary_id: 'ck-kein-vokabular' }, t.sysadmin);
      expect(byName.status).toBe(409);
      expect((await get('vocabulary_show', { id: v.id })).body.result.tags).toEqual([]);
    });

    // test_delete.py::TestDeleteTags
    it('tag_delete: by tag id, a unicode name in the 404 message, an unknown vocabulary 404, and tag_list empties', async () => {
      const unicode = await post('tag_delete', { id: 'Delta symbol: \u0394' }, t.sysadmin);
      expect(unicode.status).toBe(404);
      expect(unicode.body.error.message).toContain('Delta symbol: \u0394');
      const v = (await post('vocabulary_create', { name: 'ck-del', tags: [{ name: 'testtag' }] }, t.sysadmin)).body.result;
      const wrongVocab = await post('tag_delete', { id: v.tags[0].id, vocabulary_id: 'not-a-real-id' }, t.sysadmin);
      expect(wrongVocab.status).toBe(404);
      const ds = await t.factories.dataset({ owner_org: org.id, tags: [{ name: 'ck-tag-eins' }, { name: 'ck-tag-zwei' }] });
      for (const tag of ds.tags as Dict[]) await post('tag_delete', { id: tag.id }, t.sysadmin).expect(200);
      expect((await get('package_show', { id: ds.id })).body.result.tags).toEqual([]);
      expect((await get('tag_list')).body.result).not.toEqual(expect.arrayContaining(['ck-tag-eins']));
      expect((await get('tag_list')).body.result).not.toContain('ck-tag-zwei');
    });
  });
});
