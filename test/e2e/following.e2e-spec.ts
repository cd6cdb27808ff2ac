import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/** Following users, datasets, groups and organizations, as CKAN's follow_* and *_follower_* actions. */
describe('following', () => {
  let t: TestApp;
  let admin: TestUser;
  let editor: TestUser;
  let member: TestUser;
  let otherAdmin: TestUser;
  let fan: TestUser;
  let org: { id: string; name: string };
  let group: { id: string; name: string };
  let open: { id: string; name: string };
  let hidden: { id: string; name: string };

  beforeAll(async () => {
    t = await TestApp.start();
    [admin, editor, member, otherAdmin, fan] = await Promise.all([t.factories.user(), t.factories.user(), t.factories.user(), t.factories.user(), t.factories.user()]);
    org = await t.factories.organization({ title: 'Stadtwerke', members: [[admin, 'admin'], [editor, 'editor'], [member, 'member']] });
    await t.factories.organization({ members: [[otherAdmin, 'admin']] });
    group = await t.factories.group({ title: 'Umwelt' });
    open = await t.factories.dataset({ owner_org: org.id, title: 'Baumkataster' });
    hidden = await t.factories.dataset({ owner_org: org.id, private: true, title: 'Interne Messungen' });
  });
  afterAll(() => t.stop());

  const post = (action: string, body: object, as?: TestUser) => {
    const req = request(t.http).post(`/api/3/action/${action}`);
    return (as ? req.set('Authorization', as.token) : req).send(body);
  };
  const get = (action: string, query: string, as?: TestUser) => {
    const req = request(t.http).get(`/api/3/action/${action}?${query}`);
    return as ? req.set('Authorization', as.token) : req;
  };

  it('follows a dataset, answering CKAN’s follower dict, and counts the follower once even when followed twice', async () => {
    const res = await post('follow_dataset', { id: open.name }, fan);
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ follower_id: fan.id, object_id: open.id, datetime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/) });
    const again = await post('follow_dataset', { id: open.id }, fan);
    expect(again.body.result).toEqual(res.body.result);
    expect((await get('dataset_follower_count', `id=${open.name}`)).body.result).toBe(1);
    expect((await get('am_following_dataset', `id=${open.id}`, fan)).body.result).toBe(true);
    expect((await get('am_following_dataset', `id=${open.id}`, member)).body.result).toBe(false);
  });

  it('unfollows, and unfollowing what one does not follow is no error', async () => {
    const u = await t.factories.user();
    await post('follow_dataset', { id: open.id }, u);
    expect((await get('dataset_follower_count', `id=${open.id}`)).body.result).toBe(2);
    expect((await post('unfollow_dataset', { id: open.id }, u)).body).toMatchObject({ success: true, result: null });
    expect((await get('dataset_follower_count', `id=${open.id}`)).body.result).toBe(1);
    expect((await post('unfollow_dataset', { id: open.id }, u)).body).toMatchObject({ success: true, result: null });
    expect((await get('am_following_dataset', `id=${open.id}`, u)).body.result).toBe(false);
  });

  it('does not let anyone who may not read a private dataset follow it, count or ask about its followers', async () => {
    const refused = await post('follow_dataset', { id: hidden.id }, otherAdmin);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({ __type: 'Validation Error', message: 'Error validating the schema of the dataset to follow.' });
    expect((await post('follow_dataset', { id: hidden.id }, member)).status).toBe(200);
    for (const [action, as] of [['dataset_follower_count', undefined], ['dataset_follower_count', otherAdmin], ['am_following_dataset', otherAdmin]] as const) {
      const res = await get(action, `id=${hidden.id}`, as);
      expect([action, res.status, res.body.error]).toEqual([action, 409, { __type: 'Validation Error', id: ['Not found: Dataset'] }]);
    }
    expect((await get('dataset_follower_count', `id=${hidden.id}`, editor)).body.result).toBe(1);
    const unknown = await get('dataset_follower_count', 'id=gibt-es-nicht');
    expect(unknown.body.error).toEqual({ __type: 'Validation Error', id: ['Not found: Dataset'] });
  });

  it('leaves private datasets out of followee_count and followee_list for those who may no longer read them', async () => {
    const leaver = await t.factories.user();
    await t.call('organization_member_create', { id: org.id, username: leaver.name, role: 'member' });
    await post('follow_dataset', { id: hidden.id }, leaver);
    await post('follow_dataset', { id: open.id }, leaver);
    expect((await get('followee_count', `id=${leaver.name}`, leaver)).body.result).toBe(2);
    expect((await get('followee_count', `id=${leaver.name}`)).body.result).toBe(1);
    await t.call('organization_member_delete', { id: org.id, username: leaver.name });
    expect((await get('followee_count', `id=${leaver.name}`, leaver)).body.result).toBe(1);
    const list = await get('followee_list', `id=${leaver.id}`, leaver);
    expect(list.body.result.map((f: { dict: { id: string } }) => f.dict.id)).toEqual([open.id]);
  });

  it('follows users, not oneself, and counts and lists their followers (lists for sysadmins only)', async () => {
    const star = await t.factories.user({ fullname: 'Erika Mustermann' });
    const res = await post('follow_user', { id: star.name }, fan);
    expect(res.body.result).toMatchObject({ follower_id: fan.id, object_id: star.id });
    const self = await post('follow_user', { id: fan.id }, fan);
    expect(self.status).toBe(409);
    expect(self.body.error).toEqual({ __type: 'Validation Error', message: 'You cannot follow yourself' });
    const nobody = await post('follow_user', { id: 'niemand' }, fan);
    expect(nobody.body.error).toEqual({ __type: 'Validation Error', message: 'Error validating the schema of the user to follow.' });
    expect((await get('user_follower_count', `id=${star.id}`)).body.result).toBe(1);
    expect((await get('am_following_user', `id=${star.name}`, fan)).body.result).toBe(true);
    const list = await get('user_follower_list', `id=${star.name}`, t.sysadmin);
    expect(list.body.result).toHaveLength(1);
    expect(list.body.result[0]).toMatchObject({ id: fan.id, name: fan.name });
    expect(list.body.result[0]).not.toHaveProperty('password');
    expect((await post('unfollow_user', { id: star.id }, fan)).body.result).toBeNull();
    expect((await get('user_follower_count', `id=${star.id}`)).body.result).toBe(0);
  });

  it('user_show with include_num_followers adds num_followers, the user_follower_count, for anyone who may see the user', async () => {
    const popular = await t.factories.user();
    for (const follower of [fan, member, editor]) await post('follow_user', { id: popular.id }, follower).expect(200);
    await post('unfollow_user', { id: popular.id }, editor).expect(200);
    const shown = await get('user_show', `id=${popular.name}&include_num_followers=true`);
    expect(shown.status).toBe(200);
    expect(shown.body.result).toMatchObject({ id: popular.id, name: popular.name, num_followers: 2 });
    expect((await get('user_show', `id=${popular.id}&include_num_followers=true`, otherAdmin)).body.result.num_followers).toBe(2);
    expect((await get('user_show', 'include_num_followers=true', popular)).body.result).toMatchObject({ name: popular.name, num_followers: 2 });
    expect((await get('user_show', `id=${fan.name}&include_num_followers=1`)).body.result.num_followers).toBe(0);
    expect((await get('user_show', `id=${popular.name}`)).body.result).not.toHaveProperty('num_followers');
    expect((await get('user_show', `id=${popular.name}&include_num_followers=false`)).body.result).not.toHaveProperty('num_followers');
  });

  it('follows groups and organizations with follow_group, counted by group_ and organization_follower_count', async () => {
    const follower = await t.factories.user();
    expect((await post('follow_group', { id: group.name }, follower)).status).toBe(200);
    expect((await post('follow_group', { id: org.name }, follower)).status).toBe(200);
    expect((await get('group_follower_count', `id=${group.id}`)).body.result).toBe(1);
    expect((await get('organization_follower_count', `id=${org.name}`)).body.result).toBe(1);
    expect((await get('am_following_group', `id=${org.id}`, follower)).body.result).toBe(true);
    const orgList = await get('organization_follower_list', `id=${org.id}`, t.sysadmin);
    expect(orgList.body.result.map((u: { id: string }) => u.id)).toEqual([follower.id]);
    const bad = await post('follow_group', { id: 'keine-gruppe' }, follower);
    expect(bad.body.error).toEqual({ __type: 'Validation Error', message: 'Error validating the schema of the group to follow.' });
    const badCount = await get('group_follower_count', 'id=keine-gruppe');
    expect(badCount.body.error).toEqual({ __type: 'Validation Error', id: ['Not found: Group'] });
    expect((await get('organization_show', `id=${org.id}`)).body.result.num_followers).toBe(1);
    expect((await get('group_show', `id=${group.id}`)).body.result.num_followers).toBe(1);
    expect((await post('unfollow_group', { id: org.id }, follower)).status).toBe(200);
    expect((await get('organization_follower_count', `id=${org.id}`)).body.result).toBe(0);
  });

  it('lists what a user follows with type, display name and the object’s dict, sorted and filtered by q', async () => {
    const reader = await t.factories.user();
    const star = await t.factories.user({ fullname: 'Anna Zeller' });
    await post('follow_user', { id: star.id }, reader);
    await post('follow_dataset', { id: open.id }, reader);
    await post('follow_group', { id: group.id }, reader);
    await post('follow_group', { id: org.id }, reader);
    const res = await get('followee_list', `id=${reader.name}`, reader);
    expect(res.status).toBe(200);
    expect(res.body.result.map((f: { type: string; display_name: string }) => [f.type, f.display_name])).toEqual([
      ['user', 'Anna Zeller'], ['dataset', 'Baumkataster'], ['organization', 'Stadtwerke'], ['group', 'Umwelt'],
    ]);
    expect(res.body.result[1].dict).toMatchObject({ id: open.id, name: open.name });
    expect(res.body.result[3].dict).toMatchObject({ id: group.id, name: group.name });
    const q = await get('followee_list', `id=${reader.name}&q=st`, reader);
    expect(q.body.result.map((f: { display_name: string }) => f.display_name)).toEqual(['Stadtwerke']);
    expect((await get('followee_count', `id=${reader.id}`)).body.result).toBe(4);
    // The per-kind actions CKAN also has: counts for anyone, lists for the user.
    for (const [kind, id] of [['user', star.id], ['dataset', open.id], ['group', group.id], ['organization', org.id]]) {
      expect([kind, (await get(`${kind}_followee_count`, `id=${reader.name}`)).body.result]).toEqual([kind, 1]);
      const list = await get(`${kind}_followee_list`, `id=${reader.name}`, reader);
      expect([kind, list.body.result.map((d: { id: string }) => d.id)]).toEqual([kind, [id]]);
      expect([kind, (await get(`${kind}_followee_list`, `id=${reader.name}`, member)).status]).toEqual([kind, 403]);
    }
  });

  describe('who may call', () => {
    const callers = (): [string, TestUser | undefined][] => [
      ['anonymous', undefined], ['member', member], ['editor', editor], ['admin', admin], ['another organization’s admin', otherAdmin], ['sysadmin', t.sysadmin],
    ];

    it('lets every logged-in user follow and unfollow a public dataset, and refuses anonymous callers', async () => {
      for (const [role, as] of callers()) {
        const follow = await post('follow_dataset', { id: open.id }, as);
        const unfollow = await post('unfollow_dataset', { id: open.id }, as);
        const am = await get('am_following_dataset', `id=${open.id}`, as);
        const expected = as ? 200 : 403;
        expect([role, follow.status, unfollow.status, am.status]).toEqual([role, expected, expected, expected]);
        if (!as) expect(follow.body.error.__type).toBe('Authorization Error');
      }
    });

    it('shows follower counts to everyone and follower lists to sysadmins only', async () => {
      for (const [role, as] of callers()) {
        expect([role, (await get('dataset_follower_count', `id=${open.id}`, as)).status]).toEqual([role, 200]);
        for (const [action, id] of [['dataset_follower_list', open.id], ['user_follower_list', fan.id], ['group_follower_list', group.id], ['organization_follower_list', org.id]]) {
          const res = await get(action, `id=${id}`, as);
          expect([role, action, res.status]).toEqual([role, action, as === t.sysadmin ? 200 : 403]);
        }
      }
    });

    it('shows a user’s followee_list only to the user and sysadmins', async () => {
      for (const [role, as] of callers()) {
        const res = await get('followee_list', `id=${fan.id}`, as);
        expect([role, res.status]).toEqual([role, as === t.sysadmin ? 200 : 403]);
      }
      expect((await get('followee_list', `id=${fan.id}`, fan)).status).toBe(200);
      const anon = await get('followee_list', `id=${fan.id}`);
      expect(anon.body.error).toEqual({ __type: 'Authorization Error', message: 'Access denied: Not authorized' });
    });
  });

  it('asks for the id with CKAN’s field error', async () => {
    const res = await post('dataset_follower_count', {});
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ __type: 'Validation Error', id: ['Missing value'] });
  });

  describe('as CKAN’s tests state', () => {
    // ckan/tests/logic/action/test_create.py::TestFollowCommon::test_validation
    it('answers 409 for ids that name nothing or are no string, in every follow action', async () => {
      const actions = [
        'follow_user', 'follow_dataset', 'follow_group', 'unfollow_user', 'unfollow_dataset', 'unfollow_group',
        'user_follower_count', 'dataset_follower_count', 'group_follower_count',
        'user_follower_list', 'dataset_follower_list', 'group_follower_list',
        'am_following_dataset', 'am_following_user', 'am_following_group',
      ];
      const user = await t.factories.user();
      for (const action of actions) {
        // The follower lists are for sysadmins; the rest for the user.
        const as = action.endsWith('_list') ? t.sysadmin : user;
        for (const id of ['bad id', '     ', 3, 35.7, 'xxx', null, '']) {
          const res = await post(action, { id }, as);
          expect([action, id, res.status, res.body.error?.__type]).toEqual([action, id, 409, 'Validation Error']);
        }
      }
    });

    // TestFollowDataset/TestFollowGroup/TestFollowOrganization/TestFollowUser::test_follow_*: count, list and am_following move together
    it('counts, lists and answers am_following before, while and after following', async () => {
      const u = await t.factories.user();
      const d = await t.factories.dataset({ owner_org: org.id });
      const g = await t.factories.group();
      const o = await t.factories.organization();
      const other = await t.factories.user();
      for (const [kind, followAction, id] of [['dataset', 'dataset', d.id], ['group', 'group', g.id], ['group', 'group', o.id], ['user', 'user', other.id]] as const) {
        const state = async () => [
          (await get(`${kind}_follower_count`, `id=${id}`)).body.result,
          (await get(`${kind}_follower_list`, `id=${id}`, t.sysadmin)).body.result.map((x: { name: string }) => x.name),
          (await get(`am_following_${kind}`, `id=${id}`, u)).body.result,
        ];
        expect([id, ...(await state())]).toEqual([id, 0, [], false]);
        await post(`follow_${followAction}`, { id }, u).expect(200);
        expect([id, ...(await state())]).toEqual([id, 1, [u.name], true]);
        await post(`unfollow_${followAction}`, { id }, u).expect(200);
        expect([id, ...(await state())]).toEqual([id, 0, [], false]);
      }
    });

    // test_get.py::TestFollow::test_followee_list(_with_q), test_followee_count_for_org_or_group
    it('lists followed groups by display name, filters by the start of q, and counts groups and organizations apart', async () => {
      const u = await t.factories.user();
      const finance = await t.factories.group({ title: 'Finance' });
      const environment = await t.factories.group({ title: 'Environment' });
      await t.factories.group({ title: 'Education' });
      const acme = await t.factories.organization({ title: 'Acme' });
      for (const id of [finance.id, environment.id, acme.id]) await post('follow_group', { id }, u).expect(200);
      const all = await get('followee_list', `id=${u.name}`, u);
      expect(all.body.result.map((f: { display_name: string }) => f.display_name).sort()).toEqual(['Acme', 'Environment', 'Finance']);
      const q = await get('followee_list', `id=${u.name}&q=E`, u);
      expect(q.body.result.map((f: { display_name: string }) => f.display_name)).toEqual(['Environment']);
      expect((await get('group_followee_count', `id=${u.name}`)).body.result).toBe(2);
      expect((await get('organization_followee_count', `id=${u.name}`)).body.result).toBe(1);
    });

    // ckan/tests/logic/auth/test_get.py::TestFollowee / TestFolloweeCount: per-kind followee lists for the user and sysadmins, counts for anyone
    it('shows the per-kind followee lists to the user and sysadmins only, and their counts to anyone', async () => {
      const u = await t.factories.user();
      for (const kind of ['user', 'dataset', 'group', 'organization']) {
        const res = await Promise.all([undefined, member, u, t.sysadmin].map(async (as) => (await get(`${kind}_followee_list`, `id=${u.id}`, as)).status));
        expect([kind, ...res]).toEqual([kind, 403, 403, 200, 200]);
        expect([kind, (await get(`${kind}_followee_count`, `id=${u.id}`)).status]).toEqual([kind, 200]);
      }
    });
  });
});
