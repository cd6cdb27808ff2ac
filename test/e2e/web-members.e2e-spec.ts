import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';
import { BROWSER_ACCEPT, hidden, webSession, WebSession } from '../web-session';

type Dict = Record<string, unknown>;

const BROWSER = BROWSER_ACCEPT;


/**
 * Members and roles, API tokens in the steward workspace (issue 17): CKAN's addresses, every change through the
 * member and token actions with the session's caller, their refusals as the 403 page, field errors beside their
 * fields in German, CSRF on every form.
 */
describe('web steward: members and roles, API tokens', () => {
  let t: TestApp;
  let admin: TestUser;
  let editor: TestUser;
  let member: TestUser;
  let org: Dict;

  beforeAll(async () => {
    t = await TestApp.start();
    admin = await t.factories.user({ name: 'admin-agnes', fullname: 'Agnes Amt' });
    editor = await t.factories.user({ name: 'editor-emil' });
    member = await t.factories.user({ name: 'member-mia' });
    await t.factories.user({ name: 'neu-nora', fullname: 'Nora Neu' });
    await t.factories.user({ name: 'neu-norbert' });
    org = await t.factories.organization({ name: 'amt-m', title: 'Amt M', members: [[admin, 'admin'], [editor, 'editor'], [member, 'member']] });
    await t.factories.group({ name: 'thema-m', title: 'Thema M', members: [[admin, 'admin']] });
    await t.factories.dataset({ name: 'm-intern', title: 'M intern', owner_org: org.id as string, private: true });
  });
  afterAll(() => t.stop());

  const session = (login: string): Promise<WebSession> => webSession(t.http, login);
  const get = (path: string, cookie?: string): request.Test => {
    const r = request(t.http).get(path).set('accept', BROWSER);
    return cookie ? r.set('cookie', cookie) : r;
  };
  const post = (path: string, cookie: string, form: Dict): request.Test => request(t.http).post(path).set('accept', BROWSER).set('cookie', cookie).type('form').send(form);
  const roleOf = async (user: string, group = 'amt-m'): Promise<string | undefined> => {
    const g = await t.call<{ users: { name: string; capacity: string }[] }>('organization_show', { id: group, include_users: true }, { as: t.sysadmin }).catch(() =>
      t.call<{ users: { name: string; capacity: string }[] }>('group_show', { id: group, include_users: true }, { as: t.sysadmin }));
    return g.users.find((u) => u.name === user)?.capacity;
  };

  describe('the members list', () => {
    it('lists every member with their role, in German, and shows the admin the add, edit and remove links', async () => {
      const { cookie } = await session('admin-agnes');
      const res = await get('/organization/members/amt-m', cookie);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h1>Mitglieder: Amt M</h1>');
      expect(res.text).toMatch(/<a href="\/user\/admin-agnes">Agnes Amt<\/a>.*?<td>Administrator<\/td>/s);
      expect(res.text).toMatch(/<a href="\/user\/editor-emil">editor-emil<\/a>.*?<td>Redakteur<\/td>/s);
      expect(res.text).toMatch(/<a href="\/user\/member-mia">member-mia<\/a>.*?<td>Mitglied<\/td>/s);
      expect(res.text).toContain('href="/organization/member_new/amt-m">Mitglied hinzufügen</a>');
      expect(res.text).toContain('href="/organization/member_new/amt-m?user=editor-emil"');
      expect(res.text).toContain('href="/organization/member_delete/amt-m?user=editor-emil"');
    });

    it.each([['editor-emil'], ['member-mia']])('shows %s the members but no way to change them', async (name) => {
      const { cookie } = await session(name);
      const res = await get('/organization/members/amt-m', cookie);
      expect(res.status).toBe(200);
      expect(res.text).toContain('editor-emil');
      expect(res.text).not.toContain('member_new');
      expect(res.text).not.toContain('member_delete');
    });

    it('shows an anonymous visitor the members of a visible organization (CKAN: group_show\'s rule), without links to change them', async () => {
      const res = await get('/organization/members/amt-m');
      expect(res.status).toBe(200);
      expect(res.text).toContain('admin-agnes');
      expect(res.text).not.toContain('member_new');
    });

    it('is linked from the organization page and from the dashboard', async () => {
      expect((await get('/organization/amt-m')).text).toContain('href="/organization/members/amt-m">Mitglieder</a>');
      const { cookie } = await session('member-mia');
      expect((await get('/dashboard', cookie)).text).toContain('href="/organization/members/amt-m"');
    });

    it('answers 404 for an organization that does not exist', async () => {
      expect((await get('/organization/members/gibt-es-nicht')).status).toBe(404);
    });
  });

  describe('adding a member and changing a role', () => {
    it('shows the admin a form: a user name field with suggestions, the roles with what each may do, a CSRF token', async () => {
      const { cookie } = await session('admin-agnes');
      const res = await get('/organization/member_new/amt-m', cookie);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<label for="username">Benutzername</label>');
      expect(res.text).toContain('list="known-users"');
      expect(res.text).toContain('<option value="neu-nora"></option>');
      expect(res.text).not.toContain('<option value="editor-emil"></option>');
      expect(res.text).toContain('<option value="editor">Redakteur</option>');
      expect(res.text).toContain('darf Datensätze anlegen und bearbeiten, aber keine Mitglieder verwalten.');
      expect(hidden(res.text, '_csrf')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('adds a user as editor through organization_member_create and returns to the list', async () => {
      const { cookie, csrf } = await session('admin-agnes');
      const res = await post('/organization/member_new/amt-m', cookie, { _csrf: csrf, username: 'neu-nora', role: 'editor' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/organization/members/amt-m');
      expect(await roleOf('neu-nora')).toBe('editor');
    });

    it('changes a role: the form for a member has the name fixed and the current role chosen', async () => {
      const { cookie, csrf } = await session('admin-agnes');
      const form = await get('/organization/member_new/amt-m?user=member-mia', cookie);
      expect(form.status).toBe(200);
      expect(form.text).toContain('<h1>Rolle ändern: Amt M</h1>');
      expect(form.text).toMatch(/id="username" name="username" value="member-mia"[^>]*readonly/);
      expect(form.text).toContain('<option value="member" selected>Mitglied</option>');
      const res = await post('/organization/member_new/amt-m', cookie, { _csrf: csrf, editing: '1', username: 'member-mia', role: 'editor' });
      expect(res.status).toBe(303);
      expect(await roleOf('member-mia')).toBe('editor');
      await post('/organization/member_new/amt-m', cookie, { _csrf: csrf, username: 'member-mia', role: 'member' });
      expect(await roleOf('member-mia')).toBe('member');
    });

    it('says beside the field that an unknown user does not exist, with suggestions, and stores nothing (409, no 500)', async () => {
      const { cookie, csrf } = await session('admin-agnes');
      const res = await post('/organization/member_new/amt-m', cookie, { _csrf: csrf, username: 'neu-no', role: 'member' });
      expect(res.status).toBe(409);
      expect(res.text).toMatch(/<p class="field-error" id="username-error">Diesen Benutzer gibt es nicht\. Meinten Sie: [^<]*neu-norbert[^<]*\?<\/p>/);
      expect(res.text).toMatch(/id="username"[^>]*aria-invalid="true"/);
      expect(res.text).toContain('value="neu-no"');
      expect(await roleOf('neu-norbert')).toBeUndefined();
    });

    it('says beside the role field that a role does not exist, in English when asked', async () => {
      const { cookie, csrf } = await session('admin-agnes');
      const de = await post('/organization/member_new/amt-m', cookie, { _csrf: csrf, username: 'neu-norbert', role: 'chef' });
      expect(de.status).toBe(409);
      expect(de.text).toContain('<p class="field-error" id="role-error">Diese Rolle gibt es nicht.</p>');
      const en = await post('/organization/member_new/amt-m?lang=en', cookie, { _csrf: csrf, username: 'neu-norbert', role: 'chef' });
      expect(en.text).toContain('<p class="field-error" id="role-error">There is no such role.</p>');
      expect(await roleOf('neu-norbert')).toBeUndefined();
    });

    it('says beside the field that a user name is missing', async () => {
      const { cookie, csrf } = await session('admin-agnes');
      const res = await post('/organization/member_new/amt-m', cookie, { _csrf: csrf, username: '', role: 'member' });
      expect(res.status).toBe(409);
      expect(res.text).toContain('<p class="field-error" id="username-error">Bitte ausfüllen.</p>');
    });

    it('keeps an admin from taking their own admin role away, said beside the role', async () => {
      const { cookie, csrf } = await session('admin-agnes');
      const res = await post('/organization/member_new/amt-m', cookie, { _csrf: csrf, editing: '1', username: 'admin-agnes', role: 'member' });
      expect(res.status).toBe(409);
      expect(res.text).toContain('Sie können sich die Administrator-Rolle nicht selbst entziehen.');
      expect(await roleOf('admin-agnes')).toBe('admin');
    });

    it.each([['editor-emil'], ['member-mia']])('gives %s the 403 page for the form and for a POST, and changes nothing', async (name) => {
      const { cookie, csrf } = await session(name);
      const form = await get('/organization/member_new/amt-m', cookie);
      expect(form.status).toBe(403);
      expect(form.text).toContain('<h1>Kein Zugriff</h1>');
      const res = await post('/organization/member_new/amt-m', cookie, { _csrf: csrf, username: 'neu-norbert', role: 'admin' });
      expect(res.status).toBe(403);
      expect(await roleOf('neu-norbert')).toBeUndefined();
    });

    it('sends an anonymous visitor to the login, and refuses an anonymous POST', async () => {
      const res = await get('/organization/member_new/amt-m');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/user/login?came_from=%2Forganization%2Fmember_new%2Famt-m');
      const p = await request(t.http).post('/organization/member_new/amt-m').set('accept', BROWSER).type('form').send({ username: 'neu-norbert', role: 'admin' });
      expect(p.status).toBe(403);
    });

    it('refuses a POST without the CSRF token (403) and stores nothing', async () => {
      const { cookie } = await session('admin-agnes');
      const res = await post('/organization/member_new/amt-m', cookie, { username: 'neu-norbert', role: 'admin' });
      expect(res.status).toBe(403);
      expect(res.text).toContain('Das Formular ist abgelaufen');
      expect(await roleOf('neu-norbert')).toBeUndefined();
    });

    it('works for groups too, whose roles have no editor', async () => {
      const { cookie, csrf } = await session('admin-agnes');
      const form = await get('/group/member_new/thema-m', cookie);
      expect(form.status).toBe(200);
      expect(form.text).not.toContain('<option value="editor"');
      expect(form.text).toContain('darf Datensätze dem Thema zuordnen');
      const bad = await post('/group/member_new/thema-m', cookie, { _csrf: csrf, username: 'neu-norbert', role: 'editor' });
      expect(bad.status).toBe(409);
      expect(bad.text).toContain('id="role-error"');
      const res = await post('/group/member_new/thema-m', cookie, { _csrf: csrf, username: 'neu-norbert', role: 'member' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/group/members/thema-m');
      expect((await get('/group/members/thema-m', cookie)).text).toContain('neu-norbert');
    });
  });

  describe('removing a member', () => {
    it('asks first (CKAN\'s confirmation page), then removes through organization_member_delete', async () => {
      await t.call('organization_member_create', { id: 'amt-m', username: 'neu-norbert', role: 'member' }, { as: admin });
      const { cookie, csrf } = await session('admin-agnes');
      const confirm = await get('/organization/member_delete/amt-m?user=neu-norbert', cookie);
      expect(confirm.status).toBe(200);
      expect(confirm.text).toContain('Soll neu-norbert wirklich aus „Amt M“ entfernt werden?');
      expect(confirm.text).toContain('action="/organization/member_delete/amt-m?user=neu-norbert"');
      expect(await roleOf('neu-norbert')).toBe('member');
      const res = await post('/organization/member_delete/amt-m?user=neu-norbert', cookie, { _csrf: csrf, user: 'neu-norbert' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/organization/members/amt-m');
      expect(await roleOf('neu-norbert')).toBeUndefined();
    });

    it('gives an editor the 403 page for the confirmation and the POST, and keeps the member', async () => {
      const { cookie, csrf } = await session('editor-emil');
      expect((await get('/organization/member_delete/amt-m?user=member-mia', cookie)).status).toBe(403);
      expect((await post('/organization/member_delete/amt-m?user=member-mia', cookie, { _csrf: csrf, user: 'member-mia' })).status).toBe(403);
      expect(await roleOf('member-mia')).toBe('member');
    });

    it('refuses the POST without the CSRF token', async () => {
      const { cookie } = await session('admin-agnes');
      expect((await post('/organization/member_delete/amt-m?user=member-mia', cookie, { user: 'member-mia' })).status).toBe(403);
      expect(await roleOf('member-mia')).toBe('member');
    });

    it('answers 404 for someone who is not a member', async () => {
      const { cookie } = await session('admin-agnes');
      expect((await get('/organization/member_delete/amt-m?user=neu-norbert', cookie)).status).toBe(404);
      expect((await get('/organization/member_delete/amt-m', cookie)).status).toBe(404);
    });
  });

  describe('API tokens', () => {
    it('creates a token from the page, shows it once (no-store, never in an address), and the token reads a private dataset through the API', async () => {
      const { cookie, csrf } = await session('editor-emil');
      const page = await get('/user/editor-emil/api-tokens', cookie);
      expect(page.status).toBe(200);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('<h1>API-Tokens</h1>');
      expect(page.text).toContain('<label for="name">Name</label>');

      const res = await post('/user/editor-emil/api-tokens', cookie, { _csrf: csrf, name: 'Pegel-Import', expires_in: '30' });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.location).toBeUndefined();
      const token = /id="new-token" value="([^"]+)"/.exec(res.text)?.[1];
      expect(token).toBeTruthy();
      expect(res.text).toContain('Es wird nur dieses eine Mal angezeigt');

      const api = await request(t.http).get('/api/3/action/package_show?id=m-intern').set('authorization', token!);
      expect(api.status).toBe(200);
      expect(api.body.result.name).toBe('m-intern');

      // Listed with its name and an expiry about 30 days ahead; the secret never again.
      const again = await get('/user/editor-emil/api-tokens', cookie);
      expect(again.text).toContain('<td>Pegel-Import</td>');
      expect(again.text).not.toContain(token!);
      const listed = await t.call<{ name: string; expires_at: string }[]>('api_token_list', { user_id: 'editor-emil' }, { as: editor });
      const days = (Date.parse(`${listed.find((x) => x.name === 'Pegel-Import')!.expires_at}Z`) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29);
      expect(days).toBeLessThanOrEqual(30);
    });

    it('revokes a token with the CSRF token: it no longer reads the private dataset', async () => {
      const { cookie, csrf } = await session('editor-emil');
      const created = await post('/user/editor-emil/api-tokens', cookie, { _csrf: csrf, name: 'Wegwerf' });
      const token = /id="new-token" value="([^"]+)"/.exec(created.text)![1];
      const jti = (await t.call<{ id: string; name: string }[]>('api_token_list', { user_id: 'editor-emil' }, { as: editor })).find((x) => x.name === 'Wegwerf')!.id;
      expect(created.text).toContain(`name="token" value="${jti}"`);
      expect((await post('/user/editor-emil/api-tokens/revoke', cookie, { token: jti })).status).toBe(403);
      expect((await request(t.http).get('/api/3/action/package_show?id=m-intern').set('authorization', token)).status).toBe(200);
      const res = await post('/user/editor-emil/api-tokens/revoke', cookie, { _csrf: csrf, token: jti });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/user/editor-emil/api-tokens?revoked=1');
      expect((await get(res.headers.location, cookie)).text).toContain('Das Token wurde widerrufen.');
      expect((await request(t.http).get('/api/3/action/package_show?id=m-intern').set('authorization', token)).status).toBe(403);
    });

    it('says beside the fields what is wrong: no name, a lifetime that is no number or too long (409, nothing created)', async () => {
      const { cookie, csrf } = await session('member-mia');
      const before = (await t.call<unknown[]>('api_token_list', { user_id: 'member-mia' }, { as: member })).length;
      const noName = await post('/user/member-mia/api-tokens', cookie, { _csrf: csrf, name: '' });
      expect(noName.status).toBe(409);
      expect(noName.text).toContain('<p class="field-error" id="name-error">Bitte ausfüllen.</p>');
      const notNumber = await post('/user/member-mia/api-tokens', cookie, { _csrf: csrf, name: 'x', expires_in: 'bald' });
      expect(notNumber.status).toBe(409);
      expect(notNumber.text).toContain('<p class="field-error" id="expires_in-error">Bitte eine ganze Zahl ab 1 angeben.</p>');
      expect(notNumber.text).toContain('value="bald"');
      const tooLong = await post('/user/member-mia/api-tokens?lang=en', cookie, { _csrf: csrf, name: 'x', expires_in: '100000' });
      expect(tooLong.status).toBe(409);
      expect(tooLong.text).toContain('<p class="field-error" id="expires_in-error">At most 180 days.</p>');
      expect(tooLong.text).not.toContain('id="new-token"');
      expect((await t.call<unknown[]>('api_token_list', { user_id: 'member-mia' }, { as: member })).length).toBe(before);
    });

    it('gives another user\'s token page the 403 page (api_token_list\'s rule), and refuses to revoke their token', async () => {
      const { cookie, csrf } = await session('member-mia');
      const res = await get('/user/editor-emil/api-tokens', cookie);
      expect(res.status).toBe(403);
      expect(res.text).toContain('<h1>Kein Zugriff</h1>');
      expect((await post('/user/editor-emil/api-tokens', cookie, { _csrf: csrf, name: 'fremd' })).status).toBe(403);
      const jti = (await t.call<{ id: string }[]>('api_token_list', { user_id: 'editor-emil' }, { as: editor }))[0].id;
      expect((await post('/user/editor-emil/api-tokens/revoke', cookie, { _csrf: csrf, token: jti })).status).toBe(403);
      expect((await t.call<{ id: string }[]>('api_token_list', { user_id: 'editor-emil' }, { as: editor })).some((x) => x.id === jti)).toBe(true);
    });

    it('sends an anonymous visitor to the login', async () => {
      const res = await get('/user/editor-emil/api-tokens');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/user/login?came_from=%2Fuser%2Feditor-emil%2Fapi-tokens');
    });

    it('is linked from the header and from one\'s own user page', async () => {
      const { cookie } = await session('member-mia');
      expect((await get('/', cookie)).text).toContain('href="/user/member-mia/api-tokens">API-Tokens</a>');
      expect((await get('/user/member-mia', cookie)).text).toContain('href="/user/member-mia/api-tokens"');
      expect((await get('/user/editor-emil', cookie)).text).not.toContain('href="/user/editor-emil/api-tokens"');
    });
  });
});
