import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

describe('the CKAN action API surface', () => {
  let t: TestApp;
  let editor: TestUser;
  let org: { id: string; name: string };

  beforeAll(async () => {
    t = await TestApp.start({ MAX_BODY_BYTES: '65536' });
    editor = await t.factories.user();
    org = await t.factories.organization({ members: [[editor, 'editor']] });
  });
  afterAll(() => t.stop());

  describe('routes', () => {
    it('answers /api/3 with the API version, as CKAN does', async () => {
      expect((await request(t.http).get('/api/3')).body).toEqual({ version: 3 });
      expect((await request(t.http).get('/api/3/')).body).toEqual({ version: 3 });
      expect((await request(t.http).get('/api')).body).toEqual({ version: 1 });
    });

    it('serves actions under /api/3/action and /api/action (ckanapi’s form) alike', async () => {
      const a = await request(t.http).get('/api/3/action/site_read');
      const b = await request(t.http).get('/api/action/site_read');
      expect(a.body.result).toBe(true);
      expect(b.body.result).toBe(true);
    });

    it('accepts the doubled slash the CKAN harvester sends', async () => {
      const res = await request(t.http).get('//api/3/action/status_show');
      expect(res.status).toBe(200);
      expect(res.body.success).toBe(true);
    });

    it('answers unknown routes with a JSON error', async () => {
      const res = await request(t.http).get('/no/such/route');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 404, message: expect.any(String) } });
    });
  });

  describe('the envelope', () => {
    it('wraps results as {help, success, result} with an absolute help URL and CKAN’s content type', async () => {
      const res = await request(t.http).get('/api/3/action/license_list');
      expect(res.headers['content-type']).toBe('application/json;charset=utf-8');
      expect(res.body).toEqual({ help: 'http://catalog.test/api/3/action/help_show?name=license_list', success: true, result: expect.any(Array) });
    });

    it('answers an unknown action with 400 and a bare JSON string', async () => {
      const res = await request(t.http).post('/api/3/action/no_such_action').send({});
      expect(res.status).toBe(400);
      expect(res.body).toBe('Bad request - Action name not known: no_such_action');
    });

    it('refuses GET on a write action with CKAN’s message', async () => {
      const res = await request(t.http).get('/api/3/action/package_create?name=x');
      expect(res.status).toBe(400);
      expect(res.body).toBe('Bad request - JSON Error: Invalid request. Please use POST method for your request');
    });

    it('answers malformed JSON with 400, whatever the content type says', async () => {
      for (const type of ['application/json', 'text/plain', 'application/octet-stream']) {
        const res = await request(t.http).post('/api/3/action/package_list').set('Content-Type', type).send('{"limit": ');
        expect(res.status).toBe(400);
        expect(res.body).toMatch(/^Bad request - JSON Error: Error decoding JSON data/);
      }
    });

    it('refuses a JSON body that is not a dictionary', async () => {
      const res = await request(t.http).post('/api/3/action/package_list').set('Content-Type', 'application/json').send('[1, 2]');
      expect(res.status).toBe(400);
      expect(res.body).toBe('Bad request - JSON Error: Request data JSON decoded to [1,2] but it needs to be a dictionary.');
    });

    it('treats an empty POST body as {}', async () => {
      const res = await request(t.http).post('/api/3/action/package_list');
      expect(res.status).toBe(200);
      expect(res.body.result).toEqual(expect.any(Array));
    });

    it('answers a body over the size limit with 413, before reading it all', async () => {
      const res = await request(t.http).post('/api/3/action/package_list').set('Content-Type', 'application/json').send(`{"q": "${'x'.repeat(70_000)}"}`);
      expect(res.status).toBe(413);
      expect(res.body).toBe('Bad request - Request body is larger than 65536 bytes');
    });

    it('echoes a request id, or makes one', async () => {
      const given = await request(t.http).get('/api/3/action/site_read').set('X-Request-Id', 'abc-123');
      expect(given.headers['x-request-id']).toBe('abc-123');
      const made = await request(t.http).get('/api/3/action/site_read');
      expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('reading parameters', () => {
    it('reads GET parameters as strings and converts them per action', async () => {
      const res = await request(t.http).get('/api/3/action/organization_list?all_fields=true&limit=1');
      expect(res.status).toBe(200);
      expect(res.body.result).toHaveLength(1);
      expect(res.body.result[0]).toHaveProperty('package_count');
    });

    it('uses query parameters of a side-effect-free POST and ignores its body', async () => {
      const res = await request(t.http).post('/api/3/action/organization_list?all_fields=true').send({ all_fields: false });
      expect(typeof res.body.result[0]).toBe('object');
    });

    it('reads urlencoded and multipart forms, repeated fields as lists', async () => {
      const form = await request(t.http)
        .post('/api/3/action/package_create')
        .set('Authorization', editor.token)
        .type('form')
        .send(`name=form-dataset&owner_org=${org.id}&title=Formular&tag_string=a1,b2`);
      expect(form.status).toBe(200);
      expect(form.body.result).toMatchObject({ name: 'form-dataset', title: 'Formular', num_tags: 2 });

      const multi = await request(t.http)
        .post('/api/3/action/package_create')
        .set('Authorization', editor.token)
        .field('name', 'multipart-dataset')
        .field('owner_org', org.id)
        .field('notes', 'über Formular');
      expect(multi.status).toBe(200);
      expect(multi.body.result).toMatchObject({ name: 'multipart-dataset', notes: 'über Formular' });
    });

    it('reads the legacy form whose single key is the JSON data dict', async () => {
      const res = await request(t.http)
        .post('/api/3/action/package_show')
        .type('form')
        .send(`${encodeURIComponent(JSON.stringify({ id: 'form-dataset' }))}=1`);
      expect(res.status).toBe(200);
      expect(res.body.result.name).toBe('form-dataset');
    });

    it('refuses a file sent to an action that takes no files, instead of dropping it silently', async () => {
      const res = await request(t.http)
        .post('/api/3/action/package_patch')
        .set('Authorization', editor.token)
        .field('id', 'form-dataset')
        .attach('upload', Buffer.from('a,b\n1,2\n'), 'data.csv');
      expect(res.status).toBe(400);
      expect(res.body).toMatch(/does not take files/);
      const after = await request(t.http).get('/api/3/action/package_show?id=form-dataset');
      expect(after.body.result.num_resources).toBe(0);
    });
  });

  describe('authentication', () => {
    const whoAmI = (headers: Record<string, string | undefined>) => {
      const r = request(t.http).get('/api/3/action/user_show');
      for (const [k, v] of Object.entries(headers)) if (v) r.set(k, v);
      return r;
    };

    it('accepts the raw token in Authorization, a Bearer token, and X-CKAN-API-Key', async () => {
      for (const headers of [{ Authorization: editor.token }, { Authorization: `Bearer ${editor.token}` }, { 'X-CKAN-API-Key': editor.token }]) {
        const res = await whoAmI(headers);
        expect(res.status).toBe(200);
        expect(res.body.result.name).toBe(editor.name);
      }
    });

    it('runs a request with an unknown token as anonymous instead of failing it', async () => {
      const read = await request(t.http).get('/api/3/action/package_list').set('Authorization', 'odp_not-a-real-token');
      expect(read.status).toBe(200);
      const write = await request(t.http).post('/api/3/action/package_create').set('Authorization', 'odp_not-a-real-token').send({ name: 'x-anon', owner_org: org.id });
      expect(write.status).toBe(403);
      expect(write.body.error).toEqual({ __type: 'Authorization Error', message: 'Access denied: Action package_create requires an authenticated user' });
    });

    it('wraps JSONP responses and runs them as anonymous', async () => {
      const priv = await t.factories.dataset({ owner_org: org.id, private: true });
      const pub = await request(t.http).get('/api/3/action/site_read?callback=cb');
      expect(pub.headers['content-type']).toBe('application/javascript;charset=utf-8');
      expect(pub.text).toBe('cb({"help":"http://catalog.test/api/3/action/help_show?name=site_read","success":true,"result":true});');
      const hidden = await request(t.http).get(`/api/3/action/package_show?id=${priv.id}&callback=cb`).set('Authorization', editor.token);
      expect(hidden.status).toBe(403);
      expect(hidden.text.startsWith('cb(')).toBe(false);
    });
  });

  describe('help_show', () => {
    it('returns an action’s documentation and 404 for unknown actions', async () => {
      const ok = await request(t.http).get('/api/3/action/help_show?name=package_show');
      expect(ok.body.result).toMatch(/metadata of a dataset/);
      const missing = await request(t.http).get('/api/3/action/help_show?name=nope');
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toBe('Not found: Action function not found');
    });
  });
});
