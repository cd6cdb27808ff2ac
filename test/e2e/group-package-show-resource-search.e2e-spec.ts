import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

describe('group_package_show', () => {
  let t: TestApp;
  let member: TestUser;
  let otherAdmin: TestUser;
  let org: Dict;
  let group: Dict;
  let older: Dict;
  let newer: Dict;
  let hidden: Dict;

  beforeAll(async () => {
    t = await TestApp.start();
    [member, otherAdmin] = await Promise.all([t.factories.user(), t.factories.user()]);
    org = await t.factories.organization({ members: [[member, 'member']] });
    await t.factories.organization({ members: [[otherAdmin, 'admin']] });
    group = await t.factories.group();
    older = await t.factories.dataset({ owner_org: org.id as string, groups: [{ id: group.id }] });
    newer = await t.factories.dataset({ owner_org: org.id as string, groups: [{ id: group.id }] });
    hidden = await t.factories.dataset({ owner_org: org.id as string, private: true, groups: [{ id: group.id }] });
    await t.factories.dataset({ owner_org: org.id as string }); // in no group
    await t.searchIndexed();
  });
  afterAll(() => t.stop());

  const get = (query: Dict, as?: TestUser) => {
    const r = request(t.http).get('/api/3/action/group_package_show').query(query);
    return as ? r.set('Authorization', as.token) : r;
  };
  const names = (res: request.Response) => (res.body.result as Dict[]).map((d) => d.name);

  it('lists the public datasets of a group, newest first, as package_show dicts; anonymous and other organizations never see private ones', async () => {
    for (const as of [undefined, otherAdmin]) {
      const res = await get({ id: group.name }, as);
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
      expect(names(res)).toEqual([newer.name, older.name]);
      expect(JSON.stringify(res.body)).not.toContain(hidden.id as string);
    }
    const first = (await get({ id: group.id })).body.result[0] as Dict;
    expect(first).toMatchObject({ id: newer.id, name: newer.name, owner_org: org.id, private: false, groups: [expect.objectContaining({ name: group.name })] });
  });

  it('shows the private ones to members of their organization and to sysadmins, and limits the list', async () => {
    expect(names(await get({ id: group.name }, member))).toEqual([hidden.name, newer.name, older.name]);
    expect(names(await get({ id: group.name }, t.sysadmin))).toEqual([hidden.name, newer.name, older.name]);
    expect(names(await get({ id: group.name, limit: 1 }, member))).toEqual([hidden.name]);
  });

  it('answers CKAN’s errors: unknown group 404, bad limit and missing id 409', async () => {
    const unknown = await get({ id: 'keine-gruppe' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ success: false, error: { __type: 'Not Found Error' } });
    const bad = await get({ id: group.name, limit: 'viele' });
    expect(bad.status).toBe(409);
    expect(bad.body.error).toMatchObject({ __type: 'Validation Error', limit: ['Invalid integer'] });
    const negative = await get({ id: group.name, limit: -1 });
    expect(negative.body.error).toMatchObject({ limit: ['Must be a natural number'] });
    const noId = await get({});
    expect(noId.status).toBe(409);
    expect(noId.body.error).toMatchObject({ id: ['Missing value'] });
  });
});
