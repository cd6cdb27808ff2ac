import request from 'supertest';
import { JobQueue } from '../../src/jobs/job-queue';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/**
 * Who may call the actions issue 13 added, as CKAN 2.11's ckan/logic/auth/*.py decide (sysadmins pass every rule there
 * unless it says otherwise). Six callers per action: anonymous, a member, an editor and an admin of the organization that
 * owns the data, an admin of another organization, and a sysadmin. Allowed means 200 with `success: true`, refused 403
 * `Authorization Error`; where we differ from CKAN on purpose (README, "Where we differ from CKAN on purpose"), the
 * documented answer. Fixtures are made afresh for every call, so one caller's successful delete never hides another's
 * refusal.
 */
type Role = 'anonymous' | 'member' | 'editor' | 'admin' | 'otherAdmin' | 'sysadmin';
const ROLES: Role[] = ['anonymous', 'member', 'editor', 'admin', 'otherAdmin', 'sysadmin'];
const WHO: Record<Role, string> = {
  anonymous: 'an anonymous caller',
  member: 'a member of the owning organization',
  editor: 'an editor of the owning organization',
  admin: 'an admin of the owning organization',
  otherAdmin: 'an admin of another organization',
  sysadmin: 'a sysadmin',
};

/** A documented difference from CKAN: the answer we give instead, and how a test name says it. */
interface Documented {
  status: number;
  error: Record<string, unknown>;
  says: string;
}
type Verdict = boolean | Documented;
type Expect = Record<Role, Verdict>;

const everyone: Expect = { anonymous: true, member: true, editor: true, admin: true, otherAdmin: true, sysadmin: true };
const loggedIn: Expect = { ...everyone, anonymous: false };
const readers: Expect = { anonymous: false, member: true, editor: true, admin: true, otherAdmin: false, sysadmin: true };
const writers: Expect = { ...readers, member: false };
const admins: Expect = { ...writers, editor: false };
const sysadminOnly: Expect = { anonymous: false, member: false, editor: false, admin: false, otherAdmin: false, sysadmin: true };

/** README: a private dataset the caller may not read is "Not found: Dataset" to the following actions (CKAN lets anyone follow, count and list it). */
const hiddenDataset: Documented = { status: 409, error: { __type: 'Validation Error', id: ['Not found: Dataset'] }, says: 'the private dataset is not found' };

type Dict = Record<string, unknown>;
type Setup = (caller: TestUser | undefined) => Promise<Dict>;

describe('permission matrix of the actions issue 13 added', () => {
  let t: TestApp;
  const users = {} as Record<Exclude<Role, 'anonymous' | 'sysadmin'>, TestUser>;
  let org: { id: string; name: string };
  let jobs: JobQueue;
  const job = 'test.permission-matrix';

  beforeAll(async () => {
    // No job worker: a job enqueued for job_show or job_cancel stays waiting.
    t = await TestApp.start({ JOBS_WORKER: 'false' });
    for (const r of ['member', 'editor', 'admin', 'otherAdmin'] as const) users[r] = await t.factories.user({ name: `matrix-${r.toLowerCase()}` });
    org = await t.factories.organization({ members: [[users.member, 'member'], [users.editor, 'editor'], [users.admin, 'admin']] });
    await t.factories.organization({ members: [[users.otherAdmin, 'admin']] });
    jobs = t.app.get(JobQueue, { strict: false });
    jobs.register(job, { handler: async () => undefined });
  });
  afterAll(() => t.stop());

  const userOf = (role: Role): TestUser | undefined => (role === 'anonymous' ? undefined : role === 'sysadmin' ? t.sysadmin : users[role]);
  const resources = [{ url: 'http://r.example/a.csv', name: 'a' }, { url: 'http://r.example/b.csv', name: 'b' }];
  const publicDataset = () => t.factories.dataset({ owner_org: org.id, resources });
  const privateDataset = () => t.factories.dataset({ owner_org: org.id, private: true, resources });
  const view = (d: { resources: Dict[] }) =>
    t.call<{ id: string }>('resource_view_create', { resource_id: d.resources[0].id, title: 'Text', view_type: 'text_view' });
  /** The organization's group: its admin is the group's admin, its member and editor are group members. */
  const group = () => t.factories.group({ members: [[users.admin, 'admin'], [users.editor, 'member'], [users.member, 'member']] });
  /** An organization with the same members as the owning one, for changes to its membership. */
  const freshOrg = () => t.factories.organization({ members: [[users.member, 'member'], [users.editor, 'editor'], [users.admin, 'admin']] });
  const bystander = () => t.factories.user();
  const vocabulary = () => t.call<{ id: string; name: string }>('vocabulary_create', { name: `vocab-${Math.random().toString(36).slice(2, 10)}`, tags: [{ name: 'eins' }] });
  /** The caller's own account, or (for an anonymous caller) someone's. */
  const own = async (u: TestUser | undefined): Promise<TestUser> => u ?? (await bystander());
  /** Makes the caller follow something first, so that unfollowing has something to undo. */
  const followed = async (u: TestUser | undefined, action: string, id: string): Promise<Dict> => {
    if (u) await t.call(action, { id }, { as: u });
    return { id };
  };

  /** [action, what the caller tries, setup returning the data dict, who may] */
  const cases: [string, string, Setup, Expect][] = [
    // Users (ckan/logic/auth/update.py user_update: the user themself; delete.py user_delete, get.py get_site_user: sysadmins).
    ['user_update', 'update their own account', async (u) => {
      const me = await own(u);
      return { id: me.id, email: `${me.name}@example.org`, fullname: 'Neuer Name' };
    }, loggedIn],
    ['user_update', 'update someone else’s account', async () => {
      const other = await bystander();
      return { id: other.id, email: `${other.name}@example.org`, fullname: 'Neuer Name' };
    }, sysadminOnly],
    ['user_patch', 'patch their own account', async (u) => ({ id: (await own(u)).id, about: 'Über mich' }), loggedIn],
    ['user_patch', 'patch someone else’s account', async () => ({ id: (await bystander()).id, about: 'Über jemand' }), sysadminOnly],
    ['user_delete', 'delete a user', async () => ({ id: (await bystander()).id }), sysadminOnly],
    // get.py user_autocomplete → user_list: anyone while ckan.auth.public_user_details is on (the default).
    ['user_autocomplete', 'look up user names', async () => ({ q: 'matrix' }), everyone],
    ['get_site_user', 'get the site user', async () => ({}), sysadminOnly],

    // Membership (get.py member_list: anyone; create.py member_create: 'update' on an organization, 'manage_group'
    // for a dataset in a group; delete.py member_delete: as member_create).
    ['member_list', 'list the members of the organization', async () => ({ id: org.id }), everyone],
    ['member_list', 'list the members of the organization’s group', async () => ({ id: (await group()).id }), everyone],
    ['member_create', 'add a user to the organization', async () => (
      { id: (await freshOrg()).id, object: (await bystander()).name, object_type: 'user', capacity: 'member' }
    ), admins],
    ['member_delete', 'remove a user from the organization', async () => {
      const o = await freshOrg();
      const other = await bystander();
      await t.call('organization_member_create', { id: o.id, username: other.name, role: 'member' });
      return { id: o.id, object: other.name, object_type: 'user' };
    }, admins],
    ['member_create', 'add a user to the organization’s group', async () => (
      { id: (await group()).id, object: (await bystander()).name, object_type: 'user', capacity: 'member' }
    ), admins],
    ['member_delete', 'remove a user from the organization’s group', async () => {
      const g = await group();
      const other = await bystander();
      await t.call('group_member_create', { id: g.id, username: other.name, role: 'member' });
      return { id: g.id, object: other.name, object_type: 'user' };
    }, admins],
    // CKAN lets any group member add a dataset; README: here it also needs the right to edit the dataset, so the
    // organization's member (a group member who may not edit it) is refused.
    ['member_create', 'put the organization’s dataset into its group', async () => (
      { id: (await group()).id, object: (await publicDataset()).id, object_type: 'package', capacity: 'public' }
    ), { ...writers, member: false }],
    ['member_delete', 'take the organization’s dataset out of its group', async () => {
      const g = await group();
      return { id: g.id, object: (await t.factories.dataset({ owner_org: org.id, groups: [{ id: g.id }] })).id, object_type: 'package' };
    }, readers],

    // Datasets (update.py: package_revise → package_update; package_resource_reorder runs package_update;
    // package_owner_org_update: sysadmins; bulk_update_*: 'update' on the organization; get.py: group_package_show,
    // resource_search, tag_search: anyone; create.py tag_create, delete.py tag_delete: sysadmins).
    ['package_revise', 'revise a private dataset', async () => ({ match: { id: (await privateDataset()).id }, update: { title: 'Neu' } }), writers],
    ['package_revise', 'revise a public dataset', async () => ({ match: { id: (await publicDataset()).id }, update: { title: 'Neu' } }), writers],
    ['package_owner_org_update', 'move a dataset to another organization', async () => (
      { id: (await publicDataset()).id, organization_id: (await freshOrg()).id }
    ), sysadminOnly],
    ['package_resource_reorder', 'reorder a dataset’s resources', async () => {
      const d = await privateDataset();
      return { id: d.id, order: [d.resources[1].id, d.resources[0].id] };
    }, writers],
    ['bulk_update_private', 'make the organization’s datasets private in bulk', async () => ({ datasets: [(await publicDataset()).id], org_id: org.id }), admins],
    ['bulk_update_public', 'make the organization’s datasets public in bulk', async () => ({ datasets: [(await privateDataset()).id], org_id: org.id }), admins],
    ['bulk_update_delete', 'delete the organization’s datasets in bulk', async () => ({ datasets: [(await publicDataset()).id], org_id: org.id }), admins],
    ['group_package_show', 'list a group’s datasets', async () => {
      const g = await group();
      await t.factories.dataset({ owner_org: org.id, groups: [{ id: g.id }] });
      return { id: g.id };
    }, everyone],
    ['resource_search', 'search resources', async () => ({ query: 'name:a' }), everyone],
    ['tag_search', 'search tags', async () => ({ query: 'ein' }), everyone],
    ['tag_create', 'add a tag to a vocabulary', async () => ({ name: 'zwei', vocabulary_id: (await vocabulary()).id }), sysadminOnly],
    ['tag_delete', 'delete a tag of a vocabulary', async () => ({ id: 'eins', vocabulary_id: (await vocabulary()).id }), sysadminOnly],

    // Resource views (create.py resource_view_create → resource_create; get.py resource_view_show/_list → resource_show;
    // update.py resource_view_update/_reorder → resource_update; delete.py resource_view_delete → resource_delete,
    // resource_view_clear: sysadmins).
    ['resource_view_create', 'add a view to a resource', async () => (
      { resource_id: (await publicDataset()).resources[0].id, title: 'Text', view_type: 'text_view' }
    ), writers],
    ['resource_view_show', 'show a view of a public dataset', async () => ({ id: (await view(await publicDataset())).id }), everyone],
    ['resource_view_show', 'show a view of a private dataset', async () => ({ id: (await view(await privateDataset())).id }), readers],
    ['resource_view_list', 'list the views of a public resource', async () => ({ id: (await publicDataset()).resources[0].id }), everyone],
    ['resource_view_list', 'list the views of a private resource', async () => ({ id: (await privateDataset()).resources[0].id }), readers],
    ['resource_view_update', 'update a view', async () => ({ id: (await view(await publicDataset())).id, title: 'Neu' }), writers],
    ['resource_view_delete', 'delete a view', async () => ({ id: (await view(await publicDataset())).id }), writers],
    ['resource_view_reorder', 'reorder a resource’s views', async () => {
      const d = await privateDataset();
      const [a, b] = [await view(d), await view(d)];
      return { id: d.resources[0].id, order: [b.id, a.id] };
    }, writers],
    ['resource_view_clear', 'clear all views of a type', async () => ({ view_types: ['webpage_view'] }), sysadminOnly],
    // create.py resource_create_default_resource_views → resource_create, package_create_default_resource_views → package_update.
    ['resource_create_default_resource_views', 'add a resource’s default views', async () => ({ resource: { id: (await privateDataset()).resources[0].id } }), writers],
    ['package_create_default_resource_views', 'add a dataset’s default views', async () => ({ package: { id: (await publicDataset()).id } }), writers],

    // Tag vocabularies (get.py vocabulary_list/_show: anyone; create/update/delete: sysadmins).
    ['vocabulary_list', 'list the tag vocabularies', async () => ({}), everyone],
    ['vocabulary_show', 'show a tag vocabulary', async () => ({ id: (await vocabulary()).id }), everyone],
    ['vocabulary_create', 'create a tag vocabulary', async () => ({ name: `vocab-${Math.random().toString(36).slice(2, 10)}` }), sysadminOnly],
    ['vocabulary_update', 'update a tag vocabulary', async () => ({ id: (await vocabulary()).id, tags: [{ name: 'drei' }] }), sysadminOnly],
    ['vocabulary_delete', 'delete a tag vocabulary', async () => ({ id: (await vocabulary()).id }), sysadminOnly],

    // Site settings and jobs (get.py config_option_*, job_*; update.py config_option_update; delete.py job_*: sysadmins).
    ['config_option_show', 'read a site setting', async () => ({ key: 'ckan.site_title' }), sysadminOnly],
    ['config_option_list', 'list the editable site settings', async () => ({}), sysadminOnly],
    ['config_option_update', 'change the site title', async () => ({ 'ckan.site_title': 'Offene Daten' }), sysadminOnly],
    ['job_list', 'list the waiting background jobs', async () => ({}), sysadminOnly],
    ['job_show', 'show a background job', async () => ({ id: await jobs.enqueue(job, {}) }), sysadminOnly],
    ['job_clear', 'clear the job queues', async () => ({ queues: [job] }), sysadminOnly],
    ['job_cancel', 'cancel a background job', async () => ({ id: await jobs.enqueue(job, {}) }), sysadminOnly],

    // Following (create.py follow_*, delete.py unfollow_*: logged-in users; get.py *_follower_count, followee_count,
    // *_followee_count: anyone; *_follower_list: sysadmins; am_following_*: anyone by auth, but the action refuses
    // anonymous callers; followee_list, *_followee_list: the user themself and sysadmins).
    ['follow_dataset', 'follow a public dataset', async () => ({ id: (await publicDataset()).id }), loggedIn],
    ['follow_dataset', 'follow a private dataset', async () => ({ id: (await privateDataset()).id }), {
      ...readers,
      otherAdmin: { status: 409, error: { __type: 'Validation Error', message: 'Error validating the schema of the dataset to follow.' }, says: 'the private dataset is not found' },
    }],
    ['unfollow_dataset', 'unfollow a public dataset', async (u) => followed(u, 'follow_dataset', (await publicDataset()).id), loggedIn],
    ['follow_user', 'follow a user', async () => ({ id: (await bystander()).id }), loggedIn],
    ['unfollow_user', 'unfollow a user', async (u) => followed(u, 'follow_user', (await bystander()).id), loggedIn],
    ['follow_group', 'follow a group', async () => ({ id: (await group()).id }), loggedIn],
    ['unfollow_group', 'unfollow a group', async (u) => followed(u, 'follow_group', (await group()).id), loggedIn],
    ['follow_group', 'follow an organization', async () => ({ id: org.id }), loggedIn],
    ['dataset_follower_count', 'count the followers of a public dataset', async () => ({ id: (await publicDataset()).id }), everyone],
    ['dataset_follower_count', 'count the followers of a private dataset', async () => ({ id: (await privateDataset()).id }), {
      ...readers, anonymous: hiddenDataset, otherAdmin: hiddenDataset,
    }],
    ['user_follower_count', 'count the followers of a user', async () => ({ id: users.member.id }), everyone],
    ['group_follower_count', 'count the followers of a group', async () => ({ id: (await group()).id }), everyone],
    ['organization_follower_count', 'count the followers of an organization', async () => ({ id: org.id }), everyone],
    ['dataset_follower_list', 'list the followers of a dataset', async () => ({ id: (await publicDataset()).id }), sysadminOnly],
    ['user_follower_list', 'list the followers of a user', async () => ({ id: users.member.id }), sysadminOnly],
    ['group_follower_list', 'list the followers of a group', async () => ({ id: (await group()).id }), sysadminOnly],
    ['organization_follower_list', 'list the followers of an organization', async () => ({ id: org.id }), sysadminOnly],
    ['am_following_dataset', 'ask whether they follow a public dataset', async () => ({ id: (await publicDataset()).id }), loggedIn],
    ['am_following_dataset', 'ask whether they follow a private dataset', async () => ({ id: (await privateDataset()).id }), {
      ...readers, otherAdmin: hiddenDataset,
    }],
    ['am_following_user', 'ask whether they follow a user', async () => ({ id: users.member.id }), loggedIn],
    ['am_following_group', 'ask whether they follow a group', async () => ({ id: (await group()).id }), loggedIn],
    ['followee_count', 'count what a user follows', async () => ({ id: users.member.id }), everyone],
    ['dataset_followee_count', 'count the datasets a user follows', async () => ({ id: users.member.id }), everyone],
    ['user_followee_count', 'count the users a user follows', async () => ({ id: users.member.id }), everyone],
    ['group_followee_count', 'count the groups a user follows', async () => ({ id: users.member.id }), everyone],
    ['organization_followee_count', 'count the organizations a user follows', async () => ({ id: users.member.id }), everyone],
    ...(['', 'dataset_', 'user_', 'group_', 'organization_'] as const).flatMap((kind): [string, string, Setup, Expect][] => {
      const things = kind ? `the ${kind === 'user_' ? 'users' : `${kind.slice(0, -1)}s`}` : 'what';
      return [
        [`${kind}followee_list`, `list ${things} they follow themselves`, async (u) => ({ id: (await own(u)).id }), loggedIn],
        [`${kind}followee_list`, `list ${things} someone else follows`, async () => ({ id: (await bystander()).id }), sysadminOnly],
      ];
    }),
  ];

  const title = (role: Role, action: string, what: string, verdict: Verdict): string => {
    if (typeof verdict === 'object') return `${WHO[role]} who tries to ${what} is told ${verdict.says} (${action}, a documented difference from CKAN)`;
    return `${WHO[role]} ${verdict ? 'may' : 'may not'} ${what} (${action})`;
  };
  const rows = cases.flatMap(([action, what, setup, expected]) =>
    ROLES.map((role) => ({ name: title(role, action, what, expected[role]), action, role, setup, verdict: expected[role] })));

  it.each(rows)('$name', async ({ action, role, setup, verdict }) => {
    const user = userOf(role);
    const data = await setup(user);
    const req = request(t.http).post(`/api/3/action/${action}`).send(data);
    if (user) req.set('Authorization', user.token);
    const res = await req;
    if (verdict === true) {
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 200, body: { success: true } });
    } else if (verdict === false) {
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 403, body: { success: false, error: { __type: 'Authorization Error' } } });
    } else {
      expect({ status: res.status, body: res.body }).toMatchObject({ status: verdict.status, body: { success: false, error: verdict.error } });
    }
  });
});
