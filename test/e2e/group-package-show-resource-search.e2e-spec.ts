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

describe('resource_search', () => {
  let t: TestApp;
  let member: TestUser;
  let otherAdmin: TestUser;
  let pub: { resources: Dict[] } & Dict;
  let priv: { resources: Dict[] } & Dict;

  beforeAll(async () => {
    t = await TestApp.start();
    [member, otherAdmin] = await Promise.all([t.factories.user(), t.factories.user()]);
    const org = await t.factories.organization({ members: [[member, 'member']] });
    await t.factories.organization({ members: [[otherAdmin, 'admin']] });
    pub = await t.factories.dataset({
      owner_org: org.id as string,
      resources: [
        { url: 'http://pegel.example/rhein.csv', name: 'Pegel Rhein', format: 'CSV', hash: 'abcdef12' },
        { url: 'http://pegel.example/mosel.json', name: 'Pegel Mosel', format: 'JSON', size: 2048 },
      ],
    });
    priv = await t.factories.dataset({ owner_org: org.id as string, private: true, resources: [{ url: 'http://geheim.example/pegel.csv', name: 'Pegel Intern', format: 'CSV' }] });
  });
  afterAll(() => t.stop());

  const search = (body: Dict, as?: TestUser) => {
    const r = request(t.http).post('/api/3/action/resource_search').send(body);
    return as ? r.set('Authorization', as.token) : r;
  };
  const idsOf = (res: request.Response) => (res.body.result.results as Dict[]).map((r) => r.id);

  it('finds resources by field:term, case-insensitively anywhere in text fields, and answers {count, results} with resource dicts', async () => {
    const res = await search({ query: 'name:pegel rh' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, result: { count: 1, results: [{ id: pub.resources[0].id, package_id: pub.id, name: 'Pegel Rhein', format: 'CSV', url: 'http://pegel.example/rhein.csv' }] } });
    const both = await search({ query: ['format:csv', 'url:rhein'] });
    expect(idsOf(both)).toEqual([pub.resources[0].id]);
    expect((await search({ query: 'hash:ABCD' })).body.result.count).toBe(1);
    expect((await search({ query: 'hash:bcde' })).body.result.count).toBe(0);
    expect(idsOf(await search({ query: 'size:2048' }))).toEqual([pub.resources[1].id]);
    expect((await search({ query: 'name:%' })).body.result.count).toBe(0);
  });

  it('never shows resources of private datasets to anonymous callers or other organizations, counts included; their members see them', async () => {
    for (const as of [undefined, otherAdmin]) {
      const res = await search({ query: 'name:pegel' }, as);
      expect(res.body.result.count).toBe(2);
      expect(JSON.stringify(res.body)).not.toContain(priv.resources[0].id as string);
      expect(JSON.stringify(res.body)).not.toContain('geheim');
    }
    expect((await search({ query: 'name:pegel' }, member)).body.result.count).toBe(3);
    expect((await search({ query: 'name:pegel' }, t.sysadmin)).body.result.count).toBe(3);
  });

  it('orders, pages and keeps the deprecated fields parameter', async () => {
    const ordered = await search({ query: 'name:pegel', order_by: 'name' }, member);
    expect((ordered.body.result.results as Dict[]).map((r) => r.name)).toEqual(['Pegel Intern', 'Pegel Mosel', 'Pegel Rhein']);
    const page = await search({ query: 'name:pegel', order_by: 'name', offset: 1, limit: 1 }, member);
    expect(page.body.result).toMatchObject({ count: 3, results: [{ name: 'Pegel Mosel' }] });
    const legacy = await search({ fields: { name: 'pegel mosel' } });
    expect(idsOf(legacy)).toEqual([pub.resources[1].id]);
    const get = await request(t.http).get('/api/3/action/resource_search').query({ query: 'format:json' });
    expect(get.body.result.count).toBe(1);
  });

  it('answers CKAN’s validation errors', async () => {
    const none = await search({});
    expect(none.status).toBe(409);
    expect(none.body).toMatchObject({ success: false, error: { __type: 'Validation Error', query: 'Missing value' } });
    const both = await search({ query: 'name:x', fields: { name: 'x' } });
    expect(both.body.error).toMatchObject({ fields: 'Do not specify if using "query" parameter' });
    const noPair = await search({ query: 'pegel' });
    expect(noPair.body.error).toMatchObject({ query: 'Must be <field>:<value> pair(s)' });
    const unknown = await search({ query: 'package_id:x' });
    expect(unknown.status).toBe(409);
    expect(unknown.body.error).toMatchObject({ query: 'Field "package_id" not recognised in resource_search.' });
    const badSize = await search({ query: 'size:gross' });
    expect(badSize.status).toBe(409);
    const badLimit = await search({ query: 'name:x', limit: 'viele' });
    expect(badLimit.body.error).toMatchObject({ limit: ['Invalid integer'] });
  });

  describe('as CKAN’s tests state', () => {
    // ckan/tests/logic/action/test_get.py::TestResourceSearch::test_required_fields, test_base_search
    it('takes name:* and an empty term, which matches every resource the caller may read', async () => {
      expect((await search({ query: 'name:*' })).status).toBe(200);
      expect((await search({ query: 'name:three' })).body.result.count).toBe(0);
      expect((await search({ query: 'name:Pegel Rhein' })).body.result.count).toBe(1);
      const all = await search({ query: 'name:' });
      expect(all.status).toBe(200);
      expect(all.body.result.count).toBeGreaterThanOrEqual(2);
      expect(idsOf(all)).toEqual(expect.arrayContaining([pub.resources[0].id, pub.resources[1].id]));
      expect(idsOf(all)).not.toContain(priv.resources[0].id);
    });

    // test_date_search, test_number_search
    it('finds a resource by its exact created timestamp and by its size', async () => {
      const created = pub.resources[1].created as string;
      expect(idsOf(await search({ query: `created:${created}` }))).toEqual([pub.resources[1].id]);
      expect(idsOf(await search({ query: 'size:2048' }))).toEqual([pub.resources[1].id]);
    });

    // test_resource_search_across_multiple_fields, test_resource_search_test_percentage_is_escaped
    it('needs every field of a query list to match, and takes % literally', async () => {
      const res = await search({ query: ['name:mosel', 'format:json'] });
      expect(res.body.result.count).toBe(1);
      expect(res.body.result.results[0]).toMatchObject({ name: 'Pegel Mosel', format: 'JSON' });
      expect((await search({ query: 'name:mosel%' })).body.result).toEqual({ count: 0, results: [] });
    });
  });
});
