import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';
import { BROWSER_ACCEPT, webSession, WebSession } from '../web-session';

type Dict = Record<string, unknown>;

const BROWSER = BROWSER_ACCEPT;
const CSV = Buffer.from('Ort;Pegel\nCochem;312\nZell;287\n');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The steward's resource forms (issue 17): a file uploaded through `/dataset/{name}/resource/new` becomes a resource
 * the same way the API's multipart resource_create makes one, with the session's caller; refusals come back as the
 * form with the message beside its field; the loader's state shows on the resource page for those who may edit.
 */
describe('web steward: resource uploads, edit and the loader state', () => {
  let t: TestApp;
  let steward: TestUser;
  let outsider: TestUser;
  let org: Dict;
  let anna: { cookie: string; csrf: string };
  let otto: { cookie: string; csrf: string };

  beforeAll(async () => {
    t = await TestApp.start({ UPLOAD_MAX_BYTES: '20000' });
    steward = await t.factories.user({ name: 'steward-uta' });
    outsider = await t.factories.user({ name: 'outsider-ole' });
    org = await t.factories.organization({ name: 'stadt-bernkastel', title: 'Stadt Bernkastel', description: 'Die **Stadt** an der Mosel: <img src=x onerror=alert(1)>', members: [[steward, 'editor']] });
    await t.factories.organization({ name: 'kreis-anders', members: [[outsider, 'editor']] });
    await t.factories.dataset({
      name: 'pegel-bernkastel', title: 'Pegel Bernkastel', owner_org: org.id as string,
      notes: '## Messstellen\n\n- Cochem\n- Zell\n\n<script>alert(1)</script> [klick](javascript:alert(1)) [Quelle](https://pegel.example/q)',
    });
    anna = await session('steward-uta');
    otto = await session('outsider-ole');
  });
  afterAll(() => t.stop());

  const session = (login: string): Promise<WebSession> => webSession(t.http, login);

  /** The upload form as a browser sends it: the token first, the fields, then the file. */
  function post(path: string, who: { cookie: string; csrf: string } | null, fields: Dict, file?: { body: Buffer; name: string }, csrf: string | null = who?.csrf ?? null) {
    let r = request(t.http).post(path).set('accept', BROWSER);
    if (who) r = r.set('cookie', who.cookie);
    if (csrf !== null) r = r.field('_csrf', csrf);
    for (const [k, v] of Object.entries(fields)) r = r.field(k, String(v));
    return file ? r.attach('upload', file.body, { filename: file.name, contentType: 'text/csv' }) : r.attach('upload', Buffer.alloc(0), { filename: '', contentType: 'application/octet-stream' });
  }

  const resources = async (): Promise<Dict[]> => (await t.call<{ resources: Dict[] }>('package_show', { id: 'pegel-bernkastel' })).resources;
  const page = (path: string, who: { cookie: string } | null = anna) => {
    const r = request(t.http).get(path).set('accept', BROWSER);
    return who ? r.set('cookie', who.cookie) : r;
  };

  async function loaded(resourceId: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const s = await t.call<{ status: string }>('xloader_status', { resource_id: resourceId }).catch(() => ({ status: 'none' }));
      if (s.status === 'complete' || s.status === 'error') return;
      await sleep(100);
    }
    throw new Error('the load did not finish');
  }

  it('offers "edit" and "add resource" on the dataset page to its editors only', async () => {
    const own = await page('/dataset/pegel-bernkastel');
    expect(own.text).toContain('<a class="button" href="/dataset/edit/pegel-bernkastel">Datensatz bearbeiten</a>');
    expect(own.text).toContain('<a class="button" href="/dataset/pegel-bernkastel/resource/new">Ressource hinzufügen</a>');
    for (const who of [null, otto]) {
      const res = await page('/dataset/pegel-bernkastel', who);
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('/resource/new');
      expect(res.text).not.toContain('Datensatz bearbeiten');
    }
  });

  it('renders the dataset\'s description as Markdown with script, raw HTML and javascript: links neutralised', async () => {
    const res = await page('/dataset/pegel-bernkastel', null);
    expect(res.text).toContain('<h4>Messstellen</h4>');
    expect(res.text).toContain('<li>Cochem</li>');
    expect(res.text).toContain('<a href="https://pegel.example/q" rel="nofollow ugc">Quelle</a>');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toContain('<script>alert');
    expect(res.text).not.toContain('href="javascript:');
  });

  it('renders an organization\'s description as Markdown, raw HTML as text', async () => {
    const res = await page('/organization/stadt-bernkastel', null);
    expect(res.text).toContain('<div class="notes markdown"><p>Die <strong>Stadt</strong> an der Mosel: &lt;img src=x onerror=alert(1)&gt;</p>');
  });

  it('shows the new-resource form: labelled fields, a multipart POST with the token before the file, a progress bar for the island', async () => {
    const res = await page('/dataset/pegel-bernkastel/resource/new');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Neue Ressource</h1>');
    expect(res.text).toMatch(/<form class="resource-form" method="post" action="\/dataset\/pegel-bernkastel\/resource\/new" enctype="multipart\/form-data" data-upload-form="true"><input type="hidden" name="_csrf" value="[^"]+"\/>/);
    for (const [id, label] of [['name', 'Name'], ['description', 'Beschreibung'], ['format', 'Format'], ['upload', 'Datei'], ['url', 'oder Link \\(URL\\)']]) {
      expect(res.text).toMatch(new RegExp(`<label for="resource-${id}">${label}</label>`));
    }
    expect(res.text).toContain('Höchstens 19,5 KB.');
    expect(res.text).toMatch(/<label for="upload-progress-bar">Fortschritt beim Hochladen<\/label><progress id="upload-progress-bar" max="100" value="0"/);
    expect(res.text).toMatch(/<script defer src="\/web\/js\/upload\.[A-Za-z0-9]+\.js">/);
  });

  it('creates a resource from an uploaded file through the form and serves the file for download', async () => {
    const res = await post('/dataset/pegel-bernkastel/resource/new', anna, { name: 'Pegelwerte', description: 'Werte **täglich**', format: '' }, { body: CSV, name: 'pegel werte.csv' });
    expect(res.status).toBe(303);
    const created = (await resources()).find((r) => r.name === 'Pegelwerte')!;
    expect(created).toMatchObject({ url_type: 'upload', format: 'CSV', description: 'Werte **täglich**', size: CSV.length });
    expect(res.headers.location).toBe(`/dataset/pegel-bernkastel/resource/${created.id as string}`);
    expect(created).not.toHaveProperty('_csrf');
    const download = await request(t.http).get(new URL(created.url as string).pathname);
    expect(download.status).toBe(200);
    expect(Buffer.from(download.text)).toEqual(CSV);
    const shown = await page(res.headers.location as string);
    expect(shown.text).toContain('Werte <strong>täglich</strong>');
  });

  it('stores a description\'s line breaks as typed, not as the browser\'s CRLF', async () => {
    const res = await post('/dataset/pegel-bernkastel/resource/new', anna, { name: 'Zeilen', description: 'Erste Zeile\r\nZweite Zeile', format: 'JSON', url: 'https://pegel.example/zeilen.json' });
    expect(res.status).toBe(303);
    expect((await resources()).find((r) => r.name === 'Zeilen')).toMatchObject({ description: 'Erste Zeile\nZweite Zeile' });
  });

  it('creates a link resource when no file is chosen', async () => {
    const res = await post('/dataset/pegel-bernkastel/resource/new', anna, { name: 'Pegel-API', format: 'JSON', url: 'https://pegel.example/api.json' });
    expect(res.status).toBe(303);
    expect((await resources()).find((r) => r.name === 'Pegel-API')).toMatchObject({ url: 'https://pegel.example/api.json', url_type: null, format: 'JSON' });
  });

  it('answers a bad name with the form again, the message beside the field and what was typed kept (409)', async () => {
    const before = (await resources()).length;
    const res = await post('/dataset/pegel-bernkastel/resource/new', anna, { name: 'x'.repeat(1001), description: 'bleibt stehen' }, { body: CSV, name: 'a.csv' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Die Ressource wurde nicht gespeichert.');
    expect(res.text).toMatch(/<input type="text" value="x{1001}" id="resource-name" name="name" aria-invalid="true" aria-describedby="resource-name-error"\/><p class="field-error" id="resource-name-error">[^<]+<\/p>/);
    expect(res.text).toContain('bleibt stehen</textarea>');
    expect((await resources()).length).toBe(before);
  });

  it('answers a file over the limit with the form again and the message beside the file field (413), storing nothing', async () => {
    const before = (await resources()).length;
    const res = await post('/dataset/pegel-bernkastel/resource/new', anna, { name: 'Zu groß' }, { body: Buffer.alloc(50_000, 0x41), name: 'gross.csv' });
    expect(res.status).toBe(413);
    expect(res.text).toMatch(/aria-invalid="true" aria-describedby="resource-upload-error resource-upload-hint"\/><p class="field-error" id="resource-upload-error">Die Datei ist zu groß \(höchstens 19,5 KB\)\.<\/p>/);
    expect((await resources()).length).toBe(before);
  });

  it('answers a body declared larger than any upload may be with the form (413) without reading it', async () => {
    const before = (await resources()).length;
    const huge = Buffer.alloc(10 * 1024 * 1024 + 30_000, 0x41);
    const res = await post('/dataset/pegel-bernkastel/resource/new', anna, { name: 'Riesig' }, { body: huge, name: 'riesig.csv' }).catch((err: { response?: request.Response }) => {
      // The server may close the connection before the client has written the whole body; its answer still arrives first.
      if (err.response) return err.response;
      throw err;
    });
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(res.text).toContain('Die Datei ist zu groß (höchstens 19,5 KB).');
    expect((await resources()).length).toBe(before);
  });

  it('refuses a form without the session\'s CSRF token, or with the token after the file (403), creating nothing', async () => {
    const before = (await resources()).length;
    const none = await post('/dataset/pegel-bernkastel/resource/new', anna, { name: 'ohne Token' }, { body: CSV, name: 'a.csv' }, null);
    expect(none.status).toBe(403);
    const wrong = await post('/dataset/pegel-bernkastel/resource/new', anna, { name: 'falsches Token' }, { body: CSV, name: 'a.csv' }, 'x'.repeat(43));
    expect(wrong.status).toBe(403);
    const late = await request(t.http).post('/dataset/pegel-bernkastel/resource/new').set('accept', BROWSER).set('cookie', anna.cookie)
      .field('name', 'spätes Token').attach('upload', CSV, { filename: 'a.csv', contentType: 'text/csv' }).field('_csrf', anna.csrf);
    expect(late.status).toBe(403);
    const foreign = await post('/dataset/pegel-bernkastel/resource/new', anna, { name: 'fremde Seite' }, { body: CSV, name: 'a.csv' }).set('origin', 'https://evil.example');
    expect(foreign.status).toBe(403);
    expect((await resources()).length).toBe(before);
  });

  it('gives a non-member 403 on the form and its POST, and sends a visitor without login to the login page', async () => {
    expect((await page('/dataset/pegel-bernkastel/resource/new', otto)).status).toBe(403);
    const res = await post('/dataset/pegel-bernkastel/resource/new', otto, { name: 'fremd' }, { body: CSV, name: 'a.csv' });
    expect(res.status).toBe(403);
    const anonymous = await page('/dataset/pegel-bernkastel/resource/new', null);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/user/login?came_from=%2Fdataset%2Fpegel-bernkastel%2Fresource%2Fnew');
    expect((await resources()).some((r) => r.name === 'fremd')).toBe(false);
  });

  it('shows the loader\'s state, last run and rows to editors, with "load again"; others see none of it', async () => {
    const r = (await resources()).find((x) => x.name === 'Pegelwerte')!;
    await loaded(r.id as string);
    const path = `/dataset/pegel-bernkastel/resource/${r.id as string}`;
    const res = await page(path);
    expect(res.text).toContain('<h2 id="loader-title">DataStore-Laden</h2>');
    expect(res.text).toContain('data-loader-state="complete">fertig</span>');
    expect(res.text).toMatch(/<dt>Geladene Zeilen<\/dt><dd data-loader-rows="true">2<\/dd>/);
    expect(res.text).toMatch(new RegExp(`<form method="post" action="/dataset/pegel-bernkastel/resource_data/${r.id as string}"><input type="hidden" name="_csrf" value="[^"]+"/><button type="submit">Erneut laden</button>`));
    expect(res.text).toContain(`href="${path}/edit">Ressource bearbeiten</a>`);
    expect(res.text).toContain('<caption id="preview-caption">Tabelle „Pegelwerte“: Zeilen 1 bis 2 von 2</caption>');
    for (const who of [null, otto]) {
      const other = await page(path, who);
      expect(other.status).toBe(200);
      expect(other.text).not.toContain('DataStore-Laden');
      expect(other.text).not.toContain('/edit"');
    }

    const statusPage = await page(`/dataset/pegel-bernkastel/resource_data/${r.id as string}`);
    expect(statusPage.status).toBe(303);
    expect(statusPage.headers.location).toBe(`${path}#loader`);

    const again = await request(t.http).post(`/dataset/pegel-bernkastel/resource_data/${r.id as string}`).set('cookie', anna.cookie).set('accept', BROWSER).type('form').send({ _csrf: anna.csrf });
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`${path}#loader`);
    const busy = await page(path);
    expect(busy.text).toMatch(/data-loader-state="(pending|running|complete)"/);
    if (!busy.text.includes('data-loader-state="complete"')) {
      expect(busy.text).toContain('Zustand aktualisieren</a>');
      expect(busy.text).toMatch(/<script defer src="\/web\/js\/loader\.[A-Za-z0-9]+\.js">/);
    }
    await loaded(r.id as string);
    const outsiderLoad = await request(t.http).post(`/dataset/pegel-bernkastel/resource_data/${r.id as string}`).set('cookie', otto.cookie).set('accept', BROWSER).type('form').send({ _csrf: otto.csrf });
    expect(outsiderLoad.status).toBe(403);
    const withoutToken = await request(t.http).post(`/dataset/pegel-bernkastel/resource_data/${r.id as string}`).set('cookie', anna.cookie).set('accept', BROWSER).type('form').send({});
    expect(withoutToken.status).toBe(403);
  });

  it('shows a failed load\'s error message to editors', async () => {
    const res = await post('/dataset/pegel-bernkastel/resource/new', anna, { name: 'Kaputt', format: 'XLSX' }, { body: Buffer.from('kein Arbeitsblatt'), name: 'kaputt.xlsx' });
    expect(res.status).toBe(303);
    const r = (await resources()).find((x) => x.name === 'Kaputt')!;
    await loaded(r.id as string);
    const shown = await page(res.headers.location as string);
    expect(shown.text).toContain('data-loader-state="error">Fehler</span>');
    expect(shown.text).toMatch(/<dt>Fehlermeldung<\/dt><dd class="field-error">[^<]+<\/dd>/);
  });

  it('edits a resource: new name, the file replaced, then a link instead of the file', async () => {
    const r = (await resources()).find((x) => x.name === 'Pegelwerte')!;
    const path = `/dataset/pegel-bernkastel/resource/${r.id as string}/edit`;
    const form = await page(path);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<h1>Ressource bearbeiten</h1>');
    expect(form.text).toContain('<label for="resource-upload">Datei ersetzen</label>');
    expect(form.text).toContain('Jetzt hochgeladen: pegel-werte.csv');
    expect(form.text).toContain(`<form class="danger-zone" method="post" action="/dataset/pegel-bernkastel/resource/${r.id as string}/delete">`);

    const replaced = await post(path, anna, { name: 'Pegelwerte 2026', description: 'neu', format: 'CSV' }, { body: Buffer.from('Ort;Pegel\nTrier;401\n'), name: 'neu.csv' });
    expect(replaced.status).toBe(303);
    const after = await t.call<Dict>('resource_show', { id: r.id });
    expect(after).toMatchObject({ name: 'Pegelwerte 2026', description: 'neu', url_type: 'upload', size: 20 });
    expect(after.url as string).toMatch(/\/neu\.csv$/);

    const kept = await post(path, anna, { name: 'Pegelwerte 2026', description: 'neu', format: 'CSV', url: '' });
    expect(kept.status).toBe(303);
    expect(await t.call<Dict>('resource_show', { id: r.id })).toMatchObject({ url_type: 'upload', size: 20 });

    const linked = await post(path, anna, { name: 'Pegelwerte 2026', description: 'neu', format: 'CSV', url: 'https://pegel.example/werte.csv' });
    expect(linked.status).toBe(303);
    expect(await t.call<Dict>('resource_show', { id: r.id })).toMatchObject({ url: 'https://pegel.example/werte.csv', url_type: '' });
  });

  it('deletes a resource with the delete button (CSRF required), then shows the dataset', async () => {
    const r = (await resources()).find((x) => x.name === 'Pegel-API')!;
    const path = `/dataset/pegel-bernkastel/resource/${r.id as string}/delete`;
    const refused = await request(t.http).post(path).set('cookie', anna.cookie).set('accept', BROWSER).type('form').send({});
    expect(refused.status).toBe(403);
    const outsiderDelete = await request(t.http).post(path).set('cookie', otto.cookie).set('accept', BROWSER).type('form').send({ _csrf: otto.csrf });
    expect(outsiderDelete.status).toBe(403);
    expect((await resources()).some((x) => x.id === r.id)).toBe(true);
    const res = await request(t.http).post(path).set('cookie', anna.cookie).set('accept', BROWSER).type('form').send({ _csrf: anna.csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/dataset/pegel-bernkastel');
    expect((await resources()).some((x) => x.id === r.id)).toBe(false);
  });

  it('keeps the API\'s multipart uploads working as before', async () => {
    const d = await t.call<Dict>('package_show', { id: 'pegel-bernkastel' });
    const res = await request(t.http).post('/api/3/action/resource_create').set('Authorization', steward.token)
      .field('package_id', d.id as string).field('name', 'per API').attach('upload', CSV, { filename: 'api.csv', contentType: 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ name: 'per API', url_type: 'upload', size: CSV.length });
  });
});
