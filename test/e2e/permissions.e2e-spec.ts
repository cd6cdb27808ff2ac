import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/**
 * The permission matrix: every action, called by each kind of caller, answers as CKAN's default
 * rules say. `true` = allowed (200), `false` = refused (403). Fixtures are fresh per call, so a
 * successful delete by one caller never hides a refusal for the next.
 */
type Role = 'anonymous' | 'member' | 'editor' | 'admin' | 'otherAdmin' | 'sysadmin';
const ROLES: Role[] = ['anonymous', 'member', 'editor', 'admin', 'otherAdmin', 'sysadmin'];
type Expect = Record<Role, boolean>;

const everyone: Expect = { anonymous: true, member: true, editor: true, admin: true, otherAdmin: true, sysadmin: true };
const loggedIn: Expect = { ...everyone, anonymous: false };
const readers: Expect = { anonymous: false, member: true, editor: true, admin: true, otherAdmin: false, sysadmin: true };
const writers: Expect = { anonymous: false, member: false, editor: true, admin: true, otherAdmin: false, sysadmin: true };
const admins: Expect = { anonymous: false, member: false, editor: false, admin: true, otherAdmin: false, sysadmin: true };
const sysadminOnly: Expect = { anonymous: false, member: false, editor: false, admin: false, otherAdmin: false, sysadmin: true };

describe('permission matrix', () => {
  let t: TestApp;
  const users = {} as Record<Exclude<Role, 'anonymous' | 'sysadmin'>, TestUser>;
  let org: { id: string; name: string };

  beforeAll(async () => {
    t = await TestApp.start();
    for (const r of ['member', 'editor', 'admin', 'otherAdmin'] as const) users[r] = await t.factories.user({ name: `role-${r.toLowerCase()}` });
    org = await t.factories.organization({ members: [[users.member, 'member'], [users.editor, 'editor'], [users.admin, 'admin']] });
    await t.factories.organization({ members: [[users.otherAdmin, 'admin']] });
  });
  afterAll(() => t.stop());

  const userOf = (role: Role): TestUser | undefined => (role === 'anonymous' ? undefined : role === 'sysadmin' ? t.sysadmin : users[role]);
  const publicDataset = () => t.factories.dataset({ owner_org: org.id, resources: [{ url: 'http://r.example/a.csv' }] });
  const privateDataset = () => t.factories.dataset({ owner_org: org.id, private: true, resources: [{ url: 'http://r.example/p.csv' }] });
  const view = (d: { resources: Record<string, unknown>[] }) =>
    t.call<{ id: string }>('resource_view_create', { resource_id: d.resources[0].id, title: 'Text', view_type: 'text_view' });
  const group = () => t.factories.group({ members: [[users.admin, 'admin'], [users.member, 'member']] });
  const freshOrg = () => t.factories.organization({ members: [[users.member, 'member'], [users.editor, 'editor'], [users.admin, 'admin']] });

  /** [action, setup returning the data dict (may use the caller), expected verdicts] */
  const matrix: [string, (u: TestUser | undefined) => Promise<Record<string, unknown>>, Expect][] = [
    ['status_show', async () => ({}), everyone],
    ['site_read', async () => ({}), everyone],
    ['help_show', async () => ({ name: 'package_show' }), everyone],
    ['license_list', async () => ({}), everyone],
    ['member_roles_list', async () => ({}), everyone],
    ['package_list', async () => ({}), everyone],
    ['current_package_list_with_resources', async () => ({}), everyone],
    ['package_autocomplete', async () => ({ q: 'pe' }), everyone],
    ['tag_list', async () => ({}), everyone],
    ['organization_list', async () => ({}), everyone],
    ['organization_show', async () => ({ id: org.id }), everyone],
    ['organization_list_for_user', async () => ({}), everyone],
    ['group_list', async () => ({}), everyone],
    ['group_show', async () => ({ id: (await group()).id }), everyone],
    ['user_list', async () => ({}), everyone],
    ['user_show', async () => ({ id: users.member.name }), everyone],
    ['package_show (public)', async () => ({ id: (await publicDataset()).id }), everyone],
    ['package_show (private)', async () => ({ id: (await privateDataset()).id }), readers],
    ['resource_show (private)', async () => ({ id: (await privateDataset()).resources[0].id }), readers],
    ['package_create', async () => ({ name: `perm-${Math.random().toString(36).slice(2, 10)}`, owner_org: org.id }), writers],
    ['package_update', async () => {
      const d = await publicDataset();
      return { id: d.id, name: d.name, title: 'Neu' };
    }, writers],
    ['package_patch', async () => ({ id: (await privateDataset()).id, title: 'Neu' }), writers],
    ['package_revise', async () => ({ match: { id: (await privateDataset()).id }, update: { title: 'Neu' } }), writers],
    ['package_delete', async () => ({ id: (await publicDataset()).id }), writers],
    ['dataset_purge', async () => ({ id: (await publicDataset()).id }), sysadminOnly],
    ['bulk_update_private', async () => ({ datasets: [(await publicDataset()).id], org_id: org.id }), admins],
    ['bulk_update_public', async () => ({ datasets: [(await privateDataset()).id], org_id: org.id }), admins],
    ['package_owner_org_update', async () => ({ id: (await publicDataset()).id, organization_id: (await freshOrg()).id }), sysadminOnly],
    ['package_resource_reorder', async () => {
      const d = await privateDataset();
      return { id: d.id, order: [d.resources[0].id] };
    }, writers],
    ['group_package_show', async () => ({ id: (await group()).id }), everyone],
    ['resource_search', async () => ({ query: 'name:x' }), everyone],
    ['bulk_update_delete', async () => ({ datasets: [(await publicDataset()).id], org_id: org.name }), admins],
    ['resource_create', async () => ({ package_id: (await publicDataset()).id, url: 'http://r.example/new' }), writers],
    ['resource_update', async () => ({ id: (await publicDataset()).resources[0].id, url: 'http://r.example/u' }), writers],
    ['resource_patch', async () => ({ id: (await privateDataset()).resources[0].id, name: 'x' }), writers],
    ['resource_delete', async () => ({ id: (await publicDataset()).resources[0].id }), writers],
    ['resource_view_create', async () => ({ resource_id: (await publicDataset()).resources[0].id, title: 'Text', view_type: 'text_view' }), writers],
    ['resource_view_show (private)', async () => ({ id: (await view(await privateDataset())).id }), readers],
    ['resource_view_list (private)', async () => ({ id: (await privateDataset()).resources[0].id }), readers],
    ['resource_view_update', async () => ({ id: (await view(await publicDataset())).id, title: 'Neu' }), writers],
    ['resource_view_delete', async () => ({ id: (await view(await publicDataset())).id }), writers],
    ['resource_view_reorder', async () => {
      const d = await publicDataset();
      return { id: d.resources[0].id, order: [(await view(d)).id] };
    }, writers],
    ['resource_create_default_resource_views', async () => ({ resource: { id: (await privateDataset()).resources[0].id } }), writers],
    ['package_create_default_resource_views', async () => ({ package: { id: (await publicDataset()).id } }), writers],
    ['resource_view_clear', async () => ({ view_types: ['webpage_view'] }), sysadminOnly],
    ['organization_create', async () => ({ name: `org-${Math.random().toString(36).slice(2, 10)}` }), sysadminOnly],
    ['organization_update', async () => ({ id: (await freshOrg()).id, title: 'X' }), admins],
    ['organization_patch', async () => ({ id: (await freshOrg()).id, title: 'X' }), admins],
    ['organization_delete', async () => ({ id: (await freshOrg()).id }), admins],
    ['organization_purge', async () => ({ id: (await freshOrg()).id }), sysadminOnly],
    ['organization_member_create', async () => ({ id: (await freshOrg()).id, username: users.otherAdmin.name, role: 'member' }), admins],
    ['organization_member_delete', async () => ({ id: (await freshOrg()).id, username: users.member.name }), admins],
    ['group_create', async () => ({ name: `grp-${Math.random().toString(36).slice(2, 10)}` }), loggedIn],
    ['group_update', async () => ({ id: (await group()).id, title: 'X' }), admins],
    ['group_patch', async () => ({ id: (await group()).id, title: 'X' }), admins],
    ['group_delete', async () => ({ id: (await group()).id }), admins],
    ['group_purge', async () => ({ id: (await group()).id }), sysadminOnly],
    ['group_member_create', async () => ({ id: (await group()).id, username: users.editor.name, role: 'member' }), admins],
    ['group_member_delete', async () => ({ id: (await group()).id, username: users.member.name }), admins],
    ['member_list', async () => ({ id: (await group()).id }), everyone],
    ['member_create (user)', async () => ({ id: (await freshOrg()).id, object: users.otherAdmin.name, object_type: 'user', capacity: 'member' }), admins],
    ['member_delete (user)', async () => ({ id: (await freshOrg()).id, object: users.member.name, object_type: 'user' }), admins],
    ['member_create (dataset into group)', async () => ({ id: (await group()).id, object: (await publicDataset()).id, object_type: 'package', capacity: 'public' }), admins],
    ['member_delete (dataset from group)', async () => {
      const g = await group();
      return { id: g.id, object: (await t.factories.dataset({ owner_org: org.id, groups: [{ id: g.id }] })).id, object_type: 'package' };
    }, { ...admins, member: true }],
    ['follow_dataset', async () => ({ id: (await publicDataset()).id }), loggedIn],
    ['unfollow_dataset', async () => ({ id: (await publicDataset()).id }), loggedIn],
    ['am_following_dataset', async () => ({ id: (await publicDataset()).id }), loggedIn],
    ['dataset_follower_count', async () => ({ id: (await publicDataset()).id }), everyone],
    ['dataset_follower_list', async () => ({ id: (await publicDataset()).id }), sysadminOnly],
    ['organization_follower_list', async () => ({ id: org.id }), sysadminOnly],
    ['followee_count', async () => ({ id: users.member.name }), everyone],
    ['followee_list (own)', async (u) => ({ id: u?.name ?? users.member.name }), loggedIn],
    ['user_create', async () => ({ name: `u-${Math.random().toString(36).slice(2, 10)}`, email: `${Math.random()}@example.org`, password: 'lang genug 123' }), sysadminOnly],
    ['api_token_create (own)', async (u) => ({ user: u?.name ?? 'role-member', name: 'own' }), loggedIn],
    ['api_token_create (someone else’s)', async () => ({ user: users.member.name, name: 'theirs' }), { ...sysadminOnly, member: true }],
    ['api_token_list (own)', async (u) => ({ user_id: u?.name ?? 'role-member' }), loggedIn],
    ['api_token_revoke (own)', async (u) => {
      if (!u) return { token: 'odp_nothing' };
      const { token } = await t.call<{ token: string }>('api_token_create', { user: u.name, name: 'to-revoke' });
      return { token };
    }, loggedIn],
  ];

  for (const [label, setup, expected] of matrix) {
    const action = label.split(' ')[0];
    describe(label, () => {
      for (const role of ROLES) {
        it(`${expected[role] ? 'allows' : 'refuses'} ${role}`, async () => {
          const user = userOf(role);
          const data = await setup(user);
          const req = request(t.http).post(`/api/3/action/${action}`).send(data);
          if (user) req.set('Authorization', user.token);
          const res = await req;
          if (expected[role]) {
            expect({ status: res.status, body: res.body }).toMatchObject({ status: 200, body: { success: true } });
          } else {
            expect({ status: res.status, type: res.body?.error?.__type }).toEqual({ status: 403, type: 'Authorization Error' });
          }
        });
      }
    });
  }

  it('keeps private datasets out of every list for callers who may not read them', async () => {
    const d = await privateDataset();
    const outsider = users.otherAdmin;
    for (const path of ['package_list', 'current_package_list_with_resources?limit=1000', `package_autocomplete?q=${d.name}`, `organization_show?id=${org.id}&include_datasets=true`, `member_list?id=${org.id}`]) {
      const res = await request(t.http).get(`/api/3/action/${path}`).set('Authorization', outsider.token);
      expect(JSON.stringify(res.body)).not.toContain(d.id);
      expect(JSON.stringify(res.body)).not.toContain(`"${d.name}"`);
    }
  });
});
