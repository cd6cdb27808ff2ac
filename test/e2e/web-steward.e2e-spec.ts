import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const PASSWORD = 'correct horse battery';

/** The Set-Cookie header of a response as a list. */
const setCookies = (res: request.Response): string[] => {
  const v = res.headers['set-cookie'] as string[] | string | undefined;
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};
const cookieNamed = (res: request.Response, name: string): string | undefined => setCookies(res).find((c) => c.startsWith(`${name}=`));
const valueOf = (cookie: string | undefined): string => (cookie ?? '').split(';')[0].split('=').slice(1).join('=');
const hidden = (html: string, name: string): string | undefined => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];

/**
 * The steward workspace's login (issue 17): username and password checked as the API checks them, a session cookie
 * (HttpOnly, SameSite=Lax, Secure behind HTTPS) stored hashed with an end, CSRF tokens on every form that changes
 * something, failed logins limited, and a dashboard of the steward's own organizations. The API stays token-only.
 */
describe('web steward: login, session, CSRF, dashboard', () => {
  let t: TestApp;
  let steward: TestUser;
  let outsider: TestUser;
  let own: Dict;
  let other: Dict;

  beforeAll(async () => {
    // Behind one trusted proxy (the test's loopback), X-Forwarded-Proto tells whether the browser used HTTPS.
    t = await TestApp.start({ TRUST_PROXY: 'loopback', RATE_LIMIT_LOGIN_PER_ACCOUNT: '3' });
    steward = await t.factories.user({ name: 'steward-anna', fullname: 'Anna Amt' });
    outsider = await t.factories.user({ name: 'outsider-otto' });
    await t.factories.user({ name: 'locked-lena' });
    own = await t.factories.organization({ name: 'stadt-zell', title: 'Stadt Zell', members: [[steward, 'editor']] });
    other = await t.factories.organization({ name: 'kreis-fremd', title: 'Kreis Fremd', members: [[outsider, 'editor']] });
    await t.factories.dataset({ name: 'zell-offen', title: 'Zell offen', owner_org: own.id as string });
    await t.factories.dataset({ name: 'zell-intern', title: 'Zell intern', owner_org: own.id as string, private: true });
    await t.factories.dataset({ name: 'fremd-intern', title: 'Fremd intern', owner_org: other.id as string, private: true });
    await t.searchIndexed();
  });
  afterAll(() => t.stop());

  /** GET the login form: its CSRF token and the cookie it belongs to. */
  async function loginForm(): Promise<{ token: string; cookie: string; res: request.Response }> {
    const res = await request(t.http).get('/user/login').set('accept', BROWSER);
    const cookie = cookieNamed(res, 'odp_login_csrf')!.split(';')[0];
    return { token: hidden(res.text, '_csrf')!, cookie, res };
  }

  async function logIn(login: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<request.Response> {
    const { token, cookie } = await loginForm();
    return request(t.http).post('/user/login').set('accept', BROWSER).set('cookie', cookie).set(headers).type('form').send({ _csrf: token, login, password });
  }

  /** A logged-in browser: its session cookie and the CSRF token its pages carry. */
  async function session(login: string): Promise<{ cookie: string; csrf: string }> {
    const res = await logIn(login);
    expect(res.status).toBe(303);
    const cookie = cookieNamed(res, 'odp_session')!.split(';')[0];
    const page = await request(t.http).get('/dashboard').set('accept', BROWSER).set('cookie', cookie);
    return { cookie, csrf: hidden(page.text, '_csrf')! };
  }

  describe('login', () => {
    it('shows a German form with labelled fields and a CSRF token', async () => {
      const { res, token } = await loginForm();
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h1>Anmelden</h1>');
      expect(res.text).toContain('<form class="stack" method="post" action="/user/login">');
      expect(res.text).toMatch(/<label for="login">Benutzername oder E-Mail-Adresse<\/label>/);
      expect(res.text).toMatch(/<label for="password">Passwort<\/label>/);
      expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    });

    it('logs in with the right password: 303 to the dashboard, a session cookie HttpOnly and SameSite=Lax, not Secure over plain HTTP', async () => {
      const res = await logIn('steward-anna');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/dashboard');
      const cookie = cookieNamed(res, 'odp_session')!;
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Lax/);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).not.toMatch(/Secure/);
      // Opaque and random: 256 bits, nothing of the user in it; stored only as its hash.
      const secret = valueOf(cookie);
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(secret).not.toContain('anna');
      const rows = await t.db.dataSource.query(`SELECT encode(secret_hash, 'hex') AS h FROM web_session s JOIN user_account u ON u.id = s.user_id WHERE u.name = 'steward-anna'`);
      expect(rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(rows)).not.toContain(secret);
    });

    it('sets Secure on the cookie when the browser came over HTTPS through the trusted proxy', async () => {
      const res = await logIn('steward-anna', PASSWORD, { 'x-forwarded-proto': 'https' });
      expect(res.status).toBe(303);
      expect(cookieNamed(res, 'odp_session')).toMatch(/; Secure/);
    });

    it('refuses a wrong password with a German message, keeps the login typed, sets no session', async () => {
      const res = await logIn('steward-anna', 'wrong password');
      expect(res.status).toBe(401);
      expect(res.text).toContain('Benutzername oder Passwort ist falsch.');
      expect(res.text).toContain('value="steward-anna"');
      expect(res.text).not.toContain('wrong password');
      expect(cookieNamed(res, 'odp_session')).toBeUndefined();
    });

    it('refuses a login POST without the login form token (403)', async () => {
      const res = await request(t.http).post('/user/login').set('accept', BROWSER).type('form').send({ login: 'steward-anna', password: PASSWORD });
      expect(res.status).toBe(403);
      expect(res.text).toContain('Das Formular ist abgelaufen');
      expect(cookieNamed(res, 'odp_session')).toBeUndefined();
    });

    it('locks an account after 3 failures: a German 429 page with Retry-After, even for the right password', async () => {
      for (let i = 0; i < 3; i++) expect((await logIn('locked-lena', `wrong ${i}`)).status).toBe(401);
      const res = await logIn('locked-lena');
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.text).toContain('Zu viele fehlgeschlagene Anmeldeversuche');
      expect(cookieNamed(res, 'odp_session')).toBeUndefined();
    });
  });

  describe('session', () => {
    it('makes pages show the logged-in user and a logout form with a CSRF token', async () => {
      const { cookie, csrf } = await session('steward-anna');
      const res = await request(t.http).get('/').set('accept', BROWSER).set('cookie', cookie);
      expect(res.text).toContain('Angemeldet als steward-anna');
      expect(res.text).toContain('action="/user/logout"');
      expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('is not accepted by the API: a private dataset stays hidden to the cookie, visible to the token', async () => {
      const { cookie } = await session('steward-anna');
      const byCookie = await request(t.http).get('/api/3/action/package_show?id=zell-intern').set('cookie', cookie);
      expect(byCookie.status).toBe(403);
      const whoAmI = await request(t.http).get('/api/3/action/user_show').set('cookie', cookie);
      expect(whoAmI.body.success).toBe(false);
      const byToken = await request(t.http).get('/api/3/action/package_show?id=zell-intern').set('authorization', steward.token);
      expect(byToken.status).toBe(200);
    });

    it('ends at its expiry: the cookie then reads as anonymous', async () => {
      const { cookie } = await session('steward-anna');
      const secret = cookie.split('=')[1];
      expect((await request(t.http).get('/dashboard').set('accept', BROWSER).set('cookie', cookie)).status).toBe(200);
      await t.db.dataSource.query(`UPDATE web_session SET expires_at = clock_timestamp() - interval '1 second' WHERE secret_hash = sha256($1::bytea)`, [Buffer.from(secret, 'utf8')]);
      const res = await request(t.http).get('/dashboard').set('accept', BROWSER).set('cookie', cookie);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/user/login?came_from=%2Fdashboard');
    });

    it('logs out with the CSRF token: the session is gone server-side, the cookie cleared', async () => {
      const { cookie, csrf } = await session('steward-anna');
      const res = await request(t.http).post('/user/logout').set('accept', BROWSER).set('cookie', cookie).type('form').send({ _csrf: csrf });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/');
      expect(cookieNamed(res, 'odp_session')).toMatch(/^odp_session=; .*Max-Age=0/);
      // The old cookie, replayed, is worth nothing.
      expect((await request(t.http).get('/dashboard').set('accept', BROWSER).set('cookie', cookie)).status).toBe(303);
    });

    it('refuses a logout POST without the CSRF token (403) and keeps the session', async () => {
      const { cookie } = await session('steward-anna');
      const res = await request(t.http).post('/user/logout').set('accept', BROWSER).set('cookie', cookie).type('form').send({});
      expect(res.status).toBe(403);
      expect(res.text).toContain('Das Formular ist abgelaufen');
      expect((await request(t.http).get('/dashboard').set('accept', BROWSER).set('cookie', cookie)).status).toBe(200);
    });

    it('refuses a POST with the right token from another site (Origin)', async () => {
      const { cookie, csrf } = await session('steward-anna');
      const res = await request(t.http).post('/user/logout').set('accept', BROWSER).set('cookie', cookie).set('origin', 'https://evil.example').type('form').send({ _csrf: csrf });
      expect(res.status).toBe(403);
    });

    it('refuses another session\'s CSRF token', async () => {
      const anna = await session('steward-anna');
      const otto = await session('outsider-otto');
      const res = await request(t.http).post('/user/logout').set('accept', BROWSER).set('cookie', anna.cookie).type('form').send({ _csrf: otto.csrf });
      expect(res.status).toBe(403);
    });
  });

  describe('dashboard and user page', () => {
    it('sends an anonymous visitor to the login', async () => {
      const res = await request(t.http).get('/dashboard').set('accept', BROWSER);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/user/login?came_from=%2Fdashboard');
    });

    it('lists the own organization\'s datasets, private ones included, with DCAT state and quality, and nothing of other organizations', async () => {
      const { cookie } = await session('steward-anna');
      const res = await request(t.http).get('/dashboard').set('accept', BROWSER).set('cookie', cookie);
      expect(res.status).toBe(200);
      expect(res.text).toContain('Stadt Zell');
      expect(res.text).toContain('Zell offen');
      expect(res.text).toContain('Zell intern');
      expect(res.text).toContain('privat');
      expect(res.text).not.toContain('Fremd intern');
      expect(res.text).not.toContain('Kreis Fremd');
      // A dataset with title and organization only: its last write's DCAT-AP.de check found violations, its MQA-like score is low.
      expect(res.text).toMatch(/<td><a href="\/dataset\/zell-intern">Zell intern<\/a><\/td><td>privat<\/td><td><span class="state-bad">Verstöße<\/span><\/td><td>\d+ von 405 Punkten \(mangelhaft\)<\/td>/);
      expect(res.text).toContain('href="/dataset/edit/zell-intern"');
    });

    it('shows a user page with the datasets the caller may see', async () => {
      const res = await request(t.http).get('/user/steward-anna').set('accept', BROWSER);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h1>Anna Amt</h1>');
      const missing = await request(t.http).get('/user/nobody-here').set('accept', BROWSER);
      expect(missing.status).toBe(404);
    });
  });
});
