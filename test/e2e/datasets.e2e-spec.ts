import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

const CKAN_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/;

describe('datasets through the action API', () => {
  let t: TestApp;
  let editor: TestUser;
  let org: { id: string; name: string };

  beforeAll(async () => {
    t = await TestApp.start();
    editor = await t.factories.user();
    org = await t.factories.organization({ name: 'stadt-musterstadt', title: 'Stadt Musterstadt', members: [[editor, 'editor']] });
  });
  afterAll(() => t.stop());

  const post = (action: string, body: unknown, token?: string) => {
    const r = request(t.http).post(`/api/3/action/${action}`).send(body as object);
    return token ? r.set('Authorization', token) : r;
  };

  describe('package_create', () => {
    it('returns the full dataset dict exactly as CKAN shapes it', async () => {
      const res = await post(
        'package_create',
        {
          name: 'pegelstaende-rhein',
          title: '  Pegelstände am Rhein  ',
          notes: 'Wasserstände **täglich**',
          owner_org: org.name,
          license_id: 'http://dcat-ap.de/def/licenses/dl-by-de/2.0',
          tags: [{ name: 'Wasser' }, { name: 'Pegel' }],
          tag_string: 'Hochwasser, Pegel',
          extras: [{ key: 'zeta', value: 'last' }, { key: 'alpha', value: 'first' }, { key: 'count', value: 5 }],
          resources: [
            { url: 'https://example.org/pegel.csv', name: 'Tageswerte' },
            { url: 'example.org/api', name: 'API', format: 'json', custom_key: { nested: true } },
          ],
        },
        editor.token,
      );
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      const d = res.body.result;
      expect(d).toMatchObject({
        name: 'pegelstaende-rhein',
        title: 'Pegelstände am Rhein',
        notes: 'Wasserstände **täglich**',
        owner_org: org.id,
        private: false,
        state: 'active',
        type: 'dataset',
        creator_user_id: editor.id,
        num_resources: 2,
        num_tags: 3,
        isopen: true,
        license_title: 'Datenlizenz Deutschland Namensnennung 2.0',
        license_url: 'https://www.govdata.de/dl-de/by-2-0',
        author: null,
        version: null,
        relationships_as_object: [],
        relationships_as_subject: [],
        groups: [],
        organization: { id: org.id, name: 'stadt-musterstadt', title: 'Stadt Musterstadt', type: 'organization', is_organization: true, approval_status: 'approved', state: 'active' },
      });
      expect(d.metadata_created).toMatch(CKAN_TS);
      expect(d.metadata_modified).toMatch(CKAN_TS);
      expect(d.organization.created).toMatch(CKAN_TS);
      expect(d.extras).toEqual([{ key: 'alpha', value: 'first' }, { key: 'count', value: '5' }, { key: 'zeta', value: 'last' }]);
      expect(d.tags.map((x: { name: string }) => x.name)).toEqual(['Hochwasser', 'Pegel', 'Wasser']);
      expect(d.tags[0]).toEqual({ display_name: 'Hochwasser', id: expect.any(String), name: 'Hochwasser', state: 'active', vocabulary_id: null });
      expect(d.resources[0]).toMatchObject({ position: 0, name: 'Tageswerte', format: 'CSV', url: 'https://example.org/pegel.csv', package_id: d.id, url_type: null, state: 'active' });
      expect(d.resources[1]).toMatchObject({ position: 1, format: 'JSON', url: 'http://example.org/api', custom_key: { nested: true } });
      expect(d.resources[0].created).toMatch(CKAN_TS);
    });

    it('names the CKAN field messages for bad names, emails and versions, all at once', async () => {
      const res = await post('package_create', { name: 'Bad Name!', owner_org: org.id, author_email: 'not-an-email', version: 'v'.repeat(101) }, editor.token);
      expect(res.status).toBe(409);
      expect(res.body.success).toBe(false);
      expect(res.body.error).toEqual({
        __type: 'Validation Error',
        name: ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_'],
        author_email: ['Email not-an-email is not a valid format'],
        version: ['Version must be a maximum of 100 characters long'],
      });
      expect(res.body.help).toBe('http://catalog.test/api/3/action/help_show?name=package_create');
    });

    it.each([
      [{ name: '' }, { name: ['Missing value'] }],
      [{ name: 'a' }, { name: ['Must be at least 2 characters long'] }],
      [{ name: 'x'.repeat(101) }, { name: ['Name must be a maximum of 100 characters long'] }],
      [{ name: 'new' }, { name: ['That name cannot be used'] }],
    ])('refuses the name of %j with CKAN’s message', async (fields, error) => {
      const res = await post('package_create', { owner_org: org.id, ...fields }, editor.token);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject(error);
    });

    it('answers a taken name with "That URL is already in use."', async () => {
      await t.factories.dataset({ name: 'taken-name', owner_org: org.id });
      const res = await post('package_create', { name: 'taken-name', owner_org: org.id }, editor.token);
      expect(res.status).toBe(409);
      expect(res.body.error.name).toEqual(['That URL is already in use.']);
    });

    it('requires an organization and names a missing one', async () => {
      const none = await post('package_create', { name: 'no-org' }, t.sysadmin.token);
      expect(none.body.error).toMatchObject({ __type: 'Validation Error', owner_org: ['An organization must be provided'] });
      const missing = await post('package_create', { name: 'no-org', owner_org: 'gibt-es-nicht' }, t.sysadmin.token);
      expect(missing.status).toBe(409);
      expect(missing.body.error.owner_org).toEqual(['Organization does not exist']);
    });

    it('answers a private dataset without organization with both of CKAN\'s field errors', async () => {
      const res = await post('package_create', { name: 'privat-ohne-org', private: true }, t.sysadmin.token);
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({
        __type: 'Validation Error', owner_org: ['An organization must be provided'], private: ["Datasets with no organization can't be private."],
      });
      // A named organization that does not exist is the only error, as in CKAN (the private check sees an owner_org).
      const unknown = await post('package_create', { name: 'privat-ohne-org', private: true, owner_org: 'gibt-es-nicht' }, t.sysadmin.token);
      expect(unknown.body.error).toEqual({ __type: 'Validation Error', owner_org: ['Organization does not exist'] });
    });

    it('gives field errors, never a 500, for values of the wrong type and over-long values', async () => {
      const res = await post(
        'package_create',
        { name: 'wrong-types', owner_org: org.id, title: { a: 1 }, tags: 'not-a-list', resources: [{ url: 'x' }, 'nope'], extras: [{ key: '' }], notes: 'n'.repeat(100_001) },
        editor.token,
      );
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({
        title: ['Must be a string'],
        tags: ['Not a list'],
        resources: [{}, { message: ['Must be a dict'] }],
        extras: [{ key: ['Missing value'], value: ['Missing value'] }],
        notes: ['Must be a maximum of 100000 characters long'],
      });
    });

    it('refuses NUL characters and impossible dates with field errors instead of failing in the database', async () => {
      const res = await post('package_create', { name: 'nul-dataset', owner_org: org.id, title: 'a\u0000b', resources: [{ url: 'http://x', created: '2025-02-30' }] }, editor.token);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ title: ['Must not contain the NUL character'], resources: [{ created: ['Date format incorrect'] }] });
    });

    it('refuses half a character (an unpaired surrogate from a JSON \\ud800 escape) with field errors, in core fields, extras and resources alike', async () => {
      const body = JSON.stringify({ name: 'halbes-zeichen', owner_org: org.id, title: 'ok', extras: [{ key: 'quelle', value: 'Amt' }, { key: 'k', value: 'a\ud800b' }], resources: [{ url: 'http://x', name: 'b\udc00' }] });
      const res = await request(t.http).post('/api/3/action/package_create').set('Authorization', editor.token).set('Content-Type', 'application/json').send(body); // JSON.stringify writes the lone halves as \\ud800 / \\udc00 escapes
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({
        __type: 'Validation Error',
        extras: [{}, { value: ['Must be valid Unicode (an unpaired surrogate is not a character)'] }],
        resources: [{ name: ['Must be valid Unicode (an unpaired surrogate is not a character)'] }],
      });
      expect((await post('package_show', { id: 'halbes-zeichen' }, editor.token)).status).toBe(404);
    });

    it('gives exactly one of many concurrent creators a name; the others get the field error', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, () => post('package_create', { name: 'race-for-a-name', owner_org: org.id }, editor.token)),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      for (const r of results.filter((x) => x.status !== 200)) {
        expect(r.status).toBe(409);
        expect(r.body.error.name).toEqual(['That URL is already in use.']);
      }
    });

    it('flattens tag errors into a list of messages, as CKAN does', async () => {
      const res = await post('package_create', { name: 'bad-tags', owner_org: org.id, tags: [{ name: 'ok' }, { name: 'x!' }] }, editor.token);
      expect(res.status).toBe(409);
      expect(res.body.error.tags).toEqual(['Tag "x!" can only contain alphanumeric characters, spaces (" "), hyphens ("-"), underscores ("_") or dots (".")']);
    });

    it('refuses duplicate extra keys and extras that shadow a core field', async () => {
      const dup = await post('package_create', { name: 'dup-extras', owner_org: org.id, extras: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }, editor.token);
      expect(dup.body.error).toMatchObject({ extras_validation: ['Duplicate key "a"'] });
      const shadow = await post('package_create', { name: 'shadow-extras', owner_org: org.id, extras: [{ key: 'title', value: 'x' }] }, editor.token);
      expect(shadow.body.error).toMatchObject({ extras: [{ key: ['There is a schema field with the same name'] }] });
    });

    it('leaves nothing behind when a write fails half-way', async () => {
      const before = await t.call<string[]>('package_list');
      const res = await post(
        'package_create',
        { name: 'half-way', owner_org: org.id, resources: [{ url: 'https://a.example/x.csv' }], groups: [{ name: 'no-such-group' }] },
        t.sysadmin.token,
      );
      expect(res.status).toBe(404);
      expect(await t.call<string[]>('package_list')).toEqual(before);
      const rows = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM resource WHERE url = 'https://a.example/x.csv'`);
      expect(rows[0].n).toBe(0);
    });

    it('lets a harvester keep the remote id and metadata times (sysadmin)', async () => {
      const id = '0d5f0a5e-4c2a-4e53-9b57-5a4c1f7e9b11';
      const res = await post(
        'package_create',
        { id, name: 'harvested', owner_org: org.id, metadata_created: '2020-01-02T03:04:05.123456', metadata_modified: '2021-02-03T04:05:06.654321', resources: [{ id: '4e0a7c8e-8b8b-4bb0-9e0e-0cbb5e6d3a21', url: 'http://r.example/a' }] },
        t.sysadmin.token,
      );
      expect(res.status).toBe(200);
      expect(res.body.result).toMatchObject({ id, metadata_created: '2020-01-02T03:04:05.123456', metadata_modified: '2021-02-03T04:05:06.654321' });
      expect(res.body.result.resources[0].id).toBe('4e0a7c8e-8b8b-4bb0-9e0e-0cbb5e6d3a21');
    });

    it('does not let an editor choose the id', async () => {
      const res = await post('package_create', { id: '5d5f0a5e-4c2a-4e53-9b57-5a4c1f7e9b11', name: 'chosen-id', owner_org: org.id }, editor.token);
      expect(res.status).toBe(409);
      expect(res.body.error.id).toEqual(['The input field id was not expected.']);
    });

    it('defaults the title to the name', async () => {
      const d = await t.factories.dataset({ name: 'untitled', owner_org: org.id, title: '' });
      expect(d.title).toBe('untitled');
    });
  });

  describe('package_show', () => {
    it('finds a dataset by name and by id, and answers unknown ones with 404', async () => {
      const d = await t.factories.dataset({ owner_org: org.id });
      const byName = await request(t.http).get(`/api/3/action/package_show?id=${d.name}`);
      const byId = await request(t.http).get(`/api/action/package_show?id=${d.id}`);
      expect(byName.body.result).toEqual(byId.body.result);
      const missing = await request(t.http).get('/api/3/action/package_show?id=does-not-exist');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ success: false, error: { __type: 'Not Found Error', message: 'Not found' } });
    });

    it('asks for the id when it is missing', async () => {
      const res = await request(t.http).get('/api/3/action/package_show');
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({ __type: 'Validation Error', name_or_id: ['Missing value'] });
    });

    it('hides a private dataset from outsiders with 403, not 404', async () => {
      const d = await t.factories.dataset({ owner_org: org.id, private: true });
      const anon = await request(t.http).get(`/api/3/action/package_show?id=${d.id}`);
      expect(anon.status).toBe(403);
      expect(anon.body.error.__type).toBe('Authorization Error');
      const member = await request(t.http).get(`/api/3/action/package_show?id=${d.id}`).set('Authorization', editor.token);
      expect(member.status).toBe(200);
      expect(member.body.result.private).toBe(true);
    });
  });

  describe('package_update and package_patch', () => {
    it('replaces the whole dataset: omitted fields are cleared, resources kept by id', async () => {
      const d = await t.factories.dataset({
        owner_org: org.id, notes: 'old', url: 'http://old.example', author: 'A', tags: [{ name: 'alt' }], extras: [{ key: 'k', value: 'v' }],
        resources: [{ url: 'http://r.example/1.csv', name: 'one', description: 'first' }, { url: 'http://r.example/2.csv', name: 'two' }],
      });
      const keep = d.resources[1];
      const res = await post('package_update', { id: d.id, name: d.name, resources: [{ id: keep.id, url: 'http://r.example/2b.csv' }, { url: 'http://r.example/3.csv' }] }, editor.token);
      expect(res.status).toBe(200);
      const u = res.body.result;
      expect(u).toMatchObject({ notes: null, url: null, author: null, title: null, tags: [], extras: [], private: false, owner_org: org.id, num_resources: 2 });
      expect(u.resources[0]).toMatchObject({ id: keep.id, position: 0, url: 'http://r.example/2b.csv', name: 'two' });
      expect(u.resources[1]).toMatchObject({ position: 1, url: 'http://r.example/3.csv' });
      expect(u.metadata_modified > (d.metadata_modified as string)).toBe(true);
    });

    it('merges top-level keys on patch and leaves the rest alone', async () => {
      const d = await t.factories.dataset({ owner_org: org.id, notes: 'keep me', tags: [{ name: 'bleibt' }], resources: [{ url: 'http://r.example/p.csv' }] });
      const res = await post('package_patch', { id: d.name, title: 'Neuer Titel' }, editor.token);
      expect(res.status).toBe(200);
      expect(res.body.result).toMatchObject({ title: 'Neuer Titel', notes: 'keep me', num_tags: 1, num_resources: 1 });
      expect(res.body.result.resources[0].id).toBe(d.resources[0].id);
    });

    it('refuses to change the id', async () => {
      const d = await t.factories.dataset({ owner_org: org.id });
      const res = await post('package_update', { id: '11111111-2222-4333-8444-555555555555', name: d.name }, editor.token);
      expect(res.status).toBe(404);
      const renamed = await post('package_patch', { id: d.id, name: 'renamed-dataset' }, editor.token);
      expect(renamed.body.result).toMatchObject({ id: d.id, name: 'renamed-dataset' });
    });

    it('answers an unknown dataset with 404 "Package was not found."', async () => {
      const res = await post('package_update', { id: 'nope-nope' }, editor.token);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe('Not found: Package was not found.');
    });
  });

  describe('package_delete and dataset_purge', () => {
    it('soft-deletes: gone from lists, readable by members with state "deleted", name free again', async () => {
      const d = await t.factories.dataset({ name: 'to-delete', owner_org: org.id });
      const del = await post('package_delete', { id: d.id }, editor.token);
      expect(del.body).toMatchObject({ success: true, result: null });
      expect(await t.call<string[]>('package_list')).not.toContain('to-delete');
      const anon = await request(t.http).get(`/api/3/action/package_show?id=${d.id}`);
      expect(anon.status).toBe(403);
      const member = await request(t.http).get(`/api/3/action/package_show?id=${d.id}`).set('Authorization', editor.token);
      expect(member.body.result.state).toBe('deleted');
      const again = await post('package_create', { name: 'to-delete', owner_org: org.id }, editor.token);
      expect(again.status).toBe(200);
      expect(again.body.result.id).not.toBe(d.id);
      const old = await request(t.http).get(`/api/3/action/package_show?id=${d.id}`).set('Authorization', editor.token);
      expect(old.body.result.name).toBe(d.id);
    });

    it('purges for good (sysadmin only)', async () => {
      const d = await t.factories.dataset({ owner_org: org.id, resources: [{ url: 'http://x.example' }] });
      const denied = await post('dataset_purge', { id: d.id }, editor.token);
      expect(denied.status).toBe(403);
      const ok = await post('dataset_purge', { id: d.id }, t.sysadmin.token);
      expect(ok.body).toMatchObject({ success: true, result: null });
      const gone = await request(t.http).get(`/api/3/action/package_show?id=${d.id}`).set('Authorization', t.sysadmin.token);
      expect(gone.status).toBe(404);
    });
  });

  describe('lists', () => {
    it('package_list names only active public datasets, sorted, with limit and offset', async () => {
      const o = await t.factories.organization();
      await t.factories.dataset({ name: 'zz-list-b', owner_org: o.id });
      await t.factories.dataset({ name: 'zz-list-a', owner_org: o.id });
      await t.factories.dataset({ name: 'zz-list-private', owner_org: o.id, private: true });
      await t.factories.dataset({ name: 'zz-list-draft', owner_org: o.id, state: 'draft' });
      const all = await t.call<string[]>('package_list');
      expect(all.filter((n) => n.startsWith('zz-list'))).toEqual(['zz-list-a', 'zz-list-b']);
      expect(all).toEqual([...all].sort());
      const page = await request(t.http).get('/api/3/action/package_list?limit=1&offset=1');
      expect(page.body.result).toEqual([all[1]]);
      const bad = await request(t.http).get('/api/3/action/package_list?limit=-1');
      expect(bad.status).toBe(409);
      expect(bad.body.error.limit).toEqual(['Must be a natural number']);
    });

    it('current_package_list_with_resources returns whole dicts, newest first; private ones only to sysadmins', async () => {
      const o = await t.factories.organization();
      await t.factories.dataset({ owner_org: o.id, name: 'cpl-private', private: true });
      const newest = await t.factories.dataset({ owner_org: o.id, name: 'cpl-public', resources: [{ url: 'http://x.example/a.csv' }] });
      const anon = await request(t.http).get('/api/3/action/current_package_list_with_resources?limit=1');
      expect(anon.body.result).toHaveLength(1);
      expect(anon.body.result[0]).toMatchObject({ id: newest.id, num_resources: 1 });
      const sys = await t.call<{ name: string }[]>('current_package_list_with_resources', { limit: 2 });
      expect(sys.map((d) => d.name)).toEqual(['cpl-public', 'cpl-private']);
    });

    it('package_autocomplete matches parts of names and titles, only readable datasets', async () => {
      const o = await t.factories.organization({ members: [[editor, 'member']] });
      await t.factories.dataset({ owner_org: o.id, name: 'verkehrszaehlung-mainz', title: 'Verkehrszählung Mainz' });
      await t.factories.dataset({ owner_org: o.id, name: 'geheim-verkehr', title: 'Geheime Zählung', private: true });
      const anon = await request(t.http).get('/api/3/action/package_autocomplete?q=verkehr');
      expect(anon.body.result).toEqual([{ name: 'verkehrszaehlung-mainz', title: 'Verkehrszählung Mainz', match_field: 'name', match_displayed: 'verkehrszaehlung-mainz' }]);
      const byTitle = await request(t.http).get('/api/3/action/package_autocomplete?q=zählung');
      expect(byTitle.body.result[0]).toMatchObject({ match_field: 'title', match_displayed: 'Verkehrszählung Mainz (verkehrszaehlung-mainz)' });
      const member = await request(t.http).get('/api/3/action/package_autocomplete?q=geheim').set('Authorization', editor.token);
      expect(member.body.result.map((r: { name: string }) => r.name)).toEqual(['geheim-verkehr']);
      const missing = await request(t.http).get('/api/3/action/package_autocomplete');
      expect(missing.status).toBe(409);
    });
  });
});
