import request from 'supertest';
import { Credentials } from '../../src/auth/credentials';
import { hashPassword } from '../../src/auth/passwords';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

describe('user_update, user_patch, user_delete, user_autocomplete, get_site_user', () => {
  let t: TestApp;
  let credentials: Credentials;

  beforeAll(async () => {
    t = await TestApp.start();
    credentials = t.app.get(Credentials);
  });
  afterAll(() => t.stop());

  const post = (action: string, body: object, as?: TestUser) => {
    const r = request(t.http).post(`/api/3/action/${action}`).send(body);
    return as ? r.set('Authorization', as.token) : r;
  };
  const opensWith = async (name: string, password: string): Promise<boolean> => (await credentials.check(t.db.dataSource.manager, name, password)) !== null;

  describe('user_update', () => {
    it('lets users change their own e-mail, full name and about, and returns the CKAN user dict', async () => {
      const u = await t.factories.user({ fullname: 'Ute Alt' });
      const res = await post('user_update', { id: u.name, email: 'neu@example.org', fullname: 'Ute Neu', about: 'Pegeldienst' }, u);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success: true, result: { id: u.id, name: u.name, email: 'neu@example.org', fullname: 'Ute Neu', display_name: 'Ute Neu', about: 'Pegeldienst', state: 'active', sysadmin: false } });
      expect(JSON.stringify(res.body)).not.toMatch(/argon2|password/);
      const shown = await request(t.http).get(`/api/3/action/user_show?id=${u.name}`).set('Authorization', u.token);
      expect(shown.body.result).toMatchObject({ email: 'neu@example.org', fullname: 'Ute Neu' });
    });

    it('keeps fields that are not given, but asks for the e-mail as CKAN does', async () => {
      const u = await t.factories.user({ fullname: 'Bleibt' });
      const noEmail = await post('user_update', { id: u.id, about: 'x' }, u);
      expect(noEmail.status).toBe(409);
      expect(noEmail.body).toMatchObject({ success: false, error: { __type: 'Validation Error', email: ['Missing value'] } });
      const res = await post('user_update', { id: u.id, email: `${u.name}@example.org`, about: 'nur das' }, u);
      expect(res.body.result).toMatchObject({ fullname: 'Bleibt', about: 'nur das' });
    });

    it('refuses anonymous callers and other users; sysadmins may edit anyone', async () => {
      const u = await t.factories.user();
      const other = await t.factories.user();
      const body = { id: u.name, email: `${u.name}@example.org`, fullname: 'Geändert' };
      const anon = await post('user_update', body);
      expect(anon.status).toBe(403);
      expect(anon.body).toMatchObject({ success: false, error: { __type: 'Authorization Error' } });
      const foreign = await post('user_update', body, other);
      expect(foreign.status).toBe(403);
      expect(foreign.body.error.message).toBe(`Access denied: User ${other.name} not authorized to edit user ${u.id}`);
      const bySysadmin = await post('user_update', body, t.sysadmin);
      expect(bySysadmin.status).toBe(200);
      expect(bySysadmin.body.result).toMatchObject({ fullname: 'Geändert', email: `${u.name}@example.org` });
    });

    it('answers 404 for an unknown user and asks for the id', async () => {
      const u = await t.factories.user();
      const unknown = await post('user_update', { id: 'niemand-hier', email: 'x@example.org' }, u);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ success: false, error: { __type: 'Not Found Error', message: 'Not found: User was not found.' } });
      const noId = await post('user_update', { email: 'x@example.org' }, u);
      expect(noId.status).toBe(409);
      expect(noId.body.error).toMatchObject({ id: ['Missing value'] });
    });

    it('changes a password only with the old one; sysadmins need none; user_create’s rules apply', async () => {
      const u = await t.factories.user({ password: 'altes Passwort 1' });
      const base = { id: u.name, email: `${u.name}@example.org` };
      const without = await post('user_update', { ...base, password: 'neues Passwort 2' }, u);
      expect(without.status).toBe(409);
      expect(without.body.error).toMatchObject({ __type: 'Validation Error', old_password: ['Missing value'] });
      const wrong = await post('user_update', { ...base, password: 'neues Passwort 2', old_password: 'falsch falsch' }, u);
      expect(wrong.body.error).toMatchObject({ old_password: ['Password entered was incorrect'] });
      const short = await post('user_update', { ...base, password: 'kurz', old_password: 'altes Passwort 1' }, u);
      expect(short.body.error).toMatchObject({ password: ['Your password must be 8 characters or longer'] });
      expect(await opensWith(u.name, 'altes Passwort 1')).toBe(true);

      const ok = await post('user_update', { ...base, password: 'neues Passwort 2', old_password: 'altes Passwort 1' }, u);
      expect(ok.status).toBe(200);
      expect(await opensWith(u.name, 'neues Passwort 2')).toBe(true);
      expect(await opensWith(u.name, 'altes Passwort 1')).toBe(false);
      const [row] = await t.db.dataSource.query(`SELECT password_hash FROM user_account WHERE id = $1`, [u.id]);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);

      const reset = await post('user_update', { ...base, password: 'vom Admin gesetzt' }, t.sysadmin);
      expect(reset.status).toBe(200);
      expect(await opensWith(`${u.name}@example.org`, 'vom Admin gesetzt')).toBe(true);
      expect(await opensWith('niemand-bekannt', 'vom Admin gesetzt')).toBe(false);
    });

    it('refuses non-string passwords, ignores an empty one, and takes an argon2 password_hash from sysadmins only', async () => {
      const u = await t.factories.user({ password: 'bleibt gleich 1' });
      const base = { id: u.name, email: `${u.name}@example.org` };
      for (const password of [null, false, 23, 30.7]) {
        const res = await post('user_update', { ...base, password, old_password: 'bleibt gleich 1' }, u);
        expect(res.status).toBe(409);
        expect(res.body.error).toMatchObject({ password: ['Passwords must be strings'] });
      }
      const empty = await post('user_update', { ...base, password: '', image_url: 'https://example.org/ich.png' }, u);
      expect(empty.status).toBe(200);
      expect(empty.body.result).toMatchObject({ image_url: 'https://example.org/ich.png', image_display_url: 'https://example.org/ich.png' });
      expect(await opensWith(u.name, 'bleibt gleich 1')).toBe(true);

      const imported = await hashPassword('importiert 12345');
      await post('user_update', { ...base, password_hash: imported }, u);
      expect(await opensWith(u.name, 'importiert 12345')).toBe(false);
      const notArgon = await post('user_update', { ...base, password_hash: '$pbkdf2-sha512$25000$abc' }, t.sysadmin);
      expect(notArgon.body.error).toMatchObject({ password_hash: ['Must be an argon2 hash in PHC format ($argon2id$...)'] });
      expect((await post('user_update', { ...base, password_hash: imported }, t.sysadmin)).status).toBe(200);
      expect(await opensWith(u.name, 'importiert 12345')).toBe(true);
    });

    it('lets only sysadmins rename users and set sysadmin or state; users’ attempts are refused or ignored', async () => {
      const u = await t.factories.user();
      const taken = await t.factories.user();
      const base = { id: u.id, email: `${u.name}@example.org` };
      const rename = await post('user_update', { ...base, name: `${u.name}-neu` }, u);
      expect(rename.body.error).toMatchObject({ name: ['That login name can not be modified.'] });
      const promote = await post('user_update', { ...base, sysadmin: true, state: 'deleted' }, u);
      expect(promote.body.result).toMatchObject({ sysadmin: false, state: 'active' });
      const clash = await post('user_update', { ...base, name: taken.name }, t.sysadmin);
      expect(clash.body.error).toMatchObject({ name: ['That login name is not available.'] });
      const email = await post('user_update', { ...base, email: `${taken.name.toUpperCase()}@example.org` }, u);
      expect(email.body.error).toMatchObject({ email: [`The email address '${taken.name.toUpperCase()}@example.org' belongs to a registered user.`] });
      const renamed = await post('user_update', { ...base, name: `${u.name}-neu`, sysadmin: true }, t.sysadmin);
      expect(renamed.body.result).toMatchObject({ id: u.id, name: `${u.name}-neu`, sysadmin: true });
    });
  });

  describe('user_patch', () => {
    it('changes only the given fields, without the e-mail, for the user themself', async () => {
      const u = await t.factories.user({ fullname: 'Paula Patch' });
      const res = await post('user_patch', { id: u.name, about: 'Nur about' }, u);
      expect(res.status).toBe(200);
      expect(res.body.result).toMatchObject({ name: u.name, fullname: 'Paula Patch', email: `${u.name}@example.org`, about: 'Nur about' });
      const pw = await post('user_patch', { id: u.name, password: 'ganz neu 12345' }, u);
      expect(pw.body.error).toMatchObject({ old_password: ['Missing value'] });
      const pwOk = await post('user_patch', { id: u.name, password: 'ganz neu 12345', old_password: 'correct horse battery' }, u);
      expect(pwOk.status).toBe(200);
      expect(await opensWith(u.name, 'ganz neu 12345')).toBe(true);
    });

    it('follows user_update’s permission rule', async () => {
      const u = await t.factories.user();
      const other = await t.factories.user();
      expect((await post('user_patch', { id: u.name, fullname: 'X' })).status).toBe(403);
      expect((await post('user_patch', { id: u.name, fullname: 'X' }, other)).status).toBe(403);
      const bySysadmin = await post('user_patch', { id: u.name, fullname: 'Vom Admin' }, t.sysadmin);
      expect(bySysadmin.body.result).toMatchObject({ fullname: 'Vom Admin', email: `${u.name}@example.org` });
      expect((await post('user_patch', { id: 'gibt-es-nicht', fullname: 'X' }, t.sysadmin)).status).toBe(404);
    });
  });

  describe('user_delete', () => {
    it('is for sysadmins only', async () => {
      const u = await t.factories.user();
      const other = await t.factories.user();
      expect((await post('user_delete', { id: u.name })).status).toBe(403);
      const self = await post('user_delete', { id: u.name }, u);
      expect(self.status).toBe(403);
      expect(self.body.error.__type).toBe('Authorization Error');
      expect((await post('user_delete', { id: u.name }, other)).status).toBe(403);
      const missing = await post('user_delete', { id: 'gibt-es-nicht' }, t.sysadmin);
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toBe('Not found: User "gibt-es-nicht" was not found.');
      expect((await post('user_delete', {}, t.sysadmin)).body.error).toMatchObject({ id: ['Missing value'] });
    });

    it('marks the user deleted, removes memberships, revokes tokens and keeps the name taken', async () => {
      const u = await t.factories.user();
      const org = await t.factories.organization({ members: [[u, 'editor']] });
      const res = await post('user_delete', { id: u.name }, t.sysadmin);
      expect(res.body).toMatchObject({ success: true, result: null });

      const [row] = await t.db.dataSource.query(`SELECT name, state FROM user_account WHERE id = $1`, [u.id]);
      expect(row).toEqual({ name: u.name, state: 'deleted' });
      const shownOrg = await post('organization_show', { id: org.id, include_users: true }, t.sysadmin);
      expect(shownOrg.body.result.users.map((x: { name: string }) => x.name)).not.toContain(u.name);
      expect(await t.db.dataSource.query(`SELECT 1 FROM api_token WHERE user_id = $1`, [u.id])).toEqual([]);
      const withOldToken = await request(t.http).get('/api/3/action/user_show').set('Authorization', u.token);
      expect(withOldToken.status).toBe(404);
      expect((await post('package_create', { name: 'nach-loeschung', owner_org: org.id }, u)).status).toBe(403);

      const list = await request(t.http).get('/api/3/action/user_list?all_fields=false');
      expect(list.body.result).not.toContain(u.name);
      expect(await opensWith(u.name, 'correct horse battery')).toBe(false);

      const again = await post('user_create', { name: u.name, email: 'jemand@example.org', password: 'lang genug 123' }, t.sysadmin);
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ name: ['That login name is not available.'] });
      // The e-mail address of a deleted user is free again (CKAN's email_is_unique looks at active users only).
      const sameEmail = await post('user_create', { name: `${u.name}-2`, email: `${u.name}@example.org`, password: 'lang genug 123' }, t.sysadmin);
      expect(sameEmail.status).toBe(200);
    });
  });

  describe('user_autocomplete', () => {
    it('returns [{id, name, fullname}] of live users matching name or full name, at most limit', async () => {
      const a = await t.factories.user({ name: 'auto-anna', fullname: 'Anna Autocomplete' });
      const b = await t.factories.user({ name: 'auto-bert', fullname: 'Bert' });
      const gone = await t.factories.user({ name: 'auto-gone' });
      await t.call('user_delete', { id: gone.name }, { as: t.sysadmin });

      const res = await request(t.http).get('/api/3/action/user_autocomplete?q=auto-');
      expect(res.status).toBe(200);
      expect(res.body.result).toEqual([
        { id: a.id, name: 'auto-anna', fullname: 'Anna Autocomplete' },
        { id: b.id, name: 'auto-bert', fullname: 'Bert' },
      ]);
      const byFullname = await request(t.http).get('/api/3/action/user_autocomplete?q=autocompl');
      expect(byFullname.body.result.map((u: { name: string }) => u.name)).toEqual(['auto-anna']);
      expect((await request(t.http).get('/api/3/action/user_autocomplete?q=auto-&limit=1')).body.result).toHaveLength(1);
      const self = await request(t.http).get('/api/3/action/user_autocomplete?q=auto-&ignore_self=true').set('Authorization', a.token);
      expect(self.body.result.map((u: { name: string }) => u.name)).toEqual(['auto-bert']);
    });

    it('searches e-mail addresses only for sysadmins, and validates q and limit', async () => {
      const u = await t.factories.user({ name: 'mailsuche', email: 'versteckt-xyz@example.org' });
      expect((await request(t.http).get('/api/3/action/user_autocomplete?q=versteckt-xyz').set('Authorization', u.token)).body.result).toEqual([]);
      const bySysadmin = await request(t.http).get('/api/3/action/user_autocomplete?q=versteckt-xyz').set('Authorization', t.sysadmin.token);
      expect(bySysadmin.body.result).toEqual([{ id: u.id, name: 'mailsuche', fullname: null }]);
      const noQ = await request(t.http).get('/api/3/action/user_autocomplete');
      expect(noQ.status).toBe(409);
      expect(noQ.body.error).toMatchObject({ __type: 'Validation Error', q: ['Missing value'] });
      const badLimit = await request(t.http).get('/api/3/action/user_autocomplete?q=a&limit=-1');
      expect(badLimit.body.error).toMatchObject({ limit: ['Must be a natural number'] });
    });

    it('is closed to anonymous callers when user details are not public', async () => {
      const closed = await TestApp.start({ AUTH_PUBLIC_USER_DETAILS: 'false' });
      try {
        expect((await request(closed.http).get('/api/3/action/user_autocomplete?q=a')).status).toBe(403);
        expect((await request(closed.http).get('/api/3/action/user_autocomplete?q=a').set('Authorization', closed.sysadmin.token)).status).toBe(200);
      } finally {
        await closed.stop();
      }
    });
  });

  describe('get_site_user', () => {
    it('is refused to anonymous callers and users', async () => {
      const u = await t.factories.user();
      expect((await post('get_site_user', {})).status).toBe(403);
      const res = await post('get_site_user', {}, u);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe('Access denied: Only internal services allowed to use this action');
    });

    it('gives sysadmins the site user, a sysadmin created once, left out of user_list unless asked for', async () => {
      const first = await post('get_site_user', {}, t.sysadmin);
      expect(first.status).toBe(200);
      expect(first.body.result).toEqual({ name: 'default', apikey: null });
      expect((await post('get_site_user', {}, t.sysadmin)).body.result).toEqual({ name: 'default', apikey: null });
      const rows = await t.db.dataSource.query(`SELECT sysadmin, state, password_hash FROM user_account WHERE name = 'default'`);
      expect(rows).toEqual([{ sysadmin: true, state: 'active', password_hash: null }]);
      expect(await opensWith('default', '')).toBe(false);
      expect((await request(t.http).get('/api/3/action/user_list?all_fields=false')).body.result).not.toContain('default');
      expect((await request(t.http).get('/api/3/action/user_list?all_fields=false&include_site_user=true')).body.result).toContain('default');
    });
  });

  describe('as CKAN’s tests state', () => {
    // ckan/tests/logic/action/test_update.py::TestUpdate::test_user_update_with_invalid_name
    it('refuses invalid names, even from sysadmins', async () => {
      const u = await t.factories.user();
      for (const name of ['', 'a', false, 0, -1, 23, 'new', 'edit', 'search', 'a'.repeat(200), 'Hi!', 'i++%']) {
        const res = await post('user_update', { id: u.id, email: `${u.name}@example.org`, name }, t.sysadmin);
        expect([name, res.status, res.body.error?.__type]).toEqual([name, 409, 'Validation Error']);
        expect(res.body.error.name).toEqual([expect.any(String)]);
      }
      expect((await post('user_show', { id: u.id }, t.sysadmin)).body.result.name).toBe(u.name);
    });

    // test_update.py::TestUpdate::test_user_update_does_not_return_password / _reset_key / _apikey (2.11)
    it('never returns the password, a reset key or an API key', async () => {
      const u = await t.factories.user({ password: 'altes Passwort 1' });
      const res = await post('user_update', { id: u.id, email: `${u.name}@example.org`, fullname: 'updated full name', about: 'updated about', password: 'neues Passwort 9', old_password: 'altes Passwort 1' }, u);
      expect(res.status).toBe(200);
      for (const key of ['password', 'password_hash', 'reset_key', 'apikey']) expect(res.body.result).not.toHaveProperty(key);
      const shown = await post('user_show', { id: u.id }, u);
      expect(shown.body.result).toMatchObject({ fullname: 'updated full name', about: 'updated about' });
    });

    // test_patch.py::test_extensions_failed_patch_updating_user_name / test_extensions_successful_patch_updating_user_name (master)
    it('user_patch renames a user only for sysadmins', async () => {
      const u = await t.factories.user();
      const self = await post('user_patch', { id: u.id, name: `${u.name}-x` }, u);
      expect(self.status).toBe(409);
      expect(self.body.error).toMatchObject({ name: ['That login name can not be modified.'] });
      const bySysadmin = await post('user_patch', { id: u.id, name: `${u.name}-y` }, t.sysadmin);
      expect(bySysadmin.body.result).toMatchObject({ id: u.id, name: `${u.name}-y` });
      expect((await post('user_show', { id: u.id }, t.sysadmin)).body.result.name).toBe(`${u.name}-y`);
    });

    // test_delete.py::TestUserDelete::test_user_delete_removes_memberships(_when_using_name),
    // test_get.py::TestMembersList::test_user_delete_marks_membership_of_group_as_deleted / _of_org_as_deleted
    it('user_delete ends the memberships in organizations and groups: member_list no longer lists the user', async () => {
      const u = await t.factories.user();
      const org = await t.factories.organization({ members: [[u, 'admin']] });
      const group = await t.factories.group({ members: [[u, 'member']] });
      expect(await t.call('member_list', { id: org.id, object_type: 'user', capacity: 'admin' })).toContainEqual([u.id, 'user', 'Admin']);
      expect(await t.call('member_list', { id: group.id, object_type: 'user', capacity: 'member' })).toEqual([[u.id, 'user', 'Member']]);
      expect((await post('user_delete', { id: u.name }, t.sysadmin)).status).toBe(200);
      expect(await t.call('member_list', { id: org.id, object_type: 'user', capacity: 'admin' })).not.toContainEqual([u.id, 'user', 'Admin']);
      expect(await t.call('member_list', { id: group.id, object_type: 'user', capacity: 'member' })).toEqual([]);
      expect((await post('user_delete', { id: 'unknown' }, t.sysadmin)).status).toBe(404);
    });

    // test_get.py::TestUserAutocomplete::test_autocomplete (a sysadmin is found like any user)
    it('user_autocomplete finds sysadmins too, with the keys id, name and fullname only', async () => {
      const admin = await t.factories.user({ name: 'ckcompl-sysadmin', sysadmin: true });
      await t.factories.user({ name: 'ckcompl-user' });
      const res = await request(t.http).get('/api/3/action/user_autocomplete?q=compl-sys');
      expect(res.body.result).toEqual([{ id: admin.id, name: 'ckcompl-sysadmin', fullname: null }]);
      expect((await request(t.http).get('/api/3/action/user_autocomplete?q=ckcompl')).body.result).toHaveLength(2);
      expect((await request(t.http).get('/api/3/action/user_autocomplete?q=ckcompl&limit=1')).body.result).toHaveLength(1);
    });
  });
});
