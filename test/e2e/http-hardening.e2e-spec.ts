import pino from 'pino';
import request from 'supertest';
import { LOGGER } from '../../src/common/logger.provider';
import type { Logger } from '../../src/common/logger';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/** What a browser, a dashboard on another site or a proxy sees of every answer. */
describe('HTTP answers as browsers and proxies see them', () => {
  let t: TestApp;
  let editor: TestUser;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    t = await TestApp.start({ LOG_LEVEL: 'info' });
    // Every log line from here on lands in logLines instead of stdout (request loggers are children of this one).
    const root = t.app.get<Logger>(LOGGER) as unknown as Record<symbol, unknown>;
    root[pino.symbols.streamSym] = { write: (s: string) => void logLines.push(JSON.parse(s) as Record<string, unknown>) };
    editor = await t.factories.user();
  });
  afterAll(() => t.stop());

  describe('JSONP', () => {
    it('refuses a callback that is not a JavaScript identifier path with 400, before running anything', async () => {
      for (const callback of ['alert(1)//', 'a;b', 'x y', '1abc', 'a..b', '', 'a'.repeat(200)]) {
        const res = await request(t.http).get('/api/3/action/site_read').query({ callback });
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toBe('application/json;charset=utf-8');
        expect(res.body).toBe('Bad request - The callback parameter must be a JavaScript identifier or a dotted path of them (at most 128 characters)');
      }
    });

    it('still wraps answers for identifier callbacks, including dotted paths and jQuery’s names', async () => {
      for (const callback of ['cb', 'jQuery3600123_1712345678901', 'my.ns.$handler', '_x1']) {
        const res = await request(t.http).get('/api/3/action/site_read').query({ callback });
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe('application/javascript;charset=utf-8');
        expect(res.text).toBe(`${callback}({"help":"http://catalog.test/api/3/action/help_show?name=site_read","success":true,"result":true});`);
      }
    });
  });

  describe('malformed URLs', () => {
    it('answers a bad percent-encoding in an action URL with CKAN’s 400 bare string', async () => {
      for (const path of ['/api/3/action/%c0%ae%c0%ae%c0%af', '/api/3/action/package_show%ff', '/api/action/%E0%A4%A']) {
        const res = await request(t.http).get(path);
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toBe('application/json;charset=utf-8');
        expect(res.body).toBe(`Bad request - The URL is not valid percent-encoded UTF-8: ${path}`);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
      }
    });

    it('answers an over-long action name as an unknown action, not with Fastify’s 414', async () => {
      const name = 'x'.repeat(150);
      const res = await request(t.http).get(`/api/3/action/${name}`);
      expect(res.status).toBe(400);
      expect(res.body).toBe(`Bad request - Action name not known: ${name}`);
    });

    it('answers a bad percent-encoding elsewhere with the {error: {code, message}} body', async () => {
      const res = await request(t.http).get('/dataset/%ff');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 400, message: 'The URL is not valid percent-encoded UTF-8: /dataset/%ff' } });
    });
  });

  describe('headers', () => {
    it('sends X-Content-Type-Options: nosniff on answers of every kind', async () => {
      const answers = [
        await request(t.http).get('/api/3/action/site_read'),
        await request(t.http).get('/api/3/action/no_such_action'),
        await request(t.http).get('/api/3/action/package_show?id=nope'),
        await request(t.http).get('/no/such/route'),
        await request(t.http).get('/api/3'),
        await request(t.http).get('/catalog.ttl'),
      ];
      for (const res of answers) expect(res.headers['x-content-type-options']).toBe('nosniff');
    });

    it('marks answers to a caller with a token private, and every action answer as varying by the token headers', async () => {
      const anon = await request(t.http).get('/api/3/action/package_list');
      expect(anon.headers['cache-control']).toBeUndefined();
      expect(anon.headers.vary).toBe('Authorization, X-CKAN-API-Key');
      for (const header of ['Authorization', 'X-CKAN-API-Key']) {
        const mine = await request(t.http).get('/api/3/action/user_show').set(header, editor.token);
        expect(mine.body.result.name).toBe(editor.name);
        expect(mine.headers['cache-control']).toBe('private');
        expect(mine.headers.vary).toBe('Authorization, X-CKAN-API-Key');
      }
      const failed = await request(t.http).post('/api/3/action/package_create').set('Authorization', editor.token).send({});
      expect(failed.status).toBe(409);
      expect(failed.headers['cache-control']).toBe('private');
    });

    it('keeps the Vary a route sets itself and adds the token headers to it', async () => {
      const res = await request(t.http).get('/catalog').set('Accept', 'text/turtle');
      expect(res.status).toBe(200);
      expect(res.headers.vary).toBe('Accept, Authorization, X-CKAN-API-Key');
    });
  });

  describe('the access log', () => {
    it('writes tokens sent in the query string as [REDACTED]', async () => {
      logLines.length = 0;
      const secret = 'odp_s3cr3t-value';
      await request(t.http).get(`/api/3/action/site_read?api_key=${secret}&apikey=${secret}&token=${secret}&access_token=${secret}&q=kept`);
      const line = logLines.find((l) => l.msg === 'request');
      expect(line).toBeDefined();
      expect(JSON.stringify(logLines)).not.toContain(secret);
      expect(line!.url).toBe('/api/3/action/site_read?api_key=[REDACTED]&apikey=[REDACTED]&token=[REDACTED]&access_token=[REDACTED]&q=kept');

      logLines.length = 0;
      await request(t.http).get(`/api/3/action/%ff?X-CKAN-API-Key=${secret}`);
      const bad = logLines.filter((l) => l.msg === 'request');
      expect(bad).toEqual([expect.objectContaining({ status: 400, url: '/api/3/action/%ff?X-CKAN-API-Key=[REDACTED]' })]);
      expect(JSON.stringify(logLines)).not.toContain(secret);
    });
  });
});

describe('CORS', () => {
  const preflight = (t: TestApp, origin: string) =>
    request(t.http).options('/api/3/action/package_create').set('Origin', origin).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization,content-type');

  describe('without CORS_ORIGINS', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start();
    });
    afterAll(() => t.stop());

    it('sends no CORS headers, as CKAN does by default', async () => {
      const res = await request(t.http).get('/api/3/action/site_read').set('Origin', 'https://dashboard.example.org');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const pre = await preflight(t, 'https://dashboard.example.org');
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('CORS_ORIGINS=*', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start({ CORS_ORIGINS: '*' });
    });
    afterAll(() => t.stop());

    it('allows every origin, on answers and preflights, with CKAN’s methods and headers', async () => {
      const res = await request(t.http).get('/api/3/action/site_read').set('Origin', 'https://anywhere.example');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-methods']).toBe('POST, PUT, GET, DELETE, OPTIONS');
      expect(res.headers['access-control-allow-headers']).toBe('X-CKAN-API-KEY, Authorization, Content-Type');
      const pre = await preflight(t, 'https://anywhere.example');
      expect(pre.status).toBe(200);
      expect(pre.text).toBe('');
      expect(pre.headers['access-control-allow-origin']).toBe('*');
      expect(pre.headers['access-control-allow-methods']).toBe('POST, PUT, GET, DELETE, OPTIONS');
      expect(pre.headers['access-control-allow-headers']).toBe('X-CKAN-API-KEY, Authorization, Content-Type');
    });

    it('sends nothing to a request without an Origin', async () => {
      const res = await request(t.http).get('/api/3/action/site_read');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('CORS_ORIGINS as a list', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start({ CORS_ORIGINS: 'https://dashboard.example.org, https://karte.example.de' });
    });
    afterAll(() => t.stop());

    it('echoes a listed origin and ignores others', async () => {
      for (const origin of ['https://dashboard.example.org', 'https://karte.example.de']) {
        const res = await request(t.http).get('/api/3/action/site_read').set('Origin', origin);
        expect(res.headers['access-control-allow-origin']).toBe(origin);
        expect(res.headers.vary).toContain('Origin');
        const pre = await preflight(t, origin);
        expect(pre.status).toBe(200);
        expect(pre.headers['access-control-allow-origin']).toBe(origin);
      }
      const other = await request(t.http).get('/api/3/action/site_read').set('Origin', 'https://evil.example');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      expect(other.headers['access-control-allow-methods']).toBeUndefined();
    });
  });

  it('refuses a CORS_ORIGINS entry that is not an origin at start-up', async () => {
    const { loadConfig } = await import('../../src/config/env');
    expect(() => loadConfig({ CORS_ORIGINS: 'dashboard.example.org' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://a.example/path' })).toThrow(/CORS_ORIGINS/);
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example  http://b.example:8080' }).CORS_ORIGINS).toBe('https://a.example  http://b.example:8080');
  });
});
