import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

const CKAN_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/;

describe('organizations (municipalities) and groups', () => {
  let t: TestApp;
  let admin: TestUser;
  let editor: TestUser;
  let member: TestUser;
  let outsider: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    [admin, editor, member, outsider] = await Promise.all([t.factories.user(), t.factories.user(), t.factories.user(), t.factories.user({ fullname: 'Olga Außen' })]);
  });
  afterAll(() => t.stop());

  const post = (action: string, body: object, as?: TestUser) => {
    const r = request(t.http).post(`/api/3/action/${action}`).send(body);
    return as ? r.set('Authorization', as.token) : r;
  };

  describe('organization_create and organization_show', () => {
    it('creates a municipality with its creator as admin and shows CKAN’s organization dict', async () => {
      const res = await post('organization_create', { name: 'vg-suedwest', title: 'Verbandsgemeinde Südwest', description: 'Im Cluster', extras: [{ key: 'ags', value: '07340' }] }, t.sysadmin);
      expect(res.status).toBe(200);
      const o = res.body.result;
      expect(o).toMatchObject({
        name: 'vg-suedwest', title: 'Verbandsgemeinde Südwest', display_name: 'Verbandsgemeinde Südwest', description: 'Im Cluster', type: 'organization',
        is_organization: true, approval_status: 'approved', state: 'active', image_url: '', package_count: 0, num_followers: 0, tags: [], groups: [],
        extras: [{ group_id: o.id, key: 'ags', state: 'active', value: '07340' }],
      });
      expect(o.created).toMatch(CKAN_TS);
      expect(o.users).toEqual([expect.objectContaining({ name: 'sysadmin', capacity: 'admin' })]);
      expect(o.users[0]).not.toHaveProperty('password_hash');
      expect(o).not.toHaveProperty('packages');
    });

    it('refuses a taken name and a bad name with CKAN’s messages', async () => {
      await t.factories.organization({ name: 'besetzt' });
      const taken = await post('organization_create', { name: 'besetzt' }, t.sysadmin);
      expect(taken.status).toBe(409);
      expect(taken.body.error.name).toEqual(['Group name already exists in database']);
      const bad = await post('organization_create', { name: 'Böse Name' }, t.sysadmin);
      expect(bad.body.error.name).toEqual(['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_']);
    });

    it('lets only sysadmins create organizations by default', async () => {
      const res = await post('organization_create', { name: 'by-user' }, outsider);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(`Access denied: User ${outsider.name} not authorized to create organizations`);
    });

    it('counts private datasets and lists datasets only for members', async () => {
      const o = await t.factories.organization({ members: [[member, 'member']] });
      await t.factories.dataset({ owner_org: o.id, name: 'offen-1' });
      await t.factories.dataset({ owner_org: o.id, name: 'intern-1', private: true });
      const anon = await request(t.http).get(`/api/3/action/organization_show?id=${o.name}&include_datasets=true`);
      expect(anon.body.result.package_count).toBe(1);
      expect(anon.body.result.packages.map((p: { name: string }) => p.name)).toEqual(['offen-1']);
      const asMember = await request(t.http).get(`/api/3/action/organization_show?id=${o.id}&include_datasets=true`).set('Authorization', member.token);
      expect(asMember.body.result.package_count).toBe(2);
      expect(asMember.body.result.packages.map((p: { name: string }) => p.name).sort()).toEqual(['intern-1', 'offen-1']);
    });

    it('does not confuse organizations and groups', async () => {
      const g = await t.factories.group();
      const res = await request(t.http).get(`/api/3/action/organization_show?id=${g.id}`);
      expect(res.status).toBe(404);
      const o = await t.factories.organization();
      expect((await request(t.http).get(`/api/3/action/group_show?id=${o.name}`)).status).toBe(404);
    });

    it('shows e-mail addresses of members only to sysadmins', async () => {
      const o = await t.factories.organization({ members: [[member, 'member']] });
      const anon = await request(t.http).get(`/api/3/action/organization_show?id=${o.id}`);
      expect(anon.body.result.users.every((u: object) => !('email' in u))).toBe(true);
      const sys = await request(t.http).get(`/api/3/action/organization_show?id=${o.id}`).set('Authorization', t.sysadmin.token);
      expect(sys.body.result.users.find((u: { name: string }) => u.name === member.name).email).toBe(`${member.name}@example.org`);
    });
  });

  describe('organization_list', () => {
    it('lists names by title, pages, filters and sorts like CKAN', async () => {
      await t.factories.organization({ name: 'ol-c', title: 'Alpha' });
      await t.factories.organization({ name: 'ol-a', title: 'Gamma' });
      await t.factories.organization({ name: 'ol-b', title: 'Beta' });
      const byTitle = await request(t.http).get('/api/3/action/organization_list?q=ol-');
      expect(byTitle.body.result).toEqual(['ol-c', 'ol-b', 'ol-a']);
      const byName = await request(t.http).get('/api/3/action/organization_list?q=ol-&sort=name desc&limit=2&offset=1');
      expect(byName.body.result).toEqual(['ol-b', 'ol-a']);
      const only = await request(t.http).get('/api/3/action/organization_list?organizations=ol-a,ol-b');
      expect(only.body.result).toEqual(['ol-b', 'ol-a']);
      const full = await request(t.http).get('/api/3/action/organization_list?q=ol-&all_fields=true');
      expect(full.body.result[0]).toMatchObject({ name: 'ol-c', package_count: 0, display_name: 'Alpha' });
      expect(full.body.result[0]).not.toHaveProperty('users');
    });

    it('refuses an unknown sort field with a 409 message', async () => {
      const res = await request(t.http).get('/api/3/action/organization_list?sort=created asc');
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({ __type: 'Validation Error', message: 'Cannot sort by field `created`' });
    });
  });

  describe('updating and deleting', () => {
    it('keeps omitted fields and members on organization_update; patch merges', async () => {
      const o = await t.factories.organization({ title: 'Alt', description: 'bleibt', members: [[admin, 'admin'], [editor, 'editor']] });
      const up = await post('organization_update', { id: o.id, title: 'Neu' }, admin);
      expect(up.status).toBe(200);
      expect(up.body.result).toMatchObject({ title: 'Neu', description: 'bleibt' });
      expect(up.body.result.users.map((u: { name: string }) => u.name)).toEqual(expect.arrayContaining([admin.name, editor.name]));
      const patched = await post('organization_patch', { id: o.name, description: 'geändert' }, admin);
      expect(patched.body.result).toMatchObject({ title: 'Neu', description: 'geändert' });
    });

    it('shows the new organization title inside its datasets', async () => {
      const o = await t.factories.organization({ title: 'Vorher' });
      const d = await t.factories.dataset({ owner_org: o.id });
      await t.call('organization_patch', { id: o.id, title: 'Nachher' });
      const shown = await request(t.http).get(`/api/3/action/package_show?id=${d.id}`);
      expect(shown.body.result.organization.title).toBe('Nachher');
    });

    it('refuses to delete an organization that still has datasets', async () => {
      const o = await t.factories.organization();
      const d = await t.factories.dataset({ owner_org: o.id });
      const res = await post('organization_delete', { id: o.id }, t.sysadmin);
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({ __type: 'Validation Error', message: 'Organization cannot be deleted while it still has datasets' });
      await t.call('package_delete', { id: d.id });
      const ok = await post('organization_delete', { id: o.id }, t.sysadmin);
      expect(ok.body).toMatchObject({ success: true, result: null });
      expect(await t.call<string[]>('organization_list')).not.toContain(o.name);
      const purged = await post('organization_purge', { id: o.id }, t.sysadmin);
      expect(purged.status).toBe(200);
      expect((await request(t.http).get(`/api/3/action/organization_show?id=${o.id}`)).status).toBe(404);
    });
  });

  describe('membership', () => {
    it('adds, changes and removes members; returns CKAN’s member dict', async () => {
      const o = await t.factories.organization({ members: [[admin, 'admin']] });
      const add = await post('organization_member_create', { id: o.name, username: member.name, role: 'member' }, admin);
      expect(add.status).toBe(200);
      expect(add.body.result).toEqual({ id: expect.any(String), table_name: 'user', table_id: member.id, group_id: o.id, capacity: 'member', state: 'active' });
      const promote = await post('organization_member_create', { id: o.id, username: member.id, role: 'editor' }, admin);
      expect(promote.body.result.capacity).toBe('editor');
      expect(promote.body.result.id).toBe(add.body.result.id);
      const del = await post('organization_member_delete', { id: o.id, username: member.name }, admin);
      expect(del.body).toMatchObject({ success: true, result: null });
      const shown = await t.call<{ users: { name: string }[] }>('organization_show', { id: o.id });
      expect(shown.users.map((u) => u.name)).not.toContain(member.name);
    });

    it('validates roles and users with CKAN’s messages', async () => {
      const o = await t.factories.organization({ members: [[admin, 'admin']] });
      const badRole = await post('organization_member_create', { id: o.id, username: member.name, role: 'king' }, admin);
      expect(badRole.body.error).toEqual({ __type: 'Validation Error', role: ['role does not exist.'] });
      const noUser = await post('organization_member_create', { id: o.id, username: 'ghost', role: 'member' }, admin);
      expect(noUser.body.error).toEqual({ __type: 'Validation Error', message: 'User ghost does not exist.' });
      const noOrg = await post('organization_member_create', { id: 'ghost-org', username: member.name, role: 'member' }, admin);
      expect(noOrg.status).toBe(404);
      expect(noOrg.body.error.message).toBe('Not found: Organization not found');
    });

    it('stops an admin from revoking their own admin role', async () => {
      const o = await t.factories.organization({ members: [[admin, 'admin']] });
      const res = await post('organization_member_create', { id: o.id, username: admin.name, role: 'member' }, admin);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe('Access denied: Administrators cannot revoke their own admin status');
    });

    it('lets only admins manage members', async () => {
      const o = await t.factories.organization({ members: [[editor, 'editor']] });
      const res = await post('organization_member_create', { id: o.id, username: outsider.name, role: 'member' }, editor);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(`Access denied: User ${editor.name} not authorized to add members`);
    });

    it('organization_list_for_user returns the caller’s organizations with their capacity, by permission', async () => {
      const u = await t.factories.user();
      const a = await t.factories.organization({ title: 'A-Stadt', members: [[u, 'member']] });
      const b = await t.factories.organization({ title: 'B-Dorf', members: [[u, 'editor']] });
      const all = await request(t.http).get('/api/3/action/organization_list_for_user').set('Authorization', u.token);
      expect(all.body.result.map((o: { id: string; capacity: string }) => [o.id, o.capacity])).toEqual([[a.id, 'member'], [b.id, 'editor']]);
      const canCreate = await request(t.http).get('/api/3/action/organization_list_for_user?permission=create_dataset').set('Authorization', u.token);
      expect(canCreate.body.result.map((o: { id: string }) => o.id)).toEqual([b.id]);
      const anon = await request(t.http).get('/api/3/action/organization_list_for_user');
      expect(anon.body.result).toEqual([]);
      const sys = await t.call<{ capacity: string }[]>('organization_list_for_user');
      expect(sys.length).toBeGreaterThanOrEqual(2);
      expect(sys.every((o) => o.capacity === 'admin')).toBe(true);
    });

    it('member_roles_list gives the roles, without editor for groups', async () => {
      const org = await request(t.http).get('/api/3/action/member_roles_list');
      expect(org.body.result).toEqual([{ text: 'Admin', value: 'admin' }, { text: 'Editor', value: 'editor' }, { text: 'Member', value: 'member' }]);
      const grp = await request(t.http).get('/api/3/action/member_roles_list?group_type=group');
      expect(grp.body.result.map((r: { value: string }) => r.value)).toEqual(['admin', 'member']);
    });
  });

  describe('groups', () => {
    it('lets any logged-in user create a group and add datasets they can read', async () => {
      const o = await t.factories.organization({ members: [[editor, 'editor']] });
      const d = await t.factories.dataset({ owner_org: o.id });
      const g = await post('group_create', { name: 'umwelt', title: 'Umwelt', packages: [{ name: d.name }] }, editor);
      expect(g.status).toBe(200);
      expect(g.body.result).toMatchObject({ name: 'umwelt', is_organization: false, type: 'group', package_count: 1 });
      const shown = await request(t.http).get(`/api/3/action/package_show?id=${d.id}`);
      expect(shown.body.result.groups).toEqual([{ description: '', display_name: 'Umwelt', id: g.body.result.id, image_display_url: '', name: 'umwelt', title: 'Umwelt' }]);
      expect(await t.call<string[]>('group_list')).toContain('umwelt');
    });

    it('gives a dataset that group_update takes out of the group a new metadata_modified, as one that joins gets', async () => {
      const o = await t.factories.organization();
      const [stays, leaves, joins] = [await t.factories.dataset({ owner_org: o.id }), await t.factories.dataset({ owner_org: o.id }), await t.factories.dataset({ owner_org: o.id })];
      const g = await t.call<{ id: string; name: string }>('group_create', { name: 'wechselnd', packages: [{ name: stays.name }, { name: leaves.name }] });
      const before = async (id: string) => (await t.call<{ metadata_modified: string }>('package_show', { id })).metadata_modified;
      const [leavesBefore, joinsBefore, staysBefore] = [await before(leaves.id), await before(joins.id), await before(stays.id)];
      await t.call('group_update', { id: g.id, name: g.name, packages: [{ name: stays.name }, { name: joins.name }] });
      const after = await Promise.all([leaves.id, joins.id, stays.id].map((id) => t.call<{ metadata_modified: string; groups: { name: string }[] }>('package_show', { id })));
      expect(after[0].metadata_modified > leavesBefore).toBe(true);
      expect(after[0].groups).toEqual([]);
      expect(after[1].metadata_modified > joinsBefore).toBe(true);
      expect(after[2].metadata_modified).toBe(staysBefore);
    });

    it('group_list_authz lists the groups a user may add datasets to; all of them for sysadmins', async () => {
      const u = await t.factories.user();
      const mine = await t.factories.group({ title: 'Meine Gruppe', members: [[u, 'member']] });
      await t.factories.group({ title: 'Fremde Gruppe' });
      const res = await request(t.http).get('/api/3/action/group_list_authz').set('Authorization', u.token);
      expect(res.body.result.map((g: { id: string }) => g.id)).toEqual([mine.id]);
      expect((await request(t.http).get('/api/3/action/group_list_authz')).body.result).toEqual([]);
      const sys = await t.call<unknown[]>('group_list_authz');
      expect(sys.length).toBeGreaterThanOrEqual(2);
    });

    it('adds a dataset to a group through package_patch when the caller may manage the group', async () => {
      const o = await t.factories.organization({ members: [[editor, 'editor']] });
      const d = await t.factories.dataset({ owner_org: o.id });
      const own = await t.factories.group({ members: [[editor, 'member']] });
      const foreign = await t.factories.group();
      const ok = await post('package_patch', { id: d.id, groups: [{ name: own.name }] }, editor);
      expect(ok.body.result.groups.map((g: { name: string }) => g.name)).toEqual([own.name]);
      const denied = await post('package_patch', { id: d.id, groups: [{ name: foreign.name }] }, editor);
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toBe(`Access denied: User ${editor.name} not authorized to edit these groups`);
    });
  });
});
