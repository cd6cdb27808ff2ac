import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

describe('DataStore: tables, records and search', () => {
  let t: TestApp;
  let editor: TestUser;
  let org: { id: string };
  let dataset: { id: string; name: string };

  beforeAll(async () => {
    t = await TestApp.start();
    editor = await t.factories.user();
    org = await t.factories.organization({ members: [[editor, 'editor']] });
    dataset = await t.factories.dataset({ owner_org: org.id });
  });
  afterAll(() => t.stop());

  const post = (action: string, body: object, as: TestUser | null = editor) => {
    const r = request(t.http).post(`/api/3/action/${action}`).send(body);
    return as ? r.set('Authorization', as.token) : r;
  };
  /** A new DataStore resource with these fields and records, made through datastore_create's `resource`. */
  const table = async (body: Dict = {}): Promise<string> => {
    const res = await post('datastore_create', { resource: { package_id: dataset.id, name: 'Messwerte' }, ...body });
    expect(res.status).toBe(200);
    return res.body.result.resource_id as string;
  };

  it('datastore_create with a resource dict creates a DataStore resource, its table and records, and returns the input without records', async () => {
    const res = await post('datastore_create', {
      resource: { package_id: dataset.name, name: 'Pegel' },
      fields: [{ id: 'station', type: 'text', info: { label: 'Station', notes: 'Messstelle' } }, { id: 'wert', type: 'numeric' }],
      records: [{ station: 'Speyer', wert: 4.5 }, { station: 'Worms', wert: '3.25' }],
      primary_key: 'station',
    });
    expect(res.status).toBe(200);
    const result = res.body.result;
    expect(result).toMatchObject({
      resource_id: expect.any(String), method: 'insert', primary_key: 'station',
      fields: [{ id: 'station', type: 'text', info: { label: 'Station', notes: 'Messstelle' } }, { id: 'wert', type: 'numeric' }],
      resource: { package_id: dataset.id, name: 'Pegel', url_type: 'datastore' },
    });
    expect(result).not.toHaveProperty('records');
    const shown = await post('resource_show', { id: result.resource_id });
    expect(shown.body.result).toMatchObject({ datastore_active: true, url_type: 'datastore' });
    const pkg = await t.call<{ resources: Dict[] }>('package_show', { id: dataset.id });
    expect(pkg.resources.find((r) => r.id === result.resource_id)).toMatchObject({ datastore_active: true });

    const search = await request(t.http).get(`/api/3/action/datastore_search?resource_id=${result.resource_id}`);
    expect(search.status).toBe(200);
    expect(search.body.result).toMatchObject({
      resource_id: result.resource_id, limit: 100, total: 2, total_was_estimated: false, records_format: 'objects', include_total: true,
      fields: [{ id: '_id', type: 'int' }, { id: 'station', type: 'text', info: { label: 'Station', notes: 'Messstelle' } }, { id: 'wert', type: 'numeric' }],
      records: [{ _id: 1, station: 'Speyer', wert: 4.5 }, { _id: 2, station: 'Worms', wert: 3.25 }],
      _links: { start: `/api/3/action/datastore_search?resource_id=${result.resource_id}`, next: `/api/3/action/datastore_search?resource_id=${result.resource_id}&offset=100` },
    });
  });

  it('stores and returns every CKAN type, arrays and json included', async () => {
    const id = await table({
      fields: [
        { id: 't', type: 'text' }, { id: 'i', type: 'int' }, { id: 'i4', type: 'int4' }, { id: 'b8', type: 'bigint' }, { id: 'i8', type: 'int8' },
        { id: 'f', type: 'float8' }, { id: 'n', type: 'numeric' }, { id: 'ok', type: 'bool' }, { id: 'd', type: 'date' }, { id: 'tm', type: 'time' },
        { id: 'ts', type: 'timestamp' }, { id: 'j', type: 'json' }, { id: 'tags', type: '_text' }, { id: 'nums', type: 'int4[]' },
      ],
      records: [
        { t: 'Rhein', i: 1, i4: '2', b8: 9007199254740991, i8: -5, f: 1.5, n: '12.345', ok: true, d: '2025-03-01', tm: '12:30:00', ts: '2025-03-01T12:34:56.789', j: { a: [1, 'x'] }, tags: ['a', 'b'], nums: [1, 2] },
        { t: '', i: '', ok: 'false', j: 'text', tags: [] },
      ],
    });
    const res = await post('datastore_search', { resource_id: id });
    expect(res.body.result.fields.map((f: Dict) => `${String(f.id)}:${String(f.type)}`)).toEqual([
      '_id:int', 't:text', 'i:int4', 'i4:int4', 'b8:int8', 'i8:int8', 'f:float8', 'n:numeric', 'ok:bool', 'd:date', 'tm:time', 'ts:timestamp', 'j:json', 'tags:_text', 'nums:_int4',
    ]);
    expect(res.body.result.records).toEqual([
      { _id: 1, t: 'Rhein', i: 1, i4: 2, b8: 9007199254740991, i8: -5, f: 1.5, n: 12.345, ok: true, d: '2025-03-01', tm: '12:30:00', ts: '2025-03-01T12:34:56', j: { a: [1, 'x'] }, tags: ['a', 'b'], nums: [1, 2] },
      { _id: 2, t: '', i: null, i4: null, b8: null, i8: null, f: null, n: null, ok: false, d: null, tm: null, ts: null, j: 'text', tags: [], nums: null },
    ]);
    const lists = await post('datastore_search', { resource_id: id, records_format: 'lists', fields: 't,ok,tags' });
    expect(lists.body.result.records).toEqual([['Rhein', true, ['a', 'b']], ['', false, []]]);
    expect(lists.body.result.fields).toEqual([{ id: 't', type: 'text' }, { id: 'ok', type: 'bool' }, { id: 'tags', type: '_text' }]);
  });

  it('guesses missing types from the first record and adds its extra keys as fields', async () => {
    const res = await post('datastore_create', {
      resource: { package_id: dataset.id }, fields: [{ id: 'a' }], records: [{ a: 3, b: '2.5', c: '2025-01-01', d: 'Text', e: { x: 1 } }],
    });
    expect(res.status).toBe(200);
    expect(res.body.result.fields).toEqual([{ id: 'a', type: 'int' }]);
    const info = await post('datastore_info', { id: res.body.result.resource_id });
    expect(info.body.result.fields.map((f: Dict) => [f.id, f.type])).toEqual([['a', 'int4'], ['b', 'numeric'], ['c', 'timestamp'], ['d', 'text'], ['e', 'json']]);
    const noType = await post('datastore_create', { resource: { package_id: dataset.id }, fields: [{ id: 'x' }] });
    expect(noType.status).toBe(409);
    expect(noType.body.error).toMatchObject({ __type: 'Validation Error', fields: ['"x" type not guessable'] });
  });

  it('refuses bad field names and unknown types with CKAN field messages, and stores nothing', async () => {
    const cases: [Dict[], Dict][] = [
      [[{ id: '_hidden', type: 'text' }], { fields: ['"_hidden" is not a valid field name'] }],
      [[{ id: 'a"b', type: 'text' }], { fields: ['"a"b" is not a valid field name'] }],
      [[{ id: ' padded', type: 'text' }], { fields: ['" padded" is not a valid field name'] }],
      [[{ id: 'x', type: 'serial; DROP TABLE package' }], { fields: ['"serial; DROP TABLE package" is not a valid field type'] }],
      [[{ id: 'x', type: 'widget' }], { fields: ['"widget" is not a valid field type'] }],
      [[{ id: 'x'.repeat(64), type: 'text' }], { fields: [`Column heading "${'x'.repeat(64)}" exceeds limit of 63 characters.`] }],
      [[{ id: 'x', type: 'text' }, { id: 'x', type: 'int' }], { field: ['Duplicate column names are not supported'] }],
      [[{ type: 'text' }], { fields: [{ id: ['Missing value'] }] }],
    ];
    const before = (await t.call<{ resources: unknown[] }>('package_show', { id: dataset.id })).resources.length;
    for (const [fields, error] of cases) {
      const res = await post('datastore_create', { resource: { package_id: dataset.id }, fields });
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({ __type: 'Validation Error', ...error });
    }
    // The resource each attempt created was rolled back with it.
    expect((await t.call<{ resources: unknown[] }>('package_show', { id: dataset.id })).resources.length).toBe(before);
  });

  it('quotes field names that hold SQL, so they are just names', async () => {
    const evil = 'x"; DROP TABLE package; --';
    expect((await post('datastore_create', { resource: { package_id: dataset.id }, fields: [{ id: evil, type: 'text' }] })).status).toBe(409);
    const name = "a'); DELETE FROM package; --";
    const id = await table({ fields: [{ id: name, type: 'text' }, { id: 'b;c', type: 'int' }], records: [{ [name]: 'v', 'b;c': 1 }] });
    const res = await post('datastore_search', { resource_id: id, filters: { [name]: 'v' }, sort: `"${name}" desc, b;c`, q: { [name]: 'v' } });
    expect(res.status).toBe(200);
    expect(res.body.result.records).toEqual([expect.objectContaining({ [name]: 'v', 'b;c': 1 })]);
    const injected = await post('datastore_search', { resource_id: id, sort: '_id; DROP TABLE package', filters: { '_id = 1 OR 1': 1 } });
    expect(injected.status).toBe(409);
    const q = await post('datastore_search', { resource_id: id, q: "'); DROP TABLE package; --", plain: false });
    expect(q.status).toBe(409);
    expect(q.body.error).toMatchObject({ query: ['Invalid query'] });
    expect((await t.call<{ id: string }>('package_show', { id: dataset.id })).id).toBe(dataset.id);
  });

  it('datastore_create on an existing table adds fields, updates the data dictionary and appends records', async () => {
    const id = await table({ fields: [{ id: 'a', type: 'text' }], records: [{ a: 'eins' }] });
    const res = await post('datastore_create', {
      resource_id: id, fields: [{ id: 'a', info: { label: 'A', type_override: 'text' } }, { id: 'b', type: 'int' }], records: [{ a: 'zwei', b: 2 }],
    });
    expect(res.status).toBe(200);
    const info = await post('datastore_info', { resource_id: id });
    expect(info.body.result.fields).toEqual([
      { id: 'a', type: 'text', info: { label: 'A', type_override: 'text' }, schema: expect.objectContaining({ native_type: 'text', notnull: false }) },
      { id: 'b', type: 'int4', schema: expect.objectContaining({ native_type: 'integer', is_index: false, uniquekey: false }) },
    ]);
    expect(info.body.result.meta).toMatchObject({ id, count: 2, table_type: 'BASE TABLE', aliases: [] });
    expect(info.body.result.meta.size).toEqual(expect.any(Number));
    const dropped = await post('datastore_create', { resource_id: id, fields: [{ id: 'b' }], delete_fields: true });
    expect(dropped.status).toBe(200);
    expect((await post('datastore_info', { id })).body.result.fields.map((f: Dict) => f.id)).toEqual(['b']);
  });

  it('refuses writes to a resource that is not a DataStore resource unless force is given', async () => {
    const link = await t.call<{ id: string }>('resource_create', { package_id: dataset.id, url: 'http://example.org/a.csv' });
    const res = await post('datastore_create', { resource_id: link.id, fields: [{ id: 'a', type: 'text' }] });
    expect(res.status).toBe(409);
    expect(res.body.error['read-only'][0]).toMatch(/^Cannot edit read-only resource/);
    expect((await post('datastore_create', { resource_id: link.id, force: true, fields: [{ id: 'a', type: 'text' }] })).status).toBe(200);
    expect((await post('datastore_upsert', { resource_id: link.id, method: 'insert', records: [{ a: 'x' }] })).status).toBe(409);
    expect((await post('datastore_upsert', { resource_id: link.id, method: 'insert', records: [{ a: 'x' }], force: true })).status).toBe(200);
    expect((await post('datastore_delete', { resource_id: link.id })).status).toBe(409);
    expect((await post('datastore_delete', { resource_id: link.id, force: 'true' })).status).toBe(200);
    expect((await post('resource_show', { id: link.id })).body.result.datastore_active).toBe(false);
  });

  it('datastore_upsert inserts, updates by key and by _id, upserts, and checks the key', async () => {
    const id = await table({ fields: [{ id: 'code', type: 'text' }, { id: 'n', type: 'int' }], primary_key: ['code'] });
    expect((await post('datastore_upsert', { resource_id: id, method: 'insert', records: [{ code: 'a', n: 1 }, { code: 'b', n: 2 }] })).status).toBe(200);
    const up = await post('datastore_upsert', { id, records: [{ code: 'a', n: 10 }, { code: 'c', n: 3 }] });
    expect(up.status).toBe(200);
    expect(up.body.result).toMatchObject({ resource_id: id, records: [{ code: 'a', n: 10 }, { code: 'c', n: 3 }] });
    expect((await post('datastore_upsert', { resource_id: id, method: 'update', records: [{ _id: 2, n: 20 }] })).status).toBe(200);
    const rows = (await post('datastore_search', { resource_id: id, sort: 'code' })).body.result.records;
    expect(rows).toEqual([{ _id: 1, code: 'a', n: 10 }, { _id: 2, code: 'b', n: 20 }, { _id: 3, code: 'c', n: 3 }]);

    const missing = await post('datastore_upsert', { resource_id: id, method: 'update', records: [{ code: 'zz', n: 1 }] });
    expect(missing.status).toBe(409);
    expect(missing.body.error.key[0]).toMatch(/not found/);
    const dup = await post('datastore_upsert', { resource_id: id, method: 'insert', records: [{ code: 'a', n: 1 }] });
    expect(dup.status).toBe(409);
    expect(dup.body.error.constraints).toEqual(['Cannot insert records or create index because of uniqueness constraint']);
    const noKey = await post('datastore_upsert', { resource_id: id, records: [{ n: 1 }] });
    expect(noKey.body.error.key[0]).toMatch(/fields "code" are missing but needed as key/);
    const unknown = await post('datastore_upsert', { resource_id: id, records: [{ code: 'a', zz: 1 }] });
    expect(unknown.body.error).toMatchObject({ fields: ['fields "zz" do not exist'] });
    const extra = await post('datastore_upsert', { resource_id: id, method: 'insert', records: [{ code: 'q', zz: 1 }] });
    expect(extra.body.error).toMatchObject({ records: ['row "1" has extra keys "zz"'] });
    const badType = await post('datastore_upsert', { resource_id: id, method: 'insert', records: [{ code: 'q', n: 'viele' }] });
    expect(badType.status).toBe(409);
    expect(badType.body.error.records[0]).toMatch(/invalid input syntax for type integer/);
    const badMethod = await post('datastore_upsert', { resource_id: id, method: 'merge', records: [] });
    expect(badMethod.body.error).toMatchObject({ method: ['Value must be one of ["upsert","insert","update"]'] });
    // Nothing of the refused writes was stored.
    expect((await post('datastore_search', { resource_id: id })).body.result.total).toBe(3);

    const noUnique = await table({ fields: [{ id: 'v', type: 'text' }] });
    const refused = await post('datastore_upsert', { resource_id: noUnique, records: [{ v: 'x' }] });
    expect(refused.body.error).toMatchObject({ table: ['unique key must be passed for update/upsert'] });
  });

  it('datastore_upsert of a batch updates existing keys and inserts new ones, the later of two equal keys winning', async () => {
    const id = await table({ fields: [{ id: 'k', type: 'int' }, { id: 'v', type: 'text' }, { id: 'w', type: 'text' }], primary_key: 'k', records: [{ k: 1, v: 'a', w: 'bleibt' }, { k: 2, v: 'b', w: 'bleibt' }] });
    const batch = Array.from({ length: 200 }, (_, i) => ({ k: i + 1, v: `neu-${i + 1}` }));
    expect((await post('datastore_upsert', { resource_id: id, records: batch })).status).toBe(200);
    const res = (await post('datastore_search', { resource_id: id, limit: 3, sort: 'k' })).body.result;
    expect(res.total).toBe(200);
    expect(res.records).toEqual([{ _id: 1, k: 1, v: 'neu-1', w: 'bleibt' }, { _id: 2, k: 2, v: 'neu-2', w: 'bleibt' }, { _id: 3, k: 3, v: 'neu-3', w: null }]);
    // '5' and 5 are one key to PostgreSQL: record by record, the later one wins.
    expect((await post('datastore_upsert', { resource_id: id, records: [{ k: '5', v: 'erst' }, { k: 5, v: 'dann' }] })).status).toBe(200);
    expect((await post('datastore_search', { resource_id: id, filters: { k: 5 } })).body.result.records).toEqual([{ _id: 5, k: 5, v: 'dann', w: null }]);
    const text = (await post('datastore_search', { resource_id: id, q: 'dann' })).body.result;
    expect(text.records.map((r: Dict) => r.k)).toEqual([5]);
    const bad = await post('datastore_upsert', { resource_id: id, records: [{ k: 7, v: 'x' }, { k: 'sieben', v: 'y' }] });
    expect(bad.status).toBe(409);
    expect((await post('datastore_search', { resource_id: id, filters: { k: 7 } })).body.result.records[0].v).toBe('neu-7');
  });

  it('datastore_upsert with dry_run checks the records and stores nothing', async () => {
    const id = await table({ fields: [{ id: 'v', type: 'int' }] });
    const dry = await post('datastore_upsert', { resource_id: id, method: 'insert', dry_run: true, records: [{ v: 1 }, { v: 2 }] });
    expect(dry.status).toBe(200);
    expect((await post('datastore_search', { resource_id: id })).body.result.total).toBe(0);
    const bad = await post('datastore_upsert', { resource_id: id, method: 'insert', dry_run: true, records: [{ v: 'x' }] });
    expect(bad.status).toBe(409);
  });

  it('datastore_search: filters, q, fields, sort, distinct, paging, totals and formats', async () => {
    const id = await table({
      fields: [{ id: 'stadt', type: 'text' }, { id: 'jahr', type: 'int' }, { id: 'text', type: 'text' }],
      records: [
        { stadt: 'Speyer', jahr: 2020, text: 'The river is rising fast' },
        { stadt: 'Speyer', jahr: 2021, text: 'Quiet water' },
        { stadt: 'Worms', jahr: 2020, text: 'Rivers and bridges' },
        { stadt: 'Mainz, "Alt"', jahr: 2022, text: null },
      ],
    });
    const s = async (body: Dict) => {
      const res = await post('datastore_search', { resource_id: id, ...body });
      expect(res.status).toBe(200);
      return res.body.result;
    };
    expect((await s({ filters: { stadt: 'Speyer' } })).records.map((r: Dict) => r._id)).toEqual([1, 2]);
    expect((await s({ filters: { jahr: [2020, '2022'] } })).records.map((r: Dict) => r._id)).toEqual([1, 3, 4]);
    expect((await s({ filters: JSON.stringify({ stadt: 'Worms' }) })).total).toBe(1);
    expect((await s({ filters: { stadt: ['Worms', ...Array.from({ length: 70000 }, (_, i) => `x${i}`)] } })).total).toBe(1);
    expect((await s({ filters: { stadt: [] } })).total).toBe(0);
    expect((await s({ filters: { _id: [2, 3] } })).records.map((r: Dict) => r._id)).toEqual([2, 3]);
    expect((await s({ filters: { _id: 4 } })).records.map((r: Dict) => r._id)).toEqual([4]);
    expect((await s({ filters: { stadt: ['Mainz, "Alt"', null] } })).total).toBe(1);
    const text = await s({ q: 'rivers' });
    expect(text.records.map((r: Dict) => r._id).sort()).toEqual([1, 3]);
    expect(text.fields.map((f: Dict) => f.id)).toContain('rank');
    expect(text.records[0].rank).toEqual(expect.any(Number));
    expect((await s({ q: { text: 'water' } })).records.map((r: Dict) => r._id)).toEqual([2]);
    expect((await s({ q: JSON.stringify({ stadt: 'worms' }) })).records.map((r: Dict) => r._id)).toEqual([3]);
    expect((await s({ q: 'river & !bridges', plain: false })).records.map((r: Dict) => r._id)).toEqual([1]);
    expect((await s({ q: { text: 'rivers' }, language: 'simple' })).records.map((r: Dict) => r._id)).toEqual([3]);
    expect((await s({ fields: ['jahr', 'stadt'], sort: 'jahr desc, stadt' })).records).toEqual([
      { jahr: 2022, stadt: 'Mainz, "Alt"' }, { jahr: 2021, stadt: 'Speyer' }, { jahr: 2020, stadt: 'Speyer' }, { jahr: 2020, stadt: 'Worms' },
    ]);
    expect((await s({ sort: 'text nulls first', fields: '_id' })).records[0]).toEqual({ _id: 4 });
    const distinct = await s({ fields: 'stadt', distinct: true, sort: 'stadt' });
    expect(distinct.records).toEqual([{ stadt: 'Mainz, "Alt"' }, { stadt: 'Speyer' }, { stadt: 'Worms' }]);
    expect(distinct.total).toBe(3);
    const page = await s({ limit: 2, offset: 2, fields: '_id' });
    expect(page).toMatchObject({ limit: 2, offset: 2, total: 4, records: [{ _id: 3 }, { _id: 4 }] });
    expect(page._links).toEqual({ start: '/api/3/action/datastore_search', next: '/api/3/action/datastore_search?offset=4' });
    const noTotal = await s({ include_total: false });
    expect(noTotal).not.toHaveProperty('total');
    expect(await s({ limit: 0 })).toMatchObject({ records: [], total: 4 });
    expect((await s({ limit: 100000 })).limit).toBe(32000);
    const csv = await s({ records_format: 'csv', fields: 'stadt,jahr,text', sort: '_id' });
    expect(csv.records).toBe('Speyer,2020,The river is rising fast\nSpeyer,2021,Quiet water\nWorms,2020,Rivers and bridges\n"Mainz, ""Alt""",2022,\n');
    const tsv = await s({ records_format: 'tsv', fields: ['stadt', 'jahr'], limit: 1 });
    expect(tsv.records).toBe('Speyer\t2020\n');
  });

  it('datastore_search estimates the total above total_estimation_threshold once the table has statistics', async () => {
    const id = await table({ fields: [{ id: 'v', type: 'int' }], records: Array.from({ length: 50 }, (_, i) => ({ v: i })), calculate_record_count: true });
    expect(await post('datastore_search', { resource_id: id, total_estimation_threshold: 10, limit: 1 }).then((r) => r.body.result)).toMatchObject({ total: 50, total_was_estimated: true });
    expect(await post('datastore_search', { resource_id: id, total_estimation_threshold: 1000, limit: 1 }).then((r) => r.body.result)).toMatchObject({ total: 50, total_was_estimated: false });
    expect(await post('datastore_search', { resource_id: id, total_estimation_threshold: 10, filters: { v: 1 } }).then((r) => r.body.result)).toMatchObject({ total: 1, total_was_estimated: false });
  });

  it('GET links keep the query string and move the offset', async () => {
    const id = await table({ fields: [{ id: 'v', type: 'int' }], records: [{ v: 1 }, { v: 2 }, { v: 3 }] });
    const res = await request(t.http).get(`/api/3/action/datastore_search?resource_id=${id}&limit=1&offset=2&q=`);
    expect(res.body.result._links).toEqual({
      start: `/api/3/action/datastore_search?resource_id=${id}&limit=1`,
      next: `/api/3/action/datastore_search?resource_id=${id}&limit=1&offset=3`,
      prev: `/api/3/action/datastore_search?resource_id=${id}&limit=1&offset=1`,
    });
  });

  it('bad search parameters answer 409 naming the parameter', async () => {
    const id = await table({ fields: [{ id: 'v', type: 'int' }] });
    const bad = async (body: Dict) => {
      const res = await post('datastore_search', { resource_id: id, ...body });
      expect(res.status).toBe(409);
      return res.body.error;
    };
    expect(await bad({ filters: { nope: 1 } })).toEqual({ __type: 'Validation Error', filters: ['invalid value "nope"'] });
    expect(await bad({ sort: 'nope desc' })).toEqual({ __type: 'Validation Error', sort: ['invalid value "nope desc"'] });
    expect(await bad({ fields: 'v,nope' })).toEqual({ __type: 'Validation Error', fields: ['invalid value "nope"'] });
    expect(await bad({ q: { nope: 'x' } })).toEqual({ __type: 'Validation Error', q: ['invalid value "nope"'] });
    expect(await bad({ offset: -1 })).toEqual({ __type: 'Validation Error', offset: ['invalid value "-1"'] });
    expect(await bad({ limit: -1 })).toEqual({ __type: 'Validation Error', limit: ['Must be a natural number'] });
    expect(await bad({ records_format: 'xml' })).toMatchObject({ records_format: [expect.stringContaining('Value must be one of')] });
    expect(await bad({ language: 'klingon' })).toEqual({ __type: 'Validation Error', language: ['invalid value "klingon"'] });
    expect(await bad({ filters: '{not json' })).toEqual({ __type: 'Validation Error', filters: ['Cannot parse JSON'] });
    expect(await bad({ filters: { v: 'abc' } })).toMatchObject({ query: ['Invalid query'] });
    // A parameter the action does not know (here a misspelt `filters`) is refused, as CKAN's __junk rule does.
    expect(await bad({ filter: { v: 1 } })).toEqual({ __type: 'Validation Error', __junk: ['The input field __junk was not expected.'] });
    expect((await post('datastore_upsert', { resource_id: id, record: [{ v: 1 }] })).body.error).toMatchObject({ __junk: ['The input field __junk was not expected.'] });
  });

  it('an unknown table answers 404 in every action', async () => {
    const none = '00000000-0000-4000-8000-000000000000';
    const search = await post('datastore_search', { resource_id: none });
    expect(search.status).toBe(404);
    expect(search.body.error).toEqual({ __type: 'Not Found Error', message: `Not found: Resource "${none}" was not found.` });
    expect((await post('datastore_info', { id: none })).body.error.message).toBe(`Not found: Resource/Alias "${none}" was not found.`);
    for (const odd of ["x'; DROP TABLE package; --", 'package', '_table_metadata', none.toUpperCase().replace('4000', '4001')]) {
      expect((await post('datastore_search', { resource_id: odd })).status).toBe(404);
    }
    expect((await post('datastore_upsert', { resource_id: none, records: [] })).status).toBe(404);
    expect((await post('datastore_delete', { resource_id: none })).status).toBe(404);
    const plain = await t.call<{ id: string }>('resource_create', { package_id: dataset.id, url: 'http://example.org/b', url_type: 'datastore' });
    const noTable = await post('datastore_upsert', { resource_id: plain.id, records: [] });
    expect(noTable.status).toBe(404);
    expect(noTable.body.error.message).toBe(`Not found: Resource "${plain.id}" was not found.`);
    const create = await post('datastore_create', { resource_id: none, fields: [] });
    expect(create.body.error).toEqual({ __type: 'Validation Error', resource_id: ['Not found: Resource'] });
    expect((await post('datastore_create', { fields: [] })).body.error).toEqual({ __type: 'Validation Error', resource_id: ['resource_id or resource required'] });
    expect((await post('datastore_create', { resource_id: plain.id, resource: { package_id: dataset.id } })).body.error).toEqual({
      __type: 'Validation Error', resource: ['resource cannot be used with resource_id'],
    });
  });

  it('datastore_delete with filters deletes rows; without, the table; datastore_records_delete never the table', async () => {
    const id = await table({ fields: [{ id: 'v', type: 'int' }, { id: 'k', type: 'text' }], records: [{ v: 1, k: 'a' }, { v: 2, k: 'b' }, { v: 3, k: 'b' }] });
    const del = await post('datastore_delete', { resource_id: id, filters: { k: 'b', v: [2] } });
    expect(del.status).toBe(200);
    expect(del.body.result).toEqual({ resource_id: id, filters: { k: 'b', v: [2] }, calculate_record_count: false });
    expect((await post('datastore_search', { resource_id: id })).body.result.records.map((r: Dict) => r.v)).toEqual([1, 3]);
    expect((await post('datastore_delete', { resource_id: id, filters: { nope: 1 } })).body.error).toMatchObject({ filters: ['invalid value "nope"'] });
    expect((await post('datastore_delete', { resource_id: id, filters: [1] })).body.error).toMatchObject({ filters: ['filters must be either a dict or null.'] });
    expect((await post('datastore_records_delete', { resource_id: id })).body.error).toMatchObject({ filters: ['Missing value'] });
    expect((await post('datastore_records_delete', { resource_id: id, filters: {} })).status).toBe(200);
    expect((await post('datastore_search', { resource_id: id })).body.result.total).toBe(0);
    expect((await post('datastore_delete', { resource_id: id })).status).toBe(200);
    expect((await post('datastore_search', { resource_id: id })).status).toBe(404);
    expect((await post('resource_show', { id })).body.result.datastore_active).toBe(false);
  });

  it('deleting the resource or the dataset, or purging it, drops its tables', async () => {
    const own = await t.factories.dataset({ owner_org: org.id });
    const make = async () => (await post('datastore_create', { resource: { package_id: own.id }, fields: [{ id: 'v', type: 'int' }] })).body.result.resource_id as string;
    const exists = async (id: string) => (await t.db.dataSource.query(`SELECT to_regclass($1) AS r`, [`datastore."${id}"`]))[0].r !== null;
    const a = await make();
    const b = await make();
    expect(await exists(a)).toBe(true);
    expect((await post('resource_delete', { id: a })).status).toBe(200);
    expect(await exists(a)).toBe(false);
    expect(await exists(b)).toBe(true);
    expect((await post('package_delete', { id: own.id })).status).toBe(200);
    expect(await exists(b)).toBe(false);
    expect((await post('datastore_search', { resource_id: b }, t.sysadmin)).status).toBe(404);

    const kept = await t.factories.dataset({ owner_org: org.id });
    const d = (await post('datastore_create', { resource: { package_id: kept.id }, fields: [{ id: 'v', type: 'int' }] })).body.result.resource_id as string;
    expect((await post('package_patch', { id: kept.id, resources: [] })).status).toBe(200);
    expect(await exists(d)).toBe(false);

    const other = await t.factories.dataset({ owner_org: org.id });
    const c = (await post('datastore_create', { resource: { package_id: other.id }, fields: [{ id: 'v', type: 'int' }] })).body.result.resource_id as string;
    expect((await post('dataset_purge', { id: other.id }, t.sysadmin)).status).toBe(200);
    expect(await exists(c)).toBe(false);
  });

  it('primary_key and indexes make indexes that datastore_info shows; a changed primary_key replaces the unique one', async () => {
    const id = await table({
      fields: [{ id: 'a', type: 'text' }, { id: 'b', type: 'int' }, { id: 'c', type: 'json' }],
      records: [{ a: 'x', b: 1, c: { k: 1 } }, { a: 'y', b: 1, c: { k: 2 } }],
      primary_key: ['a'], indexes: ['b', ['b', 'c']],
    });
    const schema = async () => Object.fromEntries((await post('datastore_info', { id })).body.result.fields.map((f: Dict) => [f.id, f.schema]));
    expect(await schema()).toMatchObject({
      a: { native_type: 'text', is_index: true, uniquekey: true, index_name: expect.any(String) },
      b: { native_type: 'integer', is_index: true, uniquekey: false },
      c: { native_type: 'json', is_index: false, uniquekey: false },
    });
    const names = async () => (await t.db.dataSource.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'datastore' AND tablename = $1`, [id])).length as number;
    const before = await names();
    expect((await post('datastore_create', { resource_id: id, primary_key: 'a' })).status).toBe(200);
    expect(await names()).toBe(before);
    const dup = await post('datastore_create', { resource_id: id, primary_key: 'b' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.constraints).toEqual(['Cannot insert records or create index because of uniqueness constraint']);
    expect((await post('datastore_create', { resource_id: id, primary_key: ['a', 'b'], indexes: '' })).status).toBe(200);
    expect(await schema()).toMatchObject({ a: { uniquekey: true }, b: { uniquekey: true }, c: { is_index: false } });
    const bad = await post('datastore_create', { resource_id: id, indexes: ['nope'] });
    expect(bad.body.error).toEqual({ __type: 'Validation Error', index: ['The field "nope" is not a valid column name.'] });
    expect((await post('datastore_upsert', { resource_id: id, records: [{ a: 'x', b: 1, c: { k: 9 } }] })).status).toBe(200);
    expect((await post('datastore_search', { resource_id: id, filters: { a: 'x' } })).body.result.records).toEqual([{ _id: 1, a: 'x', b: 1, c: { k: 9 } }]);
  });

  it('columns named like the query\'s own aliases (j, v, z, rank, query) come back as themselves', async () => {
    const id = await table({ fields: ['j', 'v', 'z', 'rank', 'query', 'r', 'x'].map((f) => ({ id: f, type: 'text' })), records: [{ j: 'J', v: 'V', z: 'Z', rank: 'R', query: 'Q', r: 'r', x: 'X' }] });
    const res = await post('datastore_search', { resource_id: id });
    expect(res.body.result.records).toEqual([{ _id: 1, j: 'J', v: 'V', z: 'Z', rank: 'R', query: 'Q', r: 'r', x: 'X' }]);
    expect((await post('datastore_search', { resource_id: id, records_format: 'lists' })).body.result.records).toEqual([[1, 'J', 'V', 'Z', 'R', 'Q', 'r', 'X']]);
    expect((await post('datastore_upsert', { resource_id: id, method: 'update', records: [{ _id: 1, r: 'neu' }] })).status).toBe(200);
    expect((await post('datastore_search', { resource_id: id, filters: { r: 'neu' } })).body.result.total).toBe(1);
  });

  it('big integers and exact decimals reach HTTP clients as PostgreSQL wrote them', async () => {
    const id = await table({ fields: [{ id: 'big', type: 'int8' }, { id: 'n', type: 'numeric' }], records: [{ big: '9223372036854775807', n: '0.1000000000000000000001' }] });
    const res = await request(t.http).get(`/api/3/action/datastore_search?resource_id=${id}`);
    expect(res.text).toContain('"big":9223372036854775807');
    expect(res.text).toContain('"n":0.1000000000000000000001');
  });

  it('GET takes filters and q as JSON text, and fields and sort as comma-separated text', async () => {
    const id = await table({ fields: [{ id: 'a', type: 'text' }, { id: 'n', type: 'int' }], records: [{ a: 'eins', n: 1 }, { a: 'zwei', n: 2 }, { a: 'drei', n: 3 }] });
    const qs = new URLSearchParams({ resource_id: id, filters: JSON.stringify({ n: [1, 3] }), fields: 'n, a', sort: 'n desc' });
    const res = await request(t.http).get(`/api/3/action/datastore_search?${qs.toString()}`);
    expect(res.status).toBe(200);
    expect(res.body.result.records).toEqual([{ n: 3, a: 'drei' }, { n: 1, a: 'eins' }]);
    const q = await request(t.http).get(`/api/3/action/datastore_search?resource_id=${id}&q=${encodeURIComponent(JSON.stringify({ a: 'zwei' }))}`);
    expect(q.body.result.records.map((r: Dict) => r.a)).toEqual(['zwei']);
    const nonText = await post('datastore_search', { resource_id: id, q: { n: '2' } });
    expect(nonText.body.result.records.map((r: Dict) => r.n)).toEqual([2]);
    expect(nonText.body.result.fields.map((f: Dict) => f.id)).toEqual(['_id', 'a', 'n', 'rank n']);
  });

  it('a deleted dataset\'s resources no longer say datastore_active', async () => {
    const own = await t.factories.dataset({ owner_org: org.id });
    const id = (await post('datastore_create', { resource: { package_id: own.id }, fields: [{ id: 'v', type: 'int' }] })).body.result.resource_id as string;
    expect((await post('package_delete', { id: own.id })).status).toBe(200);
    const shown = await t.call<{ resources: Dict[] }>('package_show', { id: own.id });
    expect(shown.resources.find((r) => r.id === id)).toMatchObject({ datastore_active: false });
  });

  it('status_show lists the datastore extension', async () => {
    const res = await request(t.http).get('/api/3/action/status_show');
    expect(res.body.result.extensions).toContain('datastore');
  });
});
