import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import { TooManyRequests } from '../../src/api/errors';
import { Credentials } from '../../src/auth/credentials';
import { ConfigError, loadConfig } from '../../src/config/env';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

const PASSWORD = 'correct horse battery';
const HELP = (action: string): string => `http://catalog.test/api/3/action/help_show?name=${action}`;

/** A 429 of the action API: CKAN's error envelope, Retry-After in whole seconds within the window. */
function expectActionLimited(res: request.Response, action: string, window: number, message: RegExp): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ help: HELP(action), success: false, error: { __type: 'Rate Limit Error', message: expect.stringMatching(message) } });
  const after = Number(res.headers['retry-after']);
  expect(Number.isInteger(after) && after >= 1 && after <= window).toBe(true);
}

describe('request rate limits (per token, per address)', () => {
  // Behind a trusted proxy on loopback, each test comes from its own X-Forwarded-For address: budgets do not mix.
  let t: TestApp;
  let n = 0;
  const from = (): string => `203.0.113.${++n}`;
  const get = (path: string, address: string, token?: string) => {
    const r = request(t.http).get(path).set('X-Forwarded-For', address);
    return token ? r.set('Authorization', token) : r;
  };

  beforeAll(async () => {
    t = await TestApp.start({
      TRUST_PROXY: 'loopback', RATE_LIMIT_EXEMPT_ADDRESSES: '192.0.2.0/24', RATE_LIMIT_ANONYMOUS: '3', RATE_LIMIT_TOKEN: '6', RATE_LIMIT_WINDOW_SECONDS: '60',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '3', RATE_LIMIT_LOGIN_PER_ADDRESS: '5', RATE_LIMIT_LOGIN_WINDOW_SECONDS: '900',
    });
  });
  afterAll(() => t.stop());

  it('answers an anonymous address over its limit with 429, Retry-After and CKAN’s error envelope', async () => {
    const address = from();
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = await get('/api/3/action/package_list', address);
      expect(ok.status).toBe(200);
      expect(ok.headers['x-ratelimit-limit']).toBe('3');
      remaining.push(ok.headers['x-ratelimit-remaining']);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const over = await get('/api/3/action/package_list', address);
    expectActionLimited(over, 'package_list', 60, /^Too many requests from this address: at most 3 per 60 seconds; try again in \d+ seconds$/);
    // POSTs spend the same budget; another address has its own.
    expect((await request(t.http).post('/api/3/action/package_search').set('X-Forwarded-For', address).send({})).status).toBe(429);
    expect((await get('/api/3/action/package_list', from())).status).toBe(200);
  });

  it('gives each API token its own budget, apart from its address and from the user’s other tokens', async () => {
    const address = from();
    const user = await t.factories.user();
    for (let i = 0; i < 4; i++) await get('/api/3/action/package_list', address);
    expect((await get('/api/3/action/package_list', address)).status).toBe(429);
    // The same address with a token: the token's budget, not the exhausted one of the address.
    for (let i = 0; i < 6; i++) {
      const ok = await get('/api/3/action/user_show?id=' + user.name, address, user.token);
      expect(ok.status).toBe(200);
      expect(ok.headers['x-ratelimit-limit']).toBe('6');
    }
    const over = await get('/api/3/action/user_show?id=' + user.name, address, user.token);
    expectActionLimited(over, 'user_show', 60, /^Too many requests from this API token: at most 6 per 60 seconds/);
    // The token's budget follows it to another address...
    expect((await get('/api/3/action/package_list', from(), user.token)).status).toBe(429);
    // ...while the user's second token, and the addresses without a token, are untouched by it.
    const second = await t.call<{ token: string }>('api_token_create', { user: user.name, name: 'zweites' }, { as: user });
    expect((await get('/api/3/action/package_list', address, second.token)).status).toBe(200);
    expect((await get('/api/3/action/package_list', from())).status).toBe(200);
  });

  it('counts a request with an unknown token as its address’s', async () => {
    const address = from();
    for (let i = 0; i < 3; i++) expect((await get('/api/3/action/package_list', address, `bogus-${i}`)).status).toBe(200);
    expect((await get('/api/3/action/package_list', address, 'bogus-other')).status).toBe(429);
  });

  it('never limits sysadmins’ tokens or status_show', async () => {
    const address = from();
    for (let i = 0; i < 8; i++) {
      const res = await get('/api/3/action/package_list', address, t.sysadmin.token);
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
    for (let i = 0; i < 4; i++) await get('/api/3/action/package_list', address);
    for (let i = 0; i < 5; i++) expect((await get('/api/3/action/status_show', address)).status).toBe(200);
    expect((await get('/api/3/action/package_list', address)).status).toBe(429);
  });

  it('never limits RATE_LIMIT_EXEMPT_ADDRESSES (a portal front end)', async () => {
    for (let i = 0; i < 8; i++) expect((await get('/api/3/action/package_list', '192.0.2.10')).status).toBe(200);
    const credentials = t.app.get(Credentials);
    const users = [await t.factories.user(), await t.factories.user(), await t.factories.user()];
    // Its failed password checks are not counted per address either (six here, over the limit of five); per account they are.
    for (const user of [...users, ...users]) expect(await credentials.check(t.db.dataSource.manager, user.name, 'wrong', '192.0.2.10')).toBeNull();
    expect(await credentials.check(t.db.dataSource.manager, users[0].name, PASSWORD, '192.0.2.10')).toMatchObject({ id: users[0].id });
  });

  it('answers other routes over the limit with their JSON error shape and Retry-After', async () => {
    const address = from();
    expect((await get('/sta/v1.1', address)).status).toBe(200);
    expect((await get('/catalog.ttl', address)).status).toBe(200);
    expect((await get('/sta/v1.1', address)).status).toBe(200);
    for (const path of ['/sta/v1.1', '/catalog.ttl', '/dataset/x/resource/y/download']) {
      const res = await get(path, address);
      expect(res.status).toBe(429);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ error: { code: 429, message: expect.stringMatching(/^Too many requests from this address/) } });
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
  });

  describe('failed password checks, limited apart from requests', () => {
    const changePassword = (user: TestUser, oldPassword: string, address: string) =>
      request(t.http).post('/api/3/action/user_update').set('X-Forwarded-For', address).set('Authorization', user.token)
        .send({ id: user.name, email: `${user.name}@example.org`, password: 'a new password 2', old_password: oldPassword });

    it('refuses every password check for an account after its failures, right or wrong and from any address, with 429', async () => {
      const [address, other] = [from(), from()];
      const user = await t.factories.user();
      for (let i = 0; i < 3; i++) {
        const wrong = await changePassword(user, 'wrong password', address);
        expect(wrong.status).toBe(409);
        expect(wrong.body.error).toMatchObject({ old_password: ['Password entered was incorrect'] });
      }
      const locked = await changePassword(user, PASSWORD, address);
      expectActionLimited(locked, 'user_update', 900, /^Too many failed password attempts for this account; try again in 15 minutes$/);
      expect((await changePassword(user, PASSWORD, other)).status).toBe(429);
      // The request budget of the token is not what refused it, and the password is unchanged.
      expect(locked.headers['x-ratelimit-remaining']).not.toBe('0');
      expect(await t.app.get(Credentials).check(t.db.dataSource.manager, user.name, PASSWORD).catch((e: unknown) => e)).toBeInstanceOf(TooManyRequests);
    });

    it('refuses an address after its failures over several accounts, while other addresses go on', async () => {
      const [address, other] = [from(), from()];
      const [a, b, c] = [await t.factories.user(), await t.factories.user(), await t.factories.user()];
      for (const user of [a, a, b, b, c]) expect((await changePassword(user, 'wrong password', address)).status).toBe(409);
      const refused = await changePassword(c, PASSWORD, address);
      expectActionLimited(refused, 'user_update', 900, /^Too many failed password attempts from this address/);
      expect((await changePassword(a, PASSWORD, other)).status).toBe(200);
    });

    it('counts unknown logins by the name tried, and clears an account’s count on success', async () => {
      const credentials = t.app.get(Credentials);
      const db = t.db.dataSource.manager;
      for (let i = 0; i < 3; i++) expect(await credentials.check(db, 'nobody-here', 'x', from())).toBeNull();
      await expect(credentials.check(db, 'nobody-here', 'x', from())).rejects.toMatchObject({ kind: 'rate_limited', retryAfterSeconds: expect.any(Number) });
      const user = await t.factories.user();
      for (let i = 0; i < 2; i++) expect(await credentials.check(db, user.name, 'wrong', from())).toBeNull();
      expect(await credentials.check(db, `${user.name}@example.org`, PASSWORD, from())).toMatchObject({ id: user.id });
      for (let i = 0; i < 3; i++) expect(await credentials.check(db, user.name, 'wrong', from())).toBeNull();
      await expect(credentials.check(db, user.name, PASSWORD, from())).rejects.toBeInstanceOf(TooManyRequests);
    });
  });
});

describe('rate limits with a short window, no trusted proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({
      RATE_LIMIT_ANONYMOUS: '2', RATE_LIMIT_TOKEN: '0', RATE_LIMIT_WINDOW_SECONDS: '1',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '2', RATE_LIMIT_LOGIN_PER_ADDRESS: '0', RATE_LIMIT_LOGIN_WINDOW_SECONDS: '1',
    });
  });
  afterAll(() => t.stop());

  /** Requests until one is refused (a window may end in between, so not a fixed count); that refusal. */
  async function untilRefused(send: (i: number) => Promise<request.Response>): Promise<request.Response> {
    for (let i = 0; i < 20; i++) {
      const res = await send(i);
      if (res.status === 429) return res;
    }
    throw new Error('never refused');
  }

  it('ignores X-Forwarded-For unless TRUST_PROXY names the proxy, so a client cannot pose as many', async () => {
    const refused = await untilRefused((i) => request(t.http).get('/api/3/action/package_list').set('X-Forwarded-For', `198.51.100.${i}`));
    expect(refused.body.error.__type).toBe('Rate Limit Error');
  });

  it('lets an address call again once the window has passed', async () => {
    const refused = await untilRefused(() => request(t.http).get('/api/3/action/package_list'));
    await sleep(Number(refused.headers['retry-after']) * 1000 + 50);
    expect((await request(t.http).get('/api/3/action/package_list')).status).toBe(200);
  });

  it('does not limit tokens when RATE_LIMIT_TOKEN is 0', async () => {
    const user = await t.factories.user();
    for (let i = 0; i < 10; i++) {
      const res = await request(t.http).get('/api/3/action/package_list').set('Authorization', user.token);
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });

  it('lets an account try its password again once the window has passed', async () => {
    const [user, other] = [await t.factories.user(), await t.factories.user()];
    const change = (u: TestUser, old: string) =>
      request(t.http).post('/api/3/action/user_update').set('Authorization', u.token).send({ id: u.name, email: `${u.name}@example.org`, password: 'a new password 2', old_password: old });
    const locked = await untilRefused(() => change(user, 'wrong password'));
    expect(locked.body.error.message).toMatch(/for this account/);
    // Another account from the same address is not refused: the lock is the account's.
    expect((await change(other, 'wrong password')).status).toBe(409);
    await sleep(Number(locked.headers['retry-after']) * 1000 + 50);
    expect((await change(user, PASSWORD)).status).toBe(200);
  });
});

describe('rate limits turned off (0)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ RATE_LIMIT_ANONYMOUS: '0', RATE_LIMIT_TOKEN: '0', RATE_LIMIT_LOGIN_PER_ACCOUNT: '0', RATE_LIMIT_LOGIN_PER_ADDRESS: '0' });
  });
  afterAll(() => t.stop());

  it('answers every request and every password check without a limit', async () => {
    for (let i = 0; i < 25; i++) {
      const res = await request(t.http).get('/api/3/action/package_list');
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
    const credentials = t.app.get(Credentials);
    const user = await t.factories.user();
    for (let i = 0; i < 12; i++) expect(await credentials.check(t.db.dataSource.manager, user.name, 'wrong', '192.0.2.1')).toBeNull();
    expect(await credentials.check(t.db.dataSource.manager, user.name, PASSWORD, '192.0.2.1')).toMatchObject({ id: user.id });
  });
});

describe('rate limit settings', () => {
  it('takes proxies as addresses, ranges, names or a count, and refuses anything else naming the key', () => {
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, ::1 loopback' }).TRUST_PROXY).toBe('10.0.0.0/8, ::1 loopback');
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe('2');
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.example.org' })).toThrow(ConfigError);
    expect(() => loadConfig({ RATE_LIMIT_EXEMPT_ADDRESSES: '3' })).toThrow(/RATE_LIMIT_EXEMPT_ADDRESSES/);
    expect(() => loadConfig({ RATE_LIMIT_ANONYMOUS: '-1' })).toThrow(/RATE_LIMIT_ANONYMOUS/);
    expect(loadConfig({})).toMatchObject({ RATE_LIMIT_ANONYMOUS: 600, RATE_LIMIT_TOKEN: 3000, RATE_LIMIT_WINDOW_SECONDS: 60, RATE_LIMIT_LOGIN_PER_ACCOUNT: 10, RATE_LIMIT_LOGIN_PER_ADDRESS: 30, RATE_LIMIT_LOGIN_WINDOW_SECONDS: 900 });
  });
});
