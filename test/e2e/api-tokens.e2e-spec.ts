import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createLogger } from '../../src/common/logger';
import { loadConfig } from '../../src/config/env';
import { TokenSweep } from '../../src/auth/token-sweep';
import { createHttpApp } from '../../src/http';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/**
 * API tokens with scopes, an organization restriction and an expiry (issue 14): what each kind of token may do over
 * HTTP, on the action API and on the routes that are no actions (downloads, RDF, SensorThings).
 */
describe('API tokens: scopes, organization restriction, expiry, revocation', () => {
  let t: TestApp;
  let eva: TestUser; // editor in Nord and Süd
  let otto: TestUser; // editor in Nord only
  let nord: Record<string, unknown> & { id: string; name: string };
  let sued: Record<string, unknown> & { id: string; name: string };
  let nordPrivate: { id: string; name: string };
  let suedPrivate: { id: string; name: string };
  let suedPublic: { id: string; name: string };
  const DAY = 86_400_000;

  beforeAll(async () => {
    t = await TestApp.start();
    eva = await t.factories.user({ name: 'eva' });
    otto = await t.factories.user({ name: 'otto' });
    nord = await t.factories.organization({ name: 'nord', members: [[eva, 'editor'], [otto, 'editor']] });
    sued = await t.factories.organization({ name: 'sued', members: [[eva, 'editor']] });
    nordPrivate = await t.factories.dataset({ name: 'nord-intern', owner_org: nord.id, private: true, tags: [{ name: 'nordgeheim' }] });
    suedPrivate = await t.factories.dataset({ name: 'sued-intern', owner_org: sued.id, private: true, tags: [{ name: 'suedgeheim' }] });
    suedPublic = await t.factories.dataset({ name: 'sued-offen', owner_org: sued.id, private: false });
    await t.searchIndexed();
  });
  afterAll(() => t.stop());

  const post = (action: string, body: object, token?: string | null) => {
    const r = request(t.http).post(`/api/3/action/${action}`).send(body);
    return token ? r.set('Authorization', token) : r;
  };
  const get = (path: string, token?: string | null) => {
    const r = request(t.http).get(path);
    return token ? r.set('Authorization', token) : r;
  };
  /** A new token of `user`, made with the user's own full token. */
  const token = async (user: TestUser, fields: Record<string, unknown> = {}): Promise<string> => {
    const res = await post('api_token_create', { user: user.name, name: `t-${Math.random().toString(36).slice(2, 8)}`, ...fields }, user.token);
    expect(res.status).toBe(200);
    return res.body.result.token as string;
  };

  describe('api_token_create and api_token_list', () => {
    it('creates a token with scopes, an organization and an expiry, and lists it with them but without its secret', async () => {
      const expires = new Date(Date.now() + 10 * DAY).toISOString();
      const res = await post('api_token_create', { user: 'eva', name: 'pegel-skript', scopes: ['read', 'datastore'], organization: 'nord', expires }, eva.token);
      expect(res.status).toBe(200);
      const secret: string = res.body.result.token;
      expect(res.body.result).toEqual({ token: secret, id: expect.any(String), scopes: ['read', 'datastore'], organization: 'nord', expires_at: expect.any(String) });
      expect(Date.parse(`${res.body.result.expires_at}Z`)).toBe(Date.parse(expires));

      const list = await get('/api/3/action/api_token_list?user_id=eva', eva.token);
      expect(list.status).toBe(200);
      const row = list.body.result.find((x: { name: string }) => x.name === 'pegel-skript');
      expect(row).toEqual({
        id: res.body.result.id, name: 'pegel-skript', user_id: eva.id, created_at: expect.any(String), last_access: null,
        expires_at: res.body.result.expires_at, scopes: ['read', 'datastore'], organization: 'nord', organization_id: nord.id,
      });
      const text = JSON.stringify(list.body);
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/secret|hash/);
    });

    it('gives a CKAN client that sends only user and name a token with every scope that expires after API_TOKEN_MAX_DAYS (180)', async () => {
      const before = Date.now();
      const res = await post('api_token_create', { user: 'otto', name: 'ckanapi' }, otto.token);
      expect(res.status).toBe(200);
      expect(res.body.result.scopes).toEqual(['read', 'write', 'datastore', 'harvest', 'ingest', 'admin']);
      expect(res.body.result.organization).toBeNull();
      const expiresAt = Date.parse(`${res.body.result.expires_at}Z`);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 180 * DAY - 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 180 * DAY);
      // The token does whatever its owner may: create a dataset in the owner's organization.
      const created = await post('package_create', { name: 'otto-ckanapi', owner_org: nord.id }, res.body.result.token);
      expect(created.status).toBe(200);
    });

    it('takes CKAN expire_api_token\'s expires_in × unit (seconds)', async () => {
      const before = Date.now();
      const res = await post('api_token_create', { user: 'otto', name: 'stunde', expires_in: 2, unit: 3600 }, otto.token);
      expect(res.status).toBe(200);
      const expiresAt = Date.parse(`${res.body.result.expires_at}Z`);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 2 * 3_600_000 - 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 2 * 3_600_000);
    });

    it('refuses a lifetime over API_TOKEN_MAX_DAYS with 409', async () => {
      const long = await post('api_token_create', { user: 'otto', name: 'ewig', expires_in: 181, unit: 86400 }, otto.token);
      expect(long.status).toBe(409);
      expect(long.body.error).toMatchObject({ __type: 'Validation Error', expires_in: [expect.stringContaining('at most 180 days')] });
      const far = await post('api_token_create', { user: 'otto', name: 'ewig', expires: '2099-01-01T00:00:00Z' }, otto.token);
      expect(far.status).toBe(409);
      expect(far.body.error.expires).toEqual([expect.stringContaining('at most 180 days')]);
      const list = await post('api_token_list', { user_id: 'otto' }, otto.token);
      expect(list.body.result.map((x: { name: string }) => x.name)).not.toContain('ewig');
    });

    it('refuses unknown scopes, an expiry in the past, expires_in without unit, and an organization the user is not in, each with 409', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ scopes: ['read', 'everything'] }, 'scopes'],
        [{ scopes: [] }, 'scopes'],
        [{ expires: '2001-01-01T00:00:00Z' }, 'expires'],
        [{ expires_in: 5 }, 'unit'],
        [{ expires_in: 0, unit: 60 }, 'expires_in'],
        [{ organization: 'sued' }, 'organization'],
        [{ organization: 'gibt-es-nicht' }, 'organization'],
      ];
      for (const [fields, field] of cases) {
        const res = await post('api_token_create', { user: 'otto', name: 'falsch', ...fields }, otto.token);
        expect({ fields, status: res.status, type: res.body.error?.__type }).toEqual({ fields, status: 409, type: 'Validation Error' });
        expect(res.body.error[field]).toEqual([expect.any(String)]);
      }
    });

    it('accepts scopes as one string separated by commas, as a form sends them', async () => {
      const res = await post('api_token_create', { user: 'otto', name: 'form', scopes: 'write, read' }, otto.token);
      expect(res.status).toBe(200);
      expect(res.body.result.scopes).toEqual(['read', 'write']);
    });

    it('lets a token make tokens with no more scopes, no other organization and no later expiry than its own', async () => {
      const readOnly = await token(eva, { scopes: ['read'] });
      const minter = await token(eva, { scopes: ['read', 'admin'], organization: 'nord', expires_in: 3, unit: 86400 });
      // Making tokens needs the admin scope.
      const noAdmin = await post('api_token_create', { user: 'eva', name: 'x' }, readOnly);
      expect(noAdmin.status).toBe(403);
      expect(noAdmin.body.error.message).toContain('"admin"');
      const wider = await post('api_token_create', { user: 'eva', name: 'x', scopes: ['read', 'write'] }, minter);
      expect(wider.status).toBe(403);
      expect(wider.body.error.message).toContain('write');
      const otherOrg = await post('api_token_create', { user: 'eva', name: 'x', organization: 'sued' }, minter);
      expect(otherOrg.status).toBe(403);
      const longer = await post('api_token_create', { user: 'eva', name: 'x', expires_in: 10, unit: 86400 }, minter);
      expect(longer.status).toBe(403);
      // By default the new token inherits the maker's limits.
      const child = await post('api_token_create', { user: 'eva', name: 'kind' }, minter);
      expect(child.status).toBe(200);
      expect(child.body.result).toMatchObject({ scopes: ['read', 'admin'], organization: 'nord' });
      expect(Date.parse(`${child.body.result.expires_at}Z`)).toBeLessThanOrEqual(Date.now() + 3 * DAY);
    });
  });

  describe('scopes', () => {
    it('a read-only token reads, also private data of its owner\'s organization, but gets 403 naming the scope on package_create', async () => {
      const readOnly = await token(otto, { scopes: ['read'] });
      const show = await post('package_show', { id: nordPrivate.id }, readOnly);
      expect(show.status).toBe(200);
      const search = await get('/api/3/action/package_search?q=name:nord-intern&include_private=true', readOnly);
      expect(search.body.result.count).toBe(1);
      const create = await post('package_create', { name: 'nur-lesen', owner_org: nord.id }, readOnly);
      expect(create.status).toBe(403);
      expect(create.body).toMatchObject({ success: false, error: { __type: 'Authorization Error' } });
      expect(create.body.error.message).toMatch(/^Access denied: .*scope "write".*package_create/);
      expect((await post('package_show', { id: 'nur-lesen' }, t.sysadmin.token)).status).toBe(404);
    });

    it('a datastore token upserts into a DataStore table but cannot package_update, nor read without the read scope', async () => {
      const dataset = await t.factories.dataset({ owner_org: nord.id });
      const table = await t.call<{ resource_id: string }>('datastore_create', {
        resource: { package_id: dataset.id }, fields: [{ id: 'pegel', type: 'text' }, { id: 'cm', type: 'int' }], primary_key: 'pegel',
      });
      const dsToken = await token(otto, { scopes: ['datastore'] });
      const upsert = await post('datastore_upsert', { resource_id: table.resource_id, method: 'upsert', records: [{ pegel: 'Kaub', cm: 212 }] }, dsToken);
      expect(upsert.status).toBe(200);
      const rows = await t.call<{ records: { pegel: string; cm: number }[] }>('datastore_search', { resource_id: table.resource_id });
      expect(rows.records).toEqual([expect.objectContaining({ pegel: 'Kaub', cm: 212 })]);

      const update = await post('package_update', { ...dataset, title: 'Geändert' }, dsToken);
      expect(update.status).toBe(403);
      expect(update.body.error.message).toContain('scope "write"');
      const read = await post('package_show', { id: dataset.id }, dsToken);
      expect(read.status).toBe(403);
      expect(read.body.error.message).toContain('scope "read"');
      // The owner's own rights are unchanged: a full token still edits.
      expect((await post('package_patch', { id: dataset.id, title: 'Geändert' }, otto.token)).status).toBe(200);
    });

    it('admin actions need the admin scope, even for a sysadmin\'s token', async () => {
      const sysWrite = await token(t.sysadmin, { scopes: ['read', 'write'] });
      const res = await post('config_option_update', { 'ckan.site_title': 'Nein' }, sysWrite);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('scope "admin"');
      const list = await post('api_token_list', { user_id: t.sysadmin.name }, sysWrite);
      expect(list.status).toBe(403);
      // Catalog writes of a sysadmin stay open to it.
      expect((await post('package_patch', { id: suedPublic.id, notes: 'vom Sysadmin' }, sysWrite)).status).toBe(200);
    });

    it('routes that are no actions check the scope too: downloads and RDF need read, SensorThings writes need ingest', async () => {
      const writeOnly = await token(eva, { scopes: ['write'] });
      const dataset = await t.factories.dataset({ owner_org: nord.id, resources: [{ url: 'https://example.org/pegel.csv', name: 'Pegel' }] });
      const rid = dataset.resources[0].id;
      const download = await get(`/dataset/${dataset.id}/resource/${rid}/download`, writeOnly);
      expect(download.status).toBe(403);
      expect(download.body.error.message).toContain('scope "read"');
      expect((await get(`/dataset/${dataset.id}/resource/${rid}/download`, eva.token)).status).toBe(302);
      const rdf = await get(`/dataset/${dataset.id}.ttl`, writeOnly);
      expect(rdf.status).toBe(403);
      expect(rdf.body.error.message).toContain('scope "read"');
      const sta = await get('/sta/v1.1/Things', writeOnly);
      expect(sta.status).toBe(403);
      const table = await t.call<{ resource_id: string }>('datastore_create', { resource: { package_id: dataset.id }, fields: [{ id: 'x', type: 'text' }], records: [{ x: 'a' }] });
      const dump = await get(`/datastore/dump/${table.resource_id}`, writeOnly);
      expect(dump.status).toBe(403);
      expect(dump.body.error.message).toContain('scope "read"');
      expect((await get(`/datastore/dump/${table.resource_id}`, eva.token)).status).toBe(200);

      const thing = {
        name: 'Pegel Lahnstein', description: 'Pegel', properties: { organization: 'nord' },
        Locations: [{ name: 'Brücke', description: 'Brücke', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [7.59, 50.35] } }],
      };
      const refused = await request(t.http).post('/sta/v1.1/Things').set('Authorization', writeOnly).set('content-type', 'application/json').send(JSON.stringify(thing));
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toContain('scope "ingest"');
      expect(await t.db.dataSource.query(`SELECT 1 FROM sensor_thing WHERE name = 'Pegel Lahnstein'`)).toEqual([]);
      const ingest = await token(eva, { scopes: ['ingest'] });
      const made = await request(t.http).post('/sta/v1.1/Things').set('Authorization', ingest).set('content-type', 'application/json').send(JSON.stringify(thing));
      expect(made.status).toBe(201);
    });
  });

  describe('organization restriction', () => {
    let nordOnly: string;
    beforeAll(async () => {
      nordOnly = await token(eva, { organization: nord.id });
    });

    it('an editor of two organizations edits with the token only in its organization', async () => {
      expect((await post('package_patch', { id: nordPrivate.id, notes: 'aus dem Norden' }, nordOnly)).status).toBe(200);
      const south = await post('package_patch', { id: suedPublic.id, notes: 'nein' }, nordOnly);
      expect(south.status).toBe(403);
      expect((await post('package_create', { name: 'nord-neu', owner_org: nord.id }, nordOnly)).status).toBe(200);
      expect((await post('package_create', { name: 'sued-neu', owner_org: sued.id }, nordOnly)).status).toBe(403);
      // Her full token still edits in both.
      expect((await post('package_patch', { id: suedPublic.id, notes: 'ja' }, eva.token)).status).toBe(200);
    });

    it('cannot read the other organization\'s private datasets: not by package_show, not in package_search counts or facets', async () => {
      expect((await post('package_show', { id: nordPrivate.id }, nordOnly)).status).toBe(200);
      expect((await post('package_show', { id: suedPrivate.id }, nordOnly)).status).toBe(403);
      expect((await post('package_show', { id: suedPrivate.id }, eva.token)).status).toBe(200);
      // Public data of the other organization stays readable, as for anyone.
      expect((await post('package_show', { id: suedPublic.id }, nordOnly)).status).toBe(200);

      await t.searchIndexed();
      const facets = '&facet.field=["tags","organization"]&include_private=true&rows=100';
      const restricted = await get(`/api/3/action/package_search?q=*:*${facets}`, nordOnly);
      const full = await get(`/api/3/action/package_search?q=*:*${facets}`, eva.token);
      expect(restricted.status).toBe(200);
      const names = (r: request.Response): string[] => r.body.result.results.map((d: { name: string }) => d.name);
      expect(names(full)).toContain('sued-intern');
      expect(names(restricted)).toContain('nord-intern');
      expect(names(restricted)).toContain('sued-offen');
      expect(names(restricted)).not.toContain('sued-intern');
      expect(restricted.body.result.count).toBe(full.body.result.count - 1);
      expect(restricted.body.result.facets.tags).toEqual(expect.objectContaining({ nordgeheim: 1 }));
      expect(restricted.body.result.facets.tags.suedgeheim).toBeUndefined();
      expect(full.body.result.facets.tags.suedgeheim).toBe(1);
      expect(restricted.body.result.facets.organization.sued).toBe(full.body.result.facets.organization.sued - 1);
      const tags = await get('/api/3/action/tag_list', nordOnly);
      expect(tags.body.result).not.toContain('suedgeheim');
    });

    it('does not bring its owner\'s collaborations on other organizations\' datasets', async () => {
      const west = await t.factories.organization({ name: 'west' });
      const westPrivate = await t.factories.dataset({ name: 'west-intern', owner_org: west.id, private: true });
      const added = await post('package_collaborator_create', { id: westPrivate.id, user_id: 'eva', capacity: 'editor' }, t.sysadmin.token);
      expect(added.status).toBe(200);
      expect((await post('package_show', { id: westPrivate.id }, eva.token)).status).toBe(200);
      expect((await post('package_patch', { id: westPrivate.id, notes: 'als Mitarbeiterin' }, eva.token)).status).toBe(200);
      expect((await post('package_show', { id: westPrivate.id }, nordOnly)).status).toBe(403);
      expect((await post('package_patch', { id: westPrivate.id, notes: 'nein' }, nordOnly)).status).toBe(403);
      // Eva is no member of west, so no token of hers can be restricted to it.
      const westOnly = await post('api_token_create', { user: 'eva', name: 'nur-west', organization: west.id }, eva.token);
      expect(westOnly.status).toBe(409);
    });

    it('narrows a sysadmin\'s token to an admin of its organization', async () => {
      const adminNord = await token(t.sysadmin, { organization: 'nord' });
      expect((await post('package_patch', { id: nordPrivate.id, notes: 'Sysadmin im Norden' }, adminNord)).status).toBe(200);
      expect((await post('package_show', { id: suedPrivate.id }, adminNord)).status).toBe(403);
      expect((await post('package_patch', { id: suedPublic.id, notes: 'nein' }, adminNord)).status).toBe(403);
      expect((await post('config_option_update', { 'ckan.site_title': 'Nein' }, adminNord)).status).toBe(403);
      const orgs = await get('/api/3/action/organization_list_for_user?permission=create_dataset', adminNord);
      expect(orgs.body.result.map((o: { name: string; capacity: string }) => [o.name, o.capacity])).toEqual([['nord', 'admin']]);
    });

    it('names only its organization in organization_list_for_user and no group in group_list_authz', async () => {
      const group = await t.factories.group({ members: [[eva, 'member']] });
      const names = async (action: string, token: string): Promise<string[]> =>
        (await get(`/api/3/action/${action}`, token)).body.result.map((o: { name: string }) => o.name).sort();
      expect(await names('organization_list_for_user', eva.token)).toEqual(['nord', 'sued']);
      expect(await names('organization_list_for_user', nordOnly)).toEqual(['nord']);
      expect(await names('group_list_authz', eva.token)).toEqual([group.name]);
      expect(await names('group_list_authz', nordOnly)).toEqual([]);
    });
  });

  describe('expiry and revocation', () => {
    it('refuses an expired token as an unknown one: private data and writes answer 403, as in CKAN', async () => {
      const res = await post('api_token_create', { user: 'otto', name: 'kurz', expires_in: 1, unit: 3600 }, otto.token);
      const secret: string = res.body.result.token;
      expect((await post('package_show', { id: nordPrivate.id }, secret)).status).toBe(200);
      // An hour passes.
      await t.db.dataSource.query(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1`, [res.body.result.id]);
      expect((await post('package_show', { id: nordPrivate.id }, secret)).status).toBe(403);
      const create = await post('package_create', { name: 'abgelaufen', owner_org: nord.id }, secret);
      expect(create.status).toBe(403);
      expect(create.body.error.message).toContain('requires an authenticated user');
      expect((await get('/api/3/action/api_token_list?user_id=otto', secret)).status).toBe(403);
      // The list still shows it, with its end.
      const list = await post('api_token_list', { user_id: 'otto' }, otto.token);
      expect(list.body.result.find((x: { name: string }) => x.name === 'kurz').expires_at).toEqual(expect.any(String));
    });

    it('keeps an expired token listed for API_TOKEN_KEEP_EXPIRED_DAYS (30), then the nightly sweep deletes it', async () => {
      const make = async (name: string, expiredDaysAgo: number): Promise<string> => {
        const res = await post('api_token_create', { user: 'otto', name }, otto.token);
        await t.db.dataSource.query(`UPDATE api_token SET expires_at = now() - make_interval(days => $2) WHERE id = $1`, [res.body.result.id, expiredDaysAgo]);
        return res.body.result.id;
      };
      const recent = await make('vor-kurzem-abgelaufen', 29);
      const old = await make('laengst-abgelaufen', 31);
      const live = (await post('api_token_create', { user: 'otto', name: 'gueltig' }, otto.token)).body.result.id;
      expect(await t.app.get(TokenSweep).sweep()).toBe(1);
      const listed = (await post('api_token_list', { user_id: 'otto' }, otto.token)).body.result.map((x: { id: string }) => x.id);
      expect(listed).toEqual(expect.arrayContaining([recent, live]));
      expect(listed).not.toContain(old);
    });

    it('refuses a revoked token at once, in this process and in a second one on the same database', async () => {
      const config = loadConfig({ SITE_URL: 'http://catalog.test', LOG_LEVEL: 'silent', MQTT_PORT: '0', JOBS_WORKER: 'false', STORAGE_PATH: t.config.STORAGE_PATH, DATABASE_URL: t.db.url });
      const second: NestFastifyApplication = await createHttpApp({ config, logger: createLogger('silent'), database: { migrate: false, poolSize: 2, applicationName: 'catalog-test-2' } });
      try {
        const secret = await token(otto, { scopes: ['read', 'admin'] });
        const show = (server: typeof t.http) => request(server).post('/api/3/action/package_show').set('Authorization', secret).send({ id: nordPrivate.id });
        expect((await show(t.http)).status).toBe(200);
        expect((await show(second.getHttpServer())).status).toBe(200);
        const revoked = await request(second.getHttpServer()).post('/api/3/action/api_token_revoke').set('Authorization', secret).send({ token: secret });
        expect(revoked.status).toBe(200);
        expect((await show(t.http)).status).toBe(403);
        expect((await show(second.getHttpServer())).status).toBe(403);
      } finally {
        await second.close();
      }
    });
  });
});

describe('API_TOKEN_MAX_DAYS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ API_TOKEN_MAX_DAYS: '30' });
  });
  afterAll(() => t.stop());

  it('is the default lifetime and the longest one', async () => {
    const before = Date.now();
    const made = await t.call<{ expires_at: string }>('api_token_create', { user: t.sysadmin.name, name: 'standard' });
    const expiresAt = Date.parse(`${made.expires_at}Z`);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * 86_400_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000);
    await expect(t.call('api_token_create', { user: t.sysadmin.name, name: 'lang', expires_in: 31, unit: 86400 })).rejects.toMatchObject({
      fields: { expires_in: ['A token may live at most 30 days (API_TOKEN_MAX_DAYS)'] },
    });
  });
});
