import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

describe('link resources', () => {
  let t: TestApp;
  let editor: TestUser;
  let outsider: TestUser;
  let dataset: { id: string; name: string; metadata_modified?: unknown };

  beforeAll(async () => {
    t = await TestApp.start();
    editor = await t.factories.user();
    outsider = await t.factories.user();
    const org = await t.factories.organization({ members: [[editor, 'editor']] });
    dataset = await t.factories.dataset({ owner_org: org.id, resources: [{ url: 'http://a.example/first.csv', name: 'first' }] });
  });
  afterAll(() => t.stop());

  const post = (action: string, body: object, as?: TestUser) => {
    const r = request(t.http).post(`/api/3/action/${action}`).send(body);
    return as ? r.set('Authorization', as.token) : r;
  };

  it('resource_create appends a resource, guesses its format and keeps unknown keys', async () => {
    const res = await post('resource_create', { package_id: dataset.name, url: 'https://b.example/werte.xlsx', name: 'Werte', ref_system: 'EPSG:25832' }, editor);
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ package_id: dataset.id, position: 1, format: 'XLSX', name: 'Werte', ref_system: 'EPSG:25832', url_type: null, mimetype: null });
    const d = await t.call<{ resources: { id: string }[]; metadata_modified: string }>('package_show', { id: dataset.id });
    expect(d.resources.map((r) => r.id)).toContain(res.body.result.id);
    expect(d.metadata_modified > (dataset.metadata_modified as string)).toBe(true);
  });

  it('resource_create answers an unknown dataset with 404 and its own field errors unwrapped', async () => {
    expect((await post('resource_create', { package_id: 'nope', url: 'http://x' }, editor)).status).toBe(404);
    const bad = await post('resource_create', { package_id: dataset.id, size: 'big', last_modified: '15.01.2025' }, editor);
    expect(bad.status).toBe(409);
    expect(bad.body.error).toEqual({ __type: 'Validation Error', size: ['Invalid integer'], last_modified: ['Date format incorrect'] });
    const missing = await post('resource_create', { url: 'http://x' }, editor);
    expect(missing.body.error).toMatchObject({ package_id: ['Missing value'] });
  });

  it('resource_show returns the resource; unknown → 404; private dataset → 403 for outsiders', async () => {
    const d = await t.call<{ resources: { id: string }[] }>('package_show', { id: dataset.id });
    const shown = await request(t.http).get(`/api/3/action/resource_show?id=${d.resources[0].id}`);
    expect(shown.body.result).toMatchObject({ id: d.resources[0].id, name: 'first', format: 'CSV' });
    expect((await request(t.http).get('/api/3/action/resource_show?id=00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const org = await t.factories.organization();
    const priv = await t.factories.dataset({ owner_org: org.id, private: true, resources: [{ url: 'http://p.example' }] });
    const hidden = await request(t.http).get(`/api/3/action/resource_show?id=${priv.resources[0].id}`).set('Authorization', outsider.token);
    expect(hidden.status).toBe(403);
  });

  it('resource_update replaces: omitted url and description are cleared, name and format kept, extras replaced', async () => {
    const r = (await post('resource_create', { package_id: dataset.id, url: 'http://c.example/c.json', name: 'C', description: 'old', extra_a: 1 }, editor)).body.result;
    const res = await post('resource_update', { id: r.id, extra_b: 2 }, editor);
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ id: r.id, url: '', description: null, name: 'C', format: 'JSON', extra_b: 2 });
    expect(res.body.result).not.toHaveProperty('extra_a');
  });

  it('resource_patch changes only what it is given', async () => {
    const r = (await post('resource_create', { package_id: dataset.id, url: 'http://d.example/d.csv', name: 'D', description: 'bleibt' }, editor)).body.result;
    const res = await post('resource_patch', { id: r.id, name: 'D2' }, editor);
    expect(res.body.result).toMatchObject({ name: 'D2', description: 'bleibt', url: 'http://d.example/d.csv', position: r.position });
  });

  it('resource_delete removes it and renumbers the others', async () => {
    const d0 = await t.call<{ resources: { id: string; position: number }[] }>('package_show', { id: dataset.id });
    const del = await post('resource_delete', { id: d0.resources[0].id }, editor);
    expect(del.body).toMatchObject({ success: true, result: null });
    const d1 = await t.call<{ resources: { id: string; position: number }[] }>('package_show', { id: dataset.id });
    expect(d1.resources.map((r) => r.position)).toEqual(d1.resources.map((_, i) => i));
    expect(d1.resources).toHaveLength(d0.resources.length - 1);
    expect((await request(t.http).get(`/api/3/action/resource_show?id=${d0.resources[0].id}`)).status).toBe(404);
  });

  it('refuses resource writes by users who may not edit the dataset', async () => {
    const d = await t.call<{ resources: { id: string }[] }>('package_show', { id: dataset.id });
    const create = await post('resource_create', { package_id: dataset.id, url: 'http://x' }, outsider);
    expect(create.status).toBe(403);
    expect(create.body.error.message).toBe(`Access denied: User ${outsider.name} not authorized to create resources on dataset ${dataset.id}`);
    expect((await post('resource_patch', { id: d.resources[0].id, name: 'x' }, outsider)).status).toBe(403);
    expect((await post('resource_delete', { id: d.resources[0].id })).status).toBe(403);
  });
});
