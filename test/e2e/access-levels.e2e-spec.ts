import request from 'supertest';
import { SensorCatalog } from '../../src/sensors/catalog/sensor-catalog.service';
import type { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/**
 * Issue 14's access levels from a client's side: access_level and private as input and output, who may change them,
 * the share actions (parameters, permissions, errors, shapes) and what an edit share allows. Who reads which level
 * on every read path is test/e2e/visibility.e2e-spec.ts's table.
 */

type Dict = Record<string, unknown>;

describe('access levels and dataset shares', () => {
  let t: TestApp;
  let org: Dict & { id: string; name: string };
  let readOrg: Dict & { id: string; name: string };
  let editOrg: Dict & { id: string; name: string };
  const u = {} as Record<'admin' | 'editor' | 'member' | 'reader' | 'readEditor' | 'shareEditor' | 'shareMember' | 'outsider' | 'loner', TestUser>;

  const api = async (as: TestUser | null, name: string, body: Dict = {}): Promise<{ status: number; body: Dict & { result: unknown; error?: Dict } }> => {
    const r = request(t.http).post(`/api/3/action/${name}`).send(body);
    const res = await (as ? r.set('Authorization', as.token) : r);
    return { status: res.status, body: res.body };
  };
  const ok = async <T = Dict>(as: TestUser | null, name: string, body: Dict = {}): Promise<T> => {
    const res = await api(as, name, body);
    if (res.status !== 200) throw new Error(`${name} answered ${res.status}: ${JSON.stringify(res.body.error)}`);
    return res.body.result as T;
  };
  let n = 0;
  const dataset = (extra: Dict = {}, as: TestUser = u.editor): Promise<Dict & { id: string; name: string; access_level: string; private: boolean }> =>
    ok(as, 'package_create', { name: `zugang-${++n}`, owner_org: org.id, ...extra });

  beforeAll(async () => {
    t = await TestApp.start();
    for (const k of Object.keys({ admin: 0, editor: 0, member: 0, reader: 0, readEditor: 0, shareEditor: 0, shareMember: 0, outsider: 0, loner: 0 }) as (keyof typeof u)[]) {
      u[k] = await t.factories.user();
    }
    org = (await t.factories.organization({ name: 'kreis', members: [[u.admin, 'admin'], [u.editor, 'editor'], [u.member, 'member']] })) as typeof org;
    readOrg = (await t.factories.organization({ name: 'stadt-lesend', members: [[u.reader, 'member'], [u.readEditor, 'editor']] })) as typeof readOrg;
    editOrg = (await t.factories.organization({ name: 'stadt-bearbeitend', members: [[u.shareEditor, 'editor'], [u.shareMember, 'member']] })) as typeof editOrg;
    await t.factories.organization({ name: 'anderswo', members: [[u.outsider, 'admin']] });
  });
  afterAll(() => t.stop());

  describe('access_level and private as input and output', () => {
    it('makes a new dataset public unless told otherwise, and shows both fields', async () => {
      const d = await dataset();
      expect(d).toMatchObject({ access_level: 'public', private: false });
    });

    it('keeps private working as input: private true alone gives the private level', async () => {
      const d = await dataset({ private: true });
      expect(d).toMatchObject({ access_level: 'private', private: true });
      expect(await ok(null, 'package_show', { id: d.id }).catch(() => 'refused')).toBe('refused');
    });

    it('shows private: true for every level but public, so CKAN clients read back what they wrote', async () => {
      for (const level of ['internal', 'shared', 'private']) {
        const d = await dataset({ access_level: level });
        expect(await ok(u.editor, 'package_show', { id: d.id })).toMatchObject({ access_level: level, private: true });
      }
      expect(await dataset({ access_level: 'public', private: false })).toMatchObject({ access_level: 'public', private: false });
    });

    it('refuses an unknown access level as a field error', async () => {
      const res = await api(u.editor, 'package_create', { name: 'zugang-falsch', owner_org: org.id, access_level: 'geheim' });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ __type: 'Validation Error', access_level: [expect.stringContaining('Value must be one of')] });
    });

    it('refuses private and access_level that contradict each other, with a message on each field, and stores nothing', async () => {
      for (const [level, priv] of [['public', true], ['internal', false]] as const) {
        const res = await api(u.editor, 'package_create', { name: 'zugang-widerspruch', owner_org: org.id, access_level: level, private: priv });
        expect(res.status).toBe(409);
        expect(res.body.error).toMatchObject({ private: [expect.stringContaining('contradict')], access_level: [expect.stringContaining('contradict')] });
      }
      expect((await api(t.sysadmin, 'package_show', { id: 'zugang-widerspruch' })).status).toBe(404);
    });

    it('package_patch with private alone keeps a level that is not public, or makes the dataset public', async () => {
      const d = await dataset({ access_level: 'internal' });
      expect(await ok(u.editor, 'package_patch', { id: d.id, private: true })).toMatchObject({ access_level: 'internal', private: true });
      expect(await ok(u.editor, 'package_patch', { id: d.id, private: false })).toMatchObject({ access_level: 'public', private: false });
      expect(await ok(u.editor, 'package_patch', { id: d.id, private: true })).toMatchObject({ access_level: 'private', private: true });
      expect(await ok(u.editor, 'package_patch', { id: d.id, access_level: 'shared' })).toMatchObject({ access_level: 'shared', private: true });
    });

    it('package_update keeps the level when both fields are omitted, and takes back the dict package_show gave', async () => {
      const d = await dataset({ access_level: 'internal', notes: 'vorher' });
      const { access_level: _level, private: _private, ...rest } = await ok<Dict>(u.editor, 'package_show', { id: d.id });
      expect(await ok(u.editor, 'package_update', { ...rest, notes: 'ohne' })).toMatchObject({ access_level: 'internal', notes: 'ohne' });
      const shown = await ok<Dict>(u.editor, 'package_show', { id: d.id });
      expect(await ok(u.editor, 'package_update', { ...shown, notes: 'zurück' })).toMatchObject({ access_level: 'internal', private: true, notes: 'zurück' });
    });

    it('bulk_update_public and bulk_update_private move datasets between public and the private levels', async () => {
      const a = await dataset({ access_level: 'internal' });
      await ok(u.admin, 'bulk_update_public', { datasets: [a.id], org_id: org.id });
      expect(await ok(u.admin, 'package_show', { id: a.id })).toMatchObject({ access_level: 'public', private: false });
      await ok(u.admin, 'bulk_update_private', { datasets: [a.id], org_id: org.id });
      expect(await ok(u.admin, 'package_show', { id: a.id })).toMatchObject({ access_level: 'private', private: true });
    });
  });

  describe('dataset_share_create, dataset_share_list, dataset_share_delete', () => {
    let d: Dict & { id: string; name: string };
    beforeAll(async () => {
      d = await dataset({ access_level: 'shared' });
    });

    it('shares with an organization named by id or name, capacity read by default, and answers the share', async () => {
      const share = await ok(u.editor, 'dataset_share_create', { id: d.name, organization_id: readOrg.name });
      expect(share).toEqual({
        package_id: d.id, organization_id: readOrg.id, organization_name: 'stadt-lesend', organization_title: readOrg.title, capacity: 'read', created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), created_by: u.editor.name,
      });
      const edit = await ok(u.admin, 'dataset_share_create', { id: d.id, organization_id: editOrg.id, capacity: 'edit' });
      expect(edit).toMatchObject({ organization_id: editOrg.id, capacity: 'edit' });
    });

    it('lists the shares by organization name for whoever may read the dataset', async () => {
      for (const who of [u.member, u.reader, u.shareMember]) {
        const list = await ok<Dict[]>(who, 'dataset_share_list', { id: d.id });
        expect(list.map((s) => [s.organization_name, s.capacity])).toEqual([['stadt-bearbeitend', 'edit'], ['stadt-lesend', 'read']]);
      }
      for (const who of [null, u.outsider, u.loner]) expect((await api(who, 'dataset_share_list', { id: d.id })).status).toBe(403);
    });

    it('changes the capacity of an existing share', async () => {
      await ok(u.editor, 'dataset_share_create', { id: d.id, organization_id: readOrg.id, capacity: 'edit' });
      expect((await ok<Dict[]>(u.editor, 'dataset_share_list', { id: d.id })).find((s) => s.organization_id === readOrg.id)).toMatchObject({ capacity: 'edit' });
      await ok(u.editor, 'dataset_share_create', { id: d.id, organization_id: readOrg.id, capacity: 'read' });
      expect((await ok<Dict[]>(u.editor, 'dataset_share_list', { id: d.id })).find((s) => s.organization_id === readOrg.id)).toMatchObject({ capacity: 'read' });
    });

    it('lets only editors and admins of the owning organization and sysadmins share, not its members, the shared organizations or anyone else', async () => {
      const other = await dataset({ access_level: 'shared' });
      await ok(u.admin, 'dataset_share_create', { id: other.id, organization_id: editOrg.id, capacity: 'edit' });
      for (const who of [u.member, u.shareEditor, u.readEditor, u.outsider, u.loner]) {
        const res = await api(who, 'dataset_share_create', { id: other.id, organization_id: readOrg.id });
        expect({ who: who.name, status: res.status, type: res.body.error?.__type }).toEqual({ who: who.name, status: 403, type: 'Authorization Error' });
        expect((await api(who, 'dataset_share_delete', { id: other.id, organization_id: editOrg.id })).status).toBe(403);
      }
      expect((await api(null, 'dataset_share_create', { id: other.id, organization_id: readOrg.id })).status).toBe(403);
      await ok(t.sysadmin, 'dataset_share_create', { id: other.id, organization_id: readOrg.id });
      await ok(t.sysadmin, 'dataset_share_delete', { id: other.id, organization_id: readOrg.id });
    });

    it('answers CKAN-style errors for missing parameters, unknown datasets, organizations and capacities', async () => {
      const missing = await api(u.editor, 'dataset_share_create', { id: d.id });
      expect(missing.status).toBe(409);
      expect(missing.body.error).toMatchObject({ organization_id: ['Missing value'] });
      const capacity = await api(u.editor, 'dataset_share_create', { id: d.id, organization_id: readOrg.id, capacity: 'admin' });
      expect(capacity.status).toBe(409);
      expect(capacity.body.error).toMatchObject({ capacity: ['Value must be one of ["read","edit"]'] });
      expect((await api(u.editor, 'dataset_share_create', { id: 'gibt-es-nicht', organization_id: readOrg.id })).status).toBe(404);
      const org404 = await api(u.editor, 'dataset_share_create', { id: d.id, organization_id: 'gibt-es-nicht' });
      expect(org404).toMatchObject({ status: 404, body: { error: { __type: 'Not Found Error', message: 'Not found: Organization not found' } } });
      const group = await t.factories.group({ name: 'eine-gruppe' });
      expect((await api(u.editor, 'dataset_share_create', { id: d.id, organization_id: group.id })).status).toBe(404);
      const own = await api(u.editor, 'dataset_share_create', { id: d.id, organization_id: org.name });
      expect(own.status).toBe(409);
      expect(own.body.error).toMatchObject({ organization_id: ['A dataset cannot be shared with its own organization'] });
      expect((await api(u.editor, 'dataset_share_delete', { id: d.id, organization_id: 'anderswo' })).status).toBe(404);
      expect((await api(null, 'dataset_share_list', { id: 'gibt-es-nicht' })).status).toBe(404);
    });

    it('stops sharing at once: the organization no longer reads the dataset, in package_show or package_search', async () => {
      const x = await dataset({ access_level: 'shared', tags: [{ name: 'geteilt-weg' }] });
      await ok(u.editor, 'dataset_share_create', { id: x.id, organization_id: readOrg.id });
      const count = async (): Promise<number> =>
        (await ok<{ count: number }>(u.reader, 'package_search', { fq: 'tags:geteilt-weg', include_private: true })).count;
      await t.searchIndexed();
      expect(await count()).toBe(1);
      expect(await ok(u.editor, 'dataset_share_delete', { id: x.name, organization_id: readOrg.name })).toBeNull();
      await t.searchIndexed();
      expect(await count()).toBe(0);
      expect((await api(u.reader, 'package_show', { id: x.id })).status).toBe(403);
      expect(await ok<Dict[]>(u.editor, 'dataset_share_list', { id: x.id })).toEqual([]);
    });
  });

  describe('what an edit share allows', () => {
    let d: Dict & { id: string; name: string };
    beforeAll(async () => {
      d = await dataset({ access_level: 'shared', notes: 'Original' });
      await ok(u.editor, 'dataset_share_create', { id: d.id, organization_id: editOrg.id, capacity: 'edit' });
      await ok(u.editor, 'dataset_share_create', { id: d.id, organization_id: readOrg.id, capacity: 'read' });
    });

    it("lets the shared organization's editors change content and resources", async () => {
      expect(await ok(u.shareEditor, 'package_patch', { id: d.id, notes: 'Geändert von der Stadt' })).toMatchObject({ notes: 'Geändert von der Stadt', access_level: 'shared' });
      const r = await ok<Dict>(u.shareEditor, 'resource_create', { package_id: d.id, url: 'https://example.org/werte.csv', format: 'CSV' });
      expect(r).toMatchObject({ package_id: d.id });
    });

    it('refuses members of the edit-share organization and editors of a read-share organization', async () => {
      for (const who of [u.shareMember, u.readEditor, u.reader]) {
        const res = await api(who, 'package_patch', { id: d.id, notes: 'nein' });
        expect({ who: who.name, status: res.status }).toEqual({ who: who.name, status: 403 });
      }
    });

    it('does not let an edit share change the access level, the private flag, the organization or the state, nor delete the dataset', async () => {
      for (const change of [{ access_level: 'public' }, { private: false }, { access_level: 'internal' }, { owner_org: editOrg.id }, { state: 'deleted' }, { state: 'draft' }]) {
        const res = await api(u.shareEditor, 'package_patch', { id: d.id, ...change });
        expect({ change, status: res.status, type: res.body.error?.__type }).toEqual({ change, status: 403, type: 'Authorization Error' });
      }
      expect((await api(u.shareEditor, 'package_delete', { id: d.id })).status).toBe(403);
      expect(await ok(u.editor, 'package_show', { id: d.id })).toMatchObject({ access_level: 'shared', state: 'active', owner_org: org.id });
    });

    it('ends with the level: once the dataset is private again, the shared editors neither read nor edit it', async () => {
      const x = await dataset({ access_level: 'shared' });
      await ok(u.editor, 'dataset_share_create', { id: x.id, organization_id: editOrg.id, capacity: 'edit' });
      expect((await api(u.shareEditor, 'package_patch', { id: x.id, notes: 'ja' })).status).toBe(200);
      await ok(u.editor, 'package_patch', { id: x.id, access_level: 'private' });
      expect((await api(u.shareEditor, 'package_patch', { id: x.id, notes: 'nein' })).status).toBe(403);
      expect((await api(u.shareEditor, 'package_show', { id: x.id })).status).toBe(403);
    });

    it("lets the owning organization's editors (as in CKAN) make a dataset public, and delete it", async () => {
      const x = await dataset({ access_level: 'internal' });
      expect(await ok(u.editor, 'package_patch', { id: x.id, access_level: 'public' })).toMatchObject({ access_level: 'public', private: false });
      expect((await api(u.member, 'package_patch', { id: x.id, access_level: 'private' })).status).toBe(403);
      expect(await ok(u.editor, 'package_delete', { id: x.id })).toBeNull();
    });
  });

  describe('package_search counts and facets by access level', () => {
    beforeAll(async () => {
      const tag = [{ name: 'ebenen' }];
      await dataset({ access_level: 'public', tags: tag });
      await dataset({ access_level: 'internal', tags: tag });
      const shared = await dataset({ access_level: 'shared', tags: tag });
      await ok(u.editor, 'dataset_share_create', { id: shared.id, organization_id: readOrg.id });
      await dataset({ access_level: 'private', tags: [...tag, { name: 'nur-intern-privat' }] });
      await t.searchIndexed();
    });

    const facets = async (who: TestUser | null): Promise<{ count: number; levels: Record<string, number>; tags: Record<string, number> }> => {
      const r = await ok<{ count: number; search_facets: Record<string, { items: { name: string; count: number }[] }> }>(who, 'package_search', {
        fq: 'tags:ebenen', include_private: true, 'facet.field': ['access_level', 'tags'], rows: 0,
      });
      const items = (f: string): Record<string, number> => Object.fromEntries(r.search_facets[f].items.map((i) => [i.name, i.count]));
      return { count: r.count, levels: items('access_level'), tags: items('tags') };
    };

    it.each([
      ['an anonymous caller', () => null, { public: 1 }],
      ['a logged-in user in no organization', () => u.loner, { public: 1 }],
      ['a member of another organization', () => u.outsider, { public: 1, internal: 1 }],
      ['a member of an organization the dataset is shared with', () => u.reader, { public: 1, internal: 1, shared: 1 }],
      ['a member of the owning organization', () => u.member, { public: 1, internal: 1, shared: 1, private: 1 }],
    ] as [string, () => TestUser | null, Record<string, number>][])('%s counts and facets only the levels they may read', async (_who, as, levels) => {
      const f = await facets(as());
      expect(f.levels).toEqual(levels);
      expect(f.count).toBe(Object.values(levels).reduce((a, b) => a + b, 0));
      expect('nur-intern-privat' in f.tags).toBe('private' in levels);
    });

    it('filters on access_level with fq, within what the caller may read', async () => {
      const r = await ok<{ count: number }>(u.outsider, 'package_search', { fq: 'tags:ebenen AND access_level:shared', include_private: true });
      expect(r.count).toBe(0);
      const m = await ok<{ count: number }>(u.reader, 'package_search', { fq: 'tags:ebenen AND access_level:shared', include_private: true });
      expect(m.count).toBe(1);
    });
  });

  describe('the DCAT catalog holds public datasets only, whoever asks', () => {
    it('leaves internal and shared datasets out of /catalog.ttl even for those who may read them', async () => {
      const pub = await dataset({ access_level: 'public' });
      const internal = await dataset({ access_level: 'internal' });
      const shared = await dataset({ access_level: 'shared' });
      await ok(u.editor, 'dataset_share_create', { id: shared.id, organization_id: readOrg.id });
      await t.searchIndexed();
      for (const who of [null, u.reader, u.member, t.sysadmin]) {
        const r = request(t.http).get('/catalog.ttl?page=1');
        const res = await (who ? r.set('Authorization', who.token) : r).buffer(true);
        const text = res.text;
        expect(res.status).toBe(200);
        expect(text).toContain(`/dataset/${pub.id}>`);
        expect(text).not.toContain(internal.id);
        expect(text).not.toContain(shared.id);
      }
    });
  });

  describe('SensorThings follows the level', () => {
    it("serves an internal gauge's Thing to members of the platform's organizations only (404 as if absent for the others)", async () => {
      const config = { stations: ['COCHEM'] };
      const src = await ok<Dict & { id: string; name: string }>(t.sysadmin, 'sensor_source_create', { name: 'mosel-zugang', owner_org: org.id, type: 'pegelonline', config });
      const synced = await t.app.get(SensorCatalog).syncStation(
        t.context(null).withIgnoreAuth(),
        { id: src.id, name: src.name, owner_org: org.id, type: 'pegelonline' },
        { key: 'cochem-uuid', name: 'COCHEM', location: { type: 'Point', coordinates: [7.17, 50.14] }, properties: {}, streams: [{ key: 'W', name: 'Wasserstand', quantity: 'water_level', unit: 'cm', intervalSeconds: 900 }] },
      );
      await ok(t.sysadmin, 'package_patch', { id: synced.packageId, access_level: 'internal' });
      const thing = async (who: TestUser | null): Promise<number> => {
        const r = request(t.http).get(`/sta/v1.1/Things(${synced.thingId})`);
        return (await (who ? r.set('Authorization', who.token) : r)).status;
      };
      const listed = async (who: TestUser | null): Promise<boolean> => {
        const r = request(t.http).get('/sta/v1.1/Things?$top=1000');
        const body = (await (who ? r.set('Authorization', who.token) : r)).body as { value: { '@iot.id': number }[] };
        return body.value.some((v) => v['@iot.id'] === synced.thingId);
      };
      for (const [who, sees] of [[null, false], [u.loner, false], [u.outsider, true], [u.member, true]] as [TestUser | null, boolean][]) {
        expect({ who: who?.name ?? 'anonymous', status: await thing(who), listed: await listed(who) }).toEqual({ who: who?.name ?? 'anonymous', status: sees ? 200 : 404, listed: sees });
      }
    });
  });
});
