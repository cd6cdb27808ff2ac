import request from 'supertest';
import { TestApp } from '../test-app';

/**
 * Oversized and overly nested input is refused quickly, with CKAN's envelope and a message naming the
 * field, instead of running for seconds or failing with a 500.
 */
describe('limits on input size and nesting', () => {
  let t: TestApp;
  let org: { id: string; name: string };
  const post = (action: string, body: unknown) =>
    request(t.http).post(`/api/3/action/${action}`).set('Authorization', t.sysadmin.token).set('Content-Type', 'application/json').send(typeof body === 'string' ? body : JSON.stringify(body));
  const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
  const validation = (fields: Record<string, unknown>) => ({ help: expect.any(String), success: false, error: { __type: 'Validation Error', ...fields } });

  beforeAll(async () => {
    t = await TestApp.start();
    org = await t.factories.organization();
  });
  afterAll(() => t.stop());

  describe('list sizes of a dataset', () => {
    const cases: [string, unknown, string][] = [
      ['tags', many(1001, (i) => ({ name: `tag-${i}` })), 'At most 1000 tags'],
      ['tag_string', many(1001, (i) => `tag-${i}`).join(','), 'At most 1000 tags'],
      ['resources', many(1001, (i) => ({ url: `https://example.org/${i}.csv` })), 'At most 1000 resources'],
      ['extras', many(1001, (i) => ({ key: `k${i}`, value: 'v' })), 'At most 1000 extras'],
      ['groups', many(1001, (i) => ({ name: `group-${i}` })), 'At most 1000 groups'],
    ];
    for (const [field, value, message] of cases) {
      it(`refuses more than the cap of ${field} with a 409 naming the field, on create and update`, async () => {
        const created = await post('package_create', { name: `too-many-${field.replace('_', '-')}`, owner_org: org.id, [field]: value });
        expect(created.status).toBe(409);
        expect(created.body).toEqual(validation({ [field]: [message] }));
        const dataset = await t.factories.dataset({ owner_org: org.id });
        const updated = await post('package_patch', { id: dataset.id, [field]: value });
        expect(updated.status).toBe(409);
        expect(updated.body.error[field]).toEqual([message]);
      });
    }

    it('refuses 20,000 tags before storing or indexing anything', async () => {
      const res = await post('package_create', { name: 'twenty-thousand-tags', owner_org: org.id, tags: many(20_000, (i) => ({ name: `tag-${i}` })) });
      expect(res.status).toBe(409);
      const show = await post('package_show', { id: 'twenty-thousand-tags' });
      expect(show.status).toBe(404);
    });

    it('refuses a resource_create beyond the cap of resources, so the dataset can still be written back as read', async () => {
      const full = await post('package_create', { name: 'full-of-resources', owner_org: org.id, resources: many(1000, (i) => ({ url: `https://example.org/${i}.csv` })) });
      expect(full.status).toBe(200);
      const extra = await post('resource_create', { package_id: 'full-of-resources', url: 'https://example.org/one-more.csv' });
      expect(extra.status).toBe(409);
      expect(extra.body).toEqual(validation({ resources: ['At most 1000 resources'] }));
      const read = await post('package_show', { id: 'full-of-resources' });
      expect(read.body.result.resources).toHaveLength(1000);
      expect((await post('package_update', read.body.result)).status).toBe(200);
    });

    it('accepts lists at the cap', async () => {
      const res = await post('package_create', { name: 'many-extras', owner_org: org.id, extras: many(1000, (i) => ({ key: `k${i}`, value: 'v' })) });
      expect(res.status).toBe(200);
      expect(res.body.result.extras).toHaveLength(1000);
    });
  });

  describe('list sizes of an organization or group', () => {
    const cases: [string, unknown, string][] = [
      ['extras', many(1001, (i) => ({ key: `k${i}`, value: 'v' })), 'At most 1000 extras'],
      ['users', many(1001, (i) => ({ name: `user-${i}` })), 'At most 1000 users'],
      ['packages', many(1001, (i) => ({ name: `dataset-${i}` })), 'At most 1000 packages'],
    ];
    for (const [field, value, message] of cases) {
      it(`refuses more than the cap of ${field} with a 409 naming the field`, async () => {
        for (const action of ['organization_create', 'group_create']) {
          const res = await post(action, { name: `too-many-${field}-${action.split('_')[0]}`, [field]: value });
          expect(res.status).toBe(409);
          expect(res.body).toEqual(validation({ [field]: [message] }));
        }
      });
    }
  });

  describe('package_search parameters', () => {
    const search = (params: Record<string, unknown>) => post('package_search', params);

    it('refuses more than 100 facet fields with a 409 naming facet.field, and answers 100', async () => {
      const res = await search({ 'facet.field': many(100_000, (i) => `extras_f${i}`) });
      expect(res.status).toBe(409);
      expect(res.body).toEqual(validation({ 'facet.field': ['At most 100 facet fields'] }));
      const atCap = await search({ 'facet.field': many(100, (i) => `extras_f${i}`) });
      expect(atCap.status).toBe(200);
    });

    it('refuses more than 100 sort fields with a 409 naming sort, and answers 100', async () => {
      const res = await search({ sort: many(101, () => 'name asc').join(', ') });
      expect(res.status).toBe(409);
      expect(res.body).toEqual(validation({ sort: ['At most 100 sort fields'] }));
      expect((await search({ sort: many(100, () => 'name asc').join(', ') })).status).toBe(200);
    });

    it('refuses more than 100 filters in fq_list and more than 100 fields in fl', async () => {
      const fq = await search({ fq_list: many(101, (i) => `name:n${i}`) });
      expect(fq.status).toBe(409);
      expect(fq.body).toEqual(validation({ fq_list: ['At most 100 filters'] }));
      const fl = await search({ fl: many(101, (i) => `f${i}`).join(' ') });
      expect(fl.status).toBe(409);
      expect(fl.body).toEqual(validation({ fl: ['At most 100 fields'] }));
    });

    it('refuses a query of more than 1024 terms, as Solr’s maxBooleanClauses does, naming the parameter', async () => {
      const words = many(1025, (i) => `w${i}`);
      const free = await search({ q: words.join(' ') });
      expect(free.status).toBe(409);
      expect(free.body).toEqual(validation({ q: ['At most 1024 terms in a query'] }));
      const lucene = await search({ q: words.map((w) => `name:${w}`).join(' OR ') });
      expect(lucene.body).toEqual(validation({ q: ['At most 1024 terms in a query'] }));
      const fq = await search({ fq: words.map((w) => `tags:${w}`).join(' OR ') });
      expect(fq.body).toEqual(validation({ fq: ['At most 1024 terms in a query'] }));
      const fqList = await search({ fq_list: ['name:x', words.map((w) => `tags:${w}`).join(' ')] });
      expect(fqList.body).toEqual(validation({ fq_list: ['At most 1024 terms in a query'] }));
      const atCap = await search({ fq: words.slice(0, 1024).map((w) => `tags:${w}`).join(' OR ') });
      expect(atCap.status).toBe(200);
    });

    it('refuses deeply nested queries with a 409 instead of overflowing the stack', async () => {
      const nots = await search({ fq: `${'NOT '.repeat(50_000)}name:x` });
      expect(nots.status).toBe(409);
      expect(nots.body).toEqual(validation({ fq: ['Nested more than 100 levels deep'] }));
      const parens = await search({ q: `${'('.repeat(20_000)}name:x${')'.repeat(20_000)}` });
      expect(parens.body).toEqual(validation({ q: ['Nested more than 100 levels deep'] }));
      const signs = await search({ fq: `${'-'.repeat(1)}${'(+'.repeat(5_000)}name:x${')'.repeat(5_000)}` });
      expect(signs.body).toEqual(validation({ fq: ['Nested more than 100 levels deep'] }));
      const fine = await search({ fq: `${'('.repeat(50)}name:x${')'.repeat(50)}` });
      expect(fine.status).toBe(200);
    });

    it('refuses a wrong type of fl with a 409 naming it', async () => {
      for (const fl of [{ name: 'x' }, [1, 2]]) {
        const res = await search({ fl });
        expect(res.status).toBe(409);
        expect(res.body.error.fl).toEqual([expect.any(String)]);
      }
    });

    it('refuses facet.field JSON nested too deep in a GET query with a 409', async () => {
      const deep = `${'['.repeat(2000)}${']'.repeat(2000)}`;
      const res = await request(t.http).get('/api/3/action/package_search').query({ 'facet.field': deep });
      expect(res.status).toBe(409);
      expect(res.body.error['facet.field']).toEqual(['Nested more than 64 levels deep']);
    });
  });

  describe('nesting in request bodies', () => {
    it('refuses a JSON body nested 200,000 deep with 400 instead of overflowing the stack', async () => {
      for (const body of [`${'['.repeat(200_000)}${']'.repeat(200_000)}`, `${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`]) {
        const res = await post('package_show', body);
        expect(res.status).toBe(400);
        expect(res.body).toMatch(/^Bad request - JSON Error: Error decoding JSON data. Error: JSONDecodeError\("JSON nested more than 64 levels deep"\)/);
      }
    });

    it('refuses a value nested too deep inside a dataset, storing nothing', async () => {
      let value: unknown = 'x';
      for (let i = 0; i < 100; i++) value = [value];
      const res = await post('package_create', { name: 'deep-extra', owner_org: org.id, extras: [{ key: 'k', value }] });
      expect(res.status).toBe(400);
      expect(res.body).toMatch(/nested more than 64 levels deep/);
      expect((await post('package_show', { id: 'deep-extra' })).status).toBe(404);
    });

    it('counts brackets inside strings as text, not nesting', async () => {
      const res = await post('package_create', { name: 'brackets-in-text', owner_org: org.id, notes: `${'[{'.repeat(500)} \\" ${'}]'.repeat(500)}` });
      expect(res.status).toBe(200);
    });

    it('refuses the legacy form whose key is JSON nested too deep with 400', async () => {
      const key = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const res = await request(t.http).post('/api/3/action/package_show').type('form').send(`${encodeURIComponent(key)}=1`);
      expect(res.status).toBe(400);
      expect(res.body).toMatch(/nested more than 64 levels deep/);
    });
  });

  describe('wrong types in list parameters', () => {
    it('answers organization_list/group_list with organizations or groups of a wrong type with a 409 naming the field', async () => {
      let nested: unknown = 'x';
      for (let i = 0; i < 60; i++) nested = [nested];
      for (const [action, field] of [['organization_list', 'organizations'], ['group_list', 'groups']]) {
        for (const value of [{ name: 'x' }, nested, [1], ['a', ['b']]]) {
          const res = await post(action, { [field]: value });
          expect(res.status).toBe(409);
          expect(res.body).toEqual(validation({ [field]: [expect.any(String)] }));
        }
        const many1001 = await post(action, { [field]: many(1001, (i) => `n${i}`) });
        expect(many1001.body).toEqual(validation({ [field]: [`At most 1000 ${field}`] }));
      }
    });

    it('still reads organizations as a list or a comma string', async () => {
      const byList = await post('organization_list', { organizations: [org.name] });
      expect(byList.body.result).toEqual([org.name]);
      const byString = await request(t.http).get(`/api/3/action/organization_list?organizations=${org.name},nope`);
      expect(byString.body.result).toEqual([org.name]);
    });
  });
});
