import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const TYPES: [string, string][] = [
  ['depends_on', 'dependency_of'],
  ['derives_from', 'has_derivation'],
  ['links_to', 'linked_from'],
  ['child_of', 'parent_of'],
];

describe('dataset relationships (package_relationship_* and package_relationships_list)', () => {
  let t: TestApp;
  let admin: TestUser;
  let editor: TestUser;
  let member: TestUser;
  let otherAdmin: TestUser;
  let stranger: TestUser;
  let org: Dict;
  let otherOrg: Dict;

  const post = (action: string, body: object, as?: TestUser): request.Test => {
    const req = request(t.http).post(`/api/3/action/${action}`).send(body);
    return as ? req.set('Authorization', as.token) : req;
  };
  const get = (action: string, query: Record<string, string>, as?: TestUser): request.Test => {
    const req = request(t.http).get(`/api/3/action/${action}`).query(query);
    return as ? req.set('Authorization', as.token) : req;
  };
  const show = async (id: string, as?: TestUser): Promise<Dict> => {
    const res = await get('package_show', { id }, as);
    expect(res.status).toBe(200);
    return res.body.result;
  };
  const list = async (query: Record<string, string>, as?: TestUser): Promise<Dict[]> => {
    const res = await get('package_relationships_list', query, as);
    expect(res.status).toBe(200);
    return res.body.result;
  };
  const dataset = (o: Dict = {}): Promise<Dict> => t.factories.dataset({ owner_org: org.id, ...o });
  const shown = (r: { id?: unknown; subject: Dict; object: Dict; type: string; comment?: string }): Dict => ({
    __extras: { object_package_id: r.object.id, subject_package_id: r.subject.id },
    comment: r.comment ?? '',
    id: r.id ?? expect.any(String),
    type: r.type,
  });

  beforeAll(async () => {
    t = await TestApp.start();
    admin = await t.factories.user();
    editor = await t.factories.user();
    member = await t.factories.user();
    otherAdmin = await t.factories.user();
    stranger = await t.factories.user();
    org = await t.factories.organization({ members: [[admin, 'admin'], [editor, 'editor'], [member, 'member']] });
    otherOrg = await t.factories.organization({ members: [[otherAdmin, 'admin']] });
  });
  afterAll(() => t.stop());

  describe('package_relationship_create', () => {
    it('creates "subject type object" and answers CKAN\'s {subject, type, object, comment} with the datasets by name', async () => {
      const [a, b] = [await dataset(), await dataset()];
      const res = await post('package_relationship_create', { subject: a.name, object: b.name, type: 'depends_on', comment: 'braucht die Pegel' }, editor);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success: true });
      expect(res.body.result).toEqual({ subject: a.name, type: 'depends_on', object: b.name, comment: 'braucht die Pegel' });
    });

    it('takes datasets by id or by name, and stores no comment as an empty one', async () => {
      const [a, b] = [await dataset(), await dataset()];
      const res = await post('package_relationship_create', { subject: a.id, object: b.name, type: 'links_to' }, editor);
      expect(res.body.result).toEqual({ subject: a.name, type: 'links_to', object: b.name, comment: '' });
    });

    it.each(TYPES)('stores %s as given and %s turned round; both datasets show and list it from their side at once', async (fwd, rev) => {
      const [a, b, c, d] = [await dataset(), await dataset(), await dataset(), await dataset()];
      // Read first, so the dicts are cached: the write must reach both at once.
      for (const x of [a, b, c, d]) expect((await show(x.id)).relationships_as_subject).toEqual([]);

      const forward = await post('package_relationship_create', { subject: a.name, object: b.name, type: fwd }, editor);
      expect(forward.body.result).toEqual({ subject: a.name, type: fwd, object: b.name, comment: '' });
      // As CKAN: a reverse type is stored in its forward form and answered so.
      const reverse = await post('package_relationship_create', { subject: c.name, object: d.name, type: rev, comment: 'umgekehrt' }, editor);
      expect(reverse.body.result).toEqual({ subject: d.name, type: fwd, object: c.name, comment: 'umgekehrt' });

      const shownA = await show(a.name);
      expect(shownA.relationships_as_subject).toEqual([shown({ subject: a, object: b, type: fwd })]);
      expect(shownA.relationships_as_object).toEqual([]);
      const shownB = await show(b.name);
      expect(shownB.relationships_as_subject).toEqual([]);
      expect(shownB.relationships_as_object).toEqual([shown({ id: shownA.relationships_as_subject[0].id, subject: a, object: b, type: fwd })]);
      expect((await show(d.name)).relationships_as_subject).toEqual([shown({ subject: d, object: c, type: fwd, comment: 'umgekehrt' })]);
      expect((await show(c.name)).relationships_as_object).toEqual([shown({ subject: d, object: c, type: fwd, comment: 'umgekehrt' })]);

      expect(await list({ id: a.name })).toEqual([{ subject: a.name, type: fwd, object: b.name, comment: '' }]);
      expect(await list({ id: b.name })).toEqual([{ subject: b.name, type: rev, object: a.name, comment: '' }]);
      expect(await list({ id: c.id })).toEqual([{ subject: c.name, type: rev, object: d.name, comment: 'umgekehrt' }]);
      expect(await list({ id: d.id })).toEqual([{ subject: d.name, type: fwd, object: c.name, comment: 'umgekehrt' }]);
    });

    it('creating an existing relationship again, in either form, sets its comment instead of adding a second one', async () => {
      const [a, b] = [await dataset(), await dataset()];
      await post('package_relationship_create', { subject: a.name, object: b.name, type: 'child_of', comment: 'erst' }, editor).expect(200);
      const again = await post('package_relationship_create', { subject: b.name, object: a.name, type: 'parent_of', comment: 'dann' }, editor);
      expect(again.body.result).toEqual({ subject: a.name, type: 'child_of', object: b.name, comment: 'dann' });
      expect(await list({ id: a.name })).toEqual([{ subject: a.name, type: 'child_of', object: b.name, comment: 'dann' }]);
      // As CKAN's _update_package_relationship: created again without a comment, the comment is emptied.
      const bare = await post('package_relationship_create', { subject: a.name, object: b.name, type: 'child_of' }, editor);
      expect(bare.body.result.comment).toBe('');
      expect((await show(a.name)).relationships_as_subject).toHaveLength(1);
    });

    it('allows several types between the same datasets and both directions at once, as CKAN does', async () => {
      const [a, b] = [await dataset(), await dataset()];
      await post('package_relationship_create', { subject: a.name, object: b.name, type: 'child_of' }, editor).expect(200);
      await post('package_relationship_create', { subject: a.name, object: b.name, type: 'derives_from' }, editor).expect(200);
      await post('package_relationship_create', { subject: b.name, object: a.name, type: 'child_of' }, editor).expect(200);
      expect(await list({ id: a.name })).toEqual([
        { subject: a.name, type: 'child_of', object: b.name, comment: '' },
        { subject: a.name, type: 'parent_of', object: b.name, comment: '' },
        { subject: a.name, type: 'derives_from', object: b.name, comment: '' },
      ]);
      const shownA = await show(a.name);
      expect(shownA.relationships_as_subject.map((r: Dict) => r.type)).toEqual(['child_of', 'derives_from']);
      expect(shownA.relationships_as_object.map((r: Dict) => r.type)).toEqual(['child_of']);
    });

    it('accepts a relationship of a dataset with itself, as CKAN does not refuse it', async () => {
      const a = await dataset();
      const res = await post('package_relationship_create', { subject: a.name, object: a.name, type: 'links_to' }, editor);
      expect(res.body.result).toEqual({ subject: a.name, type: 'links_to', object: a.name, comment: '' });
      const shownA = await show(a.name);
      expect(shownA.relationships_as_subject).toEqual([shown({ subject: a, object: a, type: 'links_to' })]);
      expect(shownA.relationships_as_object).toEqual(shownA.relationships_as_subject);
      // CKAN's as_dict reads it from the object's side, the dataset being both: turned round.
      expect(await list({ id: a.name })).toEqual([{ subject: a.name, type: 'linked_from', object: a.name, comment: '' }]);
    });

    it('answers 409 "Missing value" for each missing parameter and for an empty one', async () => {
      const res = await post('package_relationship_create', {}, editor);
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({ __type: 'Validation Error', subject: ['Missing value'], object: ['Missing value'], type: ['Missing value'] });
      const a = await dataset();
      const empty = await post('package_relationship_create', { subject: a.name, object: a.name, type: '' }, editor);
      expect(empty.status).toBe(409);
      expect(empty.body.error.type).toEqual(['Missing value']);
    });

    it('answers 409 for an unknown type, listing the types, and for an id of its own', async () => {
      const [a, b] = [await dataset(), await dataset()];
      const res = await post('package_relationship_create', { subject: a.name, object: b.name, type: 'sibling_of' }, editor);
      expect(res.status).toBe(409);
      expect(res.body.error.__type).toBe('Validation Error');
      expect(res.body.error.type).toEqual([expect.stringContaining('Value must be one of')]);
      for (const type of TYPES.flat()) expect(res.body.error.type[0]).toContain(type);
      const withId = await post('package_relationship_create', { id: 'eigene-id', subject: a.name, object: b.name, type: 'links_to' }, editor);
      expect(withId.status).toBe(409);
      expect(withId.body.error.id).toEqual(['The input field id was not expected.']);
      expect(await list({ id: a.name })).toEqual([]);
    });

    it('answers 404 with CKAN\'s words for an unknown subject or object, before looking at the type', async () => {
      const a = await dataset();
      const noSubject = await post('package_relationship_create', { subject: 'gibt-es-nicht', object: a.name, type: 'unbekannt' }, editor);
      expect(noSubject.status).toBe(404);
      expect(noSubject.body.error).toEqual({ __type: 'Not Found Error', message: "Not found: Subject package 'gibt-es-nicht' was not found." });
      const noObject = await post('package_relationship_create', { subject: a.name, object: 'auch-nicht', type: 'links_to' }, editor);
      expect(noObject.status).toBe(404);
      expect(noObject.body.error.message).toBe("Not found: Object package 'auch-nicht' was not found.");
    });
  });

  describe('who may relate datasets: package_update on both (CKAN\'s auth)', () => {
    let a: Dict;
    let b: Dict;
    let other: Dict;
    beforeAll(async () => {
      [a, b] = [await dataset(), await dataset()];
      other = await t.factories.dataset({ owner_org: otherOrg.id });
    });

    it('refuses anonymous callers', async () => {
      for (const action of ['package_relationship_create', 'package_relationship_update', 'package_relationship_delete']) {
        const res = await post(action, { subject: a.name, object: b.name, type: 'links_to' });
        expect(res.status).toBe(403);
        expect(res.body.error.__type).toBe('Authorization Error');
      }
    });

    it('lets the organization\'s editors and admins and sysadmins relate its datasets, not its members or outsiders', async () => {
      const body = { subject: a.name, object: b.name, type: 'links_to' };
      for (const user of [member, otherAdmin, stranger]) {
        const res = await post('package_relationship_create', body, user);
        expect(res.status).toBe(403);
        expect(res.body.error).toEqual({ __type: 'Authorization Error', message: `Access denied: User ${user.name} not authorized to edit these packages` });
      }
      expect(await list({ id: a.name })).toEqual([]);
      for (const user of [editor, admin, t.sysadmin]) {
        const res = await post('package_relationship_create', { ...body, comment: user.name }, user);
        expect(res.status).toBe(200);
        expect(res.body.result.comment).toBe(user.name);
        const update = await post('package_relationship_update', { ...body, comment: `${user.name} again` }, user);
        expect(update.status).toBe(200);
      }
      for (const user of [member, otherAdmin, stranger]) {
        expect((await post('package_relationship_update', { ...body, comment: 'nein' }, user)).status).toBe(403);
        const del = await post('package_relationship_delete', body, user);
        expect(del.status).toBe(403);
        expect(del.body.error.message).toBe(`Access denied: User ${user.name} not authorized to delete relationship`);
      }
      expect(await list({ id: a.name })).toEqual([{ subject: a.name, type: 'links_to', object: b.name, comment: `${t.sysadmin.name} again` }]);
      expect((await post('package_relationship_delete', body, editor)).status).toBe(200);
      await post('package_relationship_create', body, admin).expect(200);
      expect((await post('package_relationship_delete', body, admin)).status).toBe(200);
    });

    it('needs edit rights on both datasets: an admin of either organization alone may not relate them across', async () => {
      const body = { subject: a.name, object: other.name, type: 'derives_from' };
      for (const user of [admin, editor, otherAdmin]) expect((await post('package_relationship_create', body, user)).status).toBe(403);
      expect((await post('package_relationship_create', body, t.sysadmin)).status).toBe(200);
      for (const user of [admin, editor, otherAdmin]) {
        expect((await post('package_relationship_update', { ...body, comment: 'x' }, user)).status).toBe(403);
        expect((await post('package_relationship_delete', body, user)).status).toBe(403);
      }
      // Anyone may list what they may read: both datasets are public.
      expect(await list({ id: other.name })).toEqual([{ subject: other.name, type: 'has_derivation', object: a.name, comment: '' }]);
      await post('package_relationship_delete', body, t.sysadmin).expect(200);
    });
  });

  describe('package_update with a shown dict', () => {
    it('takes a package_show dict with relationships back unchanged (ckanapi round trip) and keeps them', async () => {
      const [a, b] = [await dataset(), await dataset()];
      await post('package_relationship_create', { subject: a.name, object: b.name, type: 'child_of', comment: 'rund' }, editor).expect(200);
      const before = await show(a.name, editor);
      const res = await post('package_update', { ...before, notes: 'neu' }, editor);
      expect(res.status).toBe(200);
      expect(res.body.result.relationships_as_subject).toEqual(before.relationships_as_subject);
      expect(res.body.result.extras).toEqual(before.extras);
      expect(await list({ id: a.name })).toEqual([{ subject: a.name, type: 'child_of', object: b.name, comment: 'rund' }]);
    });
  });

  describe('package_relationship_update', () => {
    it('changes only the comment, found in either form, and answers the stored form', async () => {
      const [a, b] = [await dataset(), await dataset()];
      await post('package_relationship_create', { subject: a.name, object: b.name, type: 'child_of', comment: 'alt' }, editor).expect(200);
      const res = await post('package_relationship_update', { subject: b.id, object: a.id, type: 'parent_of', comment: 'neu' }, editor);
      expect(res.status).toBe(200);
      expect(res.body.result).toEqual({ subject: a.name, type: 'child_of', object: b.name, comment: 'neu' });
      expect((await show(b.name)).relationships_as_object[0].comment).toBe('neu');
      // As CKAN: no comment given clears it.
      const cleared = await post('package_relationship_update', { subject: a.name, object: b.name, type: 'child_of' }, editor);
      expect(cleared.body.result.comment).toBe('');
      expect((await show(a.name)).relationships_as_subject[0].comment).toBe('');
    });

    it('answers 404 for a relationship that does not exist, and CKAN\'s 404s and 409s for its parameters', async () => {
      const [a, b] = [await dataset(), await dataset()];
      const res = await post('package_relationship_update', { subject: a.name, object: b.name, type: 'child_of', comment: 'x' }, editor);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe('Not found: This relationship between the packages was not found.');
      expect((await post('package_relationship_update', { subject: 'fehlt', object: b.name, type: 'child_of' }, editor)).body.error.message).toBe(
        "Not found: Subject package 'fehlt' was not found.",
      );
      expect((await post('package_relationship_update', { subject: a.name, object: 'fehlt', type: 'child_of' }, editor)).body.error.message).toBe(
        "Not found: Object package 'fehlt' was not found.",
      );
      const missing = await post('package_relationship_update', { subject: a.name }, editor);
      expect(missing.status).toBe(409);
      expect(missing.body.error).toMatchObject({ object: ['Missing value'], type: ['Missing value'] });
      expect((await post('package_relationship_update', { subject: a.name, object: b.name, type: 'cousin_of' }, editor)).status).toBe(409);
    });
  });

  describe('package_relationship_delete', () => {
    it('removes it from both datasets at once; deleting again is 404; creating it again brings back its comment', async () => {
      const [a, b] = [await dataset(), await dataset()];
      await post('package_relationship_create', { subject: a.name, object: b.name, type: 'depends_on', comment: 'bleibt' }, editor).expect(200);
      expect((await show(a.name)).relationships_as_subject).toHaveLength(1);
      expect((await show(b.name)).relationships_as_object).toHaveLength(1);
      const res = await post('package_relationship_delete', { subject: b.name, object: a.name, type: 'dependency_of' }, editor);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success: true, result: null });
      expect((await show(a.name)).relationships_as_subject).toEqual([]);
      expect((await show(b.name)).relationships_as_object).toEqual([]);
      expect(await list({ id: a.name })).toEqual([]);
      const again = await post('package_relationship_delete', { subject: a.name, object: b.name, type: 'depends_on' }, editor);
      expect(again.status).toBe(404);
      expect(again.body.error).toEqual({ __type: 'Not Found Error', message: 'Not found' });
      expect((await post('package_relationship_update', { subject: a.name, object: b.name, type: 'depends_on' }, editor)).status).toBe(404);
      // As CKAN's add_relationship: the deleted row comes back, with its comment when no new one is given.
      const revived = await post('package_relationship_create', { subject: a.name, object: b.name, type: 'depends_on' }, editor);
      expect(revived.body.result).toEqual({ subject: a.name, type: 'depends_on', object: b.name, comment: 'bleibt' });
    });

    it('answers CKAN\'s 404 for unknown datasets and 409 for missing parameters', async () => {
      const a = await dataset();
      expect((await post('package_relationship_delete', { subject: 'weg', object: a.name, type: 'links_to' }, editor)).body.error.message).toBe(
        "Not found: Subject package 'weg' was not found.",
      );
      expect((await post('package_relationship_delete', { subject: a.name, object: 'weg', type: 'links_to' }, editor)).body.error.message).toBe(
        "Not found: Object package 'weg' was not found.",
      );
      const missing = await post('package_relationship_delete', {}, editor);
      expect(missing.status).toBe(409);
      expect(missing.body.error).toMatchObject({ subject: ['Missing value'], object: ['Missing value'], type: ['Missing value'] });
    });
  });

  describe('package_relationships_list', () => {
    let a: Dict;
    let b: Dict;
    let c: Dict;
    beforeAll(async () => {
      [a, b, c] = [await dataset(), await dataset(), await dataset()];
      await post('package_relationship_create', { subject: a.name, object: b.name, type: 'child_of', comment: 'Kind' }, editor).expect(200);
      await post('package_relationship_create', { subject: c.name, object: a.name, type: 'depends_on' }, editor).expect(200);
    });

    it('lists all of a dataset\'s relationships from its side, by GET or POST, by id or name', async () => {
      const all = [
        { subject: a.name, type: 'child_of', object: b.name, comment: 'Kind' },
        { subject: a.name, type: 'dependency_of', object: c.name, comment: '' },
      ];
      expect(await list({ id: a.name })).toEqual(all);
      expect((await post('package_relationships_list', { id: a.id })).body.result).toEqual(all);
      // "relationships" as rel means all, as in CKAN.
      expect(await list({ id: a.name, rel: 'relationships' })).toEqual(all);
    });

    it('filters by a second dataset (id2) and by type (rel), in either direction', async () => {
      expect(await list({ id: a.name, id2: c.name })).toEqual([{ subject: a.name, type: 'dependency_of', object: c.name, comment: '' }]);
      expect(await list({ id: a.name, rel: 'child_of' })).toEqual([{ subject: a.name, type: 'child_of', object: b.name, comment: 'Kind' }]);
      expect(await list({ id: b.name, id2: a.id, rel: 'parent_of' })).toEqual([{ subject: b.name, type: 'parent_of', object: a.name, comment: 'Kind' }]);
      expect(await list({ id: c.name, rel: 'depends_on' })).toEqual([{ subject: c.name, type: 'depends_on', object: a.name, comment: '' }]);
      expect(await list({ id: b.name, id2: c.name })).toEqual([]);
    });

    it('answers 404 when a type is asked for and nothing matches, naming it as CKAN does', async () => {
      const none = await get('package_relationships_list', { id: a.name, id2: b.name, rel: 'parent_of' });
      expect(none.status).toBe(404);
      expect(none.body.error.message).toBe(`Not found: Relationship "${a.name} parent_of ${b.name}" not found.`);
      const noId2 = await get('package_relationships_list', { id: b.name, rel: 'links_to' });
      expect(noId2.body.error.message).toBe(`Not found: Relationship "${b.name} links_to None" not found.`);
      expect((await get('package_relationships_list', { id: a.name, rel: 'cousin_of' })).status).toBe(404);
    });

    it('answers CKAN\'s 404s for unknown datasets and 409 without id', async () => {
      const first = await get('package_relationships_list', { id: 'gibt-es-nicht' });
      expect(first.status).toBe(404);
      expect(first.body.error.message).toBe('Not found: First package named in request was not found.');
      const second = await get('package_relationships_list', { id: a.name, id2: 'gibt-es-nicht' });
      expect(second.body.error.message).toBe('Not found: Second package named in address was not found.');
      const noId = await get('package_relationships_list', {});
      expect(noId.status).toBe(409);
      expect(noId.body.error.id).toEqual(['Missing value']);
    });
  });

  describe('private datasets', () => {
    let open: Dict;
    let secret: Dict;
    let ownSecret: Dict;
    beforeAll(async () => {
      open = await dataset();
      secret = await t.factories.dataset({ owner_org: otherOrg.id, private: true, name: 'geheime-messreihe' });
      ownSecret = await dataset({ private: true });
      await post('package_relationship_create', { subject: open.name, object: secret.name, type: 'derives_from', comment: 'geheim' }, t.sysadmin).expect(200);
      await post('package_relationship_create', { subject: ownSecret.name, object: open.name, type: 'links_to' }, t.sysadmin).expect(200);
    });

    const leaks = (body: unknown): boolean => {
      const text = JSON.stringify(body);
      return text.includes(secret.id) || text.includes(secret.name) || text.includes('geheim"');
    };

    it('package_show leaves out relationships with datasets the caller may not read, for every role', async () => {
      for (const user of [undefined, member, editor, admin, stranger]) {
        const d = await show(open.name, user);
        expect(leaks(d)).toBe(false);
        expect(d.relationships_as_subject).toEqual([]);
      }
      expect((await show(open.name)).relationships_as_object).toEqual([]);
      expect((await show(open.name, member)).relationships_as_object).toEqual([shown({ subject: ownSecret, object: open, type: 'links_to' })]);
      for (const user of [otherAdmin, t.sysadmin]) {
        expect((await show(open.name, user)).relationships_as_subject).toEqual([shown({ subject: open, object: secret, type: 'derives_from', comment: 'geheim' })]);
      }
    });

    it('package_relationships_list leaves them out too, and a type only they have is 404', async () => {
      expect(await list({ id: open.name })).toEqual([]);
      expect(await list({ id: open.name }, editor)).toEqual([{ subject: open.name, type: 'linked_from', object: ownSecret.name, comment: '' }]);
      expect((await get('package_relationships_list', { id: open.name, rel: 'derives_from' }, editor)).status).toBe(404);
      expect(await list({ id: open.name, rel: 'derives_from' }, otherAdmin)).toEqual([
        { subject: open.name, type: 'derives_from', object: secret.name, comment: 'geheim' },
      ]);
      // Naming the private dataset is package_show's 403.
      const named = await get('package_relationships_list', { id: open.name, id2: secret.name }, editor);
      expect(named.status).toBe(403);
      expect(named.body.error.message).toBe(`Access denied: User ${editor.name} not authorized to read these packages`);
      expect((await get('package_relationships_list', { id: secret.name })).status).toBe(403);
      expect((await get('package_relationships_list', { id: ownSecret.name }, member)).status).toBe(200);
    });

    it('package_search, package_update and group and organization listings leave them out', async () => {
      const search = await get('package_search', { fq: `name:${open.name}` }, editor);
      expect(search.body.result.results).toHaveLength(1);
      expect(leaks(search.body)).toBe(false);
      const fl = await get('package_search', { fq: `name:${open.name}`, fl: 'name,relationships_as_subject' });
      expect(fl.body.result.results).toEqual([{ name: open.name, relationships_as_subject: [] }]);
      const patched = await post('package_patch', { id: open.name, notes: 'aktualisiert' }, editor);
      expect(patched.status).toBe(200);
      expect(leaks(patched.body)).toBe(false);
      const orgShow = await get('organization_show', { id: org.name, include_datasets: 'true' }, editor);
      expect(leaks(orgShow.body)).toBe(false);
    });

    it('dataset_followee_list and tag_show leave them out', async () => {
      await post('package_patch', { id: open.name, tags: [{ name: 'beziehung-offen' }] }, editor).expect(200);
      const tag = await get('tag_show', { id: 'beziehung-offen', include_datasets: 'true' }, editor);
      expect(tag.body.result.packages.map((p: Dict) => p.name)).toEqual([open.name]);
      expect(leaks(tag.body)).toBe(false);
      await post('follow_dataset', { id: open.name }, stranger).expect(200);
      const followed = await get('dataset_followee_list', { id: stranger.name }, stranger);
      expect(followed.body.result.map((p: Dict) => p.name)).toEqual([open.name]);
      expect(leaks(followed.body)).toBe(false);
    });

    it('follows the other dataset\'s visibility: made public it shows, made private again it is gone', async () => {
      await post('package_patch', { id: secret.name, private: false }, otherAdmin).expect(200);
      expect((await show(open.name)).relationships_as_subject).toEqual([shown({ subject: open, object: secret, type: 'derives_from', comment: 'geheim' })]);
      expect(await list({ id: open.name })).toHaveLength(1);
      await post('package_patch', { id: secret.name, private: true }, otherAdmin).expect(200);
      expect(leaks(await show(open.name))).toBe(false);
      expect(await list({ id: open.name })).toEqual([]);
    });
  });

  describe('deleting and purging datasets', () => {
    it('keeps the relationships of a deleted dataset, as CKAN does, shown only to those who may still read it', async () => {
      const a = await dataset();
      const gone = await dataset();
      await post('package_relationship_create', { subject: a.name, object: gone.name, type: 'child_of' }, editor).expect(200);
      await post('package_delete', { id: gone.name }, editor).expect(200);
      expect((await show(a.name)).relationships_as_subject).toEqual([]);
      expect(await list({ id: a.name })).toEqual([]);
      expect((await show(a.name, member)).relationships_as_subject).toEqual([shown({ subject: a, object: gone, type: 'child_of' })]);
      expect(await list({ id: a.name }, editor)).toEqual([{ subject: a.name, type: 'child_of', object: gone.name, comment: '' }]);
    });

    it('purging a dataset removes its relationships from the datasets on their other ends (CKAN\'s test_purged_dataset_removed_from_relationships)', async () => {
      const [child, parent, grandparent] = [await dataset(), await dataset(), await dataset()];
      await post('package_relationship_create', { subject: child.id, object: parent.id, type: 'child_of' }, editor).expect(200);
      await post('package_relationship_create', { subject: parent.id, object: grandparent.id, type: 'child_of' }, editor).expect(200);
      expect((await show(child.name)).relationships_as_subject).toHaveLength(1);
      expect((await show(grandparent.name)).relationships_as_object).toHaveLength(1);
      await post('dataset_purge', { id: parent.name }, t.sysadmin).expect(200);
      expect((await show(child.name, t.sysadmin)).relationships_as_subject).toEqual([]);
      expect((await show(grandparent.name, t.sysadmin)).relationships_as_object).toEqual([]);
      expect(await list({ id: child.name }, t.sysadmin)).toEqual([]);
      expect(await list({ id: grandparent.name }, t.sysadmin)).toEqual([]);
    });
  });
});
