import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/** member_list, member_create, member_delete: CKAN's generic membership actions for users and datasets. */
describe('member_list, member_create and member_delete', () => {
  let t: TestApp;
  let admin: TestUser;
  let editor: TestUser;
  let member: TestUser;
  let otherAdmin: TestUser;
  let org: { id: string; name: string };
  let group: { id: string; name: string };
  let open: { id: string; name: string };
  let hidden: { id: string; name: string };

  beforeAll(async () => {
    t = await TestApp.start();
    [admin, editor, member, otherAdmin] = await Promise.all([t.factories.user(), t.factories.user(), t.factories.user(), t.factories.user()]);
    org = await t.factories.organization({ members: [[admin, 'admin'], [editor, 'editor'], [member, 'member']] });
    await t.factories.organization({ members: [[otherAdmin, 'admin']] });
    group = await t.factories.group({ members: [[admin, 'admin'], [editor, 'member'], [member, 'member']] });
    open = await t.factories.dataset({ owner_org: org.id });
    hidden = await t.factories.dataset({ owner_org: org.id, private: true });
  });
  afterAll(() => t.stop());

  const post = (action: string, body: object, as?: TestUser) => {
    const req = request(t.http).post(`/api/3/action/${action}`);
    return (as ? req.set('Authorization', as.token) : req).send(body);
  };

  /** The callers of the permission matrix; `undefined` is the anonymous caller. */
  const callers = (): [string, TestUser | undefined][] => [
    ['anonymous', undefined], ['member', member], ['editor', editor], ['admin', admin], ['another organization’s admin', otherAdmin], ['sysadmin', t.sysadmin],
  ];

  describe('member_list', () => {
    it('lists an organization’s users with their roles named as CKAN names them, and filters by type and capacity', async () => {
      const res = await request(t.http).get(`/api/3/action/member_list?id=${org.name}&object_type=user`);
      expect(res.status).toBe(200);
      expect(res.body.result).toEqual(expect.arrayContaining([[admin.id, 'user', 'Admin'], [editor.id, 'user', 'Editor'], [member.id, 'user', 'Member']]));
      const editors = await request(t.http).get(`/api/3/action/member_list?id=${org.id}&object_type=user&capacity=editor`);
      expect(editors.body.result).toEqual([[editor.id, 'user', 'Editor']]);
    });

    it('lists an organization’s datasets as capacity "organization", private ones only to those who may read them', async () => {
      const anon = await request(t.http).get(`/api/3/action/member_list?id=${org.id}&object_type=package`);
      expect(anon.body.result).toEqual([[open.id, 'package', 'organization']]);
      const asMember = await post('member_list', { id: org.id, object_type: 'package' }, member);
      expect(asMember.body.result).toEqual(expect.arrayContaining([[open.id, 'package', 'organization'], [hidden.id, 'package', 'organization']]));
      expect(asMember.body.result).toHaveLength(2);
      const asOther = await post('member_list', { id: org.id, object_type: 'package' }, otherAdmin);
      expect(asOther.body.result).toEqual([[open.id, 'package', 'organization']]);
    });

    it('lists users and datasets together when no object_type is given', async () => {
      const res = await post('member_list', { id: org.id }, t.sysadmin);
      const types = new Set(res.body.result.map((m: string[]) => m[1]));
      expect(types).toEqual(new Set(['user', 'package']));
      expect(res.body.result).toEqual(expect.arrayContaining([[hidden.id, 'package', 'organization'], [member.id, 'user', 'Member']]));
    });

    it('lists a group’s datasets as capacity "public" and drops deleted ones, as CKAN does', async () => {
      const g = await t.factories.group();
      const d = await t.factories.dataset({ owner_org: org.id, groups: [{ id: g.id }] });
      const before = await request(t.http).get(`/api/3/action/member_list?id=${g.id}&object_type=package`);
      expect(before.body.result).toEqual([[d.id, 'package', 'public']]);
      await t.call('package_delete', { id: d.id });
      const after = await request(t.http).get(`/api/3/action/member_list?id=${g.id}&object_type=package`);
      expect(after.body.result).toEqual([]);
    });

    it('answers an unknown group with 404 and a missing id with a field error', async () => {
      const unknown = await request(t.http).get('/api/3/action/member_list?id=no-such-group');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ success: false, error: { __type: 'Not Found Error' } });
      const missing = await request(t.http).get('/api/3/action/member_list');
      expect(missing.status).toBe(409);
      expect(missing.body.error).toEqual({ __type: 'Validation Error', id: ['Missing value'] });
    });

    it('shows a deleted group only to whom group_show shows it (sysadmins), without the memberships its deletion ended', async () => {
      const g = await t.factories.group({ members: [[member, 'member']] });
      await t.call('group_delete', { id: g.id });
      expect((await request(t.http).get(`/api/3/action/member_list?id=${g.id}`)).status).toBe(403);
      expect((await post('member_list', { id: g.id }, member)).status).toBe(403);
      const asSysadmin = await post('member_list', { id: g.id, object_type: 'user', capacity: 'member' }, t.sysadmin);
      expect(asSysadmin.status).toBe(200);
      expect(asSysadmin.body.result).toEqual([]);
    });
  });

  describe('member_create with users', () => {
    it('lets only the organization’s admins and sysadmins add a user (anonymous, member, editor, another admin: 403)', async () => {
      for (const [role, caller] of callers()) {
        const newcomer = await t.factories.user();
        const res = await post('member_create', { id: org.id, object: newcomer.name, object_type: 'user', capacity: 'member' }, caller);
        const allowed = role === 'admin' || role === 'sysadmin';
        expect([role, res.status]).toEqual([role, allowed ? 200 : 403]);
        const listed = await t.call<string[][]>('member_list', { id: org.id, object_type: 'user' });
        expect([role, listed.some((m) => m[0] === newcomer.id)]).toEqual([role, allowed]);
        if (!allowed) {
          expect(res.body.error.__type).toBe('Authorization Error');
          if (caller) expect(res.body.error.message).toBe(`Access denied: User ${caller.name} not authorized to edit group ${org.id}`);
        }
      }
    });

    it('returns CKAN’s member dict, and changes the capacity of an existing member', async () => {
      const u = await t.factories.user();
      const res = await post('member_create', { id: org.name, object: u.id, object_type: 'user', capacity: 'member' }, admin);
      expect(res.body).toMatchObject({ success: true, result: { table_name: 'user', table_id: u.id, group_id: org.id, capacity: 'member', state: 'active' } });
      expect(res.body.result.id).toMatch(/^[0-9a-f-]{36}$/);
      const again = await post('member_create', { id: org.id, object: u.name, object_type: 'user', capacity: 'editor' }, admin);
      expect(again.body.result).toMatchObject({ id: res.body.result.id, capacity: 'editor' });
      expect(await t.call('member_list', { id: org.id, object_type: 'user', capacity: 'editor' })).toEqual(expect.arrayContaining([[u.id, 'user', 'Editor']]));
      // The new role counts at once: the editor may now create datasets in the organization.
      const created = await request(t.http).post('/api/3/action/package_create').set('Authorization', u.token).send({ name: 'vom-neuen-editor', owner_org: org.id });
      expect(created.status).toBe(200);
    });

    it('refuses an admin revoking their own admin role', async () => {
      const boss = await t.factories.user();
      const o = await t.factories.organization({ members: [[boss, 'admin']] });
      const res = await post('member_create', { id: o.id, object: boss.name, object_type: 'user', capacity: 'member' }, boss);
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({ __type: 'Authorization Error', message: 'Access denied: Administrators cannot revoke their own admin status' });
    });

    it('refuses a role the organization or group does not have', async () => {
      const u = await t.factories.user();
      const bad = await post('member_create', { id: org.id, object: u.name, object_type: 'user', capacity: 'owner' }, admin);
      expect(bad.status).toBe(409);
      expect(bad.body.error).toEqual({ __type: 'Validation Error', capacity: ['role does not exist.'] });
      const groupEditor = await post('member_create', { id: group.id, object: u.name, object_type: 'user', capacity: 'editor' }, admin);
      expect(groupEditor.status).toBe(409);
      const groupMember = await post('member_create', { id: group.id, object: u.name, object_type: 'user', capacity: 'member' }, admin);
      expect(groupMember.body.result).toMatchObject({ table_name: 'user', group_id: group.id, capacity: 'member' });
    });

    it('answers missing parameters, an unknown group, object type or object as CKAN does', async () => {
      const missing = await post('member_create', {}, admin);
      expect(missing.status).toBe(409);
      expect(missing.body.error).toEqual({ __type: 'Validation Error', id: ['Missing value'], object: ['Missing value'], object_type: ['Missing value'], capacity: ['Missing value'] });
      const noGroup = await post('member_create', { id: 'nirgends', object: member.name, object_type: 'user', capacity: 'member' }, admin);
      expect(noGroup.status).toBe(404);
      expect(noGroup.body.error).toEqual({ __type: 'Not Found Error', message: 'Not found: Group was not found.' });
      const badType = await post('member_create', { id: org.id, object: member.name, object_type: 'foo', capacity: 'member' }, admin);
      expect(badType.status).toBe(409);
      expect(badType.body.error).toEqual({ __type: 'Validation Error', message: "Foo isn't a valid model" });
      const noUser = await post('member_create', { id: org.id, object: 'niemand', object_type: 'user', capacity: 'member' }, admin);
      expect(noUser.status).toBe(404);
      expect(noUser.body.error).toEqual({ __type: 'Not Found Error', message: 'Not found: User was not found.' });
    });
  });

  describe('member_create and member_delete with datasets', () => {
    it('lets a group member who may edit the dataset put it into the group, and shows it in the dataset', async () => {
      const res = await post('member_create', { id: group.name, object: open.name, object_type: 'package', capacity: 'public' }, editor);
      expect(res.status).toBe(200);
      expect(res.body.result).toEqual({ id: null, table_name: 'package', table_id: open.id, group_id: group.id, capacity: 'public', state: 'active' });
      const shown = await t.call<{ groups: { name: string }[] }>('package_show', { id: open.id });
      expect(shown.groups.map((g) => g.name)).toEqual([group.name]);
      expect(await t.call('member_list', { id: group.id, object_type: 'package' })).toEqual([[open.id, 'package', 'public']]);
    });

    it('refuses a group member who may not edit the dataset, and a caller outside the group', async () => {
      const d = await t.factories.dataset({ owner_org: org.id });
      const asMember = await post('member_create', { id: group.id, object: d.id, object_type: 'package', capacity: 'public' }, member);
      expect(asMember.status).toBe(403);
      expect(asMember.body.error.message).toBe(`Access denied: User ${member.name} not authorized to edit package ${d.id}`);
      const outside = await post('member_create', { id: group.id, object: d.id, object_type: 'package', capacity: 'public' }, otherAdmin);
      expect(outside.status).toBe(403);
      expect(outside.body.error.message).toBe(`Access denied: User ${otherAdmin.name} not authorized to edit group ${group.id}`);
      expect((await t.call<{ groups: unknown[] }>('package_show', { id: d.id })).groups).toEqual([]);
      // Once the dataset is in the group, naming it again changes nothing and needs no right on the dataset.
      await t.call('member_create', { id: group.id, object: d.id, object_type: 'package', capacity: 'public' });
      const again = await post('member_create', { id: group.id, object: d.id, object_type: 'package', capacity: 'public' }, member);
      expect(again.status).toBe(200);
    });

    it('does not reveal a private dataset the caller may not read', async () => {
      const g = await t.factories.group({ members: [[otherAdmin, 'admin']] });
      const res = await post('member_create', { id: g.id, object: hidden.id, object_type: 'package', capacity: 'public' }, otherAdmin);
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ __type: 'Not Found Error', message: 'Not found: Package was not found.' });
    });

    it('lets any member of the group take a dataset out of it, as CKAN does, and the dataset changes', async () => {
      const d = await t.factories.dataset({ owner_org: org.id, groups: [{ id: group.id }] });
      const res = await post('member_delete', { id: group.id, object: d.name, object_type: 'package' }, member);
      expect(res.body).toMatchObject({ success: true, result: null });
      const shown = await t.call<{ groups: unknown[]; metadata_modified: string }>('package_show', { id: d.id });
      expect(shown.groups).toEqual([]);
      expect(shown.metadata_modified > String(d.metadata_modified)).toBe(true);
      const found = await t.call<{ count: number }>('package_search', { fq: `groups:${group.name}`, q: `name:${d.name}` });
      expect(found.count).toBe(0);
    });

    it('refuses datasets as members of an organization: they belong to it through owner_org', async () => {
      const res = await post('member_create', { id: org.id, object: open.id, object_type: 'package', capacity: 'organization' }, admin);
      expect(res.status).toBe(409);
      expect(res.body.error.__type).toBe('Validation Error');
      expect(res.body.error.object_type[0]).toContain('owner_org');
    });
  });

  describe('member_delete with users', () => {
    it('lets only the organization’s admins and sysadmins remove a user, who then loses their rights', async () => {
      for (const [role, caller] of callers()) {
        const leaving = await t.factories.user();
        await t.call('member_create', { id: org.id, object: leaving.id, object_type: 'user', capacity: 'editor' });
        const res = await post('member_delete', { id: org.id, object: leaving.name, object_type: 'user' }, caller);
        const allowed = role === 'admin' || role === 'sysadmin';
        expect([role, res.status]).toEqual([role, allowed ? 200 : 403]);
        const listed = await t.call<string[][]>('member_list', { id: org.id, object_type: 'user' });
        expect([role, listed.some((m) => m[0] === leaving.id)]).toEqual([role, !allowed]);
        if (allowed) {
          const create = await request(t.http).post('/api/3/action/package_create').set('Authorization', leaving.token).send({ name: `weg-${role}`, owner_org: org.id });
          expect(create.status).toBe(403);
        }
      }
    });

    it('does nothing for a user who is not a member, and answers unknown objects and missing parameters', async () => {
      const stranger = await t.factories.user();
      const none = await post('member_delete', { id: org.id, object: stranger.id, object_type: 'user' }, admin);
      expect(none.body).toMatchObject({ success: true, result: null });
      const unknown = await post('member_delete', { id: org.id, object: 'niemand', object_type: 'user' }, admin);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.message).toBe('Not found: User was not found.');
      const missing = await post('member_delete', { id: org.id }, admin);
      expect(missing.status).toBe(409);
      expect(missing.body.error).toEqual({ __type: 'Validation Error', object: ['Missing value'], object_type: ['Missing value'] });
    });
  });

  describe('as CKAN’s tests state', () => {
    // ckan/tests/logic/action/test_get.py::TestMembersList::test_dataset_delete_marks_membership_of_org_as_deleted
    it('no longer lists a deleted dataset among the organization’s members', async () => {
      const d = await t.factories.dataset({ owner_org: org.id });
      expect(await t.call('member_list', { id: org.id, object_type: 'package' })).toContainEqual([d.id, 'package', 'organization']);
      await t.call('package_delete', { id: d.id });
      expect(await t.call('member_list', { id: org.id, object_type: 'package' })).not.toContainEqual([d.id, 'package', 'organization']);
    });

    // test_create.py::TestMemberCreate2 and test_delete.py::TestMemberDelete: *_raises_if_any_required_parameter_isnt_defined
    it('asks member_create and member_delete for each of id, object and object_type', async () => {
      const data = { object: open.name, id: group.id, object_type: 'package', capacity: 'public' };
      for (const action of ['member_create', 'member_delete']) {
        for (const key of ['id', 'object', 'object_type'] as const) {
          const payload: Record<string, string> = { ...data };
          delete payload[key];
          const res = await post(action, payload, t.sysadmin);
          expect([action, key, res.status, res.body.error?.[key]]).toEqual([action, key, 409, ['Missing value']]);
        }
      }
    });

    // *_raises_if_group_wasnt_found, *_raises_if_object_wasnt_found, *_raises_if_object_type_is_invalid
    it('answers an unknown group or dataset with 404 and an invalid object_type with 409, in member_create and member_delete', async () => {
      for (const action of ['member_create', 'member_delete']) {
        const noGroup = await post(action, { object: open.name, id: 'not-real', object_type: 'package', capacity: 'public' }, t.sysadmin);
        expect([action, noGroup.status, noGroup.body.error.__type]).toEqual([action, 404, 'Not Found Error']);
        const noObject = await post(action, { object: 'not-real', id: group.id, object_type: 'package', capacity: 'public' }, t.sysadmin);
        expect([action, noObject.status, noObject.body.error.__type]).toEqual([action, 404, 'Not Found Error']);
        const badType = await post(action, { object: open.name, id: group.id, object_type: 'notvalid', capacity: 'public' }, t.sysadmin);
        expect([action, badType.status, badType.body.error.__type]).toEqual([action, 409, 'Validation Error']);
      }
    });

    // *_accepts_object_name_or_id, *_raises_if_user_unauthorized_to_update_group
    it('takes a dataset by name or id, and refuses a user without rights on the group', async () => {
      const g = await t.factories.group();
      const d = await t.factories.dataset({ owner_org: org.id });
      expect((await post('member_create', { object: d.id, id: g.id, object_type: 'package', capacity: 'public' }, t.sysadmin)).status).toBe(200);
      expect((await post('member_create', { object: d.name, id: g.id, object_type: 'package', capacity: 'public' }, t.sysadmin)).status).toBe(200);
      expect(await t.call('member_list', { id: g.id, object_type: 'package' })).toEqual([[d.id, 'package', 'public']]);
      const nobody = await t.factories.user();
      expect((await post('member_delete', { object: d.name, id: g.id, object_type: 'package' }, nobody)).status).toBe(403);
      expect((await post('member_create', { object: d.name, id: g.id, object_type: 'package', capacity: 'public' }, nobody)).status).toBe(403);
      expect((await post('member_delete', { object: d.id, id: g.id, object_type: 'package' }, t.sysadmin)).status).toBe(200);
      expect(await t.call('member_list', { id: g.id, object_type: 'package' })).toEqual([]);
    });
  });
});
