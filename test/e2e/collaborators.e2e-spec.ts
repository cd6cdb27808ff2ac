import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** HTTP helpers on one app: every call goes through the action API with the caller's token. */
function api(app: () => TestApp) {
  const post = (action: string, body: object, as?: TestUser | null): request.Test => {
    const req = request(app().http).post(`/api/3/action/${action}`).send(body);
    return as ? req.set('Authorization', as.token) : req;
  };
  const get = (action: string, query: Record<string, string>, as?: TestUser | null): request.Test => {
    const req = request(app().http).get(`/api/3/action/${action}`).query(query);
    return as ? req.set('Authorization', as.token) : req;
  };
  return { post, get };
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/;

describe('dataset collaborators (package_collaborator_*), with the default settings', () => {
  let t: TestApp;
  const { post, get } = api(() => t);
  let admin: TestUser;
  let editor: TestUser;
  let member: TestUser;
  let otherAdmin: TestUser;
  let stranger: TestUser;
  let org: Dict;
  let otherOrg: Dict;

  const dataset = (o: Dict = {}): Promise<Dict> => t.factories.dataset({ owner_org: org.id, private: true, ...o });
  const collaborate = (d: Dict, user: TestUser, capacity: string): Promise<unknown> =>
    t.call('package_collaborator_create', { id: d.id, user_id: user.id, capacity });
  const collaboratorRows = async (where: string, value: string): Promise<number> =>
    (await t.db.dataSource.query(`SELECT count(*)::int AS n FROM package_member WHERE ${where} = $1`, [value]))[0].n;

  beforeAll(async () => {
    t = await TestApp.start();
    admin = await t.factories.user();
    editor = await t.factories.user();
    member = await t.factories.user();
    otherAdmin = await t.factories.user();
    stranger = await t.factories.user();
    org = await t.factories.organization({ members: [[admin, 'admin'], [editor, 'editor'], [member, 'member']] });
    otherOrg = await t.factories.organization({ members: [[otherAdmin, 'admin']] });
  });
  afterAll(() => t.stop());

  describe('package_collaborator_create', () => {
    it('adds a user by dataset and user name and answers CKAN\'s member dict', async () => {
      const d = await dataset();
      const user = await t.factories.user();
      const res = await post('package_collaborator_create', { id: d.name, user_id: user.name, capacity: 'editor' }, admin);
      expect(res.status).toBe(200);
      expect(res.body.result).toEqual({ package_id: d.id, user_id: user.id, capacity: 'editor', modified: expect.stringMatching(TIMESTAMP) });
    });

    it('changes the capacity of a user who is already a collaborator instead of adding them twice', async () => {
      const d = await dataset();
      const user = await t.factories.user();
      await collaborate(d, user, 'editor');
      const res = await post('package_collaborator_create', { id: d.id, user_id: user.id, capacity: 'member' }, admin);
      expect(res.body.result.capacity).toBe('member');
      const list = await t.call<Dict[]>('package_collaborator_list', { id: d.id });
      expect(list).toEqual([{ package_id: d.id, user_id: user.id, capacity: 'member', modified: expect.stringMatching(TIMESTAMP) }]);
    });

    it('names every missing parameter as CKAN does', async () => {
      const res = await post('package_collaborator_create', {}, admin);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ __type: 'Validation Error', id: ['Missing value'], user_id: ['Missing value'], capacity: ['Missing value'] });
    });

    it('refuses an unknown capacity, and "admin" while admin collaborators are off', async () => {
      const d = await dataset();
      for (const capacity of ['owner', 'admin']) {
        const res = await post('package_collaborator_create', { id: d.id, user_id: stranger.id, capacity }, admin);
        expect(res.status).toBe(409);
        expect(res.body.error).toEqual({ __type: 'Validation Error', message: 'Role must be one of "editor, member"' });
      }
    });

    it('answers 404 for an unknown dataset or user', async () => {
      const d = await dataset();
      const noDataset = await post('package_collaborator_create', { id: 'no-such-dataset', user_id: stranger.id, capacity: 'member' }, admin);
      expect(noDataset.status).toBe(404);
      expect(noDataset.body.error).toEqual({ __type: 'Not Found Error', message: 'Not found: Dataset not found' });
      const noUser = await post('package_collaborator_create', { id: d.id, user_id: 'no-such-user', capacity: 'member' }, admin);
      expect(noUser.status).toBe(404);
      expect(noUser.body.error).toEqual({ __type: 'Not Found Error', message: 'Not found: User not found' });
    });

    it('does not add a deleted user', async () => {
      const d = await dataset();
      const gone = await t.factories.user();
      await t.call('user_delete', { id: gone.id });
      const res = await post('package_collaborator_create', { id: d.id, user_id: gone.id, capacity: 'member' }, admin);
      expect(res.status).toBe(404);
    });
  });

  describe('who may manage collaborators', () => {
    let d: Dict;
    let collabMember: TestUser;
    let collabEditor: TestUser;
    let target: TestUser;

    beforeAll(async () => {
      d = await dataset();
      collabMember = await t.factories.user();
      collabEditor = await t.factories.user();
      target = await t.factories.user();
      await collaborate(d, collabMember, 'member');
      await collaborate(d, collabEditor, 'editor');
    });

    const callers = (): [string, TestUser | null, boolean][] => [
      ['an anonymous caller', null, false],
      ['a member of the owning organization', member, false],
      ['an editor of the owning organization', editor, false],
      ['an admin of the owning organization', admin, true],
      ['an admin of another organization', otherAdmin, false],
      ['a member collaborator', collabMember, false],
      ['an editor collaborator', collabEditor, false],
      ['a sysadmin', t.sysadmin, true],
    ];

    it('lets only admins of the owning organization and sysadmins add, list and remove collaborators', async () => {
      for (const [who, as, allowed] of callers()) {
        const created = await post('package_collaborator_create', { id: d.id, user_id: target.id, capacity: 'member' }, as);
        expect([who, 'create', created.status]).toEqual([who, 'create', allowed ? 200 : 403]);
        const listed = await get('package_collaborator_list', { id: d.id }, as);
        expect([who, 'list', listed.status]).toEqual([who, 'list', allowed ? 200 : 403]);
        if (!allowed) await collaborate(d, target, 'member');
        const removed = await post('package_collaborator_delete', { id: d.id, user_id: target.id }, as);
        expect([who, 'delete', removed.status]).toEqual([who, 'delete', allowed ? 200 : 403]);
        if (!allowed) await t.call('package_collaborator_delete', { id: d.id, user_id: target.id });
      }
    });

    it('words the refusals as CKAN does', async () => {
      const create = await post('package_collaborator_create', { id: d.id, user_id: target.id, capacity: 'member' }, editor);
      expect(create.body.error).toEqual({ __type: 'Authorization Error', message: `Access denied: User ${editor.name} not authorized to add collaborators to this dataset` });
      const list = await get('package_collaborator_list', { id: d.id }, collabEditor);
      expect(list.body.error.message).toBe(`Access denied: User ${collabEditor.name} not authorized to list collaborators from this dataset`);
      const del = await post('package_collaborator_delete', { id: d.id, user_id: collabMember.id }, member);
      expect(del.body.error.message).toBe(`Access denied: User ${member.name} not authorized to remove collaborators from this dataset`);
      const anon = await post('package_collaborator_create', { id: d.id, user_id: target.id, capacity: 'member' });
      expect(anon.body.error.message).toBe('Access denied: Action package_collaborator_create requires an authenticated user');
    });
  });

  describe('package_collaborator_delete and package_collaborator_list', () => {
    it('removes a collaborator and answers null', async () => {
      const d = await dataset();
      const user = await t.factories.user();
      await collaborate(d, user, 'editor');
      const res = await post('package_collaborator_delete', { id: d.id, user_id: user.name }, admin);
      expect(res.status).toBe(200);
      expect(res.body.result).toBeNull();
      expect(await t.call('package_collaborator_list', { id: d.id })).toEqual([]);
    });

    it('answers 404 for a user who is not a collaborator, an unknown user or an unknown dataset', async () => {
      const d = await dataset();
      const notOne = await post('package_collaborator_delete', { id: d.id, user_id: stranger.name }, admin);
      expect(notOne.status).toBe(404);
      expect(notOne.body.error.message).toBe(`Not found: User ${stranger.name} is not a collaborator on this package`);
      const noUser = await post('package_collaborator_delete', { id: d.id, user_id: 'no-such-user' }, admin);
      expect(noUser.body.error.message).toBe('Not found: User not found');
      const noDataset = await post('package_collaborator_delete', { id: 'no-such-dataset', user_id: stranger.id }, admin);
      expect(noDataset.body.error.message).toBe('Not found: Package not found');
      const noList = await get('package_collaborator_list', { id: 'no-such-dataset' }, admin);
      expect(noList.status).toBe(404);
      expect(noList.body.error.message).toBe('Not found: Package not found');
    });

    it('lists the collaborators of one capacity, and refuses an unknown capacity', async () => {
      const d = await dataset();
      const [a, b] = [await t.factories.user(), await t.factories.user()];
      await collaborate(d, a, 'editor');
      await collaborate(d, b, 'member');
      const all = await get('package_collaborator_list', { id: d.name }, admin);
      expect(all.body.result.map((c: Dict) => [c.user_id, c.capacity])).toEqual([[a.id, 'editor'], [b.id, 'member']]);
      const members = await get('package_collaborator_list', { id: d.id, capacity: 'member' }, admin);
      expect(members.body.result).toEqual([{ package_id: d.id, user_id: b.id, capacity: 'member', modified: expect.stringMatching(TIMESTAMP) }]);
      const bad = await get('package_collaborator_list', { id: d.id, capacity: 'owner' }, admin);
      expect(bad.status).toBe(409);
      expect(bad.body.error).toEqual({ __type: 'Validation Error', message: 'Capacity must be one of "editor, member"' });
    });
  });

  describe('package_collaborator_list_for_user', () => {
    it('lists the datasets a user collaborates on, to the user themselves and sysadmins only', async () => {
      const user = await t.factories.user();
      const [d1, d2] = [await dataset(), await dataset()];
      await collaborate(d1, user, 'editor');
      await collaborate(d2, user, 'member');
      const own = await get('package_collaborator_list_for_user', { id: user.name }, user);
      expect(own.status).toBe(200);
      expect(own.body.result).toEqual([
        { package_id: d1.id, capacity: 'editor', modified: expect.stringMatching(TIMESTAMP) },
        { package_id: d2.id, capacity: 'member', modified: expect.stringMatching(TIMESTAMP) },
      ]);
      const editors = await get('package_collaborator_list_for_user', { id: user.id, capacity: 'editor' }, user);
      expect(editors.body.result.map((c: Dict) => c.package_id)).toEqual([d1.id]);
      expect((await get('package_collaborator_list_for_user', { id: user.id }, t.sysadmin)).status).toBe(200);
      expect((await get('package_collaborator_list_for_user', { id: user.id }, admin)).status).toBe(403);
      expect((await get('package_collaborator_list_for_user', { id: user.id })).status).toBe(403);
    });

    it('refuses an unknown user as CKAN does (not "not found"), and an unknown capacity', async () => {
      const unknown = await get('package_collaborator_list_for_user', { id: 'no-such-user' }, t.sysadmin);
      expect(unknown.status).toBe(403);
      expect(unknown.body.error.message).toBe('Access denied: Not allowed to retrieve collaborators');
      const bad = await get('package_collaborator_list_for_user', { id: stranger.id, capacity: 'admin' }, stranger);
      expect(bad.status).toBe(409);
      expect(bad.body.error.message).toBe('Capacity must be one of "editor, member"');
    });
  });

  describe('what a collaborator may read and edit', () => {
    it('makes a private dataset readable to its member collaborator on every read path, and unreadable again at once on removal', async () => {
      const reader = await t.factories.user();
      const d = await dataset({ tags: [{ name: 'kollab-geheim' }] });
      const table = await t.call<{ resource_id: string }>('datastore_create', { resource: { package_id: d.id }, fields: [{ id: 'wert', type: 'int' }], records: [{ wert: 7 }] });
      await t.searchIndexed();

      const sees = async (): Promise<Dict> => {
        const show = await get('package_show', { id: d.id }, reader);
        const search = await get('package_search', { q: 'tags:kollab-geheim', include_private: 'true', 'facet.field': '["tags","organization"]' }, reader);
        const orgShow = await get('organization_show', { id: org.id, include_datasets: 'true' }, reader);
        const datastore = await get('datastore_search', { resource_id: table.resource_id }, reader);
        return {
          show: show.status,
          count: search.body.result.count,
          tagFacet: search.body.result.facets.tags?.['kollab-geheim'] ?? 0,
          orgFacet: search.body.result.facets.organization?.[org.name] ?? 0,
          inOrganization: orgShow.body.result.packages.some((p: Dict) => p.id === d.id),
          datastore: datastore.status,
        };
      };

      expect(await sees()).toEqual({ show: 403, count: 0, tagFacet: 0, orgFacet: 0, inOrganization: false, datastore: 403 });
      await post('package_collaborator_create', { id: d.id, user_id: reader.id, capacity: 'member' }, admin).expect(200);
      expect(await sees()).toEqual({ show: 200, count: 1, tagFacet: 1, orgFacet: 1, inOrganization: true, datastore: 200 });
      // As in CKAN, private datasets come only with include_private.
      const withoutPrivate = await get('package_search', { q: 'tags:kollab-geheim' }, reader);
      expect(withoutPrivate.body.result.count).toBe(0);

      await post('package_collaborator_delete', { id: d.id, user_id: reader.id }, admin).expect(200);
      expect(await sees()).toEqual({ show: 403, count: 0, tagFacet: 0, orgFacet: 0, inOrganization: false, datastore: 403 });
    });

    it('lets a collaborator read a draft dataset', async () => {
      const reader = await t.factories.user();
      const d = await dataset({ private: false, state: 'draft' });
      expect((await get('package_show', { id: d.id }, reader)).status).toBe(403);
      await collaborate(d, reader, 'member');
      expect((await get('package_show', { id: d.id }, reader)).status).toBe(200);
    });

    it('lets an editor collaborator patch the dataset and write its resources, and a member collaborator not', async () => {
      const d = await dataset();
      const [asMember, asEditor] = [await t.factories.user(), await t.factories.user()];
      await collaborate(d, asMember, 'member');
      await collaborate(d, asEditor, 'editor');

      const refused = await post('package_patch', { id: d.id, title: 'Vom Mitglied' }, asMember);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe(`Access denied: User ${asMember.name} not authorized to edit package ${d.id}`);
      expect((await post('resource_create', { package_id: d.id, url: 'http://example.org/m.csv' }, asMember)).status).toBe(403);

      const patched = await post('package_patch', { id: d.id, title: 'Vom Editor' }, asEditor);
      expect(patched.status).toBe(200);
      expect(patched.body.result.title).toBe('Vom Editor');
      const resource = await post('resource_create', { package_id: d.id, url: 'http://example.org/e.csv' }, asEditor);
      expect(resource.status).toBe(200);
      expect((await post('resource_patch', { id: resource.body.result.id, name: 'Werte' }, asEditor)).status).toBe(200);
      expect((await post('resource_delete', { id: resource.body.result.id }, asEditor)).status).toBe(200);
      // Editing does not make them a manager of collaborators.
      expect((await post('package_collaborator_create', { id: d.id, user_id: stranger.id, capacity: 'member' }, asEditor)).status).toBe(403);
    });

    it('lets an editor collaborator delete the dataset (CKAN: package_delete is package_update), which ends every collaboration on it', async () => {
      const d = await dataset();
      const [asEditor, asMember] = [await t.factories.user(), await t.factories.user()];
      await collaborate(d, asEditor, 'editor');
      await collaborate(d, asMember, 'member');
      expect((await post('package_delete', { id: d.id }, asMember)).status).toBe(403);
      expect((await post('package_delete', { id: d.id }, asEditor)).status).toBe(200);
      expect(await collaboratorRows('package_id', d.id)).toBe(0);
      expect((await get('package_show', { id: d.id }, asEditor)).status).toBe(403);
    });

    it('does not let an editor collaborator move the dataset to another organization, even one they administer', async () => {
      const d = await dataset({ private: false });
      const user = await t.factories.user();
      await t.call('organization_member_create', { id: otherOrg.id, username: user.name, role: 'admin' });
      await collaborate(d, user, 'editor');
      const res = await post('package_patch', { id: d.id, owner_org: otherOrg.id }, user);
      expect(res.status).toBe(409);
      expect(res.body.error.owner_org).toEqual(['You cannot move this dataset to another organization']);
      // An editor of the owning organization who is also a collaborator moves it as an editor.
      const both = await t.factories.user();
      await t.call('organization_member_create', { id: org.id, username: both.name, role: 'editor' });
      await t.call('organization_member_create', { id: otherOrg.id, username: both.name, role: 'editor' });
      await collaborate(d, both, 'editor');
      const moved = await post('package_patch', { id: d.id, owner_org: otherOrg.id }, both);
      expect(moved.status).toBe(200);
      expect(moved.body.result.owner_org).toBe(otherOrg.id);
    });
  });

  describe('when users and datasets go', () => {
    it('user_delete removes the user\'s collaborations', async () => {
      const user = await t.factories.user();
      const d = await dataset();
      await collaborate(d, user, 'editor');
      expect(await t.call('package_collaborator_list', { id: d.id })).toHaveLength(1);
      await t.call('user_delete', { id: user.id });
      expect(await t.call('package_collaborator_list', { id: d.id })).toEqual([]);
    });

    it('package_delete and dataset_purge remove the dataset\'s collaborators', async () => {
      const user = await t.factories.user();
      const [deleted, purged] = [await dataset(), await dataset()];
      await collaborate(deleted, user, 'editor');
      await collaborate(purged, user, 'member');
      expect(await t.call('package_collaborator_list_for_user', { id: user.id })).toHaveLength(2);
      await t.call('package_delete', { id: deleted.id });
      expect((await t.call<Dict[]>('package_collaborator_list_for_user', { id: user.id })).map((c) => c.package_id)).toEqual([purged.id]);
      await t.call('dataset_purge', { id: purged.id });
      expect(await collaboratorRows('user_id', user.id)).toBe(0);
    });
  });
});

describe('dataset collaborators with admin collaborators and moves allowed', () => {
  let t: TestApp;
  const { post, get } = api(() => t);
  let orgAdmin: TestUser;
  let org: Dict;

  beforeAll(async () => {
    t = await TestApp.start({ AUTH_ALLOW_ADMIN_COLLABORATORS: 'true', AUTH_ALLOW_COLLABORATORS_TO_CHANGE_OWNER_ORG: 'true' });
    orgAdmin = await t.factories.user();
    org = await t.factories.organization({ members: [[orgAdmin, 'admin']] });
  });
  afterAll(() => t.stop());

  it('accepts "admin" and lets an admin collaborator manage the collaborators and edit the dataset', async () => {
    const d = await t.factories.dataset({ owner_org: org.id, private: true });
    const [boss, helper] = [await t.factories.user(), await t.factories.user()];
    const created = await post('package_collaborator_create', { id: d.id, user_id: boss.id, capacity: 'admin' }, orgAdmin);
    expect(created.body.result.capacity).toBe('admin');
    expect((await post('package_collaborator_create', { id: d.id, user_id: helper.id, capacity: 'admin' }, boss)).status).toBe(200);
    expect((await get('package_collaborator_list', { id: d.id }, boss)).body.result).toHaveLength(2);
    expect((await post('package_collaborator_delete', { id: d.id, user_id: helper.id }, boss)).status).toBe(200);
    expect((await post('package_patch', { id: d.id, notes: 'vom Admin-Mitarbeiter' }, boss)).status).toBe(200);
    const bad = await post('package_collaborator_create', { id: d.id, user_id: helper.id, capacity: 'owner' }, boss);
    expect(bad.body.error.message).toBe('Role must be one of "admin, editor, member"');
  });

  it('lets an editor collaborator move the dataset to an organization where they may create datasets, and nowhere else', async () => {
    const d = await t.factories.dataset({ owner_org: org.id });
    const user = await t.factories.user();
    const theirs = await t.factories.organization({ members: [[user, 'editor']] });
    const foreign = await t.factories.organization();
    await t.call('package_collaborator_create', { id: d.id, user_id: user.id, capacity: 'editor' });
    const refused = await post('package_patch', { id: d.id, owner_org: foreign.id }, user);
    expect(refused.body.error.owner_org).toEqual(['You cannot add a dataset to this organization']);
    const moved = await post('package_patch', { id: d.id, owner_org: theirs.id }, user);
    expect(moved.status).toBe(200);
    expect(moved.body.result.owner_org).toBe(theirs.id);
  });
  // Ported from CKAN's ckan/tests/logic/auth/test_get.py TestGetAuthWithCollaborators and test_update.py TestUpdateAuthWithCollaborators.
  describe('CKAN\'s auth rules for collaborators of each capacity', () => {
    type Attempt = (as: TestUser, f: { d: Dict; resourceId: string }) => request.Test;
    const reads: [string, Attempt][] = [
      ['package_show', (as, f) => get('package_show', { id: f.d.id }, as)],
      ['resource_show', (as, f) => get('resource_show', { id: f.resourceId }, as)],
      ['resource_view_list', (as, f) => get('resource_view_list', { id: f.resourceId }, as)],
    ];
    const writes: [string, Attempt][] = [
      ['package_update', (as, f) => post('package_update', { ...f.d, notes: 'geändert' }, as)],
      ['resource_create', (as, f) => post('resource_create', { package_id: f.d.id, url: 'http://example.org/neu.csv' }, as)],
      ['resource_update', (as, f) => post('resource_update', { id: f.resourceId, url: 'http://example.org/anders.csv' }, as)],
      ['datastore_create', (as, f) => post('datastore_create', { resource_id: f.resourceId, force: true, fields: [{ id: 'n', type: 'int' }] }, as)],
      ['resource_delete', (as, f) => post('resource_delete', { id: f.resourceId }, as)],
      ['package_delete', (as, f) => post('package_delete', { id: f.d.id }, as)],
    ];
    for (const capacity of ['member', 'editor', 'admin'] as const) {
      for (const isPrivate of [true, false]) {
        it(`a ${capacity} collaborator of a ${isPrivate ? 'private' : 'public'} dataset may read it${capacity === 'member' ? ' but not change it' : ' and change it'}`, async () => {
          const d = await t.factories.dataset({ owner_org: org.id, private: isPrivate });
          const resourceId = (await t.call<Dict>('resource_create', { package_id: d.id, url: 'http://example.org/werte.csv' })).id as string;
          const f = { d: await t.call<Dict>('package_show', { id: d.id }), resourceId };
          const user = await t.factories.user();
          const statuses = async (attempts: [string, Attempt][]): Promise<Record<string, number>> => {
            const out: Record<string, number> = {};
            for (const [name, attempt] of attempts) out[name] = (await attempt(user, f)).status;
            return out;
          };
          const all = (names: [string, Attempt][], status: number): Record<string, number> => Object.fromEntries(names.map(([n]) => [n, status]));
          if (isPrivate) expect(await statuses(reads)).toEqual(all(reads, 403));
          expect(await statuses(writes.slice(0, 1))).toEqual(all(writes.slice(0, 1), 403));
          await t.call('package_collaborator_create', { id: d.id, user_id: user.id, capacity });
          expect(await statuses(reads)).toEqual(all(reads, 200));
          expect(await statuses(writes)).toEqual(all(writes, capacity === 'member' ? 403 : 200));
        });
      }
    }
  });
});

describe('dataset collaborators switched off (AUTH_ALLOW_DATASET_COLLABORATORS=false)', () => {
  let t: TestApp;
  const { post, get } = api(() => t);

  beforeAll(async () => {
    t = await TestApp.start({ AUTH_ALLOW_DATASET_COLLABORATORS: 'false' });
  });
  afterAll(() => t.stop());

  it('answers every collaborator action with CKAN\'s "not enabled" error and gives existing collaborators no access', async () => {
    const orgAdmin = await t.factories.user();
    const org = await t.factories.organization({ members: [[orgAdmin, 'admin']] });
    const d = await t.factories.dataset({ owner_org: org.id, private: true });
    const user = await t.factories.user();
    const notEnabled = { __type: 'Validation Error', message: 'Dataset collaborators not enabled' };
    for (const res of [
      await post('package_collaborator_create', { id: d.id, user_id: user.id, capacity: 'editor' }, orgAdmin),
      await post('package_collaborator_delete', { id: d.id, user_id: user.id }, orgAdmin),
      await get('package_collaborator_list', { id: d.id }, orgAdmin),
      await get('package_collaborator_list_for_user', { id: user.id }, user),
    ]) {
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual(notEnabled);
    }
    // Rows left from when the setting was on grant nothing.
    await t.db.dataSource.query(`INSERT INTO package_member (package_id, user_id, capacity) VALUES ($1, $2, 'editor')`, [d.id, user.id]);
    expect((await get('package_show', { id: d.id }, user)).status).toBe(403);
    expect((await post('package_patch', { id: d.id, title: 'x' }, user)).status).toBe(403);
  });
});
