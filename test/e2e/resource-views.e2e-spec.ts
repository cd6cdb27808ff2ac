import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

/** resource_view_create/show/update/delete/list/reorder/clear, as CKAN 2.11's logic and auth layers. */
describe('resource views', () => {
  let t: TestApp;
  let admin: TestUser;
  let editor: TestUser;
  let member: TestUser;
  let otherAdmin: TestUser;
  let resourceId: string;
  let hiddenResourceId: string;

  beforeAll(async () => {
    t = await TestApp.start();
    [admin, editor, member, otherAdmin] = await Promise.all([t.factories.user(), t.factories.user(), t.factories.user(), t.factories.user()]);
    const org = await t.factories.organization({ members: [[admin, 'admin'], [editor, 'editor'], [member, 'member']] });
    await t.factories.organization({ members: [[otherAdmin, 'admin']] });
    const open = await t.factories.dataset({ owner_org: org.id, resources: [{ url: 'http://a.example/karte.png', name: 'Karte' }] });
    const hidden = await t.factories.dataset({ owner_org: org.id, private: true, resources: [{ url: 'http://a.example/intern.csv' }] });
    resourceId = open.resources[0].id as string;
    hiddenResourceId = hidden.resources[0].id as string;
  });
  afterAll(() => t.stop());

  const post = (action: string, body: object, as?: TestUser) => {
    const req = request(t.http).post(`/api/3/action/${action}`);
    return (as ? req.set('Authorization', as.token) : req).send(body);
  };
  const get = (action: string, query: string, as?: TestUser) => {
    const req = request(t.http).get(`/api/3/action/${action}?${query}`);
    return as ? req.set('Authorization', as.token) : req;
  };
  const create = async (body: Dict, as: TestUser = editor): Promise<Dict> => {
    const res = await post('resource_view_create', { resource_id: resourceId, title: 'Ansicht', view_type: 'image_view', ...body }, as);
    expect(res.status).toBe(200);
    return res.body.result as Dict;
  };

  it('creates a view with its type’s settings at the top level of CKAN’s view dict', async () => {
    const res = await post('resource_view_create', { resource_id: resourceId, title: 'Bild', description: 'Die Karte', view_type: 'image_view', image_url: 'http://a.example/karte.png' }, editor);
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), resource_id: resourceId, package_id: expect.any(String), title: 'Bild', description: 'Die Karte',
      view_type: 'image_view', image_url: 'http://a.example/karte.png',
    });
    const shown = await get('resource_view_show', `id=${res.body.result.id}`);
    expect(shown.body.result).toEqual(res.body.result);
  });

  it('refuses a missing title, an unknown view type and keys the view type does not know, in CKAN’s envelope', async () => {
    const missing = await post('resource_view_create', { resource_id: resourceId, view_type: 'image_view' }, editor);
    expect(missing.status).toBe(409);
    expect(missing.body).toMatchObject({ success: false, error: { __type: 'Validation Error', title: ['Missing value'] } });
    const unknownType = await post('resource_view_create', { resource_id: resourceId, title: 'x', view_type: 'recline_view' }, editor);
    expect(unknownType.status).toBe(409);
    expect(unknownType.body.error).toMatchObject({ view_type: ['No plugin found for view_type recline_view'] });
    const extra = await post('resource_view_create', { resource_id: resourceId, title: 'x', view_type: 'text_view', page_url: 'http://x.example' }, editor);
    expect(extra.status).toBe(409);
    expect(extra.body.error).toMatchObject({ __extras: ['The input field __extras was not expected.'] });
    const badNumber = await post('resource_view_create', { resource_id: resourceId, title: 'x', view_type: 'datatables_view', ellipsis_length: -3 }, editor);
    expect(badNumber.status).toBe(409);
    expect(badNumber.body.error).toMatchObject({ ellipsis_length: ['Must be a natural number'] });
    const noResource = await post('resource_view_create', { resource_id: '00000000-0000-4000-8000-000000000000', title: 'x', view_type: 'text_view' }, editor);
    expect(noResource.status).toBe(409);
    expect(noResource.body.error).toMatchObject({ resource_id: ['Not found: Resource'] });
  });

  it('lets editors, admins and sysadmins of the dataset create views, and nobody else', async () => {
    const body = { resource_id: resourceId, title: 'Text', view_type: 'text_view' };
    expect((await post('resource_view_create', body)).status).toBe(403);
    expect((await post('resource_view_create', body, member)).body).toMatchObject({ success: false, error: { __type: 'Authorization Error' } });
    expect((await post('resource_view_create', body, otherAdmin)).status).toBe(403);
    for (const who of [editor, admin, t.sysadmin]) expect((await post('resource_view_create', body, who)).status).toBe(200);
  });

  it('updates title and settings, replacing the config and keeping the view type, and only for those who may edit', async () => {
    const view = await create({ view_type: 'datatables_view', title: 'Tabelle', description: 'alt', responsive: true, show_fields: ['a', 'b'] });
    expect(view).toMatchObject({ responsive: true, show_fields: ['a', 'b'] });
    const refused = await post('resource_view_update', { id: view.id, title: 'Neu' }, member);
    expect(refused.status).toBe(403);
    const res = await post('resource_view_update', { ...view, title: 'Neu', view_type: 'image_view', responsive: undefined, filterable: 'false' }, editor);
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ id: view.id, resource_id: resourceId, package_id: view.package_id, title: 'Neu', description: 'alt', view_type: 'datatables_view', show_fields: ['a', 'b'], filterable: false });
    // CKAN 2.11's update schema makes the title ignore_missing: a view updated without one keeps it.
    const noTitle = await post('resource_view_update', { id: view.id, description: 'neu' }, editor);
    expect(noTitle.body.result).toMatchObject({ title: 'Neu', description: 'neu' });
  });

  it('lists a resource’s views in order and reorders them, unnamed views following in their order', async () => {
    const u = await t.factories.user();
    const org = await t.factories.organization({ members: [[u, 'editor']] });
    const d = await t.factories.dataset({ owner_org: org.id, resources: [{ url: 'http://a.example/b.csv' }] });
    const rid = d.resources[0].id as string;
    const ids: string[] = [];
    for (const title of ['eins', 'zwei', 'drei']) {
      ids.push((await post('resource_view_create', { resource_id: rid, title, view_type: 'text_view' }, u)).body.result.id);
    }
    expect((await get('resource_view_list', `id=${rid}`)).body.result.map((v: Dict) => v.title)).toEqual(['eins', 'zwei', 'drei']);
    const res = await post('resource_view_reorder', { id: rid, order: [ids[2]] }, u);
    expect(res.body).toMatchObject({ success: true, result: { id: rid, order: [ids[2], ids[0], ids[1]] } });
    expect((await get('resource_view_list', `id=${rid}`)).body.result.map((v: Dict) => v.title)).toEqual(['drei', 'eins', 'zwei']);
    expect((await post('resource_view_reorder', { id: rid, order: [ids[0]] }, member)).status).toBe(403);
    const dup = await post('resource_view_reorder', { id: rid, order: [ids[0], ids[0]] }, u);
    expect(dup.body.error).toMatchObject({ __type: 'Validation Error', order: ['No duplicates allowed in order'] });
    const notList = await post('resource_view_reorder', { id: rid, order: ids[0] }, u);
    expect(notList.body.error).toMatchObject({ order: ['Must supply order as a list'] });
    const stranger = await post('resource_view_reorder', { id: rid, order: ['nope'] }, u);
    expect(stranger.body.error).toMatchObject({ order: ['View nope does not exist'] });
    const missing = await post('resource_view_reorder', { id: rid }, u);
    expect(missing.body.error).toMatchObject({ order: ['Missing value'] });
  });

  it('hides the views of a private dataset from outsiders and shows them to its organization', async () => {
    const res = await post('resource_view_create', { resource_id: hiddenResourceId, title: 'Intern', view_type: 'text_view' }, editor);
    expect(res.status).toBe(200);
    const id = res.body.result.id as string;
    for (const who of [undefined, otherAdmin]) {
      expect((await get('resource_view_show', `id=${id}`, who)).status).toBe(403);
      expect((await get('resource_view_list', `id=${hiddenResourceId}`, who)).status).toBe(403);
    }
    expect((await get('resource_view_show', `id=${id}`, member)).body.result).toMatchObject({ id, title: 'Intern' });
    expect((await get('resource_view_list', `id=${hiddenResourceId}`, member)).body.result).toHaveLength(1);
  });

  it('answers an unknown view or resource with 404 in CKAN’s envelope', async () => {
    const res = await get('resource_view_show', 'id=00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, error: { __type: 'Not Found Error' } });
    expect((await get('resource_view_list', 'id=nope')).status).toBe(404);
    expect((await post('resource_view_delete', { id: 'nope' }, editor)).status).toBe(404);
  });

  it('deletes a view for those who may edit the dataset, and the views go with their resource', async () => {
    const view = await create({ title: 'Weg' });
    expect((await post('resource_view_delete', { id: view.id }, member)).status).toBe(403);
    expect((await post('resource_view_delete', { id: view.id }, editor)).body).toMatchObject({ success: true, result: null });
    expect((await get('resource_view_show', `id=${view.id}`)).status).toBe(404);
    const r = await post('resource_create', { package_id: view.package_id, url: 'http://a.example/c.png' }, editor);
    const other = (await post('resource_view_create', { resource_id: r.body.result.id, title: 'x', view_type: 'text_view' }, editor)).body.result;
    await post('resource_delete', { id: r.body.result.id }, editor);
    expect((await get('resource_view_show', `id=${other.id}`)).status).toBe(404);
  });

  it('clears views for sysadmins only, by view type', async () => {
    const web = await create({ view_type: 'webpage_view', page_url: ' http://a.example/seite ' });
    expect(web.page_url).toBe('http://a.example/seite');
    const image = await create({ title: 'bleibt' });
    expect((await post('resource_view_clear', { view_types: ['webpage_view'] }, admin)).status).toBe(403);
    expect((await post('resource_view_clear', { view_types: ['webpage_view'] }, t.sysadmin)).body).toMatchObject({ success: true, result: null });
    expect((await get('resource_view_show', `id=${web.id}`)).status).toBe(404);
    expect((await get('resource_view_show', `id=${image.id}`)).status).toBe(200);
    await post('resource_view_clear', {}, t.sysadmin);
    expect((await get('resource_view_list', `id=${resourceId}`)).body.result).toEqual([]);
  });

  describe('default views', () => {
    const viewsOf = async (id: string): Promise<Dict[]> => (await get('resource_view_list', `id=${id}`)).body.result;

    it('gives a new dataset’s image resources an image_view, and other resources none', async () => {
      const org = await t.factories.organization({ members: [[editor, 'editor']] });
      const d = await t.factories.dataset({ owner_org: org.id, resources: [{ url: 'http://a.example/luftbild.JPG' }, { url: 'http://a.example/werte.csv' }] });
      expect(await viewsOf(d.resources[0].id as string)).toEqual([
        { id: expect.any(String), resource_id: d.resources[0].id, package_id: d.id, title: 'Image', description: '', view_type: 'image_view' },
      ]);
      expect(await viewsOf(d.resources[1].id as string)).toEqual([]);
    });

    it('adds an image_view to an image added by resource_create, once however often the dataset is written', async () => {
      const org = await t.factories.organization({ members: [[editor, 'editor']] });
      const d = await t.factories.dataset({ owner_org: org.id });
      const r = (await post('resource_create', { package_id: d.id, url: 'http://a.example/plan', format: 'PNG' }, editor)).body.result;
      await post('resource_patch', { id: r.id, name: 'Plan' }, editor);
      await post('package_patch', { id: d.id, title: 'Neu' }, editor);
      expect((await viewsOf(r.id)).map((v) => v.view_type)).toEqual(['image_view']);
    });

    it('adds a datatables_view once a resource is in the DataStore', async () => {
      const org = await t.factories.organization({ members: [[editor, 'editor']] });
      const d = await t.factories.dataset({ owner_org: org.id });
      const res = await post('datastore_create', { resource: { package_id: d.id, name: 'Messwerte' }, fields: [{ id: 'wert', type: 'int' }], records: [{ wert: 1 }] }, editor);
      expect(res.status).toBe(200);
      expect(await viewsOf(res.body.result.resource_id)).toEqual([expect.objectContaining({ view_type: 'datatables_view', title: 'Table', package_id: d.id })]);
    });

    it('keeps a default view the steward deleted deleted when the dataset or resource is edited later', async () => {
      const org = await t.factories.organization({ members: [[editor, 'editor']] });
      const d = await t.factories.dataset({ owner_org: org.id, resources: [{ url: 'http://a.example/karte.png' }] });
      const rid = d.resources[0].id as string;
      const [view] = await viewsOf(rid);
      expect(view).toMatchObject({ view_type: 'image_view' });
      expect((await post('resource_view_delete', { id: view.id }, editor)).status).toBe(200);
      expect((await post('package_patch', { id: d.id, title: 'Neuer Titel' }, editor)).status).toBe(200);
      expect((await post('resource_patch', { id: rid, description: 'Karte der Pegel' }, editor)).status).toBe(200);
      expect(await viewsOf(rid)).toEqual([]);
    });

    it('adds an image_view when an edit makes a resource an image, and to resources package_update adds', async () => {
      const org = await t.factories.organization({ members: [[editor, 'editor']] });
      const d = await t.factories.dataset({ owner_org: org.id, resources: [{ url: 'http://a.example/daten.csv' }] });
      const rid = d.resources[0].id as string;
      expect(await viewsOf(rid)).toEqual([]);
      expect((await post('resource_patch', { id: rid, format: 'PNG' }, editor)).status).toBe(200);
      expect(await viewsOf(rid)).toEqual([expect.objectContaining({ view_type: 'image_view', title: 'Image' })]);
      const shown = (await post('package_show', { id: d.id }, editor)).body.result;
      const updated = await post('package_update', { ...shown, resources: [...shown.resources, { url: 'http://a.example/luftbild.jpg' }] }, editor);
      expect(updated.status).toBe(200);
      expect(await viewsOf(updated.body.result.resources[1].id)).toEqual([expect.objectContaining({ view_type: 'image_view' })]);
    });

    it('resource_create_default_resource_views and package_create_default_resource_views create only the missing views and return them', async () => {
      const org = await t.factories.organization({ members: [[editor, 'editor'], [member, 'member']] });
      const d = await t.factories.dataset({ owner_org: org.id, resources: [{ url: 'http://a.example/foto.gif' }] });
      const rid = d.resources[0].id as string;
      await post('resource_view_delete', { id: (await viewsOf(rid))[0].id }, editor);
      expect((await post('resource_create_default_resource_views', { resource: { id: rid } }, member)).status).toBe(403);
      const made = await post('resource_create_default_resource_views', { resource: { id: rid }, package: { id: d.id } }, editor);
      expect(made.body.result).toEqual([{ id: expect.any(String), resource_id: rid, package_id: d.id, title: 'Image', description: '', view_type: 'image_view' }]);
      expect((await post('resource_create_default_resource_views', { resource: { id: rid } }, editor)).body.result).toEqual([]);
      await post('resource_view_delete', { id: made.body.result[0].id }, editor);
      expect((await post('package_create_default_resource_views', { package: { id: d.name } }, member)).status).toBe(403);
      const again = await post('package_create_default_resource_views', { package: { id: d.name } }, editor);
      expect(again.body.result.map((v: Dict) => [v.resource_id, v.view_type])).toEqual([[rid, 'image_view']]);
      const noId = await post('resource_create_default_resource_views', { resource: {} }, editor);
      expect(noId.body).toMatchObject({ success: false, error: { __type: 'Validation Error', resource: ['Missing value: id'] } });
    });

    it('leaves the datatables_view out unless create_datastore_views is true', async () => {
      const org = await t.factories.organization({ members: [[editor, 'editor']] });
      const d = await t.factories.dataset({ owner_org: org.id });
      const rid = (await post('datastore_create', { resource: { package_id: d.id }, fields: [{ id: 'wert', type: 'int' }] }, editor)).body.result.resource_id;
      await post('resource_view_delete', { id: (await viewsOf(rid))[0].id }, editor);
      expect((await post('resource_create_default_resource_views', { resource: { id: rid } }, editor)).body.result).toEqual([]);
      const made = await post('resource_create_default_resource_views', { resource: { id: rid }, create_datastore_views: true }, editor);
      expect(made.body.result.map((v: Dict) => v.view_type)).toEqual(['datatables_view']);
    });
  });

  describe('as CKAN’s tests state', () => {
    // ckan/tests/logic/action/test_create.py::TestResourceViewCreate::test_resource_view_create
    it('answers exactly what was sent, plus id and package_id', async () => {
      const params = { resource_id: resourceId, view_type: 'image_view', title: 'View', description: 'A nice view' };
      const res = await post('resource_view_create', params, editor);
      expect(res.body.result).toEqual({ ...params, id: expect.any(String), package_id: expect.any(String) });
    });

    // test_requires_resource_id, test_requires_title, test_requires_view_type, test_raises_if_couldnt_find_resource
    it('asks for resource_id, title and view_type, and refuses an unknown resource with a field error', async () => {
      for (const key of ['resource_id', 'title', 'view_type']) {
        const params: Dict = { resource_id: resourceId, view_type: 'image_view', title: 'View' };
        delete params[key];
        const res = await post('resource_view_create', params, t.sysadmin);
        expect([key, res.status, res.body.error?.[key]]).toEqual([key, 409, ['Missing value']]);
      }
      const unknown = await post('resource_view_create', { resource_id: 'unknown', view_type: 'image_view', title: 'View' }, t.sysadmin);
      expect(unknown.status).toBe(409);
      expect(unknown.body.error.__type).toBe('Validation Error');
    });

    // test_sysadmin_can_set_id, test_normal_user_can_not_set_id, test_id_cant_already_exist
    it('lets sysadmins choose the id of a new view, not taken yet; others may not', async () => {
      const id = '6a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
      const params = { resource_id: resourceId, view_type: 'image_view', title: 'View' };
      const byEditor = await post('resource_view_create', { ...params, id }, editor);
      expect(byEditor.status).toBe(409);
      expect(byEditor.body.error).toMatchObject({ __type: 'Validation Error', id: ['The input field id was not expected.'] });
      const bySysadmin = await post('resource_view_create', { ...params, id }, t.sysadmin);
      expect(bySysadmin.status).toBe(200);
      expect(bySysadmin.body.result.id).toBe(id);
      const again = await post('resource_view_create', { ...params, id }, t.sysadmin);
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ id: ['ResourceView id already exists'] });
      const notUuid = await post('resource_view_create', { ...params, id: 'xxx' }, t.sysadmin);
      expect(notUuid.body.error).toMatchObject({ id: ['Invalid id provided'] });
    });

    // test_filterable_views_* and test_non_filterable_views_dont_accept_filter_fields_and_values (create and update)
    it('pairs filter_fields and filter_values into filters for the filterable datatables_view only', async () => {
      const base = { resource_id: resourceId, view_type: 'datatables_view', title: 'Tabelle' };
      const res = await post('resource_view_create', { ...base, filter_fields: ['country', 'weather', 'country'], filter_values: ['Brazil', 'warm', 'Argentina'] }, editor);
      expect(res.status).toBe(200);
      expect(res.body.result.filters).toEqual({ country: ['Brazil', 'Argentina'], weather: ['warm'] });
      const one = await post('resource_view_create', { ...base, filter_fields: 'country', filter_values: 'Brazil' }, editor);
      expect(one.body.result).toMatchObject({ filter_fields: ['country'], filter_values: ['Brazil'], filters: { country: ['Brazil'] } });
      expect((await get('resource_view_show', `id=${one.body.result.id}`)).body.result).toEqual(one.body.result);
      const uneven = await post('resource_view_create', { ...base, filter_fields: ['country', 'country'], filter_values: 'Brazil' }, editor);
      expect(uneven.status).toBe(409);
      const message = '"filter_fields" and "filter_values" should have the same length';
      expect(uneven.body.error).toMatchObject({ filter_fields: [message], filter_values: [message] });
      const noFilters = await post('resource_view_create', base, editor);
      expect(noFilters.body.result).not.toHaveProperty('filters');
      const image = await post('resource_view_create', { resource_id: resourceId, view_type: 'image_view', title: 'Bild', filter_fields: 'country', filter_values: 'Brazil' }, editor);
      expect(image.status).toBe(409);
      expect(image.body.error).toMatchObject({ __extras: ['The input field __extras was not expected.'] });

      // test_update.py::TestResourceViewUpdate::test_filterable_views_converts_filter_fields_and_values_into_filters_dict
      const updated = await post('resource_view_update', { id: noFilters.body.result.id, filter_fields: ['country', 'weather', 'country'], filter_values: ['Brazil', 'warm', 'Argentina'] }, editor);
      expect(updated.body.result).toMatchObject({ title: 'Tabelle', filters: { country: ['Brazil', 'Argentina'], weather: ['warm'] } });
    });

    // test_update.py::TestResourceViewUpdate::test_resource_view_update(_requires_id, _requires_existing_id)
    it('updates title and description alone; asks for the id and answers 404 for an unknown one', async () => {
      const view = await create({ title: 'alt', description: 'alt' });
      const res = await post('resource_view_update', { id: view.id, title: 'new title', description: 'new description' }, editor);
      expect(res.body.result).toMatchObject({ id: view.id, title: 'new title', description: 'new description', view_type: 'image_view' });
      const noId = await post('resource_view_update', {}, editor);
      expect(noId.status).toBe(409);
      expect(noId.body.error).toMatchObject({ __type: 'Validation Error', id: ['Missing value'] });
      expect((await post('resource_view_update', { id: 'inexistent_id' }, t.sysadmin)).status).toBe(404);
      // ckan/tests/logic/auth/test_update.py: anonymous callers may not update a view
      expect((await post('resource_view_update', { id: view.id, title: 'x' })).status).toBe(403);
    });

    // test_get.py::TestShowResourceView::test_resource_view_show_id_missing, test_delete.py::TestDeleteResourceViews::test_delete_no_id_raises_validation_error
    it('asks resource_view_show and resource_view_delete for the id', async () => {
      const show = await get('resource_view_show', '');
      expect(show.status).toBe(409);
      expect(show.body.error).toMatchObject({ __type: 'Validation Error', id: ['Missing value'] });
      const del = await post('resource_view_delete', {}, editor);
      expect(del.status).toBe(409);
      expect(del.body.error).toMatchObject({ id: ['Missing value'] });
    });

    // test_update.py::TestResourceViewUpdate::test_resource_view_list_reorder (the whole order given)
    it('reorders views by the full list of their ids', async () => {
      const u = await t.factories.user();
      const org = await t.factories.organization({ members: [[u, 'editor']] });
      const d = await t.factories.dataset({ owner_org: org.id, resources: [{ url: 'http://a.example/b.csv' }] });
      const rid = d.resources[0].id as string;
      const v1 = (await post('resource_view_create', { resource_id: rid, title: 'View 1', view_type: 'text_view' }, u)).body.result.id;
      const v2 = (await post('resource_view_create', { resource_id: rid, title: 'View 2', view_type: 'text_view' }, u)).body.result.id;
      const res = await post('resource_view_reorder', { id: rid, order: [v2, v1] }, u);
      expect(res.body.result.order).toEqual([v2, v1]);
      expect((await get('resource_view_list', `id=${rid}`)).body.result.map((v: Dict) => v.title)).toEqual(['View 2', 'View 1']);
    });

    // test_create.py::TestCreateDefaultResourceViews::test_add_default_views_to_dataset_resources / _to_resource(_no_dataset_passed)
    it('creates default views for every image resource of a dataset, from a dataset dict as package_show gives it', async () => {
      const org = await t.factories.organization({ members: [[editor, 'editor']] });
      const d = await t.factories.dataset({ owner_org: org.id, resources: [{ url: 'http://some.image.png', format: 'png', name: 'Image 1' }, { url: 'http://some.image.png', format: 'png', name: 'Image 2' }] });
      const dropViews = async (rid: string): Promise<void> => {
        for (const v of (await get('resource_view_list', `id=${rid}`)).body.result as Dict[]) await post('resource_view_delete', { id: v.id }, editor);
      };
      for (const r of d.resources) await dropViews(r.id as string);
      const full = (await get('package_show', `id=${d.id}`, editor)).body.result;
      const made = await post('package_create_default_resource_views', { package: full }, editor);
      expect(made.status).toBe(200);
      expect(made.body.result.map((v: Dict) => v.view_type)).toEqual(['image_view', 'image_view']);
      const r = (await post('resource_create', { package_id: d.id, url: 'http://some.image.png', format: 'png' }, editor)).body.result;
      await dropViews(r.id);
      const one = await post('resource_create_default_resource_views', { resource: r }, editor);
      expect(one.body.result.map((v: Dict) => [v.resource_id, v.view_type])).toEqual([[r.id, 'image_view']]);
    });

    // ckan/tests/logic/auth/test_create.py (resource_view_create, resource_create_default_resource_views,
    // package_create_default_resource_views: not logged in / no permissions on the dataset) and
    // auth/test_delete.py::test_anon_cant_clear, test_normal_user_cant_clear, test_sysadmin_user_can_clear
    it('refuses anonymous callers and users without rights on the dataset view writes, default views and clearing', async () => {
      const d = (await get('resource_show', `id=${resourceId}`)).body.result.package_id as string;
      const outsider = await t.factories.user();
      const calls: [string, Dict][] = [
        ['resource_view_create', { resource_id: resourceId, title: 'Resource View', view_type: 'image_view', image_url: 'url' }],
        ['resource_create_default_resource_views', { resource: { id: resourceId } }],
        ['package_create_default_resource_views', { package: { id: d } }],
        ['resource_view_clear', { view_types: ['no_such_view'] }],
      ];
      for (const [action, body] of calls) {
        for (const who of [undefined, outsider, otherAdmin]) {
          const res = await post(action, body, who);
          expect([action, who?.name, res.status, res.body.error?.__type]).toEqual([action, who?.name, 403, 'Authorization Error']);
        }
      }
      expect((await post('resource_view_clear', { view_types: ['no_such_view'] }, t.sysadmin)).status).toBe(200);
    });

    // ckan/tests/logic/action/test_update.py::TestResourceUpdate::test_resource_format_update (image_view part;
    // text_view is no default view here)
    it('adds the default view once resource_update gives a resource an image format, not for other formats', async () => {
      const org = await t.factories.organization({ members: [[editor, 'editor']] });
      const d = await t.factories.dataset({ owner_org: org.id, resources: [{ url: 'http://localhost', name: 'Test', format: '' }] });
      const rid = d.resources[0].id as string;
      const views = async (): Promise<string[]> => ((await get('resource_view_list', `id=${rid}`)).body.result as Dict[]).map((v) => v.view_type as string);
      expect(await views()).toEqual([]);
      await post('resource_update', { id: rid, url: 'http://localhost', format: 'Test format' }, editor).expect(200);
      expect(await views()).toEqual([]);
      const res = await post('resource_update', { id: rid, url: 'http://localhost', format: 'PNG' }, editor);
      expect(res.body.result.format).toBe('PNG');
      expect(await views()).toEqual(['image_view']);
    });
  });
});
