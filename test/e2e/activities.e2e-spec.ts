import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;
type Activity = { id: string; timestamp: string; user_id: string | null; object_id: string; activity_type: string; data: { package: Dict; group: Dict; user: Dict; actor: string | null } };

/**
 * The audit trail and CKAN's activity actions (ckanext-activity): what a write records, the shapes and params of the
 * lists, activity_show/_data_show/_diff, and that an activity of a dataset never reaches someone who may not read it.
 */
describe('activities', () => {
  let t: TestApp;
  let admin: TestUser;
  let editor: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  let org: { id: string; name: string };

  beforeAll(async () => {
    t = await TestApp.start();
    [admin, editor, member, outsider] = await Promise.all([t.factories.user(), t.factories.user(), t.factories.user(), t.factories.user()]);
    org = await t.factories.organization({ title: 'Stadtwerke', members: [[admin, 'admin'], [editor, 'editor'], [member, 'member']] });
    await t.factories.organization({ members: [[outsider, 'admin']] });
  });
  afterAll(() => t.stop());

  const post = (action: string, body: object, as?: TestUser) => {
    const req = request(t.http).post(`/api/3/action/${action}`);
    return (as ? req.set('Authorization', as.token) : req).send(body);
  };
  const get = (action: string, query: Record<string, string | number>, as?: TestUser) => {
    const req = request(t.http).get(`/api/3/action/${action}`).query(query);
    return as ? req.set('Authorization', as.token) : req;
  };
  const types = (list: Activity[]): string[] => list.map((a) => a.activity_type);
  const list = async (action: string, query: Record<string, string | number>, as?: TestUser): Promise<Activity[]> => {
    const res = await get(action, query, as);
    expect(res.status).toBe(200);
    return res.body.result as Activity[];
  };

  describe('a dataset’s life', () => {
    let ds: { id: string; name: string };

    beforeAll(async () => {
      ds = (await post('package_create', { name: 'baumkataster', title: 'Baumkataster', owner_org: org.id }, editor)).body.result;
      await post('package_patch', { id: ds.id, title: 'Baumkataster 2024' }, editor);
      await post('package_delete', { id: ds.id }, admin);
    });

    it('records new, changed and deleted package, newest first, in CKAN’s activity shape', async () => {
      const acts = await list('package_activity_list', { id: ds.name }, admin);
      expect(types(acts)).toEqual(['deleted package', 'changed package', 'new package']);
      const created = acts[2];
      expect(Object.keys(created).sort()).toEqual(['activity_type', 'data', 'id', 'object_id', 'timestamp', 'user_id']);
      expect(created).toMatchObject({ user_id: editor.id, object_id: ds.id });
      expect(created.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/);
      expect(created.data.package).toMatchObject({ id: ds.id, name: 'baumkataster', title: 'Baumkataster' });
      expect(created.data.actor).toBe(editor.name);
      expect(acts[1].data.package.title).toBe('Baumkataster 2024');
      expect(acts[0]).toMatchObject({ user_id: admin.id, data: { package: { state: 'deleted' } } });
    });

    it('shows one activity and its data', async () => {
      const [, changed] = await list('package_activity_list', { id: ds.id }, admin);
      const shown = await get('activity_show', { id: changed.id }, admin);
      expect(shown.body.result).toEqual(changed);
      const data = await get('activity_data_show', { id: changed.id }, admin);
      expect(data.body.result.package.title).toBe('Baumkataster 2024');
      const pkg = await get('activity_data_show', { id: changed.id, object_type: 'package' }, admin);
      expect(pkg.body.result.title).toBe('Baumkataster 2024');
      const none = await get('activity_data_show', { id: changed.id, object_type: 'group' }, admin);
      expect(none.status).toBe(404);
    });

    it('diffs an activity against the previous one, unified, context and html', async () => {
      const [, changed, created] = await list('package_activity_list', { id: ds.id }, admin);
      const res = await get('activity_diff', { id: changed.id, object_type: 'package' }, admin);
      expect(res.status).toBe(200);
      expect(res.body.result.activities.map((a: Activity) => a.id)).toEqual([created.id, changed.id]);
      expect(res.body.result.diff).toContain('-  "title": "Baumkataster",');
      expect(res.body.result.diff).toContain('+  "title": "Baumkataster 2024",');
      const context = await get('activity_diff', { id: changed.id, object_type: 'package', diff_type: 'context' }, admin);
      expect(context.body.result.diff).toContain('!   "title": "Baumkataster 2024",');
      const html = await get('activity_diff', { id: changed.id, object_type: 'package', diff_type: 'html' }, admin);
      expect(html.body.result.diff).toMatch(/^<table class="diff"/);
      const bad = await get('activity_diff', { id: changed.id, object_type: 'package', diff_type: 'word' }, admin);
      expect(bad.status).toBe(409);
      expect(bad.body.error).toMatchObject({ message: 'diff_type not recognized' });
      const first = await get('activity_diff', { id: created.id, object_type: 'package' }, admin);
      expect(first.status).toBe(404);
    });
  });

  it('makes no activity for an update that changes nothing, and none for a refused write', async () => {
    const ds = (await post('package_create', { name: 'pegel', owner_org: org.id }, editor)).body.result;
    const before = await list('package_activity_list', { id: ds.id }, admin);
    await post('package_patch', { id: ds.id }, editor);
    const taken = await post('package_create', { name: 'pegel', owner_org: org.id }, editor);
    expect(taken.status).toBe(409);
    const refused = await post('package_patch', { id: ds.id, title: 'x' }, outsider);
    expect(refused.status).toBe(403);
    expect(await list('package_activity_list', { id: ds.id }, admin)).toEqual(before);
    const writes = await t.db.dataSource.query(`SELECT action FROM audit_write WHERE user_id = $1 AND input->>'name' = 'pegel' ORDER BY seq`, [editor.id]);
    expect(writes.map((w: { action: string }) => w.action)).toEqual(['package_create']);
  });

  describe('a private dataset', () => {
    let secret: { id: string; name: string };
    let group: { id: string; name: string };
    let secretActivities: Activity[];

    beforeAll(async () => {
      group = await t.factories.group({ title: 'Umwelt' });
      secret = (await post('package_create', { name: 'interne-messungen', title: 'Interne Messungen', owner_org: org.id, private: true }, editor)).body.result;
      await post('package_patch', { id: secret.id, notes: 'nur intern' }, editor);
      await post('member_create', { id: group.id, object: secret.id, object_type: 'package', capacity: 'public' }, t.sysadmin);
      secretActivities = await list('package_activity_list', { id: secret.id }, t.sysadmin);
    });

    const everyList = async (as?: TestUser): Promise<Activity[]> => [
      ...(await list('organization_activity_list', { id: org.id }, as)),
      ...(await list('group_activity_list', { id: group.id }, as)),
      ...(await list('user_activity_list', { id: editor.id }, as)),
      ...(await list('recently_changed_packages_activity_list', {}, as)),
    ];

    it('has its activities, seen by the members of its organization', async () => {
      expect(types(secretActivities)).toEqual(['changed package', 'new package']);
      expect(types(await list('package_activity_list', { id: secret.name }, member))).toEqual(['changed package', 'new package']);
      const seen = (await everyList(member)).filter((a) => a.object_id === secret.id);
      expect(seen.length).toBe(8);
      expect((await get('activity_show', { id: secretActivities[0].id }, member)).status).toBe(200);
    });

    it('keeps them from anonymous callers and other organizations in every list and every show', async () => {
      for (const as of [undefined, outsider]) {
        expect((await get('package_activity_list', { id: secret.id }, as)).status).toBe(403);
        const leaked = (await everyList(as)).filter((a) => a.object_id === secret.id || JSON.stringify(a.data).includes('nur intern'));
        expect(leaked).toEqual([]);
        for (const a of secretActivities) {
          for (const action of ['activity_show', 'activity_data_show']) expect((await get(action, { id: a.id }, as)).status).toBe(403);
          expect((await get('activity_diff', { id: a.id, object_type: 'package' }, as)).status).toBe(403);
        }
      }
    });

    it('gives its data and diffs only to those who may edit it, as CKAN does', async () => {
      expect((await get('activity_data_show', { id: secretActivities[0].id }, member)).status).toBe(403);
      expect((await get('activity_data_show', { id: secretActivities[0].id }, editor)).status).toBe(200);
      const diff = await get('activity_diff', { id: secretActivities[0].id, object_type: 'package' }, editor);
      expect(diff.body.result.diff).toContain('+  "notes": "nur intern"');
    });

    it('never names a private related dataset in a public dataset\'s activities', async () => {
      const open = await t.factories.dataset({ owner_org: org.id, private: false });
      const hidden = await t.factories.dataset({ owner_org: org.id, private: true, name: 'geheimes-verwandtes' });
      expect((await post('package_relationship_create', { subject: open.id, object: hidden.id, type: 'links_to' }, editor)).status).toBe(200);
      expect((await post('package_patch', { id: open.id, notes: 'mit Verweis' }, editor)).status).toBe(200);
      const res = await get('package_activity_list', { id: open.id });
      expect(res.status).toBe(200);
      expect(res.body.result.length).toBeGreaterThan(0);
      expect(JSON.stringify(res.body.result)).not.toContain(hidden.id);
      expect(JSON.stringify(res.body.result)).not.toContain('geheimes-verwandtes');
    });

    it('once made public, shows what happened since, but not what it held while private', async () => {
      const ds = (await post('package_create', { name: 'bald-offen', owner_org: org.id, private: true, notes: 'Entwurf' }, editor)).body.result;
      await post('package_patch', { id: ds.id, private: false, notes: 'veröffentlicht' }, editor);
      const anon = await list('package_activity_list', { id: ds.id });
      expect(types(anon)).toEqual(['changed package']);
      expect(JSON.stringify(anon)).not.toContain('Entwurf');
      expect(types(await list('package_activity_list', { id: ds.id }, member))).toEqual(['changed package', 'new package']);
      expect((await get('activity_diff', { id: anon[0].id, object_type: 'package' }, editor)).status).toBe(200);
      expect((await get('activity_show', { id: anon[0].id })).status).toBe(200);
    });

    it('is gone from the lists of those who could read it once they leave the organization', async () => {
      const leaver = await t.factories.user();
      await t.call('organization_member_create', { id: org.id, username: leaver.name, role: 'member' });
      expect((await list('organization_activity_list', { id: org.id }, leaver)).some((a) => a.object_id === secret.id)).toBe(true);
      await t.call('organization_member_delete', { id: org.id, username: leaver.name });
      expect((await list('organization_activity_list', { id: org.id }, leaver)).some((a) => a.object_id === secret.id)).toBe(false);
    });
  });

  describe('lists of organizations, groups and users', () => {
    it('records new and changed organization and group with their dict, and lists them', async () => {
      const o = await t.factories.organization({ title: 'Landkreis' });
      await t.call('organization_patch', { id: o.id, title: 'Landkreis Nord' });
      const acts = await list('organization_activity_list', { id: o.name });
      expect(types(acts)).toEqual(['changed organization', 'new organization']);
      expect(acts[0]).toMatchObject({ object_id: o.id, user_id: t.sysadmin.id, data: { group: { id: o.id, title: 'Landkreis Nord' } } });
      // Nothing that depends on who looks (counts of private datasets, members) is in the snapshot.
      for (const key of ['package_count', 'packages', 'users', 'num_followers']) expect(acts[0].data.group).not.toHaveProperty(key);
      const g = await t.factories.group({ title: 'Verkehr' });
      await t.call('group_delete', { id: g.name });
      const gActs = await list('group_activity_list', { id: g.id }, t.sysadmin);
      expect(types(gActs)).toEqual(['deleted group', 'new group']);
    });

    it('lists what a user did and what was done to them', async () => {
      const u = await t.factories.user();
      const o = await t.factories.organization({ members: [[u, 'editor']] });
      await post('package_create', { name: 'radwege', owner_org: o.id }, u);
      await post('user_patch', { id: u.id, fullname: 'Uta Umwelt' }, u);
      const acts = await list('user_activity_list', { id: u.name });
      expect(types(acts)).toEqual(['changed user', 'new package', 'new user']);
      expect(acts[0].data.user).toMatchObject({ id: u.id, fullname: 'Uta Umwelt' });
      for (const key of ['email', 'number_created_packages', 'last_active']) expect(acts[0].data.user).not.toHaveProperty(key);
      expect(acts[2]).toMatchObject({ user_id: u.id, object_id: u.id });
    });

    it('lists the site’s recently changed datasets only', async () => {
      const acts = await list('recently_changed_packages_activity_list', { limit: 5 }, t.sysadmin);
      expect(acts.length).toBe(5);
      expect(acts.every((a) => a.activity_type.endsWith(' package'))).toBe(true);
    });
  });

  describe('list params', () => {
    let ds: { id: string; name: string };
    let all: Activity[];

    beforeAll(async () => {
      ds = (await post('package_create', { name: 'luftmessnetz', owner_org: org.id }, editor)).body.result;
      for (const title of ['eins', 'zwei', 'drei', 'vier']) await post('package_patch', { id: ds.id, title }, editor);
      all = await list('package_activity_list', { id: ds.id });
    });

    it('pages with offset and limit', async () => {
      expect(all.length).toBe(5);
      expect(await list('package_activity_list', { id: ds.id, limit: 2 })).toEqual(all.slice(0, 2));
      expect(await list('package_activity_list', { id: ds.id, limit: 2, offset: 2 })).toEqual(all.slice(2, 4));
    });

    it('refuses a limit or offset that is not a natural number', async () => {
      for (const action of ['package_activity_list', 'organization_activity_list', 'group_activity_list', 'user_activity_list', 'recently_changed_packages_activity_list']) {
        const bad = await get(action, { id: ds.id, limit: 'not_an_int', offset: -1 });
        expect(bad.status).toBe(409);
        expect(bad.body.error).toMatchObject({ __type: 'Validation Error', limit: ['Invalid integer'], offset: ['Must be a natural number'] });
      }
    });

    it('filters by activity type, and refuses include and exclude together', async () => {
      expect(types(await list('package_activity_list', { id: ds.id, activity_types: 'new package' }))).toEqual(['new package']);
      expect(types(await post('package_activity_list', { id: ds.id, exclude_activity_types: ['changed package'] }).then((r) => r.body.result))).toEqual(['new package']);
      const both = await post('package_activity_list', { id: ds.id, activity_types: ['new package'], exclude_activity_types: ['changed package'] });
      expect(both.status).toBe(409);
      expect(both.body.error.activity_types).toEqual(['Cannot be used together with `exclude_activity_types']);
    });

    it('takes after and before as seconds since the epoch; with only after, the oldest ones after it', async () => {
      // Between two activities, so the millisecond precision of a JavaScript date does not matter.
      const between = (a: Activity, b: Activity): number => (Date.parse(`${a.timestamp}Z`) + Date.parse(`${b.timestamp}Z`)) / 2000;
      const after = await list('package_activity_list', { id: ds.id, after: between(all[4], all[3]), limit: 2 });
      expect(after).toEqual(all.slice(2, 4));
      const before = await list('package_activity_list', { id: ds.id, before: between(all[0], all[1]) });
      expect(before).toEqual(all.slice(1));
      expect((await get('package_activity_list', { id: ds.id, after: 'gestern' })).body.error).toMatchObject({ after: ['Must be a float timestamp'] });
    });

    it('hides the site’s own writes unless a sysadmin asks for them', async () => {
      await t.dispatcher.context(null, { ignoreAuth: true }).call('package_patch', { id: ds.id, title: 'vom System' });
      expect(await list('package_activity_list', { id: ds.id, include_hidden_activity: 'true' }, editor)).toEqual(all);
      const withHidden = await list('package_activity_list', { id: ds.id, include_hidden_activity: 'true' }, t.sysadmin);
      expect(withHidden.length).toBe(6);
      expect(withHidden[0]).toMatchObject({ user_id: null, data: { package: { title: 'vom System' }, actor: null } });
    });

    it('answers 404 for an unknown dataset or activity', async () => {
      expect((await get('package_activity_list', { id: 'gibt-es-nicht' })).status).toBe(404);
      expect((await get('activity_show', { id: 'gibt-es-nicht' })).status).toBe(404);
      expect((await get('activity_show', { id: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    });
  });

  describe('the audit trail', () => {
    it('is append-only: changing or removing a record is refused by the database', async () => {
      const sql = t.db.dataSource;
      await expect(sql.query(`UPDATE activity SET activity_type = 'forged'`)).rejects.toThrow(/append-only/);
      await expect(sql.query(`DELETE FROM activity`)).rejects.toThrow(/append-only/);
      await expect(sql.query(`UPDATE audit_write SET user_id = NULL`)).rejects.toThrow(/append-only/);
      await expect(sql.query(`DELETE FROM audit_write`)).rejects.toThrow(/append-only/);
      await expect(sql.query(`TRUNCATE activity, audit_write`)).rejects.toThrow(/append-only/);
    });

    it('records each write action once, with its caller, object and a summary of its input without secrets', async () => {
      const seq = async (): Promise<number> => (await t.db.dataSource.query(`SELECT coalesce(max(seq), 0)::int AS n FROM audit_write`))[0].n;
      const writesSince = async (n: number) => t.db.dataSource.query(
        `SELECT action, outermost, user_id, object_id, input FROM audit_write WHERE seq > $1 ORDER BY seq`, [n],
      ) as Promise<{ action: string; outermost: boolean; user_id: string | null; object_id: string | null; input: Dict }[]>;
      const ds = (await post('package_create', { name: 'gewaesser', owner_org: org.id }, editor)).body.result;
      const cases: [string, () => Promise<unknown>][] = [
        ['package_update', () => post('package_update', { id: ds.id, name: 'gewaesser', owner_org: org.id, title: 'Gewässer' }, editor)],
        ['resource_create', () => post('resource_create', { package_id: ds.id, url: 'https://example.org/a.csv', name: 'a' }, editor)],
        ['package_revise', () => post('package_revise', { match: { id: ds.id }, update: { notes: 'n' } }, editor)],
        ['follow_dataset', () => post('follow_dataset', { id: ds.id }, member)],
        ['api_token_create', () => post('api_token_create', { user: member.name, name: 'cli' }, member)],
        ['user_update', () => post('user_update', { id: member.id, email: `${member.name}@example.org`, password: 'geheim-geheim-1', old_password: 'correct horse battery' }, member)],
        ['datastore_create', () => post('datastore_create', { resource: { package_id: ds.id }, fields: [{ id: 'n', type: 'int' }], records: [{ n: 1 }, { n: 2 }] }, editor)],
        ['bulk_update_private', () => post('bulk_update_private', { org_id: org.id, datasets: [ds.id] }, admin)],
        ['vocabulary_create', () => t.call('vocabulary_create', { name: 'farben' })],
        ['group_create', () => t.call('group_create', { name: 'wasser' })],
      ];
      for (const [action, run] of cases) {
        const n = await seq();
        const res = (await run()) as { status?: number };
        if (res.status !== undefined) expect({ action, status: res.status }).toEqual({ action, status: 200 });
        const rows = (await writesSince(n)).filter((w) => w.outermost);
        expect(rows.map((r) => r.action)).toEqual([action]);
      }
      const [update] = await t.db.dataSource.query(`SELECT * FROM audit_write WHERE action = 'user_update' AND user_id = $1`, [member.id]);
      expect(update).toMatchObject({ object_type: 'user', object_id: member.id, input: { password: '[redacted]', old_password: '[redacted]' } });
      expect(JSON.stringify(update.input)).not.toContain('geheim');
      const [store] = await t.db.dataSource.query(`SELECT input FROM audit_write WHERE action = 'datastore_create' ORDER BY seq DESC LIMIT 1`);
      expect(store.input.records).toEqual({ '[rows]': 2 });
      const bulk = await list('package_activity_list', { id: ds.id }, admin);
      expect(bulk[0]).toMatchObject({ activity_type: 'changed package', user_id: admin.id, data: { package: { private: true } } });
    });
  });
});
