import { writeFileSync } from 'node:fs';
import { validate } from '@readme/openapi-parser';
import request from 'supertest';
import { ActionRegistry } from '../../src/api/action-registry';
import { exampleQuery } from '../../src/api/api-docs';
import { ApiDocs } from '../../src/api/api-docs.service';
import { validateInto } from '../../src/api/ckan-schema';
import { TestApp } from '../test-app';

type Parameter = { name: string; in: string; required: boolean; schema?: Record<string, unknown> };
type Operation = {
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: { required?: string[]; properties?: Record<string, unknown> } }> };
  responses: Record<string, unknown>;
  tags: string[];
  'x-token-scope'?: string;
  'x-codeSamples'?: { source: string }[];
};
type Doc = { openapi: string; info: { version: string }; servers: { url: string }[]; tags: { name: string }[]; paths: Record<string, { get?: Operation; post?: Operation }> };

describe('the API description (/api/3/openapi.json)', () => {
  let t: TestApp;
  let doc: Doc;
  let etag: string;
  const op = (name: string): { get?: Operation; post?: Operation } => doc.paths[`/api/3/action/${name}`];

  beforeAll(async () => {
    t = await TestApp.start();
    const res = await request(t.http).get('/api/3/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body as Doc;
    etag = res.headers.etag as string;
    expect(res.headers['content-encoding']).toBe('gzip');
    // DUMP_OPENAPI=<file>: write the document out to read it.
    if (process.env.DUMP_OPENAPI) writeFileSync(process.env.DUMP_OPENAPI, JSON.stringify(doc, null, 2));
  });
  afterAll(() => t.stop());

  it('is a valid OpenAPI 3.1 document, with the package version and SITE_URL as server', async () => {
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors.map((e) => e.message)).toEqual([]);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe((jest.requireActual('../../package.json') as { version: string }).version);
    expect(doc.servers).toEqual([{ url: 'http://catalog.test' }]);
  });

  it('the validator used here refuses a broken document (so the test above can fail)', async () => {
    const broken = structuredClone(doc);
    delete (broken.paths['/api/3/action/package_show'].get!.parameters![0] as Partial<Parameter>).in;
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it('describes every registered action, and the structured model has the same ones', () => {
    const names = t.app.get(ActionRegistry).names();
    expect(names.length).toBeGreaterThan(100);
    expect(names.filter((n) => !op(n))).toEqual([]);
    expect(t.app.get(ApiDocs).actions().map((a) => a.name)).toEqual(names);
  });

  it('offers GET and POST for a side-effect-free action, anonymous or with a token of scope read', () => {
    const show = op('package_show');
    expect(show.get).toBeDefined();
    expect(show.post).toBeDefined();
    expect(show.get!.parameters!.find((p) => p.name === 'id')).toMatchObject({ in: 'query', schema: { type: 'string' } });
    expect(show.get!.security).toEqual([{}, { apiToken: [] }]);
    expect(show.get!['x-token-scope']).toBe('read');
    expect(Object.keys(show.get!.responses).sort()).toEqual(['200', '400', '403', '404', '409']);
  });

  it('offers package_create only by POST, with an API token of scope write, and name as a required body field', async () => {
    const create = op('package_create');
    expect(create.get).toBeUndefined();
    expect(create.post!.security).toEqual([{ apiToken: [] }]);
    expect(create.post!['x-token-scope']).toBe('write');
    expect(create.post!.requestBody!.content['application/json'].schema.required).toContain('name');
    expect(create.post!.tags).toEqual(['package']);
    // What the description says is what the API does.
    expect((await request(t.http).get('/api/3/action/package_create')).status).toBe(400);
  });

  it('describes types, enums and defaults from the input schemas', () => {
    const search = op('package_search').get!.parameters!;
    expect(search.find((p) => p.name === 'rows')!.schema).toMatchObject({ type: 'integer', minimum: 0, default: 10 });
    expect(search.find((p) => p.name === 'include_private')!.schema).toMatchObject({ type: 'boolean', default: false });
    const body = op('package_create').post!.requestBody!.content['application/json'].schema.properties!;
    expect(body.dcat_validation).toMatchObject({ enum: ['off', 'warn', 'enforce'] });
    expect(body.tags).toMatchObject({ type: 'array', items: { type: 'object', required: ['name'] } });
  });

  it('takes resource_create as a multipart upload in the field "upload" too, package_revise in its update keys', () => {
    const content = op('resource_create').post!.requestBody!.content;
    expect(content['multipart/form-data'].schema.properties).toHaveProperty('upload');
    expect(op('resource_create').post!['x-codeSamples']!.map((s) => s.source).join('\n')).toContain('-F upload=@');
    // package_revise takes files as CKAN does, under flattened update keys.
    const revise = op('package_revise').post!.requestBody!.content['multipart/form-data'].schema as { patternProperties?: Record<string, unknown> };
    expect(Object.keys(revise.patternProperties!)).toEqual([expect.stringContaining('update__resources__')]);
  });

  it('documents the routes beside the actions and links the SensorThings API', () => {
    for (const path of ['/catalog.{format}', '/dataset/{id}.{format}', '/datastore/dump/{resource_id}', '/dataset/{id}/resource/{rid}/download', '/sta/v1.1']) {
      expect(doc.paths[path]?.get).toBeDefined();
    }
    expect(doc.tags.map((tag) => tag.name)).toEqual(expect.arrayContaining(['package', 'resource', 'organization', 'group', 'user', 'datastore', 'harvest', 'sensor', 'dcat', 'sensorthings']));
  });

  it("runs package_search's example as given and finds the dataset it is meant for", async () => {
    const org = await t.factories.organization();
    await t.factories.dataset({ owner_org: org.id as string, title: 'Pegel Rhein in Köln', tags: [{ name: 'Hochwasser' }] });
    const example = t.app.get(ApiDocs).actions().find((a) => a.name === 'package_search')!.example;
    expect(example).toMatchObject({ method: 'GET', handPicked: true });
    expect(example.curl).toBe(`curl 'http://catalog.test/api/3/action/package_search?${exampleQuery(example.params)}'`);
    const res = await request(t.http).get(`/api/3/action/package_search?${exampleQuery(example.params)}`);
    expect(res.body).toMatchObject({ success: true, result: { count: 1, results: [{ title: 'Pegel Rhein in Köln' }] } });
  });

  it("gives examples that pass their action's input schema, so what the description calls required is", () => {
    const registry = t.app.get(ActionRegistry);
    const failing = t.app
      .get(ApiDocs)
      .actions()
      .map((a) => ({ name: a.name, errors: validateInto(registry.get(a.name)!.input, structuredClone(a.example.params)).errors }))
      .filter((f) => f.errors);
    expect(failing).toEqual([]);
  });

  it("runs package_create's and resource_create's examples as given, in an organization of the example's name", async () => {
    const docs = t.app.get(ApiDocs).actions();
    const example = (name: string): Record<string, unknown> => docs.find((a) => a.name === name)!.example.params;
    await t.factories.organization({ name: example('package_create').owner_org });
    const token = await t.call<{ token: string }>('api_token_create', { user: t.sysadmin.name, name: 'beispiel' });
    const created = await request(t.http).post('/api/3/action/package_create').set('authorization', token.token).send(example('package_create'));
    expect(created.body).toMatchObject({ success: true, result: { name: 'pegelstaende-rhein-koeln', resources: [{ format: 'CSV' }] } });
    const resource = await request(t.http).post('/api/3/action/resource_create').set('authorization', token.token).send(example('resource_create'));
    expect(resource.body).toMatchObject({ success: true, result: { name: 'Wasserstände 2026 (CSV)' } });
    const shown = await request(t.http).get(`/api/3/action/package_show?${exampleQuery(example('package_show'))}`);
    expect(shown.body).toMatchObject({ success: true, result: { resources: [{}, { name: 'Wasserstände 2026 (CSV)' }] } });
  });

  it('gives every action a copyable example, with a token where the action needs one', () => {
    for (const a of t.app.get(ApiDocs).actions()) {
      expect(a.example.curl).toContain(`/api/3/action/${a.name}`);
      expect(a.example.curl.includes('$CKAN_API_TOKEN')).toBe(!a.anonymous);
    }
  });

  it('answers again with 304 for the ETag it sent, and keeps /api and /api/3 as CKAN answers them', async () => {
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await request(t.http).get('/api/3/openapi.json').set('if-none-match', etag);
    expect(again.status).toBe(304);
    expect(again.headers['cache-control']).toContain('max-age=');
    // Gzipped for clients that take it (supertest does), plain for others, each with its own ETag.
    const plain = await request(t.http).get('/api/3/openapi.json').set('accept-encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.etag).not.toBe(etag);
    expect(JSON.parse(plain.text)).toEqual(doc);
    expect((await request(t.http).get('/api/3')).body).toEqual({ version: 3 });
    expect((await request(t.http).get('/api')).body).toEqual({ version: 1 });
  });
});
