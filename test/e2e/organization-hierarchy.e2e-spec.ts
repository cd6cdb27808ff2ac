import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

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

describe('organization hierarchy (ckanext-hierarchy)', () => {
  let t: TestApp;
  const { post, get } = api(() => t);
  const org = (o: Record<string, unknown> = {}): Promise<Dict> => t.factories.organization(o);
  const setParent = (child: Dict, parent: Dict | null, as?: TestUser): request.Test =>
    post('organization_patch', { id: child.id, groups: parent ? [{ name: parent.name }] : [] }, as ?? t.sysadmin);
  const show = async (o: Dict, as?: TestUser): Promise<Dict> => (await get('organization_show', { id: o.id }, as ?? null)).body.result;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.stop());

  describe('setting, changing and removing a parent', () => {
    it('places an organization below another with groups: [{name}] and shows it in organization_show', async () => {
      const county = await org({ title: 'Landkreis Beispiel' });
      const town = await org({ title: 'Gemeinde Nord' });
      const res = await setParent(town, county);
      expect(res.status).toBe(200);
      expect(res.body.result.groups).toEqual([
        expect.objectContaining({ id: county.id, name: county.name, title: 'Landkreis Beispiel', capacity: 'public', is_organization: true, package_count: 0, member_count: 1, groups: [] }),
      ]);
      expect(res.body.result.parent).toEqual({ id: county.id, name: county.name, title: 'Landkreis Beispiel', display_name: 'Landkreis Beispiel' });
      const countyDict = await show(county);
      expect(countyDict.children).toEqual([{ id: town.id, name: town.name, title: 'Gemeinde Nord', display_name: 'Gemeinde Nord' }]);
      expect(countyDict.parent).toBeNull();
      expect(countyDict.groups).toEqual([]);
      expect(countyDict.cascade_roles).toEqual(['admin']);
    });

    it('counts only the parent\'s datasets the caller may read, in organization_show and organization_list', async () => {
      const countyAdmin = await t.factories.user();
      const county = await org({ members: [[countyAdmin, 'admin']] });
      const town = await org({ groups: [{ name: county.name }] });
      await t.factories.dataset({ owner_org: county.id, private: true });
      await t.factories.dataset({ owner_org: county.id, private: false });
      expect((await show(town)).groups[0].package_count).toBe(1);
      expect((await show(town, countyAdmin)).groups[0].package_count).toBe(2);
      const list = await get('organization_list', { all_fields: 'true', include_groups: 'true', organizations: town.name });
      expect(list.body.result[0].groups).toEqual([expect.objectContaining({ id: county.id, package_count: 1 })]);
    });

    it('creates an organization below a parent', async () => {
      const county = await org();
      const town = await org({ groups: [{ name: county.name }] });
      expect(town.parent).toMatchObject({ id: county.id });
      expect((await show(county)).children.map((c: Dict) => c.id)).toEqual([town.id]);
    });

    it('moves an organization to another parent, keeps it through a patch without groups, and makes it top-level with groups: []', async () => {
      const a = await org();
      const b = await org();
      const town = await org({ groups: [{ name: a.name }] });
      expect((await setParent(town, b)).body.result.parent.id).toBe(b.id);
      expect((await show(a)).children).toEqual([]);
      const patched = await post('organization_patch', { id: town.id, title: 'Neu' }, t.sysadmin);
      expect(patched.body.result.parent.id).toBe(b.id);
      // A client writing back what organization_show gave keeps the parent.
      const roundTrip = await post('organization_update', { ...patched.body.result }, t.sysadmin);
      expect(roundTrip.status).toBe(200);
      expect(roundTrip.body.result.parent.id).toBe(b.id);
      const removed = await setParent(town, null);
      expect(removed.body.result.parent).toBeNull();
      expect(removed.body.result.groups).toEqual([]);
      // The edit form's "None - top level" sends an empty name.
      await setParent(town, a);
      const none = await post('organization_patch', { id: town.id, groups: [{ name: '' }] }, t.sysadmin);
      expect(none.body.result.parent).toBeNull();
    });

    it('lists the grandparent inside the parent\'s groups, as CKAN nests group dicts', async () => {
      const land = await org();
      const county = await org({ groups: [{ name: land.name }] });
      const town = await org({ groups: [{ name: county.name }] });
      const dict = await show(town);
      expect(dict.groups[0]).toMatchObject({ id: county.id, groups: [expect.objectContaining({ id: land.id, groups: [] })] });
    });

    it('refuses loops, groups and unknown or several parents with 409 and changes nothing', async () => {
      const top = await org();
      const mid = await org({ groups: [{ name: top.name }] });
      const low = await org({ groups: [{ name: mid.name }] });
      const group = await t.factories.group();
      const cases: [Dict, object, string][] = [
        [top, [{ name: top.name }], 'below itself'],
        [top, [{ name: low.name }], 'below itself or one of its sub-organizations'],
        [mid, [{ name: group.name }], 'must be an organization'],
        [mid, [{ name: 'no-such-org' }], 'Parent organization no-such-org does not exist'],
        [mid, [{ name: top.name }, { name: low.name }], 'only one parent'],
      ];
      for (const [child, groups, message] of cases) {
        const res = await post('organization_patch', { id: child.id, groups }, t.sysadmin);
        expect(res.status).toBe(409);
        expect(res.body.error).toMatchObject({ __type: 'Validation Error', groups: [expect.stringContaining(message)] });
      }
      expect((await show(top)).parent).toBeNull();
      expect((await show(mid)).parent.id).toBe(top.id);
    });

    it('lets only one of two concurrent moves that together would close a loop succeed', async () => {
      for (let round = 0; round < 3; round++) {
        const a = await org();
        const b = await org();
        const [ab, ba] = await Promise.all([setParent(a, b), setParent(b, a)]);
        expect([ab.status, ba.status].sort()).toEqual([200, 409]);
        const parents = [(await show(a)).parent?.id ?? null, (await show(b)).parent?.id ?? null];
        expect(parents.filter((p) => p !== null)).toHaveLength(1);
      }
    });

    it('refuses a tree deeper than 8 levels', async () => {
      let parent = await org();
      for (let level = 2; level <= 8; level++) parent = await org({ groups: [{ name: parent.name }] });
      const res = await post('organization_create', { name: 'level-nine', groups: [{ name: parent.name }] }, t.sysadmin);
      expect(res.status).toBe(409);
      expect(res.body.error.groups).toEqual(['The organization tree would be deeper than 8 levels']);
    });

    it('makes the children of a deleted or purged organization top-level', async () => {
      const county = await org();
      const town = await org({ groups: [{ name: county.name }] });
      await t.call('organization_delete', { id: county.id });
      expect((await show(town)).parent).toBeNull();
      const other = await org();
      const village = await org({ groups: [{ name: other.name }] });
      await t.call('organization_purge', { id: other.id });
      expect((await show(village)).parent).toBeNull();
      const tree = (await get('group_tree', { type: 'organization' })).body.result as Dict[];
      expect(tree.map((n) => n.id)).toEqual(expect.arrayContaining([town.id, village.id]));
    });
  });

  describe('group_tree and group_tree_section', () => {
    let root: Dict;
    let b: Dict;
    let a: Dict;
    let a1: Dict;
    beforeAll(async () => {
      root = await org({ name: 'tree-root', title: 'Kreis' });
      b = await org({ name: 'tree-b', title: 'Beta', groups: [{ name: root.name }] });
      a = await org({ name: 'tree-a', title: 'Alpha', groups: [{ name: root.name }] });
      a1 = await org({ name: 'tree-a1', title: 'Alpha Eins', groups: [{ name: a.name }] });
    });
    const node = (o: Dict, children: Dict[] = [], highlighted = false): Dict => ({ id: o.id, name: o.name, title: o.title, highlighted, children });

    it('group_tree gives the top-level organizations with their children by title, and nothing but ids, names and titles', async () => {
      const res = await get('group_tree', { type: 'organization' });
      expect(res.status).toBe(200);
      const mine = (res.body.result as Dict[]).find((n) => n.id === root.id);
      expect(mine).toEqual(node(root, [node(a, [node(a1)]), node(b)]));
      expect((res.body.result as Dict[]).some((n) => n.id === a.id)).toBe(false);
    });

    it('group_tree without a type gives the groups, as CKAN\'s default type is "group"', async () => {
      const g = await t.factories.group({ title: 'Thema' });
      const res = await get('group_tree', {});
      expect(res.body.result).toContainEqual(node(g));
      expect((res.body.result as Dict[]).some((n) => n.id === root.id)).toBe(false);
    });

    it('group_tree_section gives the branch from the top, the named organization highlighted', async () => {
      const res = await get('group_tree_section', { id: a1.name, type: 'organization' });
      expect(res.body.result).toEqual(node(root, [node(a, [node(a1, [], true)]), node(b)]));
      const noParents = await get('group_tree_section', { id: a.id, type: 'organization', include_parents: 'false' });
      expect(noParents.body.result).toEqual(node(a, [node(a1)], true));
      const noSiblings = await get('group_tree_section', { id: a.id, type: 'organization', include_siblings: 'false' });
      expect(noSiblings.body.result).toEqual(node(root, [node(a, [node(a1)], true)]));
    });

    it('group_tree_section answers CKAN\'s errors for a wrong type and an unknown organization', async () => {
      const wrong = await get('group_tree_section', { id: a.id });
      expect(wrong.status).toBe(409);
      expect(wrong.body.error).toEqual({ __type: 'Validation Error', message: 'Group type is "organization" not "group" that is filtered by default' });
      expect((await get('group_tree_section', { id: 'no-such-org', type: 'organization' })).status).toBe(404);
    });
  });

  describe('roles reaching down the hierarchy', () => {
    let countyAdmin: TestUser;
    let countyEditor: TestUser;
    let townAdmin: TestUser;
    let county: Dict;
    let town: Dict;
    let secret: Dict;

    beforeAll(async () => {
      countyAdmin = await t.factories.user();
      countyEditor = await t.factories.user();
      townAdmin = await t.factories.user();
      county = await org({ members: [[countyAdmin, 'admin'], [countyEditor, 'editor']] });
      town = await org({ groups: [{ name: county.name }], members: [[townAdmin, 'admin']] });
      secret = await t.factories.dataset({ owner_org: town.id, private: true, notes: 'intern' });
      await t.searchIndexed();
    });

    const reach = async (user: TestUser): Promise<Dict> => {
      const search = await get('package_search', { fq: `owner_org:${town.id}`, include_private: 'true' }, user);
      return {
        show: (await get('package_show', { id: secret.id }, user)).status,
        found: search.body.result.count,
        count: (await show(town, user)).package_count,
        update: (await post('package_patch', { id: secret.id, notes: 'geändert' }, user)).status,
      };
    };
    const cascade = (roles: string[]): Promise<unknown> => t.call('organization_patch', { id: county.id, cascade_roles: roles });

    it('lets the county admin read, find, count and edit a town\'s private dataset under the default (admin cascades)', async () => {
      expect(await reach(countyAdmin)).toEqual({ show: 200, found: 1, count: 1, update: 200 });
      const orgs = (await get('organization_list_for_user', { permission: 'admin' }, countyAdmin)).body.result as Dict[];
      expect(orgs.map((o) => o.id)).toEqual(expect.arrayContaining([county.id, town.id]));
    });

    it('gives a token restricted to the town the county admin\'s role there, and one restricted to the county nothing below it', async () => {
      const token = async (organization: string): Promise<TestUser> => {
        const res = await post('api_token_create', { user: countyAdmin.name, name: `nur-${organization}`, organization }, countyAdmin);
        expect(res.status).toBe(200);
        return { ...countyAdmin, token: res.body.result.token };
      };
      expect(await reach(await token(town.name))).toEqual({ show: 200, found: 1, count: 1, update: 200 });
      expect(await reach(await token(county.name))).toEqual({ show: 403, found: 0, count: 0, update: 403 });
    });

    it('reaches down every level, and the strongest role counts where a user also holds a weaker one directly', async () => {
      const landAdmin = await t.factories.user();
      const land = await org({ members: [[landAdmin, 'admin']] });
      const district = await org({ groups: [{ name: land.name }] });
      const village = await org({ groups: [{ name: district.name }], members: [[landAdmin, 'member']] });
      const d = await t.factories.dataset({ owner_org: village.id, private: true });
      expect((await get('package_show', { id: d.id }, landAdmin)).status).toBe(200);
      expect((await post('package_patch', { id: d.id, notes: 'von oben' }, landAdmin)).status).toBe(200);
      const roles = (await get('organization_list_for_user', { permission: 'read' }, landAdmin)).body.result as Dict[];
      expect(roles.filter((o) => [land.id, district.id, village.id].includes(o.id)).map((o) => o.capacity)).toEqual(['admin', 'admin', 'admin']);
    });

    it('does not let an editor of the county reach the town under the default', async () => {
      expect(await reach(countyEditor)).toEqual({ show: 403, found: 0, count: 0, update: 403 });
    });

    it('follows the county\'s cascade_roles: none keeps the admin out, admin and editor lets the editor in', async () => {
      await cascade([]);
      expect((await show(county)).cascade_roles).toEqual([]);
      expect(await reach(countyAdmin)).toEqual({ show: 403, found: 0, count: 0, update: 403 });
      await cascade(['editor', 'admin']);
      expect((await show(county)).cascade_roles).toEqual(['admin', 'editor']);
      expect(await reach(countyEditor)).toEqual({ show: 200, found: 1, count: 1, update: 200 });
      expect(await reach(countyAdmin)).toMatchObject({ show: 200, update: 200 });
      await cascade(['admin']);
      expect(await reach(countyEditor)).toMatchObject({ show: 403, update: 403 });
    });

    it('stops reaching the town as soon as the parent link is removed', async () => {
      const res = await post('organization_patch', { id: town.id, groups: [] }, countyAdmin);
      expect(res.status).toBe(200);
      expect(await reach(countyAdmin)).toEqual({ show: 403, found: 0, count: 0, update: 403 });
      // The town's own admin still reads it; anonymous callers never did.
      expect((await get('package_show', { id: secret.id }, townAdmin)).status).toBe(200);
      expect((await get('package_show', { id: secret.id })).status).toBe(403);
      await t.call('organization_patch', { id: town.id, groups: [{ name: county.name }] });
    });
  });

  describe('who may set a parent and what cascades', () => {
    let childAdmin: TestUser;
    let parentAdmin: TestUser;
    let parentEditor: TestUser;
    let both: TestUser;
    let parent: Dict;
    let other: Dict;

    beforeAll(async () => {
      childAdmin = await t.factories.user();
      parentAdmin = await t.factories.user();
      parentEditor = await t.factories.user();
      both = await t.factories.user();
      parent = await org({ members: [[parentAdmin, 'admin'], [parentEditor, 'editor'], [both, 'admin']] });
      other = await org({ members: [[both, 'admin']] });
    });
    const child = (): Promise<Dict> => org({ members: [[childAdmin, 'admin'], [parentEditor, 'admin'], [both, 'admin']] });

    it.each([
      ['an admin of the child alone', 403, 'childAdmin'],
      ['an admin of the parent alone', 403, 'parentAdmin'],
      ['an admin of the child who is an editor of the parent', 403, 'parentEditor'],
      ['an admin of both', 200, 'both'],
      ['an anonymous caller', 403, 'anonymous'],
    ] as const)('setting a parent: %s gets %i', async (_who, status, key) => {
      const users: Record<string, TestUser | null> = { childAdmin, parentAdmin, parentEditor, both, anonymous: null };
      const c = await child();
      const res = await post('organization_patch', { id: c.id, groups: [{ name: parent.name }] }, users[key]);
      expect(res.status).toBe(status);
      expect((await show(c)).parent?.id ?? null).toBe(status === 200 ? parent.id : null);
    });

    it('moving or removing takes an admin of the current parent too', async () => {
      const c = await child();
      await t.call('organization_patch', { id: c.id, groups: [{ name: other.name }] });
      expect((await post('organization_patch', { id: c.id, groups: [] }, childAdmin)).status).toBe(403);
      expect((await post('organization_patch', { id: c.id, groups: [{ name: parent.name }] }, parentEditor)).status).toBe(403);
      expect((await post('organization_patch', { id: c.id, groups: [{ name: parent.name }] }, both)).status).toBe(200);
      // The parent's admin is the child's admin through the hierarchy, and may take it out again.
      expect((await post('organization_patch', { id: c.id, groups: [] }, parentAdmin)).status).toBe(200);
    });

    it.each([
      ['an admin of the parent alone', 403, 'parentAdmin'],
      ['an admin of the child alone', 403, 'childAdmin'],
      ['an admin of both', 200, 'both'],
    ] as const)('member_create with object_type "group" and capacity "parent" (ckanext-hierarchy): %s gets %i', async (_who, status, key) => {
      const users: Record<string, TestUser> = { childAdmin, parentAdmin, both };
      const c = await child();
      const res = await post('member_create', { id: parent.id, object: c.name, object_type: 'group', capacity: 'parent' }, users[key]);
      expect(res.status).toBe(status);
      if (status === 200) {
        expect(res.body.result).toEqual({ id: null, table_name: 'group', table_id: c.id, group_id: parent.id, capacity: 'parent', state: 'active' });
      }
      expect((await show(c)).parent?.id ?? null).toBe(status === 200 ? parent.id : null);
    });

    it('member_list names the organizations below a parent, and member_delete takes one out as groups: [] does', async () => {
      const c = await child();
      await t.call('member_create', { id: parent.id, object: c.id, object_type: 'group', capacity: 'parent' });
      const listed = (await get('member_list', { id: parent.name, object_type: 'group' })).body.result as [string, string, string][];
      expect(listed).toContainEqual([c.id, 'group', 'parent']);
      // Taking out an organization that is not below the group changes nothing, even for its own admin.
      expect((await post('member_delete', { id: other.id, object: c.id, object_type: 'group' }, both)).status).toBe(200);
      expect((await show(c)).parent?.id).toBe(parent.id);
      // Leaving the parent takes an admin of the parent, as organization_patch with groups: [] does.
      expect((await post('member_delete', { id: parent.id, object: c.id, object_type: 'group' }, childAdmin)).status).toBe(403);
      expect((await post('member_delete', { id: parent.id, object: c.id, object_type: 'group' }, parentAdmin)).status).toBe(200);
      expect((await show(c)).parent).toBeNull();
      expect((await get('member_list', { id: parent.name, object_type: 'group' })).body.result).not.toContainEqual([c.id, 'group', 'parent']);
    });

    it('member_create of a group object refuses loops, groups, other capacities and unknown organizations with CKAN\'s errors', async () => {
      const c = await child();
      await t.call('member_create', { id: parent.id, object: c.id, object_type: 'group', capacity: 'parent' });
      const loop = await post('member_create', { id: c.id, object: parent.id, object_type: 'group', capacity: 'parent' }, t.sysadmin);
      expect(loop.status).toBe(409);
      expect(loop.body.error).toEqual({ __type: 'Validation Error', object: ['An organization cannot be placed below itself or one of its sub-organizations'] });
      const capacity = await post('member_create', { id: other.id, object: c.id, object_type: 'group', capacity: 'member' }, t.sysadmin);
      expect(capacity.status).toBe(409);
      expect(capacity.body.error.capacity).toEqual(['An organization is placed below another with capacity "parent"']);
      const group = await t.factories.group();
      const notOrg = await post('member_create', { id: group.id, object: c.id, object_type: 'group', capacity: 'parent' }, t.sysadmin);
      expect(notOrg.status).toBe(409);
      expect(notOrg.body.error.object_type).toEqual(['Only organizations can be placed below one another (object_type "group" with organizations)']);
      const unknown = await post('member_create', { id: parent.id, object: 'no-such-org', object_type: 'group', capacity: 'parent' }, t.sysadmin);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toEqual({ __type: 'Not Found Error', message: 'Not found: Group was not found.' });
      expect((await show(c)).parent?.id).toBe(parent.id);
    });

    it('lets an organization\'s admins narrow cascade_roles, and only sysadmins widen it', async () => {
      const widen = await post('organization_patch', { id: parent.id, cascade_roles: ['admin', 'member'] }, parentAdmin);
      expect(widen.status).toBe(403);
      const narrow = await post('organization_patch', { id: parent.id, cascade_roles: [] }, parentAdmin);
      expect(narrow.status).toBe(200);
      expect(narrow.body.result.cascade_roles).toEqual([]);
      expect((await post('organization_patch', { id: parent.id, cascade_roles: ['admin'] }, parentAdmin)).status).toBe(403);
      const sys = await post('organization_patch', { id: parent.id, cascade_roles: 'admin,member' }, t.sysadmin);
      expect(sys.body.result.cascade_roles).toEqual(['admin', 'member']);
      const bad = await post('organization_patch', { id: parent.id, cascade_roles: ['owner'] }, t.sysadmin);
      expect(bad.status).toBe(409);
      expect(bad.body.error.cascade_roles).toEqual(['Role owner does not exist']);
      await t.call('organization_patch', { id: parent.id, cascade_roles: ['admin'] });
    });
  });
});
