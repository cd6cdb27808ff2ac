import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/**
 * Putting a dataset into a group changes the dataset (metadata_modified, its groups, the dcat:theme it
 * is published with), so only someone who may edit the dataset may do it, whichever action they use.
 */
describe('who may put a dataset into a group', () => {
  let t: TestApp;
  let outsider: TestUser;
  let editor: TestUser;
  let foreign: { id: string; name: string; metadata_modified: string };

  beforeAll(async () => {
    t = await TestApp.start();
    [outsider, editor] = await Promise.all([t.factories.user(), t.factories.user()]);
    const org = await t.factories.organization({ members: [[editor, 'editor']] });
    foreign = (await t.factories.dataset({ owner_org: org.id })) as unknown as typeof foreign;
  });
  afterAll(() => t.stop());

  const post = (action: string, body: object, as: TestUser) => request(t.http).post(`/api/3/action/${action}`).set('Authorization', as.token).send(body);

  async function unchanged(): Promise<void> {
    const shown = await t.call<{ groups: unknown[]; metadata_modified: string }>('package_show', { id: foreign.id });
    expect(shown.groups).toEqual([]);
    expect(shown.metadata_modified).toBe(foreign.metadata_modified);
  }

  it('refuses group_create with another organization’s public dataset (403) and creates no group', async () => {
    const res = await post('group_create', { name: 'envi', packages: [{ name: foreign.name }] }, outsider);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ success: false, error: { __type: 'Authorization Error', message: `Access denied: User ${outsider.name} not authorized to edit package ${foreign.id}` } });
    expect(await t.call<string[]>('group_list')).not.toContain('envi');
    await unchanged();
  });

  it('refuses group_update and group_patch adding another organization’s dataset to the caller’s own group', async () => {
    const own = (await post('group_create', { name: 'eigene-gruppe' }, outsider)).body.result;
    for (const action of ['group_update', 'group_patch']) {
      const res = await post(action, { id: own.id, packages: [{ id: foreign.id }] }, outsider);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ __type: 'Authorization Error', message: `Access denied: User ${outsider.name} not authorized to edit package ${foreign.id}` });
    }
    await unchanged();
    expect((await t.call<{ package_count: number }>('group_show', { id: own.id })).package_count).toBe(0);
  });

  it('lets an editor of the dataset’s organization put it into their group and keeps it there on later edits by the group’s other admins', async () => {
    const res = await post('group_create', { name: 'tran', packages: [{ name: foreign.name }] }, editor);
    expect(res.status).toBe(200);
    expect(res.body.result.package_count).toBe(1);
    await t.call('group_member_create', { id: 'tran', username: outsider.name, role: 'admin' });
    // The outsider, now an admin of the group, may edit the group without re-adding datasets they could not add.
    const edit = await post('group_patch', { id: 'tran', title: 'Verkehr', packages: [{ name: foreign.name }] }, outsider);
    expect(edit.status).toBe(200);
    expect(edit.body.result.package_count).toBe(1);
    // ... and may take a dataset out of their group (CKAN: member_delete needs only the group right).
    const out = await post('group_patch', { id: 'tran', packages: [] }, outsider);
    expect(out.status).toBe(200);
    expect(out.body.result.package_count).toBe(0);
  });
});
