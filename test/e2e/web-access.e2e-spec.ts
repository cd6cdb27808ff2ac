import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';
import { BROWSER_ACCEPT, webSession, WebSession } from '../web-session';

type Dict = Record<string, unknown>;

const BROWSER = BROWSER_ACCEPT;


interface Browser {
  cookie: string;
  csrf: string;
}

/**
 * The steward's access pages (issue 17): a dataset's access level and shares, the approval workflow (submit, the
 * approvers' queue, publish, send back with a note) and collaborators, each a form with a CSRF token whose action
 * decides who may; a refusal or bad input is a message on the page, never a 500.
 */
describe('web access levels, shares and the approval queue', () => {
  let t: TestApp;
  const u = {} as Record<'admin' | 'editor' | 'member' | 'neighbour' | 'outsiderAdmin' | 'helper', TestUser>;
  let org: Dict;
  let neighbourOrg: Dict;
  const as = {} as Record<'admin' | 'editor' | 'member' | 'neighbour' | 'outsiderAdmin', Browser>;

  const session = (login: string): Promise<WebSession> => webSession(t.http, login);

  const get = (path: string, b?: Browser): request.Test => {
    const r = request(t.http).get(path).set('accept', BROWSER);
    return b ? r.set('cookie', b.cookie) : r;
  };
  const post = (path: string, b: Browser, fields: Dict, csrf = true): request.Test =>
    request(t.http).post(path).set('accept', BROWSER).set('cookie', b.cookie).type('form').send(csrf ? { _csrf: b.csrf, ...fields } : fields);
  const show = (id: string): Promise<Dict> => t.call<Dict>('package_show', { id });

  beforeAll(async () => {
    t = await TestApp.start();
    u.admin = await t.factories.user({ name: 'amt-admin' });
    u.editor = await t.factories.user({ name: 'amt-editor' });
    u.member = await t.factories.user({ name: 'amt-mitglied' });
    u.neighbour = await t.factories.user({ name: 'nachbar-nora' });
    u.outsiderAdmin = await t.factories.user({ name: 'fremd-admin' });
    u.helper = await t.factories.user({ name: 'helfer-hans' });
    org = await t.factories.organization({ name: 'stadt-a', title: 'Stadt A', approval_required: true, members: [[u.admin, 'admin'], [u.editor, 'editor'], [u.member, 'member']] });
    neighbourOrg = await t.factories.organization({ name: 'nachbarstadt', title: 'Nachbarstadt', members: [[u.neighbour, 'member']] });
    await t.factories.organization({ name: 'fremdkreis', title: 'Fremdkreis', members: [[u.outsiderAdmin, 'admin']] });
    await t.factories.dataset({ name: 'a-entwurf', title: 'Baustellen A', owner_org: org.id as string, state: 'draft', access_level: 'private' }, u.editor);
    await t.factories.dataset({ name: 'a-geteilt', title: 'Haushalt A', owner_org: org.id as string, access_level: 'shared' });
    await t.searchIndexed();
    for (const k of ['admin', 'editor', 'member', 'neighbour', 'outsiderAdmin'] as const) as[k] = await session(u[k].name);
  });
  afterAll(() => t.stop());

  describe('the access page', () => {
    it('sends an anonymous visitor to the login, and back here afterwards', async () => {
      const res = await get('/dataset/a-geteilt/access');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/user/login?came_from=%2Fdataset%2Fa-geteilt%2Faccess');
    });

    it('refuses a member of the organization (403) and is "not found" for another organization\'s admin who may not read the draft', async () => {
      const member = await get('/dataset/a-geteilt/access', as.member);
      expect(member.status).toBe(403);
      expect(member.text).toContain('Kein Zugriff');
      const outsider = await get('/dataset/a-entwurf/access', as.outsiderAdmin);
      expect(outsider.status).toBe(404);
      expect((await post('/dataset/a-geteilt/access', as.member, { op: 'share', organization_id: 'nachbarstadt' })).status).toBe(403);
      expect((await post('/dataset/a-entwurf/access', as.outsiderAdmin, { op: 'level', access_level: 'public' })).status).toBe(404);
      expect(await t.call('dataset_share_list', { id: 'a-geteilt' })).toEqual([]);
      expect((await show('a-entwurf')).access_level).toBe('private');
    });

    it('shows the editor the level with what each level means, the shares and forms that each carry the CSRF token', async () => {
      const res = await get('/dataset/a-geteilt/access', as.editor);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h1>Zugriff: Haushalt A</h1>');
      expect(res.text).toContain('Derzeit: geteilt.');
      expect(res.text).toMatch(/<input type="radio" id="level-shared" name="access_level" value="shared" checked/);
      expect(res.text).toContain('Öffentlich: Alle sehen den Datensatz, auch ohne Anmeldung');
      expect(res.text).toContain('Privat: Nur die Mitglieder der eigenen Organisation sehen ihn.');
      expect(res.text).toContain('Der Datensatz ist mit keiner Organisation geteilt.');
      expect(res.text).toContain('<option value="nachbarstadt">Nachbarstadt</option>');
      expect(res.text).not.toContain('<option value="stadt-a">');
      const forms = res.text.match(/<form [^>]*method="post"/g) ?? [];
      const tokens = res.text.match(/name="_csrf" value="[^"]+"/g) ?? [];
      expect(forms.length).toBeGreaterThanOrEqual(3);
      expect(tokens.length).toBe(forms.length);
      const en = await get('/dataset/a-geteilt/access?lang=en', as.editor);
      expect(en.text).toContain('Private: only the members of its own organization see it.');
    });

    it('offers every other organization in the share picker, also beyond the 25 organization_list gives with all_fields', async () => {
      for (let i = 1; i <= 26; i++) await t.factories.organization({ name: `zweckverband-${i}`, title: `Zweckverband ${String(i).padStart(2, '0')}` });
      const res = await get('/dataset/a-geteilt/access', as.editor);
      expect(res.text.match(/<option value="zweckverband-\d+">/g)).toHaveLength(26);
      expect(res.text).toContain('<option value="zweckverband-26">Zweckverband 26</option>');
      expect(res.text).toContain('<option value="nachbarstadt">Nachbarstadt</option>');
    });

    it('refuses a POST without the CSRF token (403) and changes nothing', async () => {
      const res = await post('/dataset/a-geteilt/access', as.editor, { op: 'share', organization_id: 'nachbarstadt' }, false);
      expect(res.status).toBe(403);
      expect(res.text).toContain('Das Formular ist abgelaufen');
      expect(await t.call('dataset_share_list', { id: 'a-geteilt' })).toEqual([]);
    });

    it('shares with a neighbouring organization: listed with its permission, since when and by whom; its member then reads the dataset', async () => {
      expect((await get('/dataset/a-geteilt', as.neighbour)).status).toBe(404);
      const res = await post('/dataset/a-geteilt/access', as.editor, { op: 'share', organization_id: 'nachbarstadt', capacity: 'read' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/dataset/a-geteilt/access?done=shared&org=nachbarstadt');
      const page = await get(res.headers.location as string, as.editor);
      expect(page.text).toContain('Der Datensatz ist jetzt mit Nachbarstadt geteilt.');
      expect(page.text).toMatch(/<td><a href="\/organization\/nachbarstadt">Nachbarstadt<\/a><\/td><td>lesen<\/td><td>\d{1,2}\. \p{L}+ \d{4}<\/td><td><a href="\/user\/amt-editor">amt-editor<\/a><\/td>/u);
      const seen = await get('/dataset/a-geteilt', as.neighbour);
      expect(seen.status).toBe(200);
      expect(seen.text).toContain('<h1>Haushalt A</h1>');
      expect(seen.text).not.toContain('/dataset/a-geteilt/access');
      expect((await get('/dataset/a-geteilt')).status).toBe(404);
    });

    it('shows an unknown organization and an unknown permission beside their fields, 400 and 409, nothing stored', async () => {
      const unknown = await post('/dataset/a-geteilt/access', as.editor, { op: 'share', organization_id: 'gibt-es-nicht' });
      expect(unknown.status).toBe(400);
      expect(unknown.text).toMatch(/<select id="organization_id" name="organization_id" required aria-invalid="true" aria-describedby="organization_id-error">/);
      expect(unknown.text).toContain('<p class="field-error" id="organization_id-error">Diese Organisation gibt es nicht');
      const capacity = await post('/dataset/a-geteilt/access', as.editor, { op: 'share', organization_id: 'fremdkreis', capacity: 'alles' });
      expect(capacity.status).toBe(409);
      expect(capacity.text).toContain('id="capacity-error"');
      expect((await t.call<Dict[]>('dataset_share_list', { id: 'a-geteilt' })).map((s) => s.organization_name)).toEqual(['nachbarstadt']);
    });

    it('shows the action\'s refusal when an editor makes a published dataset public in an organization that requires approval (403, level kept)', async () => {
      const res = await post('/dataset/a-geteilt/access', as.editor, { op: 'level', access_level: 'public' });
      expect(res.status).toBe(403);
      expect(res.text).toContain('Nur ein Administrator der Organisation darf diesen Datensatz öffentlich machen');
      expect((await show('a-geteilt')).access_level).toBe('shared');
    });

    it('shows an unknown level beside the level field (409)', async () => {
      const res = await post('/dataset/a-geteilt/access', as.editor, { op: 'level', access_level: 'geheim' });
      expect(res.status).toBe(409);
      expect(res.text).toContain('id="access_level-error"');
      expect((await show('a-geteilt')).access_level).toBe('shared');
    });

    it('lets the admin change the level, and confirms it', async () => {
      const res = await post('/dataset/a-geteilt/access', as.admin, { op: 'level', access_level: 'internal' });
      expect(res.status).toBe(303);
      expect((await get(res.headers.location as string, as.admin)).text).toContain('Die Zugriffsstufe wurde gespeichert.');
      expect((await show('a-geteilt')).access_level).toBe('internal');
      await post('/dataset/a-geteilt/access', as.admin, { op: 'level', access_level: 'shared' });
    });

    it('stops sharing: the neighbour no longer reads it', async () => {
      const res = await post('/dataset/a-geteilt/access', as.editor, { op: 'unshare', organization_id: neighbourOrg.id });
      expect(res.status).toBe(303);
      expect((await get(res.headers.location as string, as.editor)).text).toContain('Der Datensatz ist nicht mehr mit Nachbarstadt geteilt.');
      expect((await get('/dataset/a-geteilt', as.neighbour)).status).toBe(404);
      const again = await post('/dataset/a-geteilt/access', as.editor, { op: 'unshare', organization_id: neighbourOrg.id });
      expect(again.status).toBe(400);
    });
  });

  describe('the approval workflow', () => {
    it('shows the editor a draft banner, the submit button and the access link on the dataset page; the member sees the banner only', async () => {
      const page = await get('/dataset/a-entwurf', as.editor);
      expect(page.text).toContain('Entwurf</span> Nicht veröffentlicht, nur für die eigene Organisation sichtbar.');
      expect(page.text).toMatch(/<form method="post" action="\/dataset\/a-entwurf\/submit"><input type="hidden" name="_csrf" value="[^"]+"\/><button type="submit">Zur Freigabe einreichen<\/button>/);
      expect(page.text).toContain('href="/dataset/a-entwurf/access"');
      const member = await get('/dataset/a-entwurf', as.member);
      expect(member.text).toContain('Nicht veröffentlicht, nur für die eigene Organisation');
      expect(member.text).not.toContain('Zur Freigabe einreichen');
      expect(member.text).not.toContain('/dataset/a-entwurf/access');
    });

    it('refuses a submit by a member (403) and without the CSRF token (403)', async () => {
      expect((await post('/dataset/a-entwurf/submit', as.member, {})).status).toBe(403);
      expect((await post('/dataset/a-entwurf/submit', as.editor, {}, false)).status).toBe(403);
      expect((await show('a-entwurf')).state).toBe('draft');
    });

    it('submits the draft: it awaits approval, as its page says', async () => {
      const res = await post('/dataset/a-entwurf/submit', as.editor, {});
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/dataset/a-entwurf');
      expect((await show('a-entwurf')).state).toBe('pending');
      expect((await get('/dataset/a-entwurf', as.editor)).text).toMatch(/Wartet auf Freigabe<\/span> Eingereicht von amt-editor am \d{1,2}\. \p{L}+ \d{4}; ein Administrator/u);
    });

    it('links the queue from the admin\'s dashboard with the number waiting, not from the editor\'s; the pending dataset\'s page links it for the admin', async () => {
      expect((await get('/dashboard', as.admin)).text).toContain('<a href="/dashboard/approvals">Freigaben (1 wartend)</a>');
      expect((await get('/dashboard', as.editor)).text).not.toContain('/dashboard/approvals');
      expect((await get('/dataset/a-entwurf', as.admin)).text).toContain('<a href="/dashboard/approvals">Zur Freigabe in der Warteschlange</a>');
      expect((await get('/dataset/a-entwurf', as.editor)).text).not.toContain('/dashboard/approvals');
    });

    it('lists the pending dataset for its organization\'s admin only', async () => {
      expect((await get('/dashboard/approvals')).status).toBe(303);
      const admin = await get('/dashboard/approvals', as.admin);
      expect(admin.status).toBe(200);
      expect(admin.text).toContain('<h2><a href="/dataset/a-entwurf">Baustellen A</a></h2>');
      expect(admin.text).toContain('Organisation: Stadt A');
      expect(admin.text).toMatch(/Eingereicht von amt-editor am \d{1,2}\. \p{L}+ \d{4}/u);
      const editor = await get('/dashboard/approvals', as.editor);
      expect(editor.text).toContain('Kein Datensatz wartet auf Freigabe.');
      expect(editor.text).toContain('Sie sind in keiner Organisation Administrator');
      const outsider = await get('/dashboard/approvals', as.outsiderAdmin);
      expect(outsider.text).not.toContain('Baustellen A');
    });

    it('shows an empty send-back note beside its field (409) and keeps the dataset pending', async () => {
      const res = await post('/dashboard/approvals', as.admin, { op: 'send_back', id: 'a-entwurf', note: '   ' });
      expect(res.status).toBe(409);
      expect(res.text).toMatch(/<textarea id="note-a-entwurf" name="note" rows="3" required aria-invalid="true" aria-describedby="note-a-entwurf-error"><\/textarea><p class="field-error" id="note-a-entwurf-error">Bitte geben Sie einen Hinweis an/);
      expect((await show('a-entwurf')).state).toBe('pending');
    });

    it('refuses publishing by the editor and by another organization\'s admin, in words (403)', async () => {
      const editor = await post('/dashboard/approvals', as.editor, { op: 'publish', id: 'a-entwurf', access_level: 'public' });
      expect(editor.status).toBe(403);
      expect(editor.text).toContain('Diese Änderung ist Ihnen nicht erlaubt.');
      const outsider = await post('/dashboard/approvals', as.outsiderAdmin, { op: 'send_back', id: 'a-entwurf', note: 'nein' });
      expect(outsider.status).toBe(403);
      expect(outsider.text).toContain('<p class="error-summary" role="alert">Diese Änderung ist Ihnen nicht erlaubt.</p>');
      expect(outsider.text).not.toContain('Baustellen A');
      expect((await show('a-entwurf')).state).toBe('pending');
    });

    it('sends it back with a note the editor then reads on the dataset page', async () => {
      const res = await post('/dashboard/approvals', as.admin, { op: 'send_back', id: 'a-entwurf', note: 'Bitte die Lizenz ergänzen.' });
      expect(res.status).toBe(303);
      expect((await get(res.headers.location as string, as.admin)).text).toContain('„Baustellen A“ wurde mit Ihrem Hinweis zurückgegeben.');
      const page = await get('/dataset/a-entwurf', as.editor);
      expect(page.text).toMatch(/Zurückgegeben von amt-admin am \d{1,2}\. \p{L}+ \d{4}/u);
      expect(page.text).toContain('<blockquote>Bitte die Lizenz ergänzen.</blockquote>');
      expect(page.text).toContain('Zur Freigabe einreichen');
    });

    it('publishes it after resubmission with the chosen level: anonymous visitors then read and find it', async () => {
      expect((await post('/dataset/a-entwurf/submit', as.editor, {})).status).toBe(303);
      const res = await post('/dashboard/approvals', as.admin, { op: 'publish', id: 'a-entwurf', access_level: 'public' });
      expect(res.status).toBe(303);
      expect((await get(res.headers.location as string, as.admin)).text).toContain('„Baustellen A“ wurde veröffentlicht.');
      expect(await show('a-entwurf')).toMatchObject({ state: 'active', access_level: 'public' });
      await t.searchIndexed();
      const page = await get('/dataset/a-entwurf');
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('Entwurf');
      expect((await get('/dataset?q=Baustellen')).text).toContain('href="/dataset/a-entwurf"');
    });

    it('answers an unknown step with the 400 page', async () => {
      expect((await post('/dashboard/approvals', as.admin, { op: 'verbrennen', id: 'a-entwurf' })).status).toBe(400);
    });
  });

  describe('collaborators at CKAN\'s address', () => {
    it('lets the organization\'s admin add and remove a collaborator; the editor may not manage them (403)', async () => {
      expect((await get('/dataset/collaborators/a-geteilt', as.editor)).status).toBe(403);
      const empty = await get('/dataset/collaborators/a-geteilt', as.admin);
      expect(empty.status).toBe(200);
      expect(empty.text).toContain('Keine Mitarbeitenden.');
      const unknown = await post('/dataset/collaborators/a-geteilt/new', as.admin, { username: 'niemand', capacity: 'member' });
      expect(unknown.status).toBe(400);
      expect(unknown.text).toContain('Diesen Benutzer gibt es nicht.');
      const added = await post('/dataset/collaborators/a-geteilt/new', as.admin, { username: 'helfer-hans', capacity: 'editor' });
      expect(added.status).toBe(303);
      const list = await get('/dataset/collaborators/a-geteilt', as.admin);
      expect(list.text).toMatch(/<td><a href="\/user\/helfer-hans">helfer-hans<\/a><\/td><td>Redakteur<\/td>/);
      expect((await get('/dataset/a-geteilt/access', as.admin)).text).toContain('href="/dataset/collaborators/a-geteilt"');
      const removed = await post(`/dataset/collaborators/a-geteilt/delete/${u.helper.id}`, as.admin, {});
      expect(removed.status).toBe(303);
      expect((await get('/dataset/collaborators/a-geteilt', as.admin)).text).toContain('Keine Mitarbeitenden.');
    });
  });
});
