import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

describe('users and API tokens', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    alice = await t.factories.user({ name: 'alice', fullname: 'Alice Amt' });
    bob = await t.factories.user({ name: 'bob' });
  });
  afterAll(() => t.stop());

  const post = (action: string, body: object, as?: TestUser) => {
    const r = request(t.http).post(`/api/3/action/${action}`).send(body);
    return as ? r.set('Authorization', as.token) : r;
  };

  describe('user_create', () => {
    it('creates a user (sysadmin) with a password hashed by argon2id, never returned', async () => {
      const res = await post('user_create', { name: 'carla', email: 'carla@example.org', password: 'lang genug 123', fullname: 'Carla' }, t.sysadmin);
      expect(res.status).toBe(200);
      expect(res.body.result).toMatchObject({ name: 'carla', email: 'carla@example.org', fullname: 'Carla', display_name: 'Carla', sysadmin: false, state: 'active' });
      expect(JSON.stringify(res.body)).not.toMatch(/argon2|password/);
      const [row] = await t.db.dataSource.query(`SELECT password_hash FROM user_account WHERE name = 'carla'`);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
    });

    it('returns a working token with with_apitoken', async () => {
      const res = await post('user_create', { name: 'dora', email: 'dora@example.org', password: 'lang genug 123', with_apitoken: true }, t.sysadmin);
      const me = await request(t.http).get('/api/3/action/user_show').set('Authorization', res.body.result.token);
      expect(me.body.result.name).toBe('dora');
    });

    it('refuses anonymous callers and non-sysadmins', async () => {
      expect((await post('user_create', { name: 'eve', email: 'e@example.org', password: 'lang genug 123' })).status).toBe(403);
      const byUser = await post('user_create', { name: 'eve', email: 'e@example.org', password: 'lang genug 123' }, alice);
      expect(byUser.status).toBe(403);
      expect(byUser.body.error.message).toBe('Access denied: User alice not authorized to create users via the API');
    });

    it('validates with CKAN’s messages', async () => {
      const res = await post('user_create', { name: 'alice', email: 'alice@example.org', password: 'kurz' }, t.sysadmin);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ password: ['Your password must be 8 characters or longer'] });
      const taken = await post('user_create', { name: 'alice', email: 'ALICE@example.org', password: 'lang genug 123' }, t.sysadmin);
      expect(taken.body.error).toMatchObject({ name: ['That login name is not available.'], email: ["The email address 'ALICE@example.org' belongs to a registered user."] });
      const missing = await post('user_create', { name: 'fritz' }, t.sysadmin);
      expect(missing.body.error).toMatchObject({ email: ['Missing value'], password: ['Missing value'] });
    });
  });

  describe('user_show and user_list', () => {
    it('shows the caller without an id, and hides e-mail from other users', async () => {
      const me = await request(t.http).get('/api/3/action/user_show').set('Authorization', alice.token);
      expect(me.body.result).toMatchObject({ name: 'alice', email: 'alice@example.org', display_name: 'Alice Amt', number_created_packages: 0 });
      expect(me.body.result.email_hash).toMatch(/^[0-9a-f]{32}$/);
      const other = await request(t.http).get('/api/3/action/user_show?id=alice').set('Authorization', bob.token);
      expect(other.body.result).not.toHaveProperty('email');
      const anonNoId = await request(t.http).get('/api/3/action/user_show');
      expect(anonNoId.status).toBe(404);
    });

    it('lists users by display name, filters with q, and names only with all_fields=false', async () => {
      const all = await request(t.http).get('/api/3/action/user_list');
      const names = all.body.result.map((u: { name: string }) => u.name);
      expect(names).toEqual(expect.arrayContaining(['alice', 'bob', 'sysadmin']));
      expect(all.body.result.every((u: object) => !('email' in u))).toBe(true);
      const q = await request(t.http).get('/api/3/action/user_list?q=Amt&all_fields=false');
      expect(q.body.result).toEqual(['alice']);
      const byEmail = await request(t.http).get('/api/3/action/user_list?email=bob@example.org');
      expect(byEmail.status).toBe(403);
    });
  });

  describe('api tokens', () => {
    it('creates, lists (without secrets) and revokes tokens; a revoked token is anonymous', async () => {
      const created = await post('api_token_create', { user: 'bob', name: 'skript' }, bob);
      expect(created.status).toBe(200);
      const secret: string = created.body.result.token;
      expect(secret).toMatch(/^odp_/);
      const list = await request(t.http).get('/api/3/action/api_token_list?user_id=bob').set('Authorization', secret);
      const mine = list.body.result.find((x: { name: string }) => x.name === 'skript');
      expect(mine).toEqual({
        id: expect.any(String), name: 'skript', user_id: bob.id, created_at: expect.any(String), last_access: mine.last_access,
        expires_at: expect.any(String), scopes: ['read', 'write', 'datastore', 'harvest', 'ingest', 'admin'], organization: null, organization_id: null,
      });
      // last_access is recorded off the request path, so it may not be there yet.
      expect(mine.last_access === null || typeof mine.last_access === 'string').toBe(true);
      expect(JSON.stringify(list.body)).not.toContain(secret);
      const rows = await t.db.dataSource.query(`SELECT secret_hash FROM api_token WHERE id = $1`, [mine.id]);
      expect(Buffer.from(rows[0].secret_hash).toString('utf8')).not.toContain(secret.slice(4));

      const revoked = await post('api_token_revoke', { token: secret }, bob);
      expect(revoked.body).toMatchObject({ success: true, result: null });
      const after = await request(t.http).get('/api/3/action/user_show').set('Authorization', secret);
      expect(after.status).toBe(404);
    });

    it('revokes by jti, and only one’s own tokens', async () => {
      const created = await t.call<{ token: string }>('api_token_create', { user: 'bob', name: 'zweit' }, { as: bob });
      const [row] = await t.call<{ id: string; name: string }[]>('api_token_list', { user: 'bob' }, { as: bob }).then((l) => l.filter((x) => x.name === 'zweit'));
      const foreign = await post('api_token_revoke', { jti: row.id }, alice);
      expect(foreign.status).toBe(403);
      const unknown = await post('api_token_revoke', { jti: '00000000-0000-4000-8000-000000000000' }, alice);
      expect(unknown.status).toBe(403);
      const own = await post('api_token_revoke', { jti: row.id }, bob);
      expect(own.status).toBe(200);
      expect((await request(t.http).get('/api/3/action/user_show').set('Authorization', created.token)).status).toBe(404);
    });

    it('lets users create tokens only for themselves; sysadmins for anyone', async () => {
      expect((await post('api_token_create', { user: 'bob', name: 'x' }, alice)).status).toBe(403);
      expect((await post('api_token_create', { user: 'bob', name: 'x' }, t.sysadmin)).status).toBe(200);
      expect((await post('api_token_create', { user: 'niemand', name: 'x' }, t.sysadmin)).status).toBe(404);
      expect((await request(t.http).get('/api/3/action/api_token_list?user_id=bob').set('Authorization', alice.token)).status).toBe(403);
    });
  });
});
