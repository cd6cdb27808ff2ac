import ExcelJS from 'exceljs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request, { Response } from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/** Reads a response as a Buffer (supertest keeps binary bodies otherwise only for known types). */
const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void): void => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('GET /datastore/dump/{resource_id}', () => {
  let t: TestApp;
  let member: TestUser;
  let outsider: TestUser;
  let id: string;
  let secret: string;

  beforeAll(async () => {
    t = await TestApp.start();
    member = await t.factories.user();
    outsider = await t.factories.user();
    const org = await t.factories.organization({ members: [[member, 'member']] });
    await t.factories.organization({ members: [[outsider, 'editor']] });
    const open = await t.factories.dataset({ owner_org: org.id });
    const hidden = await t.factories.dataset({ owner_org: org.id, private: true });
    id = (await t.call<{ resource_id: string }>('datastore_create', {
      resource: { package_id: open.id, name: 'Pegel' },
      fields: [
        { id: 'name', type: 'text', info: { label: 'Name' } }, { id: 'wert', type: 'numeric' }, { id: 'tag', type: 'date' },
        { id: 'zeit', type: 'timestamp' }, { id: 'ok', type: 'bool' }, { id: 'liste', type: '_text' }, { id: 'meta', type: 'json' },
      ],
      records: [
        { name: 'Köln, "Rhein"', wert: '12345678901234567890.5', tag: '2025-03-01', zeit: '2025-03-01T08:30:00', ok: true, liste: ['a', 'b'], meta: { x: 1 } },
        { name: 'zwei\nZeilen', wert: -3.5, tag: null, zeit: null, ok: false, liste: null, meta: null },
        { name: 'Bonn & <Beuel>', wert: 0, tag: '2025-12-31', zeit: '2025-12-31T23:59:59', ok: null, liste: [], meta: [1, 'z'] },
      ],
    })).resource_id;
    secret = (await t.call<{ resource_id: string }>('datastore_create', {
      resource: { package_id: hidden.id }, fields: [{ id: 'geheim', type: 'text' }], records: [{ geheim: 'nur intern' }],
    })).resource_id;
  });
  afterAll(() => t.stop());

  const get = (path: string, as: TestUser | null = null) => {
    const r = request(t.http).get(path);
    return as ? r.set('Authorization', as.token) : r;
  };

  it('writes CSV by default: CKAN\'s header row, the rows as datastore_search writes them, the file name of the resource', async () => {
    const res = await get(`/datastore/dump/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${id}.csv"`);
    expect(res.text).toBe(
      '_id,name,wert,tag,zeit,ok,liste,meta\r\n' +
      '1,"Köln, ""Rhein""",12345678901234567890.5,2025-03-01,2025-03-01T08:30:00,true,"[""a"",""b""]","{""x"":1}"\n' +
      // Missing arrays and JSON are `null`, as datastore_search's records_format csv writes them.
      '2,"zwei\nZeilen",-3.5,,,false,null,null\n' +
      '3,Bonn & <Beuel>,0,2025-12-31,2025-12-31T23:59:59,,[],"[1,""z""]"\n',
    );
  });

  it('writes TSV, with a byte order mark when bom is true', async () => {
    const res = await get(`/datastore/dump/${id}?format=tsv&bom=true&fields=_id,name&limit=1`);
    expect(res.headers['content-type']).toBe('text/tab-separated-values; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${id}.tsv"`);
    expect(res.text).toBe('\uFEFF_id\tname\r\n1\t"Köln, ""Rhein"""\n');
  });

  it('writes JSON as CKAN does: fields with their data dictionary, records as lists, numbers exact', async () => {
    const res = await get(`/datastore/dump/${id}?format=json&fields=_id,name,wert,meta`).buffer(true).parse(binary);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const text = (res.body as Buffer).toString('utf8');
    expect(text).toBe(
      '{\n  "fields": [{"id":"_id","type":"int"},{"id":"name","type":"text","info":{"label":"Name"}},{"id":"wert","type":"numeric"},{"id":"meta","type":"json"}],\n' +
      '  "records": [\n    [1,"Köln, \\"Rhein\\"",12345678901234567890.5,{"x":1}],\n    [2,"zwei\\nZeilen",-3.5,null],\n    [3,"Bonn & <Beuel>",0,[1,"z"]]\n]}\n',
    );
  });

  it('writes XML as CKAN does: <row _id>, nil for missing values, <value key> for lists and dicts, escaped text', async () => {
    const res = await get(`/datastore/dump/${id}?format=xml&fields=_id,name,ok,liste,meta&sort=_id desc&limit=2`);
    expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(res.text).toBe(
      '<data xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' +
      '<row _id="3"><name>Bonn &amp; &lt;Beuel&gt;</name><ok xsi:nil="true" /><liste /><meta><value key="0">1</value><value key="1">z</value></meta></row>\n' +
      '<row _id="2"><name>zwei\nZeilen</name><ok>False</ok><liste xsi:nil="true" /><meta xsi:nil="true" /></row>\n' +
      '</data>\n',
    );
  });

  it('writes XLSX (beyond CKAN): a header row and typed cells that a spreadsheet reads back', async () => {
    const res = await get(`/datastore/dump/${id}?format=xlsx`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${id}.xlsx"`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ExcelJS.Buffer);
    const sheet = wb.worksheets[0];
    expect(sheet.rowCount).toBe(4);
    expect(sheet.getRow(1).values).toEqual([undefined, '_id', 'name', 'wert', 'tag', 'zeit', 'ok', 'liste', 'meta']);
    const row = sheet.getRow(2);
    expect(row.getCell(1).value).toBe(1);
    expect(row.getCell(2).value).toBe('Köln, "Rhein"');
    expect(row.getCell(4).value).toEqual(new Date('2025-03-01T00:00:00Z'));
    expect(row.getCell(5).value).toEqual(new Date('2025-03-01T08:30:00Z'));
    expect(row.getCell(6).value).toBe(true);
    expect(row.getCell(7).value).toBe('["a","b"]');
    expect(sheet.getRow(3).getCell(3).value).toBe(-3.5);
  });

  it('answers HEAD with the headers of the file and no body', async () => {
    for (let i = 0; i < 7; i++) {
      const res = await request(t.http).head(`/datastore/dump/${id}?format=json`);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${id}.json"`);
      expect(res.text ?? '').toBe('');
    }
    expect((await get(`/datastore/dump/${id}?fields=_id&limit=1`)).text).toBe('_id\r\n1\n');
  });

  it('takes datastore_search\'s q, filters, fields, sort, offset and limit', async () => {
    const filtered = await get(`/datastore/dump/${id}?filters=${encodeURIComponent(JSON.stringify({ ok: [true, false] }))}&fields=name,wert&sort=wert desc`);
    expect(filtered.text).toBe('name,wert\r\n"Köln, ""Rhein""",12345678901234567890.5\n"zwei\nZeilen",-3.5\n');
    const q = await get(`/datastore/dump/${id}?q=Bonn&fields=_id`);
    expect(q.text).toBe('_id\r\n3\n');
    const page = await get(`/datastore/dump/${id}?fields=_id&offset=1&limit=1`);
    expect(page.text).toBe('_id\r\n2\n');
    const none = await get(`/datastore/dump/${id}?fields=_id&limit=0`);
    expect(none.text).toBe('_id\r\n');
  });

  it('answers 400 naming the parameter for a bad format, field, sort or limit', async () => {
    for (const [qs, message] of [
      ['format=pdf', 'format: Value must be one of csv, tsv, json, xml, xlsx'],
      ['fields=nope', 'fields: invalid value "nope"'],
      ['sort=nope desc', 'sort: invalid value "nope desc"'],
      ['limit=viele', 'limit: Invalid integer'],
      ['filters=%7Bx', 'filters: Cannot parse JSON'],
    ]) {
      const res = await get(`/datastore/dump/${id}?${qs}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 400, message } });
    }
  });

  it('answers 404 for an unknown resource and for a private one to anonymous and other organizations, never its rows', async () => {
    for (const [path, as] of [
      [`/datastore/dump/00000000-0000-4000-8000-000000000000`, null], ['/datastore/dump/kein-uuid', null],
      [`/datastore/dump/${secret}`, null], [`/datastore/dump/${secret}?format=json`, outsider],
    ] as const) {
      const res = await get(path, as);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 404, message: 'DataStore resource not found' } });
    }
    const ok = await get(`/datastore/dump/${secret}`, member);
    expect(ok.text).toBe('_id,geheim\r\n1,nur intern\n');
  });

  it('gives resources made by datastore_create their dump URL as url, as CKAN shows them', async () => {
    const r = await t.call<{ url: string; url_type: string }>('resource_show', { id });
    expect(r).toMatchObject({ url: `http://catalog.test/datastore/dump/${id}`, url_type: 'datastore' });
    expect((await get(new URL(r.url).pathname)).status).toBe(200);
  });

  it('streams 200,000 rows (about 100 MB) as csv and xlsx from a cursor: every row arrives, the heap stays flat, a client that leaves frees its connection', async () => {
    const big = (await t.call<{ resource_id: string }>('datastore_create', {
      resource: { package_id: (await t.factories.dataset({ owner_org: (await t.factories.organization()).id })).id },
      fields: [{ id: 'n', type: 'int' }, { id: 'payload', type: 'json' }],
    })).resource_id;
    // 200,000 rows of ~500 bytes in one statement. An empty _full_text given, the full-text trigger leaves it be, and a json
    // column has no full-text index: the rows are in within seconds.
    await t.db.dataSource.query(`INSERT INTO datastore."${big}" (n, payload, _full_text) SELECT g, to_json(repeat(md5(g::text), 15)), ''::tsvector FROM generate_series(1, 200000) g`);

    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let bytes = 0;
    const res = await get(`/datastore/dump/${big}`).buffer(true).parse((res, cb) => {
      const stream = res as unknown as NodeJS.ReadableStream;
      let lines = 0;
      let chunks = 0;
      stream.on('data', (c: Buffer) => {
        bytes += c.length;
        for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) lines++;
        if (++chunks % 20 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
      });
      stream.on('end', () => cb(null, lines));
    });
    expect(res.status).toBe(200);
    // The header line and one line per row.
    expect(res.body).toBe(200_001);
    expect(bytes).toBeGreaterThan(95_000_000);
    // Held in memory, the dump alone would be ~100 MB (twice that as JS strings); streamed, the heap grows far less.
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);

    // xlsx too: exceljs's streaming writer, which makes no more rows while the client has not taken the zip so far, nor
    // while the compressor has not taken the sheet's XML: counted with the buffers outside the heap, where that XML waits.
    const held = (): number => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const xBefore = held();
    let xPeak = xBefore;
    let xBytes = 0;
    const xlsx = await get(`/datastore/dump/${big}?format=xlsx`).buffer(true).parse((res, cb) => {
      const stream = res as unknown as NodeJS.ReadableStream;
      let chunks = 0;
      stream.on('data', (c: Buffer) => {
        xBytes += c.length;
        if (++chunks % 20 === 0) xPeak = Math.max(xPeak, held());
      });
      stream.on('end', () => cb(null, xBytes));
    });
    expect(xlsx.status).toBe(200);
    expect(xBytes).toBeGreaterThan(1_000_000);
    // Held whole, the sheet's XML of these rows would be about 100 MB of text (about 200 MB as JS strings) before
    // compression; streamed, what is held stays far below that. The bound leaves room for garbage a busy machine has
    // not collected yet (86 MB was seen once on two loaded cores).
    expect(xPeak - xBefore).toBeLessThan(128 * 1024 * 1024);

    // A client that goes away mid-dump ends the dump: its transaction and connection are given back. More aborted dumps
    // than the pool has connections (5), then a whole one.
    const server = t.http.listening ? t.http : t.http.listen(0);
    const { port } = server.address() as AddressInfo;
    for (let i = 0; i < 7; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.get({ port, path: `/datastore/dump/${big}` }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (err) => (req.destroyed ? resolve() : reject(err)));
      });
    }
    const after = await get(`/datastore/dump/${big}?limit=3&fields=n`);
    expect(after.text).toBe('n\r\n1\n2\n3\n');
  }, 120_000);
});
