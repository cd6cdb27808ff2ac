import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The approval workflow (issue 14): in an organization with approval_required, editors submit and admins publish or send
 * back with a note. Every call goes through HTTP with the caller's token.
 */
describe('approval workflow', () => {
  let t: TestApp;
  const u = {} as Record<'admin' | 'editor' | 'member' | 'outsider' | 'collaborator' | 'shareEditor' | 'countyAdmin' | 'plainEditor' | 'otherAdmin', TestUser>;
  let county: Dict;
  let town: Dict;
  let partner: Dict;
  let plain: Dict;
  let other: Dict;

  const post = (action: string, body: object, as?: TestUser | null): request.Test => {
    const req = request(t.http).post(`/api/3/action/${action}`).send(body);
    return as ? req.set('Authorization', as.token) : req;
  };
  const ok = async <T = Dict>(as: TestUser | null, action: string, body: object): Promise<T> => {
    const res = await post(action, body, as);
    if (res.status !== 200) throw new Error(`${action} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.result as T;
  };
  const status = async (as: TestUser | null, action: string, body: object): Promise<number> => (await post(action, body, as)).status;
  let n = 0;
  const create = (as: TestUser, o: Dict = {}): Promise<Dict> => ok(as, 'package_create', { name: `antrag-${++n}`, title: 'Baumkataster', owner_org: town.id, ...o });
  const catalogTtl = async (): Promise<string> => (await request(t.http).get('/catalog.ttl?page=1').buffer(true)).text;
  const searchCount = async (as: TestUser | null, name: string, extra: Dict = {}): Promise<number> =>
    (await ok<{ count: number }>(as, 'package_search', { fq: `name:${name}`, ...extra })).count;

  beforeAll(async () => {
    t = await TestApp.start();
    for (const k of Object.keys({ admin: 0, editor: 0, member: 0, outsider: 0, collaborator: 0, shareEditor: 0, countyAdmin: 0, plainEditor: 0, otherAdmin: 0 }) as (keyof typeof u)[]) {
      u[k] = await t.factories.user();
    }
    county = await t.factories.organization({ title: 'Landkreis', members: [[u.countyAdmin, 'admin']] });
    town = await t.factories.organization({ title: 'Stadt', approval_required: true, groups: [{ name: county.name }], members: [[u.admin, 'admin'], [u.editor, 'editor'], [u.member, 'member']] });
    partner = await t.factories.organization({ title: 'Nachbarstadt', members: [[u.shareEditor, 'editor']] });
    plain = await t.factories.organization({ title: 'Dorf', members: [[u.plainEditor, 'editor']] });
    other = await t.factories.organization({ title: 'Andere', approval_required: true, members: [[u.otherAdmin, 'admin'], [u.outsider, 'editor']] });
  });
  afterAll(() => t.stop());

  describe('the organization setting approval_required', () => {
    it('is off unless set, and organization_show and organization_list (all_fields) show it', async () => {
      expect(plain.approval_required).toBe(false);
      expect(town.approval_required).toBe(true);
      expect((await ok(null, 'organization_show', { id: town.name })).approval_required).toBe(true);
      const list = await ok<Dict[]>(null, 'organization_list', { all_fields: true, organizations: [town.name, plain.name] });
      expect(Object.fromEntries(list.map((o) => [o.name, o.approval_required]))).toEqual({ [town.name]: true, [plain.name]: false });
    });

    it('is changed by the organization admin with organization_patch, not by an editor', async () => {
      const o = await t.factories.organization({ members: [[u.editor, 'editor'], [u.admin, 'admin']] });
      expect(await status(u.editor, 'organization_patch', { id: o.id, approval_required: true })).toBe(403);
      expect((await ok(u.admin, 'organization_patch', { id: o.id, approval_required: 'true' })).approval_required).toBe(true);
      // A patch of something else keeps it.
      expect((await ok(u.admin, 'organization_patch', { id: o.id, title: 'Neu' })).approval_required).toBe(true);
      expect((await ok(u.admin, 'organization_update', { id: o.id, approval_required: false })).approval_required).toBe(false);
    });

    it('answers junk with a Validation Error naming the field, never a 500', async () => {
      for (const junk of ['maybe', 2, { on: true }, ['true']]) {
        const res = await post('organization_create', { name: `junk-${++n}`, approval_required: junk }, t.sysadmin);
        expect(res.status).toBe(409);
        expect(res.body.error).toMatchObject({ __type: 'Validation Error', approval_required: ['Must be true or false'] });
      }
    });

    it('is no field of groups', async () => {
      const g = await ok(t.sysadmin, 'group_create', { name: `gruppe-${++n}`, approval_required: true });
      expect(g).not.toHaveProperty('approval_required');
    });
  });

  describe('an editor submits', () => {
    it("stores an editor's new dataset without a state as pending, with who submitted it", async () => {
      const d = await create(u.editor, { access_level: 'public' });
      expect(d).toMatchObject({ state: 'pending', access_level: 'public', private: false });
      expect(d.approval).toEqual({ status: 'pending', note: null, by: u.editor.name, at: expect.any(String), submitted_by: u.editor.name, submitted_at: d.approval.at });
    });

    it('keeps a pending dataset from anonymous callers, other organizations, package_search, package_list and the DCAT catalog', async () => {
      const d = await create(u.editor, { access_level: 'public' });
      await t.searchIndexed();
      expect(await status(null, 'package_show', { id: d.id })).toBe(403);
      expect(await status(u.outsider, 'package_show', { id: d.id })).toBe(403);
      expect(await status(u.shareEditor, 'package_show', { id: d.id })).toBe(403);
      expect(await searchCount(null, d.name, { include_drafts: true, include_private: true })).toBe(0);
      expect(await searchCount(u.outsider, d.name, { include_drafts: true, include_private: true })).toBe(0);
      expect(await ok<string[]>(null, 'package_list', {})).not.toContain(d.name);
      expect(await catalogTtl()).not.toContain(d.id);
    });

    it('lets members of the organization and collaborators read it, and find it with include_drafts as a draft', async () => {
      const d = await create(u.editor);
      const reader = await t.factories.user();
      await ok(u.admin, 'package_collaborator_create', { id: d.id, user_id: reader.id, capacity: 'member' });
      await t.searchIndexed();
      for (const who of [u.member, u.editor, u.admin, reader, u.countyAdmin]) {
        expect((await ok(who, 'package_show', { id: d.id })).approval.status).toBe('pending');
      }
      expect(await searchCount(u.member, d.name)).toBe(0);
      expect(await searchCount(u.member, d.name, { include_drafts: true })).toBe(1);
      expect(await searchCount(reader, d.name, { include_drafts: true })).toBe(1);
    });

    it('lets an editor save a draft and submit it with dataset_submit; submitting again changes nothing', async () => {
      const d = await create(u.editor, { state: 'draft' });
      expect(d).toMatchObject({ state: 'draft', approval: { status: 'draft', by: null } });
      const submitted = await ok(u.editor, 'dataset_submit', { id: d.name });
      expect(submitted).toMatchObject({ state: 'pending', approval: { status: 'pending', by: u.editor.name } });
      const again = await ok(u.editor, 'dataset_submit', { id: d.id });
      expect(again).toMatchObject({ state: 'pending', approval: { at: submitted.approval.at } });
      expect((await ok(u.editor, 'package_patch', { id: d.id, state: 'pending', notes: 'mehr' })).state).toBe('pending');
    });

    it('refuses to submit a published dataset (409) and lets neither members nor outsiders submit (403)', async () => {
      const published = await create(u.admin, { state: 'active' });
      const res = await post('dataset_submit', { id: published.id }, u.admin);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ __type: 'Validation Error', state: [expect.stringContaining('published already')] });
      const d = await create(u.editor, { state: 'draft' });
      expect(await status(u.member, 'dataset_submit', { id: d.id })).toBe(403);
      expect(await status(u.outsider, 'dataset_submit', { id: d.id })).toBe(403);
      expect(await status(null, 'dataset_submit', { id: d.id })).toBe(403);
    });
  });

  describe('an editor cannot publish', () => {
    const expectRefused = (res: request.Response, text: string): void => {
      expect(res.status).toBe(403);
      expect(res.body.error.__type).toBe('Authorization Error');
      expect(res.body.error.message).toContain(text);
    };

    it('refuses state active on package_create, package_update, package_patch and package_revise with a message that says what to do', async () => {
      expectRefused(await post('package_create', { name: `antrag-${++n}`, owner_org: town.id, state: 'active' }, u.editor), 'requires an approver');
      const d = await create(u.editor);
      const full = await ok(u.editor, 'package_show', { id: d.id });
      for (const [action, body] of [
        ['package_patch', { id: d.id, state: 'active' }],
        ['package_update', { ...full, state: 'active' }],
        ['package_revise', { match: { id: d.id }, update: { state: 'active' } }],
      ] as const) {
        const res = await post(action, body, u.editor);
        expectRefused(res, 'requires an approver');
        expect(res.body.error.message).toContain('state "pending"');
      }
      expect((await ok(u.admin, 'package_show', { id: d.id })).state).toBe('pending');
    });

    it('refuses an editor who moves a published dataset into an organization that requires approval', async () => {
      const mover = await t.factories.user();
      for (const o of [plain, town]) await t.call('organization_member_create', { id: o.id, username: mover.name, role: 'editor' });
      const d = await ok(mover, 'package_create', { name: `umzug-${++n}`, owner_org: plain.id });
      expectRefused(await post('package_patch', { id: d.id, owner_org: town.id }, mover), 'requires an approver');
      expect(await ok(mover, 'package_patch', { id: d.id, owner_org: town.id, state: 'pending' })).toMatchObject({ owner_org: town.id, state: 'pending' });
    });

    it('refuses dataset_publish and dataset_send_back to editors and members', async () => {
      const d = await create(u.editor);
      for (const who of [u.editor, u.member, u.outsider]) {
        expect(await status(who, 'dataset_publish', { id: d.id })).toBe(403);
        expect(await status(who, 'dataset_send_back', { id: d.id, note: 'nein' })).toBe(403);
      }
    });

    it('lets an editor edit a published dataset but not make it public', async () => {
      const d = await create(u.admin, { state: 'active', access_level: 'private' });
      expect((await ok(u.editor, 'package_patch', { id: d.id, title: 'Baumkataster 2025' })).title).toBe('Baumkataster 2025');
      expectRefused(await post('package_patch', { id: d.id, access_level: 'public' }, u.editor), 'only an admin can make a dataset public in an organization that requires approval');
      expectRefused(await post('package_patch', { id: d.id, private: false }, u.editor), 'only an admin can make a dataset public');
      // Other levels that are not public are the editors' to choose.
      expect((await ok(u.editor, 'package_patch', { id: d.id, access_level: 'internal' })).access_level).toBe('internal');
      expect((await ok(u.admin, 'package_show', { id: d.id })).private).toBe(true);
    });

    it('keeps a public access level on a pending dataset as written, and the dataset still unreadable for anonymous callers', async () => {
      const d = await create(u.editor, { access_level: 'internal' });
      const patched = await ok(u.editor, 'package_patch', { id: d.id, access_level: 'public' });
      expect(patched).toMatchObject({ state: 'pending', access_level: 'public', private: false });
      expect(await status(null, 'package_show', { id: d.id })).toBe(403);
    });

    it('counts an editor collaborator as an editor', async () => {
      const d = await create(u.admin, { state: 'draft' });
      await ok(u.admin, 'package_collaborator_create', { id: d.id, user_id: u.collaborator.id, capacity: 'editor' });
      expectRefused(await post('package_patch', { id: d.id, state: 'active' }, u.collaborator), 'requires an approver');
      expect(await status(u.collaborator, 'dataset_publish', { id: d.id })).toBe(403);
      expect(await ok(u.collaborator, 'dataset_submit', { id: d.id })).toMatchObject({ state: 'pending', approval: { by: u.collaborator.name } });
    });

    it('counts an editor through an edit share as an editor: edits the shared dataset, cannot make it public', async () => {
      const d = await create(u.admin, { state: 'active', access_level: 'shared' });
      await ok(u.admin, 'dataset_share_create', { id: d.id, organization_id: partner.id, capacity: 'edit' });
      expect((await ok(u.shareEditor, 'package_patch', { id: d.id, notes: 'ergänzt' })).notes).toBe('ergänzt');
      expect(await status(u.shareEditor, 'package_patch', { id: d.id, access_level: 'public' })).toBe(403);
      expect(await status(u.shareEditor, 'dataset_publish', { id: d.id })).toBe(403);
      expect((await ok(u.admin, 'package_show', { id: d.id })).access_level).toBe('shared');
    });
  });

  describe('an admin publishes or sends back', () => {
    it('publishes a pending dataset: it becomes public, searchable and part of the DCAT catalog', async () => {
      const d = await create(u.editor, { access_level: 'public' });
      const published = await ok(u.admin, 'dataset_publish', { id: d.name });
      expect(published).toMatchObject({ state: 'active', private: false, approval: { status: 'published', by: u.admin.name, note: null, submitted_by: u.editor.name } });
      await t.searchIndexed();
      expect((await ok(null, 'package_show', { id: d.id })).state).toBe('active');
      expect(await searchCount(null, d.name)).toBe(1);
      expect(await ok<string[]>(null, 'package_list', {})).toContain(d.name);
      expect(await catalogTtl()).toContain(`/dataset/${d.id}>`);
    });

    it('sets the access level in the same step when asked', async () => {
      const d = await create(u.editor, { access_level: 'private' });
      expect(await ok(u.admin, 'dataset_publish', { id: d.id, access_level: 'public' })).toMatchObject({ state: 'active', access_level: 'public', private: false });
      const e = await create(u.editor, { access_level: 'public' });
      expect(await ok(u.admin, 'dataset_publish', { id: e.id, access_level: 'internal' })).toMatchObject({ state: 'active', access_level: 'internal', private: true });
      expect(await status(null, 'package_show', { id: e.id })).toBe(403);
    });

    it('lets an admin create and publish directly, as in CKAN, and write back what package_show answered', async () => {
      const d = await create(u.admin);
      expect(d.state).toBe('active');
      const shown = await ok(u.admin, 'package_show', { id: d.id });
      expect(shown.approval.status).toBe('published');
      expect(await ok(u.admin, 'package_update', { ...shown, notes: 'zurückgeschrieben' })).toMatchObject({ notes: 'zurückgeschrieben', extras: [] });
    });

    it('needs the write scope for the steps and the read scope for the list', async () => {
      const { token } = await t.call<{ token: string }>('api_token_create', { user: u.admin.name, name: 'nur-lesen', scopes: ['read'] });
      const d = await create(u.editor);
      const res = await request(t.http).post('/api/3/action/dataset_publish').set('Authorization', token).send({ id: d.id });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('lacks the scope "write"');
      expect((await request(t.http).post('/api/3/action/dataset_approval_list').set('Authorization', token).send({})).status).toBe(200);
    });

    it('sends a dataset back with a note the steward sees in package_show until it is published', async () => {
      const d = await create(u.editor);
      const back = await ok(u.admin, 'dataset_send_back', { id: d.id, note: '  Bitte Lizenz ergänzen.  ' });
      expect(back).toMatchObject({ state: 'draft', approval: { status: 'sent_back', note: 'Bitte Lizenz ergänzen.', by: u.admin.name, at: expect.any(String) } });
      for (const who of [u.editor, u.member]) {
        expect((await ok(who, 'package_show', { id: d.id })).approval).toMatchObject({ status: 'sent_back', note: 'Bitte Lizenz ergänzen.', by: u.admin.name });
      }
      // Editing the draft keeps the note; submitting again shows it to the approver; publishing clears it.
      expect((await ok(u.editor, 'package_patch', { id: d.id, license_id: 'dl-de-by-2.0' })).approval).toMatchObject({ status: 'sent_back', note: 'Bitte Lizenz ergänzen.' });
      expect((await ok(u.editor, 'dataset_submit', { id: d.id })).approval).toMatchObject({ status: 'pending', note: 'Bitte Lizenz ergänzen.', by: u.editor.name });
      expect((await ok(u.admin, 'dataset_publish', { id: d.id })).approval).toMatchObject({ status: 'published', note: null });
    });

    it('answers bad send-backs and publishes with field errors (409), never a 500', async () => {
      const d = await create(u.editor);
      const cases: [string, Dict, Dict][] = [
        ['dataset_send_back', { id: d.id }, { note: ['Missing value'] }],
        ['dataset_send_back', { id: d.id, note: '   ' }, { note: ['Missing value'] }],
        ['dataset_send_back', { id: d.id, note: 'x'.repeat(2001) }, { note: ['Must be a maximum of 2000 characters long'] }],
        ['dataset_send_back', { id: d.id, note: { text: 'nein' } }, { note: [expect.any(String)] }],
        ['dataset_send_back', {}, { id: ['Missing value'] }],
        ['dataset_publish', { id: d.id, access_level: 'offen' }, { access_level: [expect.stringContaining('Value must be one of')] }],
        ['dataset_publish', { id: ['a'] }, { id: [expect.any(String)] }],
        ['dataset_submit', {}, { id: ['Missing value'] }],
        ['dataset_approval_list', { limit: 'viele' }, { limit: ['Invalid integer'] }],
        ['dataset_approval_list', { offset: -1 }, { offset: ['Must be a natural number'] }],
        ['package_create', { name: `antrag-${++n}`, owner_org: town.id, state: 'eingereicht' }, { state: [expect.stringContaining('Value must be one of')] }],
      ];
      for (const [action, body, fields] of cases) {
        const res = await post(action, body, u.admin);
        expect({ action, status: res.status }).toEqual({ action, status: 409 });
        expect(res.body.error).toMatchObject({ __type: 'Validation Error', ...fields });
      }
      const draft = await create(u.editor, { state: 'draft' });
      const res = await post('dataset_send_back', { id: draft.id, note: 'nein' }, u.admin);
      expect(res.status).toBe(409);
      expect(res.body.error.state).toEqual([expect.stringContaining('Only a dataset pending approval can be sent back')]);
      const published = await create(u.admin);
      expect((await post('dataset_publish', { id: published.id }, u.admin)).body.error).toMatchObject({ __type: 'Validation Error', state: ['The dataset is published already'] });
      expect(await status(u.admin, 'dataset_publish', { id: 'gibt-es-nicht' })).toBe(404);
    });

    it('lets an admin of the parent organization publish a dataset of the child organization', async () => {
      const d = await create(u.editor);
      expect(await ok(u.countyAdmin, 'dataset_publish', { id: d.id })).toMatchObject({ state: 'active', approval: { by: u.countyAdmin.name } });
      const e = await create(u.editor);
      expect(await ok(u.countyAdmin, 'dataset_send_back', { id: e.id, note: 'Kreis: bitte prüfen' })).toMatchObject({ state: 'draft' });
    });

    it('does not let the admin of another organization approve', async () => {
      const d = await create(u.editor);
      expect(await status(u.otherAdmin, 'dataset_publish', { id: d.id })).toBe(403);
    });
  });

  describe('dataset_approval_list', () => {
    it('shows each caller only the pending datasets they may approve, the longest waiting first', async () => {
      const first = await create(u.editor);
      const second = await create(u.editor);
      const elsewhere = await ok(u.outsider, 'package_create', { name: `antrag-${++n}`, owner_org: other.id });
      expect(elsewhere.state).toBe('pending');
      const names = (r: { results: Dict[] }): string[] => r.results.map((d) => d.name);

      const mine = await ok<{ count: number; results: Dict[] }>(u.admin, 'dataset_approval_list', {});
      expect(names(mine)).toEqual(expect.arrayContaining([first.name, second.name]));
      expect(names(mine)).not.toContain(elsewhere.name);
      expect(names(mine).indexOf(first.name)).toBeLessThan(names(mine).indexOf(second.name));
      expect(mine.results.every((d) => d.state === 'pending' && d.approval.status === 'pending')).toBe(true);
      expect(mine.count).toBe(mine.results.length);

      expect(names(await ok(u.countyAdmin, 'dataset_approval_list', { organization: town.name }))).toContain(first.name);
      expect(names(await ok(u.otherAdmin, 'dataset_approval_list', {}))).toEqual([elsewhere.name]);
      const all = await ok<{ count: number; results: Dict[] }>(t.sysadmin, 'dataset_approval_list', { limit: 1000 });
      expect(names(all)).toEqual(expect.arrayContaining([first.name, elsewhere.name]));
      expect(await ok(u.editor, 'dataset_approval_list', {})).toEqual({ count: 0, results: [] });
      const page = await ok<{ count: number; results: Dict[] }>(u.admin, 'dataset_approval_list', { limit: 1, offset: 1 });
      expect(page).toMatchObject({ count: mine.count, results: [{ name: mine.results[1].name }] });
    });

    it('refuses an organization the caller does not approve (403), an unknown one (404) and anonymous callers (403)', async () => {
      expect(await status(u.editor, 'dataset_approval_list', { organization: town.name })).toBe(403);
      expect(await status(u.admin, 'dataset_approval_list', { organization: other.name })).toBe(403);
      expect(await status(u.admin, 'dataset_approval_list', { organization: 'gibt-es-nicht' })).toBe(404);
      expect(await status(null, 'dataset_approval_list', {})).toBe(403);
    });
  });

  describe('the audit trail', () => {
    it('records each step as a package activity holding the state and the approval', async () => {
      const d = await create(u.editor);
      await ok(u.admin, 'dataset_send_back', { id: d.id, note: 'Titel fehlt' });
      await ok(u.editor, 'dataset_submit', { id: d.id });
      await ok(u.admin, 'dataset_publish', { id: d.id });
      const acts = await ok<Dict[]>(u.admin, 'package_activity_list', { id: d.id });
      expect(acts.map((a) => [a.activity_type, a.user_id, a.data.package.state, a.data.package.approval.status])).toEqual([
        ['changed package', u.admin.id, 'active', 'published'],
        ['changed package', u.editor.id, 'pending', 'pending'],
        ['changed package', u.admin.id, 'draft', 'sent_back'],
        ['new package', u.editor.id, 'pending', 'pending'],
      ]);
      expect(acts[2].data.package.approval.note).toBe('Titel fehlt');
      const writes = await t.db.dataSource.query(`SELECT action, object_type FROM audit_write WHERE object_id = $1 AND outermost ORDER BY seq`, [d.id]);
      expect(writes.map((w: { action: string; object_type: string }) => [w.action, w.object_type])).toEqual([
        ['package_create', 'package'], ['dataset_send_back', 'dataset'], ['dataset_submit', 'dataset'], ['dataset_publish', 'dataset'],
      ]);
    });
  });

  describe('switching approval on and off', () => {
    it('leaves CKAN behaviour unchanged while it is off: an editor creates active public datasets without an approval field', async () => {
      const d = await ok(u.plainEditor, 'package_create', { name: `dorf-${++n}`, owner_org: plain.id });
      expect(d).toMatchObject({ state: 'active', private: false, access_level: 'public' });
      expect(d).not.toHaveProperty('approval');
      expect((await ok(null, 'package_show', { id: d.id })).state).toBe('active');
      expect((await ok(u.plainEditor, 'package_patch', { id: d.id, state: 'draft' })).state).toBe('draft');
      expect((await ok(u.plainEditor, 'package_patch', { id: d.id, state: 'active' })).state).toBe('active');
    });

    it('unpublishes nothing when switched on, and keeps pending datasets pending when switched off', async () => {
      const o = await t.factories.organization({ members: [[u.admin, 'admin'], [u.editor, 'editor']] });
      const live = await ok(u.editor, 'package_create', { name: `live-${++n}`, owner_org: o.id });
      await ok(u.admin, 'organization_patch', { id: o.id, approval_required: true });
      expect(await ok(null, 'package_show', { id: live.id })).toMatchObject({ state: 'active', approval: { status: 'published', by: null } });
      const waiting = await ok(u.editor, 'package_create', { name: `warte-${++n}`, owner_org: o.id });
      expect(waiting.state).toBe('pending');
      await ok(u.admin, 'organization_patch', { id: o.id, approval_required: false });
      expect(await ok(u.editor, 'package_show', { id: waiting.id })).toMatchObject({ state: 'pending', approval: { status: 'pending' } });
      // Without the requirement, the editor may publish it as CKAN lets editors do.
      expect((await ok(u.editor, 'package_patch', { id: waiting.id, state: 'active' })).state).toBe('active');
    });
  });
});
