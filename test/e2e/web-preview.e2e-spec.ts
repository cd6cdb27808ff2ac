import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

/** The rows of the preview table's body, each a list of cell texts (tags stripped, entities as sent). */
const bodyRows = (html: string): string[][] => {
  const tbody = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...tbody.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => c[1]));
};

/**
 * Resource previews on the resource page (issue 17): a DataStore table with paging, sorting and filters through
 * datastore_search with the caller; the start of an uploaded CSV, JSON or text file, read as the loader reads files.
 * Server-rendered, no JavaScript; what the caller may not read is the 404 page.
 */
describe('web resource previews', () => {
  let t: TestApp;
  let editor: TestUser;
  let table: string;
  let secretTable: string;
  const pageOf = (rid: string) => `/dataset/pegel-preview/resource/${rid}`;

  const upload = async (datasetId: string, fields: Dict, file: Buffer, filename: string): Promise<string> => {
    let r = request(t.http).post('/api/3/action/resource_create').set('Authorization', editor.token);
    for (const [k, v] of Object.entries({ package_id: datasetId, ...fields })) r = r.field(k, String(v));
    const res = await r.attach('upload', file, { filename, contentType: 'application/octet-stream' });
    expect(res.status).toBe(200);
    return (res.body as { result: { id: string } }).result.id;
  };

  let csvId: string;
  let latinId: string;
  let jsonId: string;
  let linkId: string;
  let textId: string;
  let bigId: string;

  beforeAll(async () => {
    // Uploads stay files here: the loader would otherwise turn the CSV into a DataStore table meanwhile.
    t = await TestApp.start({ LOADER_FORMATS: 'none' });
    editor = await t.factories.user();
    const org = await t.factories.organization({ name: 'stadt-preview', members: [[editor, 'editor']] });
    const open = await t.factories.dataset({ name: 'pegel-preview', owner_org: org.id as string, resources: [{ name: 'Link', url: 'https://example.org/remote.csv', format: 'CSV' }] });
    const hidden = await t.factories.dataset({ name: 'geheim-preview', owner_org: org.id as string, private: true });
    linkId = ((open as { resources: { id: string }[] }).resources)[0].id;
    const records = Array.from({ length: 60 }, (_, i) => ({ ort: i % 2 ? 'Cochem' : 'Mayen', wert: i + 1, notiz: i === 0 ? '<script>alert("x")</script>' : `Messung ${i + 1}` }));
    table = (await t.call<{ resource_id: string }>('datastore_create', {
      resource: { package_id: open.id, name: 'Pegeltabelle' },
      fields: [{ id: 'ort', type: 'text' }, { id: 'wert', type: 'int' }, { id: 'notiz', type: 'text' }],
      records,
    })).resource_id;
    secretTable = (await t.call<{ resource_id: string }>('datastore_create', {
      resource: { package_id: hidden.id, name: 'Geheim' }, fields: [{ id: 'geheim', type: 'text' }], records: [{ geheim: 'nur intern' }],
    })).resource_id;
    const lines = ['Ort;Wert;Bemerkung', ...Array.from({ length: 150 }, (_, i) => `Ort ${i + 1};${i + 1},5;<b>fett</b> ${i + 1}`)];
    csvId = await upload(open.id as string, { name: 'Messwerte', format: 'CSV' }, Buffer.from(`\ufeff${lines.join('\r\n')}\r\n`, 'utf8'), 'messwerte.csv');
    latinId = await upload(open.id as string, { name: 'Alt', format: 'CSV' }, Buffer.from('Straße,Größe\nMüllerweg,3\n', 'latin1'), 'alt.csv');
    jsonId = await upload(open.id as string, { name: 'Stationen', format: 'JSON' }, Buffer.from('{"stationen":[{"name":"Cochem","pegel":3.2,"x":"</pre><script>1</script>"}]}'), 'stationen.json');
    textId = await upload(open.id as string, { name: 'Liesmich', format: 'Markdown' }, Buffer.from('# Pegel\n\nDaten der <Mosel>.\n'), 'liesmich.md');
    const big = JSON.stringify({ werte: Array.from({ length: 8000 }, (_, i) => ({ i, wert: `Wert ${i}` })) });
    bigId = await upload(open.id as string, { name: 'Gross', format: 'GeoJSON' }, Buffer.from(big), 'gross.geojson');
  });
  afterAll(() => t.stop());

  const get = (path: string, as: TestUser | null = null) => {
    const r = request(t.http).get(path);
    return as ? r.set('Authorization', as.token) : r;
  };

  describe('DataStore table', () => {
    it('shows the first page with a caption, column heads with their types, paging and the dump links', async () => {
      const res = await get(pageOf(table));
      expect(res.status).toBe(200);
      expect(res.text).toContain('<caption id="preview-caption">Tabelle „Pegeltabelle“: Zeilen 1 bis 25 von 60</caption>');
      expect(res.text).toMatch(/<th scope="col"><a href="[^"]*sort=ort[^"]*"[^>]*>ort<\/a><span class="col-type"><span class="visually-hidden">Typ: <\/span>text<\/span><\/th>/);
      expect(res.text).toContain('<span class="visually-hidden">Typ: </span>int4</span>');
      expect(bodyRows(res.text)).toHaveLength(25);
      expect(bodyRows(res.text)[1]).toEqual(['Cochem', '2', 'Messung 2']);
      expect(res.text).toContain('Seite 1 von 3');
      expect(res.text).toContain(`href="/datastore/dump/${table}?format=csv"`);
      expect(res.text).toContain(`href="/datastore/dump/${table}?format=json"`);
      expect(res.text).not.toMatch(/<script/i);
    });

    it('pages with ?page=', async () => {
      const res = await get(`${pageOf(table)}?page=3`);
      expect(res.text).toContain('Zeilen 51 bis 60 von 60');
      expect(bodyRows(res.text)[0]).toEqual(['Mayen', '51', 'Messung 51']);
      expect(res.text).toContain('rel="prev"');
      expect(res.text).not.toContain('rel="next"');
    });

    it('sorts by a column, marking the head with aria-sort', async () => {
      const res = await get(`${pageOf(table)}?sort=${encodeURIComponent('wert desc')}`);
      expect(res.status).toBe(200);
      expect(bodyRows(res.text)[0]).toEqual(['Cochem', '60', 'Messung 60']);
      expect(res.text).toMatch(/<th scope="col" aria-sort="descending"><a href="[^"]*sort=wert[^"]*"/);
      // The head's link turns the order around (ascending is the plain column name).
      expect(res.text).toMatch(/aria-sort="descending"><a href="\/dataset\/pegel-preview\/resource\/[^"?]+\?sort=wert#preview"/);
    });

    it('filters by a column value and by free text, keeping the filter in the paging links', async () => {
      const byFilter = await get(`${pageOf(table)}?filter.ort=Cochem`);
      expect(byFilter.text).toContain('Zeilen 1 bis 25 von 30');
      expect(bodyRows(byFilter.text).every((r) => r[0] === 'Cochem')).toBe(true);
      expect(byFilter.text).toMatch(/href="[^"]*filter.ort=Cochem[^"]*page=2#preview" rel="next"/);
      const byForm = await get(`${pageOf(table)}?filter_field=ort&filter_value=Mayen&sort=wert+desc`);
      expect(bodyRows(byForm.text)[0]).toEqual(['Mayen', '59', 'Messung 59']);
      expect(byForm.text).toContain('<input type="hidden" name="filter.ort" value="Mayen"/>');
      const byText = await get(`${pageOf(table)}?q=${encodeURIComponent('Messung 42')}`);
      expect(bodyRows(byText.text).map((r) => r[1])).toContain('42');
      expect(byText.text).toContain('von 1<');
    });

    it('answers a sort or filter on an unknown column with a message and the plain table, never a 500', async () => {
      for (const qs of ['sort=nope+desc', 'filter.nope=1', 'sort=%22%3B+DROP+TABLE', 'filter.wert=keine-zahl', 'page=-4&sort=', 'page=abc']) {
        const res = await get(`${pageOf(table)}?${qs}`);
        expect(res.status).toBeLessThan(500);
        expect(res.text).toContain('<table class="preview">');
      }
      const bad = await get(`${pageOf(table)}?sort=nope`);
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('passt nicht zur Tabelle');
      expect(bad.text).toContain('Zeilen 1 bis 25 von 60');
    });

    it('escapes HTML in cell values', async () => {
      const res = await get(pageOf(table));
      expect(res.text).toContain('<td>&lt;script>alert(&quot;x&quot;)&lt;/script></td>');
      expect(res.text).not.toContain('<script>alert');
    });

    it('is the 404 page for anonymous callers when the dataset is private, and the table for its members', async () => {
      const anon = await get(`/dataset/geheim-preview/resource/${secretTable}`);
      expect(anon.status).toBe(404);
      expect(anon.text).not.toContain('nur intern');
      const member = await get(`/dataset/geheim-preview/resource/${secretTable}`, editor);
      expect(member.status).toBe(200);
      expect(bodyRows(member.text)).toEqual([['nur intern']]);
    });
  });

  describe('uploaded files', () => {
    it('shows the first 100 rows of an uploaded CSV (BOM, semicolons, as the loader reads it), escaped', async () => {
      const res = await get(pageOf(csvId));
      expect(res.status).toBe(200);
      expect(res.text).toContain('<caption id="preview-caption">Die ersten 100 Zeilen der Datei „Messwerte“</caption>');
      expect(res.text).toContain('<thead><tr><th scope="col">Ort</th><th scope="col">Wert</th><th scope="col">Bemerkung</th></tr></thead>');
      const rows = bodyRows(res.text);
      expect(rows).toHaveLength(100);
      expect(rows[0]).toEqual(['Ort 1', '1,5', '&lt;b>fett&lt;/b> 1']);
      expect(res.text).toContain('Zeichenkodierung: UTF-8');
      expect(res.text).not.toContain('<b>fett');
    });

    it('reads a Latin-1 CSV as the loader does', async () => {
      const res = await get(pageOf(latinId));
      expect(res.text).toContain('<th scope="col">Straße</th><th scope="col">Größe</th>');
      expect(bodyRows(res.text)).toEqual([['Müllerweg', '3']]);
    });

    it('pretty-prints an uploaded JSON file', async () => {
      const res = await get(pageOf(jsonId));
      expect(res.status).toBe(200);
      expect(res.text).toContain('<pre class="preview-text" tabindex="0" aria-label="Inhalt der Datei „Stationen“">{\n  &quot;stationen&quot;: [\n    {\n      &quot;name&quot;: &quot;Cochem&quot;,');
      expect(res.text).toContain('&quot;x&quot;: &quot;&lt;/pre>&lt;script>1&lt;/script>&quot;');
      expect(res.text).not.toMatch(/<script/i);
    });

    it('shows a Markdown file as text, escaped', async () => {
      const res = await get(pageOf(textId));
      expect(res.text).toContain('aria-label="Inhalt der Datei „Liesmich“"># Pegel\n\nDaten der &lt;Mosel>.\n</pre>');
    });

    it('shows the first 64 KB of a large file as it is, and says it is cut', async () => {
      const res = await get(pageOf(bigId));
      expect(res.text).toContain('<pre class="preview-text" tabindex="0" aria-label="Inhalt der Datei „Gross“">{&quot;werte&quot;:[{&quot;i&quot;:0,');
      expect(res.text).toContain('Gezeigt wird der Anfang der Datei (die ersten 64 KB)');
      expect(res.text).not.toContain('Wert 7999');
      const api = await get(`/api/3/action/resource_preview?id=${bigId}`);
      expect(api.body.result).toMatchObject({ kind: 'json', truncated: true });
      expect((api.body.result as { text: string }).text.length).toBeLessThanOrEqual(64 * 1024);
    });

    it('shows no preview for a link resource (the server never fetches it)', async () => {
      const res = await get(pageOf(linkId));
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('id="preview"');
      expect(res.text).toContain('href="https://example.org/remote.csv"');
    });

    it('resource_preview answers the API as well, for whoever may read the dataset', async () => {
      const res = await get(`/api/3/action/resource_preview?id=${csvId}`);
      expect(res.status).toBe(200);
      expect(res.body.result).toMatchObject({ kind: 'table', encoding: 'UTF-8', separator: ';', truncated: false, more: true });
      const link = await get(`/api/3/action/resource_preview?id=${linkId}`);
      expect(link.body.result).toEqual({ kind: 'none', reason: 'link' });
      const secret = await get(`/api/3/action/resource_preview?id=${secretTable}`);
      expect(secret.status).toBe(403);
    });
  });
});
