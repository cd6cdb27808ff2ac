import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

describe('package_revise', () => {
  let t: TestApp;
  let editor: TestUser;
  let member: TestUser;
  let otherAdmin: TestUser;
  let org: Dict;

  beforeAll(async () => {
    t = await TestApp.start();
    editor = await t.factories.user();
    member = await t.factories.user();
    otherAdmin = await t.factories.user();
    org = await t.factories.organization({ members: [[editor, 'editor'], [member, 'member']] });
    await t.factories.organization({ members: [[otherAdmin, 'admin']] });
  });
  afterAll(() => t.stop());

  const revise = (body: object, as: TestUser | null = editor) => {
    const r = request(t.http).post('/api/3/action/package_revise').send(body);
    return as ? r.set('Authorization', as.token) : r;
  };
  const show = async (id: string): Promise<Dict & { resources: Dict[] }> =>
    (await request(t.http).get(`/api/3/action/package_show?id=${id}`).set('Authorization', t.sysadmin.token)).body.result;
  const dataset = (o: Dict = {}) => t.factories.dataset({
    owner_org: org.id as string,
    notes: 'old notes',
    resources: [
      { name: 'big.csv', url: 'http://example.com/big.csv', description: 'first' },
      { name: 'small.csv', url: 'http://example.com/small.csv', description: 'second' },
    ],
    ...o,
  });

  describe('match', () => {
    it('changes the notes when the stored dataset matches, and answers {package: ...}', async () => {
      const d = await dataset();
      const res = await revise({ match: { notes: 'old notes', name: d.name }, update: { notes: 'new notes' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success: true, result: { package: { id: d.id, name: d.name, notes: 'new notes' } } });
      expect(Object.keys(res.body.result)).toEqual(['package']);
      expect((await show(d.id as string)).notes).toBe('new notes');
    });

    it('takes the same as flattened match__ and update__ keys', async () => {
      const d = await dataset();
      const res = await revise({ match__name: d.name, match__notes: 'old notes', update__notes: 'new notes' });
      expect(res.status).toBe(200);
      expect(res.body.result.package.notes).toBe('new notes');
    });

    it('answers 409 naming the keys that differ, and writes nothing', async () => {
      const d = await dataset({ title: 'Vorher' });
      const before = await show(d.id as string);
      const res = await revise({ match: { id: d.id, notes: 'other notes', resources: [{ name: 'big.csv' }, { name: 'wrong.csv' }] }, update: { title: 'Nachher' } });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ success: false, error: { __type: 'Validation Error', match: ['notes', 'resources__1__name'] } });
      expect(await show(d.id as string)).toEqual(before);
    });

    it('reports a flattened match key that does not fit the dataset as CKAN does (400 Integrity Error)', async () => {
      const d = await dataset();
      const res = await revise({ match__id: d.id, match__resources__7__name: 'x', update__notes: 'n' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: { __type: 'Integrity Error', message: 'Unmatched key resources__7' } });
      expect((await show(d.id as string)).notes).toBe('old notes');
    });

    it('asks for the dataset id or name, and answers 404 for an unknown one', async () => {
      const missing = await revise({ update: { notes: 'x' } });
      expect(missing.status).toBe(409);
      expect(missing.body.error).toMatchObject({ __type: 'Validation Error', match__id: 'Missing value' });
      const unknown = await revise({ match: { name: 'gibt-es-nicht' }, update: { notes: 'x' } });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.__type).toBe('Not Found Error');
    });

    it('rejects a match or update that is not a dict, and a filter that is not a list of strings', async () => {
      const d = await dataset();
      const res = await revise({ match: [d.id], update: 'plain text', filter: [1] });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ match: ['Must be a dict'], update: ['Must be a dict'], filter: ['Not a string: 1'] });
    });
  });

  describe('filter', () => {
    it('replaces all dataset-level fields but keeps the resources with ["+resources", "-*"]', async () => {
      const d = await dataset({ title: 'Alt', version: '1.0', tags: [{ name: 'pegel' }] });
      const res = await revise({ match: { id: d.id }, filter: ['+resources', '-*'], update: { name: `${d.name as string}-neu`, title: 'Fresh Start' } });
      expect(res.status).toBe(200);
      const p = res.body.result.package;
      expect(p).toMatchObject({ id: d.id, name: `${d.name as string}-neu`, title: 'Fresh Start', tags: [], owner_org: org.id });
      expect(p.notes ?? '').toBe('');
      expect(p.version ?? '').toBe('');
      expect(p.resources.map((r: Dict) => r.name)).toEqual(['big.csv', 'small.csv']);
    });

    it('removes the second resource with "-resources__1", and takes a comma-separated string', async () => {
      const d = await dataset();
      const res = await revise({ match: JSON.stringify({ id: d.id }), filter: '-resources__1, -notes' });
      expect(res.status).toBe(200);
      expect(res.body.result.package.resources.map((r: Dict) => r.name)).toEqual(['big.csv']);
      expect(res.body.result.package.notes ?? '').toBe('');
    });

    it('replaces all fields of one resource, picked by the start of its id', async () => {
      const d = await dataset();
      const rid = (d.resources[1].id as string).slice(0, 8);
      const res = await revise({
        match: { id: d.id },
        filter: [`+resources__${rid}__id`, `-resources__${rid}__*`],
        [`update__resources__${rid}`]: { name: 'edits here', url: 'http://example.com/new' },
      });
      expect(res.status).toBe(200);
      const r = res.body.result.package.resources[1];
      expect(r).toMatchObject({ id: d.resources[1].id, name: 'edits here', url: 'http://example.com/new' });
      expect(r.description ?? '').toBe('');
      expect(res.body.result.package.resources[0]).toMatchObject({ name: 'big.csv', description: 'first' });
    });
  });

  describe('update', () => {
    it('changes a resource url by the start of its id, and another by a negative index', async () => {
      const d = await dataset();
      const first = d.resources[0].id as string;
      const res = await revise({
        match: { name: d.name },
        [`update__resources__${first.slice(0, 6)}`]: { url: 'http://example.com/moved.csv' },
        'update__resources__-1__description': 'right one for sure',
      });
      expect(res.status).toBe(200);
      const [a, b] = res.body.result.package.resources;
      expect(a).toMatchObject({ id: first, url: 'http://example.com/moved.csv', name: 'big.csv', description: 'first' });
      expect(b).toMatchObject({ id: d.resources[1].id, description: 'right one for sure', url: 'http://example.com/small.csv' });
    });

    it('updates the first resource by index and merges lists item by item', async () => {
      const d = await dataset();
      const res = await revise({ match: { name: d.name }, update__resources__0: { name: 'new name, first resource' }, update: { resources: [{}, { description: 'file here' }] } });
      expect(res.status).toBe(200);
      expect(res.body.result.package.resources).toMatchObject([
        { id: d.resources[0].id, name: 'new name, first resource', description: 'first' },
        { id: d.resources[1].id, name: 'small.csv', description: 'file here' },
      ]);
    });

    it('adds resources and tags with __extend', async () => {
      const d = await dataset({ tags: [{ name: 'pegel' }] });
      const res = await revise({
        match: { id: d.id },
        update__resources__extend: [{ name: 'new resource', url: 'http://example.com/new' }],
        update__tags__extend: JSON.stringify([{ name: 'mosel' }]),
      });
      expect(res.status).toBe(200);
      const p = res.body.result.package;
      expect(p.resources.map((r: Dict) => r.name)).toEqual(['big.csv', 'small.csv', 'new resource']);
      expect(p.tags.map((x: Dict) => x.name).sort()).toEqual(['mosel', 'pegel']);
      expect(p.num_resources).toBe(3);
    });

    it('reports an update key that does not fit under the key without its prefix, with CKAN\'s messages, and writes nothing', async () => {
      const d = await dataset();
      const badKey = await revise({ match: { id: d.id }, update__resources__5__name: 'x', update__notes: 'geändert' });
      expect(badKey.status).toBe(409);
      expect(badKey.body.error).toMatchObject({ __type: 'Validation Error', resources__5__name: ['Unmatched key resources__5'] });
      const badType = await revise({ match: { id: d.id }, update: { resources: { name: 'x' } } });
      expect(badType.status).toBe(409);
      expect(badType.body.error).toMatchObject({ update: ['Expected list for resources'] });
      const notExtendable = await revise({ match: { id: d.id }, update__resources__extend: { name: 'x' } });
      expect(notExtendable.body.error).toMatchObject({ resources__extend: ['Expected list for resources'] });
      expect((await show(d.id as string)).notes).toBe('old notes');
    });

    it('refuses an added resource whose id is not a UUID (CKAN\'s test_revise_invalid_resource_id)', async () => {
      const d = await dataset();
      const res = await revise({ match: { id: d.id }, update__resources__extend: [{ id: '../../nope.txt', name: 'new resource', url: 'http://example.com' }] });
      expect(res.status).toBe(409);
      expect(res.body.error.__type).toBe('Validation Error');
      expect((await show(d.id as string)).resources).toHaveLength(2);
    });

    it('validates the result as package_update does, and writes nothing when it fails', async () => {
      const d = await dataset();
      const before = await show(d.id as string);
      const res = await revise({ match: { id: d.id }, update: { name: 'Kein Name!', notes: 'geändert' } });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ __type: 'Validation Error', name: [expect.stringContaining('lowercase alphanumeric')] });
      expect(await show(d.id as string)).toEqual(before);
    });

    it('finds the revised dataset in search', async () => {
      const d = await dataset();
      await revise({ match: { id: d.id }, update: { title: 'Wasserstand Trier-Zewen' } });
      const found = await request(t.http).get('/api/3/action/package_search?q=Zewen');
      expect(found.body.result.results.map((r: Dict) => r.id)).toContain(d.id);
    });
  });

  describe('file uploads', () => {
    const multipart = (as: TestUser = editor) => request(t.http).post('/api/3/action/package_revise').set('Authorization', as.token);

    it('stores a file for a resource added in the same call, as ckanapi sends it', async () => {
      const d = await dataset();
      const res = await multipart()
        .field('match__id', d.id as string)
        .field('update__resources__extend', JSON.stringify([{ name: 'messwerte' }]))
        .attach('update__resources__-1__upload', Buffer.from('zeit,pegel\n2026-01-01,312\n'), 'messwerte.csv');
      expect(res.status).toBe(200);
      const added = res.body.result.package.resources[2];
      expect(added).toMatchObject({ name: 'messwerte', url_type: 'upload', size: 26 });
      expect(added.url).toMatch(/\/download\/messwerte\.csv$/);
      const file = await request(t.http).get(new URL(added.url as string).pathname).set('Authorization', editor.token);
      expect(file.status).toBe(200);
      expect(file.text).toBe('zeit,pegel\n2026-01-01,312\n');
    });

    it('stores nothing for a caller who may not edit the dataset, and takes files only under resource upload keys', async () => {
      const d = await dataset();
      const refused = await multipart(otherAdmin)
        .field('match__id', d.id as string)
        .attach('update__resources__0__upload', Buffer.from('x'), 'x.csv');
      expect(refused.status).toBe(403);
      const wrongField = await multipart().field('match__id', d.id as string).attach('upload', Buffer.from('x'), 'x.csv');
      expect(wrongField.status).toBe(409);
      expect(wrongField.body.error.upload).toEqual(['Files are taken only in fields "update__resources__<index or id>__upload"']);
      expect((await show(d.id as string)).resources.map((r) => r.url_type ?? '')).toEqual(['', '']);
    });
  });

  describe('include', () => {
    it('returns only the keys the patterns keep', async () => {
      const d = await dataset();
      const some = await revise({ match: { id: d.id }, update: { notes: 'n' }, include: ['+package__id', '+package__notes', '-package__*'] });
      expect(some.body.result).toEqual({ package: { id: d.id, notes: 'n' } });
      const none = await revise({ match: { id: d.id }, update: { notes: 'm' }, include: '-*' });
      expect(none.body).toMatchObject({ success: true, result: {} });
      expect((await show(d.id as string)).notes).toBe('m');
    });
  });

  describe('permissions', () => {
    it('refuses anonymous callers, members and another organization\'s admin; editors and sysadmins may', async () => {
      const d = await dataset();
      const body = { match: { id: d.id }, update: { notes: 'geändert' } };
      const anon = await revise(body, null);
      expect(anon.status).toBe(403);
      expect(anon.body.error.__type).toBe('Authorization Error');
      const byMember = await revise(body, member);
      expect(byMember.status).toBe(403);
      expect(byMember.body.error.message).toBe(`Access denied: User ${member.name} not authorized to edit package ${d.id as string}`);
      const byOther = await revise(body, otherAdmin);
      expect(byOther.status).toBe(403);
      expect((await show(d.id as string)).notes).toBe('old notes');
      expect((await revise(body, editor)).status).toBe(200);
      expect((await revise({ ...body, update: { notes: 'sysadmin' } }, t.sysadmin)).body.result.package.notes).toBe('sysadmin');
    });

    it('checks the right on a group the revision adds, as package_update does', async () => {
      const d = await dataset();
      const g = await t.factories.group();
      const res = await revise({ match: { id: d.id }, update: { groups: [{ name: g.name }] } });
      expect(res.status).toBe(403);
      expect(res.body.error.__type).toBe('Authorization Error');
      expect((await show(d.id as string)).groups).toEqual([]);
    });
  });

  describe('as CKAN’s tests state', () => {
    // ckan/tests/logic/action/test_update.py::TestDatasetRevise::test_revise_resource_replace_all
    it('replaces a whole resource picked by five leading characters of its id: fields not given become empty', async () => {
      const d = await dataset();
      const prefix = (d.resources[0].id as string).slice(0, 5);
      const res = await revise({
        match: { id: d.id },
        filter: [`+resources__${prefix}__id`, `-resources__${prefix}__*`],
        [`update__resources__${prefix}`]: { name: 'new name' },
      });
      expect(res.status).toBe(200);
      expect(res.body.result.package.resources[0]).toMatchObject({ id: d.resources[0].id, name: 'new name', url: '' });
      expect(res.body.result.package.resources[1]).toMatchObject({ name: 'small.csv', url: 'http://example.com/small.csv' });
    });

    // test_revise_resource_by_id (prefixes of more than 4 characters) and test_revise_add_resource
    it('updates a resource by a five-character id prefix and adds one to a dataset without resources', async () => {
      const d = await dataset();
      const prefix = (d.resources[1].id as string).slice(0, 5);
      const res = await revise({ match: { id: d.id }, [`update__resources__${prefix}`]: { name: 'new name' } });
      expect(res.body.result.package.resources[1]).toMatchObject({ name: 'new name', url: 'http://example.com/small.csv' });
      const empty = await dataset({ resources: [] });
      const added = await revise({ match: { id: empty.id }, update__resources__extend: [{ name: 'new resource', url: 'http://example.com' }] });
      expect(added.body.result.package.resources).toEqual([expect.objectContaining({ name: 'new resource', url: 'http://example.com' })]);
    });

    // test_revise_normal_user: an organization admin, not only a sysadmin, may revise
    it('lets an organization admin revise a dataset of the organization', async () => {
      const admin = await t.factories.user();
      const o = await t.factories.organization({ members: [[admin, 'admin']] });
      const d = await t.factories.dataset({ owner_org: o.id as string, notes: 'old notes' });
      const res = await revise({ match: { id: d.id }, update: { notes: 'new notes' } }, admin);
      expect(res.status).toBe(200);
      expect(res.body.result.package.notes).toBe('new notes');
    });
  });
});
