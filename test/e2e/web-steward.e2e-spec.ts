import request from 'supertest';
import { TokenSweep } from '../../src/auth/token-sweep';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';
import { BROWSER_ACCEPT, cookieNamed, FACTORY_PASSWORD, hidden } from '../web-session';

type Dict = Record<string, unknown>;

const BROWSER = BROWSER_ACCEPT;
const PASSWORD = FACTORY_PASSWORD;

/** The Set-Cookie header of a response as a list. */
const valueOf = (cookie: string | undefined): string => (cookie ?? '').split(';')[0].split('=').slice(1).join('=');

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

    it('ends every web login of an account when its password changes', async () => {
      const u = await t.factories.user({ name: 'wechsel-willi' });
      const { cookie } = await session('wechsel-willi');
      expect((await request(t.http).get('/dashboard').set('accept', BROWSER).set('cookie', cookie)).status).toBe(200);
      await t.call('user_patch', { id: u.id, password: 'ein neues langes Passwort' });
      expect((await request(t.http).get('/dashboard').set('accept', BROWSER).set('cookie', cookie)).status).toBe(303);
    });

    it('are cleared from the table by the nightly token sweep once ended', async () => {
      await session('steward-anna');
      await t.db.dataSource.query(`UPDATE web_session SET expires_at = clock_timestamp() - interval '1 minute'`);
      const before = (await t.db.dataSource.query(`SELECT count(*)::int AS n FROM web_session`))[0].n as number;
      expect(before).toBeGreaterThan(0);
      expect(await t.app.get(TokenSweep).sweepSessions()).toBe(before);
      expect((await t.db.dataSource.query(`SELECT count(*)::int AS n FROM web_session`))[0].n).toBe(0);
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

    it('accepts a POST whose Origin is SITE_URL\'s host (a proxy passing its own Host upstream)', async () => {
      const { cookie, csrf } = await session('steward-anna');
      const res = await request(t.http).post('/user/logout').set('accept', BROWSER).set('cookie', cookie).set('origin', 'http://catalog.test').type('form').send({ _csrf: csrf });
      expect(res.status).toBe(303);
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
      expect(res.text).toContain('<a class="button" href="/dataset/new">Neuer Datensatz</a>');
    });

    it('shows a user page with the datasets the caller may see', async () => {
      const res = await request(t.http).get('/user/steward-anna').set('accept', BROWSER);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h1>Anna Amt</h1>');
      const missing = await request(t.http).get('/user/nobody-here').set('accept', BROWSER);
      expect(missing.status).toBe(404);
    });
  });

  describe('dataset forms', () => {
    const FULL = {
      title: 'Radwege Zell', name: 'radwege-zell', notes: 'Alle Radwege.\n\nJährlich erhoben.', private: 'false', tags: 'Rad, Verkehr', url: 'https://zell.example/radwege', version: '1.2',
      license_id: 'http://dcat-ap.de/def/licenses/dl-by-de/2.0',
      contact_name: 'Tiefbauamt Zell', contact_email: 'tiefbau@zell.example', contact_url: 'https://zell.example/tiefbau',
      publisher_name: 'Stadt Zell', publisher_url: 'https://zell.example',
      temporal_start: '2020-01-01', temporal_end: '2024-12-31',
      frequency: 'http://publications.europa.eu/resource/authority/frequency/ANNUAL',
      theme: ['http://publications.europa.eu/resource/authority/data-theme/TRAN', 'http://publications.europa.eu/resource/authority/data-theme/ENVI'],
      language: 'http://publications.europa.eu/resource/authority/language/DEU',
      access_rights: 'http://publications.europa.eu/resource/authority/access-right/PUBLIC',
      politicalGeocodingLevelURI: 'http://dcat-ap.de/def/politicalGeocoding/Level/municipality',
      politicalGeocodingURI: 'http://dcat-ap.de/def/politicalGeocoding/regionalKey/071355001050',
      spatial: '{"type": "Point", "coordinates": [7.17, 50.02]}',
      hvd_category: 'http://data.europa.eu/bna/c_b79e35eb',
      applicable_legislation: 'http://data.europa.eu/eli/reg_impl/2023/138/oj',
      conforms_to: 'https://zell.example/schema.json',
      documentation: 'https://zell.example/doku\nhttps://zell.example/faq',
      legalbasisText: 'Satzung über Radwege',
      contributorID: 'http://dcat-ap.de/def/contributors/berlinOpenData',
      resource_rows: '2',
      'resources-0-url': 'https://zell.example/radwege.csv', 'resources-0-name': 'Radwege CSV', 'resources-0-format': 'CSV',
      'resources-1-url': 'https://zell.example/radwege.geojson', 'resources-1-name': 'Radwege GeoJSON', 'resources-1-format': 'GeoJSON',
    };

    /** The form as a browser sends it (repeated keys for multi-selects). */
    const encode = (o: Record<string, string | string[]>): string => {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(o)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
      return p.toString();
    };

    it('creates a dataset with every field: 303 to its page, and package_show reads back exactly what was entered', async () => {
      const { cookie, csrf } = await session('steward-anna');
      const form = await request(t.http).get('/dataset/new').set('accept', BROWSER).set('cookie', cookie);
      expect(form.status).toBe(200);
      expect(form.text).toContain('<label for="temporal_start">Zeitraum von</label>');
      expect(form.text).toContain('Stadt Zell');
      expect(form.text).not.toContain('Kreis Fremd');
      const res = await request(t.http).post('/dataset/new').set('accept', BROWSER).set('cookie', cookie).type('form').send(encode({ ...FULL, owner_org: own.id as string, _csrf: csrf }));
      expect(res.text).toBe('');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/dataset/radwege-zell');
      const d = await t.call<Dict & { extras: { key: string; value: string }[]; resources: Dict[]; tags: Dict[] }>('package_show', { id: 'radwege-zell' });
      expect(d).toMatchObject({ title: FULL.title, notes: FULL.notes, private: false, url: FULL.url, version: FULL.version, license_id: FULL.license_id, owner_org: own.id });
      expect(d.tags.map((x) => x.name).sort()).toEqual(['Rad', 'Verkehr']);
      const extras = Object.fromEntries(d.extras.map((e) => [e.key, e.value]));
      expect(extras).toEqual({
        contact_name: FULL.contact_name, contact_email: FULL.contact_email, contact_url: FULL.contact_url, publisher_name: FULL.publisher_name, publisher_url: FULL.publisher_url,
        temporal_start: FULL.temporal_start, temporal_end: FULL.temporal_end, frequency: FULL.frequency, theme: JSON.stringify(FULL.theme), language: JSON.stringify([FULL.language]),
        access_rights: FULL.access_rights, politicalGeocodingLevelURI: FULL.politicalGeocodingLevelURI, politicalGeocodingURI: JSON.stringify([FULL.politicalGeocodingURI]),
        spatial: FULL.spatial, hvd_category: JSON.stringify([FULL.hvd_category]), applicable_legislation: JSON.stringify([FULL.applicable_legislation]),
        conforms_to: JSON.stringify([FULL.conforms_to]), documentation: JSON.stringify(['https://zell.example/doku', 'https://zell.example/faq']), legalbasisText: FULL.legalbasisText,
        contributorID: FULL.contributorID,
      });
      expect(d.resources.map((r) => [r.url, r.name, r.format])).toEqual([
        ['https://zell.example/radwege.csv', 'Radwege CSV', 'CSV'], ['https://zell.example/radwege.geojson', 'Radwege GeoJSON', 'GeoJSON'],
      ]);
      // The edit form shows the stored values again.
      const edit = await request(t.http).get('/dataset/edit/radwege-zell').set('accept', BROWSER).set('cookie', cookie);
      expect(edit.status).toBe(200);
      expect(edit.text).toContain('value="Tiefbauamt Zell"');
      expect(edit.text).toContain('value="https://zell.example/radwege.geojson"');
    });

    it('offers the Länder as regional-key suggestions, stores every key entered, and shows each again with an empty field for the next', async () => {
      const { cookie, csrf } = await session('steward-anna');
      /** The regional-key field of a form page (its inputs and the suggestions). */
      const keyField = (html: string): string => html.match(/<div class="field"><label for="politicalGeocodingURI">.*?<\/datalist>/)?.[0] ?? '';
      const form = keyField((await request(t.http).get('/dataset/new').set('accept', BROWSER).set('cookie', cookie)).text);
      expect(form.match(/<input [^>]*name="politicalGeocodingURI"[^>]*>/g)).toEqual([
        '<input type="text" id="politicalGeocodingURI" name="politicalGeocodingURI" value list="politicalGeocodingURI-choices" aria-describedby="politicalGeocodingURI-hint"/>',
      ]);
      expect(form).toContain('<option value="http://dcat-ap.de/def/politicalGeocoding/stateKey/07">Rheinland-Pfalz (07)</option>');
      expect(form.match(/<option /g)).toHaveLength(16);
      const keys = ['http://dcat-ap.de/def/politicalGeocoding/stateKey/07', ' http://dcat-ap.de/def/politicalGeocoding/regionalKey/071355001050 '];
      const res = await request(t.http).post('/dataset/new').set('accept', BROWSER).set('cookie', cookie).type('form')
        .send(encode({ title: 'Zwei Schlüssel', name: 'zwei-schluessel', owner_org: own.id as string, politicalGeocodingURI: [...keys, ''], _csrf: csrf }));
      expect(res.status).toBe(303);
      const d = await t.call<{ extras: { key: string; value: string }[] }>('package_show', { id: 'zwei-schluessel' });
      expect(d.extras.find((e) => e.key === 'politicalGeocodingURI')?.value).toBe(JSON.stringify(keys.map((k) => k.trim())));
      const edit = keyField((await request(t.http).get('/dataset/edit/zwei-schluessel').set('accept', BROWSER).set('cookie', cookie)).text);
      expect(edit.match(/ id="[^"]*" name="politicalGeocodingURI" value(="[^"]*")?/g)).toEqual([
        ' id="politicalGeocodingURI" name="politicalGeocodingURI" value="http://dcat-ap.de/def/politicalGeocoding/stateKey/07"',
        ' id="politicalGeocodingURI-2" name="politicalGeocodingURI" value="http://dcat-ap.de/def/politicalGeocoding/regionalKey/071355001050"',
        ' id="politicalGeocodingURI-3" name="politicalGeocodingURI" value',
      ]);
      expect(edit).toContain('<label class="visually-hidden" for="politicalGeocodingURI-3">Amtlicher Regionalschlüssel 3</label>');
    });

    it('adds a resource row with a submit button, keeping what was typed, storing nothing', async () => {
      const { cookie, csrf } = await session('steward-anna');
      const res = await request(t.http).post('/dataset/new').set('accept', BROWSER).set('cookie', cookie).type('form')
        .send(encode({ title: 'Entwurf', name: 'entwurf-zeile', owner_org: own.id as string, resource_rows: '1', 'resources-0-url': 'https://zell.example/a.csv', add_row: '1', _csrf: csrf }));
      expect(res.status).toBe(200);
      expect(res.text).toContain('value="https://zell.example/a.csv"');
      expect(res.text).toContain('id="resources-1-url"');
      expect(res.text).toContain('value="Entwurf"');
      await expect(t.call('package_show', { id: 'entwurf-zeile' })).rejects.toThrow();
    });

    it('shows a validation error beside its field in German, keeps the input, stores nothing', async () => {
      const { cookie, csrf } = await session('steward-anna');
      const res = await request(t.http).post('/dataset/new').set('accept', BROWSER).set('cookie', cookie).type('form')
        .send(encode({ title: 'Ungültig', name: 'Kein gültiger Name!', owner_org: own.id as string, contact_name: 'Amt X', _csrf: csrf }));
      expect(res.status).toBe(409);
      expect(res.text).toContain('Der Datensatz wurde nicht gespeichert.');
      expect(res.text).toMatch(/<input type="text" id="name" name="name" value="Kein gültiger Name!" required aria-invalid="true" aria-describedby="name-error name-hint"\/><p class="field-error" id="name-error">Nur Kleinbuchstaben \(a–z\), Ziffern, - und _ sind erlaubt\.<\/p>/);
      expect(res.text).toContain('value="Amt X"');
      const rows = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM package WHERE title = 'Ungültig'`);
      expect(rows[0].n).toBe(0);
    });

    it('refuses a create POST without the CSRF token (403), storing nothing', async () => {
      const { cookie } = await session('steward-anna');
      const res = await request(t.http).post('/dataset/new').set('accept', BROWSER).set('cookie', cookie).type('form').send(encode({ title: 'Ohne Token', name: 'ohne-token', owner_org: own.id as string }));
      expect(res.status).toBe(403);
      await expect(t.call('package_show', { id: 'ohne-token' })).rejects.toThrow();
    });

    it('offers the edit link and form to whom package_patch lets write: an edit share, not a read share; the dataset keeps its organization', async () => {
      const { cookie, csrf } = await session('steward-anna');
      for (const [name, capacity] of [['fremd-bearbeitbar', 'edit'], ['fremd-lesbar', 'read']]) {
        await t.factories.dataset({ name, title: name, owner_org: other.id as string, access_level: 'shared' });
        await t.call('dataset_share_create', { id: name, organization_id: own.id, capacity });
      }
      const editable = await request(t.http).get('/dataset/fremd-bearbeitbar').set('accept', BROWSER).set('cookie', cookie);
      expect(editable.text).toContain('href="/dataset/edit/fremd-bearbeitbar"');
      const readable = await request(t.http).get('/dataset/fremd-lesbar').set('accept', BROWSER).set('cookie', cookie);
      expect(readable.status).toBe(200);
      expect(readable.text).not.toContain('href="/dataset/edit/fremd-lesbar"');
      expect((await request(t.http).get('/dataset/edit/fremd-lesbar').set('accept', BROWSER).set('cookie', cookie)).status).toBe(403);

      const form = await request(t.http).get('/dataset/edit/fremd-bearbeitbar').set('accept', BROWSER).set('cookie', cookie);
      expect(form.status).toBe(200);
      expect(form.text).toContain(`<option value="${other.id as string}" selected>Kreis Fremd</option>`);
      const fields = new URLSearchParams([...form.text.matchAll(/<input type="(?:text|url|email|date|hidden)" (?:id="[^"]*" )?name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2].replace(/&amp;/g, '&').replace(/&quot;/g, '"')]));
      fields.set('title', 'Von Zell ergänzt');
      fields.set('owner_org', other.id as string);
      fields.set('_csrf', csrf);
      const saved = await request(t.http).post('/dataset/edit/fremd-bearbeitbar').set('accept', BROWSER).set('cookie', cookie).type('form').send(fields.toString());
      expect(saved.status).toBe(303);
      const d = await t.call<{ title: string; owner_org: string }>('package_show', { id: 'fremd-bearbeitbar' });
      expect(d).toMatchObject({ title: 'Von Zell ergänzt', owner_org: other.id });
    });

    it('edits a dataset through package_patch, keeping extras and resource fields the form does not show', async () => {
      await t.factories.dataset({ name: 'zell-edit', title: 'Alt', owner_org: own.id as string, extras: [{ key: 'custom_key', value: 'bleibt' }], resources: [{ url: 'https://zell.example/x.csv', format: 'CSV', description: 'Beschreibung bleibt' }] });
      const { cookie, csrf } = await session('steward-anna');
      const form = await request(t.http).get('/dataset/edit/zell-edit').set('accept', BROWSER).set('cookie', cookie);
      const rid = /name="resources-0-id" value="([^"]+)"/.exec(form.text)![1];
      const res = await request(t.http).post('/dataset/edit/zell-edit').set('accept', BROWSER).set('cookie', cookie).type('form')
        .send(encode({ title: 'Neu', name: 'zell-edit', owner_org: own.id as string, private: 'true', resource_rows: '1', 'resources-0-id': rid, 'resources-0-url': 'https://zell.example/y.csv', 'resources-0-name': 'Y', 'resources-0-format': 'CSV', _csrf: csrf }));
      expect(res.status).toBe(303);
      const d = await t.call<Dict & { extras: { key: string; value: string }[]; resources: Dict[] }>('package_show', { id: 'zell-edit' });
      expect(d.title).toBe('Neu');
      expect(d.private).toBe(true);
      expect(d.extras).toEqual([{ key: 'custom_key', value: 'bleibt' }]);
      expect(d.resources).toHaveLength(1);
      expect(d.resources[0]).toMatchObject({ id: rid, url: 'https://zell.example/y.csv', name: 'Y', description: 'Beschreibung bleibt' });
    });

    it('shows the DCAT-AP.de findings of a stored dataset beside their fields on the edit form, in German', async () => {
      const { cookie } = await session('steward-anna');
      const res = await request(t.http).get('/dataset/edit/zell-offen').set('accept', BROWSER).set('cookie', cookie);
      expect(res.status).toBe(200);
      expect(res.text).toContain('Die Prüfung nach DCAT-AP.de meldet Befunde zu den markierten Feldern.');
      expect(res.text).toMatch(/<textarea id="notes" name="notes" rows="6" aria-invalid="true" aria-describedby="notes-error"><\/textarea><p class="field-error" id="notes-error">Jeder Datensatz braucht eine Beschreibung[^<]*<\/p>/);
      expect(res.text).toMatch(/id="theme-error">Ordnen Sie den Datensatz mindestens einer Kategorie/);
    });

    it('refuses editing by a non-member: no form, and a POST changes nothing', async () => {
      const { cookie, csrf } = await session('outsider-otto');
      const form = await request(t.http).get('/dataset/edit/zell-offen').set('accept', BROWSER).set('cookie', cookie);
      expect(form.status).toBe(403);
      const res = await request(t.http).post('/dataset/edit/zell-offen').set('accept', BROWSER).set('cookie', cookie).type('form')
        .send(encode({ title: 'Gekapert', name: 'zell-offen', owner_org: own.id as string, _csrf: csrf }));
      expect(res.status).toBe(403);
      expect((await t.call<Dict>('package_show', { id: 'zell-offen' })).title).toBe('Zell offen');
    });
  });
});
