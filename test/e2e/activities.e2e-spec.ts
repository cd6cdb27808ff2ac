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
  let otherOrg: { id: string; name: string };

  beforeAll(async () => {
    t = await TestApp.start();
    [admin, editor, member, outsider] = await Promise.all([t.factories.user(), t.factories.user(), t.factories.user(), t.factories.user()]);
    org = await t.factories.organization({ title: 'Stadtwerke', members: [[admin, 'admin'], [editor, 'editor'], [member, 'member']] });
    otherOrg = await t.factories.organization({ members: [[outsider, 'admin']] });
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
});
