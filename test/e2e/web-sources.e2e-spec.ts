import request from 'supertest';
import { ckanPortal, RemoteSite, reply } from '../harvest-remote';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';
import { BROWSER_ACCEPT, webSession, WebSession } from '../web-session';

type Dict = Record<string, unknown>;

const BROWSER = BROWSER_ACCEPT;

const unescape = (s: string): string => s.replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'");

/**
 * The steward's harvest and sensor sources (issue 17): lists, details, forms and buttons at ckanext-harvest's
 * addresses, all through the harvest_* and sensor_source_* actions with the session's caller; field errors beside
 * their fields; secrets never shown; every POST with its CSRF token; the chart's data read with the page's caller.
 */
describe('web steward: harvest and sensor sources', () => {
  let t: TestApp;
  let remote: RemoteSite;
  let base: string;
  let editor: TestUser;
  let member: TestUser;
  let org: Dict;

  beforeAll(async () => {
    t = await TestApp.start({ HARVEST_ALLOW_PRIVATE_ADDRESSES: 'true', HARVEST_RETRIES: '0' });
    // The recorded CKAN portal (test/fixtures/harvest/ckan), answering as ckanext-harvest's CKAN harvester asks it.
    remote = await RemoteSite.start({ ...ckanPortal(), '/hangs/api/3/action/package_search': reply.neverAnswers() });
    base = `${remote.url}/`;
    editor = await t.factories.user({ name: 'quellen-erika' });
    member = await t.factories.user({ name: 'quellen-mats' });
    await t.factories.user({ name: 'quellen-otto' });
    org = await t.factories.organization({ name: 'kreis-quelle', title: 'Kreis Quelle', members: [[editor, 'editor'], [member, 'member']] });
  });
  afterAll(async () => {
    await remote.close();
    await t.stop();
  });

  const session = (login: string): Promise<WebSession> => webSession(t.http, login);

  const get = (path: string, s?: { cookie: string }) => {
    const r = request(t.http).get(path).set('accept', BROWSER);
    return s ? r.set('cookie', s.cookie) : r;
  };
  const post = (path: string, s: { cookie: string; csrf: string }, body: Dict = {}) =>
    request(t.http).post(path).set('accept', BROWSER).set('cookie', s.cookie).type('form').send({ _csrf: s.csrf, ...body });

  describe('who may see the pages', () => {
    it.each(['/harvest', '/harvest/new', '/sensors/sources', '/sensors/sources/new'])('sends anonymous visitors of %s to the login, and back after it', async (path) => {
      const res = await get(path);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/user/login?came_from=${encodeURIComponent(path)}`);
    });

    it('links both source lists from the dashboard of an organization member', async () => {
      const res = await get('/dashboard', await session('quellen-mats'));
      expect(res.text).toContain('<a href="/harvest">Harvest-Quellen</a>');
      expect(res.text).toContain('<a href="/sensors/sources">Sensorquellen</a>');
    });
  });

  describe('harvest sources', () => {
    it('creates a source through the form; the API key is stored but never shown back', async () => {
      const s = await session('quellen-erika');
      const form = await get('/harvest/new', s);
      expect(form.status).toBe(200);
      expect(form.text).toContain('<h1>Neue Harvest-Quelle</h1>');
      expect(form.text).toMatch(/<label for="url">Adresse \(URL\)<\/label>/);
      expect(form.text).toContain('<option value="ckan" selected>');
      const res = await post('/harvest/new', s, {
        title: 'Portal Beispielhausen', name: 'portal-beispielhausen', url: base, source_type: 'ckan', frequency: 'WEEKLY', owner_org: org.id,
        config: '{"default_tags": ["harvested"]}', secret: 'geheimer-schluessel-42',
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/harvest/portal-beispielhausen?done=saved');
      const shown = await t.call<Dict>('harvest_source_show', { id: 'portal-beispielhausen' });
      expect(shown).toMatchObject({ url: base, source_type: 'ckan', frequency: 'WEEKLY', owner_org: org.id });
      expect(JSON.parse(shown.config as string)).toEqual({ default_tags: ['harvested'], api_key: '********' });
      const page = await get('/harvest/portal-beispielhausen?done=saved', s);
      expect(page.text).toContain('<p class="notice" role="status">Die Quelle wurde gespeichert.</p>');
      expect(page.text).toContain('wöchentlich');
      expect(page.text).toContain('Noch kein Lauf.');
      const edit = await get('/harvest/edit/portal-beispielhausen', s);
      expect(edit.status).toBe(200);
      for (const html of [page.text, edit.text]) expect(html).not.toContain('geheimer-schluessel-42');
      expect(edit.text).toMatch(/<input type="password" id="secret" name="secret" value autocomplete="new-password"/);
    });

    it('shows the action\'s field errors beside their fields, keeps what was typed, and stores nothing', async () => {
      const s = await session('quellen-erika');
      const res = await post('/harvest/new', s, { title: 'Kaputt', name: 'Kaputt Name', url: 'ftp://example.org/', source_type: 'ckan', owner_org: org.id, config: '{not json', secret: 'nie-zeigen' });
      expect(res.status).toBe(409);
      expect(res.text).toContain('Die Quelle wurde nicht gespeichert.');
      expect(res.text).toMatch(/<input type="text" id="name" name="name" value="Kaputt Name" required aria-invalid="true" aria-describedby="name-error name-hint"/);
      expect(res.text).toMatch(/<p class="field-error" id="name-error">Nur Kleinbuchstaben/);
      expect(res.text).toMatch(/<p class="field-error" id="url-error">Nur vollständige http- und https-Adressen können geerntet werden.<\/p>/);
      expect(res.text).not.toContain('nie-zeigen');
      await expect(t.call('harvest_source_show', { id: 'kaputt-name' })).rejects.toMatchObject({ kind: 'not_found' });
    });

    it('refuses a form without the session\'s CSRF token, and one from another site', async () => {
      const s = await session('quellen-erika');
      const body = { name: 'ohne-token', url: `${base}?x`, source_type: 'ckan', owner_org: org.id };
      const noToken = await request(t.http).post('/harvest/new').set('accept', BROWSER).set('cookie', s.cookie).type('form').send(body);
      expect(noToken.status).toBe(403);
      expect(noToken.text).toContain('Das Formular ist abgelaufen');
      const foreign = await post('/harvest/new', s, body).set('origin', 'https://evil.example');
      expect(foreign.status).toBe(403);
      await expect(t.call('harvest_source_show', { id: 'ohne-token' })).rejects.toMatchObject({ kind: 'not_found' });
    });

    it('a member who may not manage the source gets 403 from the actions for run and clear, and no form', async () => {
      const s = await session('quellen-mats');
      expect((await post('/harvest/refresh/portal-beispielhausen', s)).status).toBe(403);
      expect((await post('/harvest/clear/portal-beispielhausen', s)).status).toBe(403);
      expect((await get('/harvest/edit/portal-beispielhausen', s)).status).toBe(403);
      expect((await post('/harvest/new', s, { name: 'mats-quelle', url: `${base}?m`, source_type: 'ckan', owner_org: org.id })).status).toBe(403);
      // The source page itself is readable (a public source), without runs or buttons.
      const page = await get('/harvest/portal-beispielhausen', s);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Läufe und Berichte sehen nur die Redakteure der Quelle.');
      expect(page.text).not.toContain('/harvest/refresh/');
      expect(await t.call<Dict[]>('harvest_job_list', { source_id: 'portal-beispielhausen' })).toEqual([]);
    });

    it('runs the source from the page against the replayed CKAN portal; the finished job, its counts and report show on the page and the list', async () => {
      const s = await session('quellen-erika');
      const run = await post('/harvest/refresh/portal-beispielhausen', s);
      expect(run.status).toBe(303);
      expect(run.headers.location).toBe('/harvest/portal-beispielhausen?done=run');
      // A second press while the job waits or runs queues nothing more.
      const again = await post('/harvest/refresh/portal-beispielhausen', s);
      expect(['/harvest/portal-beispielhausen?done=pending', '/harvest/portal-beispielhausen?done=run']).toContain(again.headers.location);
      let page = await get('/harvest/portal-beispielhausen', s);
      for (let i = 0; i < 150 && !/Bericht des letzten Laufs<\/h2><p>beendet/.test(page.text); i++) {
        await new Promise((r) => setTimeout(r, 200));
        page = await get('/harvest/portal-beispielhausen', s);
      }
      const [job] = await t.call<{ id: string; status: string; stats: Dict }[]>('harvest_job_list', { source_id: 'portal-beispielhausen' });
      expect(job.status).toBe('Finished');
      const report = await t.call<{ stats: Record<string, number>; object_errors: Dict }>('harvest_job_report', { id: job.id });
      expect(report.stats.added).toBeGreaterThan(0);
      const s1 = report.stats;
      expect(page.text).toContain(`beendet: ${s1.added} neu, ${s1.updated} geändert, ${s1.deleted} entfernt, ${s1.errored} Fehler`);
      const cells = [...page.text.matchAll(/<td class="num">(\d+)<\/td>/g)].slice(0, 5).map((m) => Number(m[1]));
      expect(cells).toEqual([s1.added, s1.updated, s1.deleted, s1['not modified'], s1.errored]);
      for (const o of Object.values(report.object_errors) as { guid: string }[]) expect(page.text).toContain(`<td>${o.guid}</td>`);
      const list = await get('/harvest', s);
      expect(list.text).toContain('<a href="/harvest/portal-beispielhausen">Portal Beispielhausen</a>');
      expect(list.text).toContain(`${s1.added} neu`);
    }, 60_000);

    it('aborts a running job with the button that replaces "run now" while a job waits or runs', async () => {
      await t.call('harvest_source_create', { name: 'haengt', url: `${remote.url}/hangs/`, source_type: 'ckan', owner_org: org.id });
      const s = await session('quellen-erika');
      expect((await post('/harvest/refresh/haengt', s)).status).toBe(303);
      const page = await get('/harvest/haengt', s);
      expect(page.text).toContain('<form method="post" action="/harvest/abort/haengt" class="inline">');
      expect(page.text).not.toContain('action="/harvest/refresh/haengt"');
      const res = await post('/harvest/abort/haengt', s);
      expect(res.headers.location).toBe('/harvest/haengt?done=abort');
      const [job] = await t.call<{ status: string }[]>('harvest_job_list', { source_id: 'haengt' });
      expect(job.status).toBe('Aborted');
      const after = await get('/harvest/haengt?done=abort', s);
      expect(after.text).toContain('Der Lauf wurde abgebrochen.');
      expect(after.text).toContain('<td>abgebrochen</td>');
      // Nothing to abort any more: the action's 404, as a page.
      expect((await post('/harvest/abort/haengt', s)).status).toBe(404);
    });

    it('clears a source after asking: the question first, then the POST purges what it harvested', async () => {
      const s = await session('quellen-erika');
      const ask = await get('/harvest/clear/portal-beispielhausen', s);
      expect(ask.status).toBe(200);
      expect(ask.text).toContain('Quelle „Portal Beispielhausen“ leeren?');
      expect(ask.text).toContain('<form method="post" action="/harvest/clear/portal-beispielhausen" class="inline">');
      const res = await post('/harvest/clear/portal-beispielhausen', s);
      expect(res.headers.location).toBe('/harvest/portal-beispielhausen?done=clear');
      expect(await t.call<Dict>('harvest_source_show_status', { id: 'portal-beispielhausen' })).toMatchObject({ job_count: 0, total_datasets: 0 });
    });

    it('edits a source through harvest_source_patch: the masked key sent back keeps the stored one', async () => {
      const s = await session('quellen-erika');
      const form = await get('/harvest/edit/portal-beispielhausen', s);
      const config = unescape(/<textarea id="config"[^>]*>([^<]*)<\/textarea>/.exec(form.text)![1]);
      expect(JSON.parse(config)).toEqual({ default_tags: ['harvested'], api_key: '********' });
      const res = await post('/harvest/edit/portal-beispielhausen', s, {
        title: 'Portal Beispielhausen (neu)', name: 'portal-beispielhausen', url: base, source_type: 'ckan', frequency: 'DAILY', owner_org: org.id, notes: '', config, active: 'true',
      });
      expect(res.status).toBe(303);
      expect(await t.call<Dict>('harvest_source_show', { id: 'portal-beispielhausen' })).toMatchObject({ title: 'Portal Beispielhausen (neu)', frequency: 'DAILY' });
      const [row] = await t.db.dataSource.query(`SELECT secrets FROM harvest_source s JOIN package p ON p.id = s.id WHERE p.name = 'portal-beispielhausen'`);
      expect(row.secrets).not.toBeNull();
    });
  });

  describe('sensor sources', () => {
    let sourceName: string;

    beforeAll(async () => {
      const src = await t.call<Dict>('sensor_source_create', { name: 'kreis-push', title: 'Kreis Pegel (Push)', owner_org: org.id, type: 'push', config: { format: 'csv' } });
      sourceName = src.name as string;
    });

    it('lists the sources with kind, state, last run, last error and counts', async () => {
      const s = await session('quellen-mats');
      const res = await get('/sensors/sources', s);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h1>Sensorquellen</h1>');
      expect(res.text).toMatch(/<a href="\/sensors\/sources\/kreis-push">Kreis Pegel \(Push\)<\/a><\/td><td>HTTP-Push<\/td><td>aktiv<\/td><td>noch nie<\/td>/);
      // A member reads, but may not create.
      expect(res.text).not.toContain('href="/sensors/sources/new"');
    });

    it('an outsider sees none of them, and the source page is the 403 page', async () => {
      const s = await session('quellen-otto');
      expect((await get('/sensors/sources', s)).text).toContain('Keine Sensorquellen.');
      expect((await get(`/sensors/sources/${sourceName}`, s)).status).toBe(403);
    });

    it('creates a source through the form; a bad setting is shown beside the settings and nothing is stored', async () => {
      const s = await session('quellen-erika');
      const form = await get('/sensors/sources/new', s);
      expect(form.status).toBe(200);
      expect(form.text).toMatch(/<select id="type" name="type"[^>]*><option value="pegelonline" selected>PEGELONLINE<\/option>/);
      const bad = await post('/sensors/sources/new', s, { name: 'pegel-kreis', title: 'Pegel Kreis', type: 'pegelonline', owner_org: org.id, config: '{"stations": ["KOCHEM"], "unbekannt": 1}' });
      expect(bad.status).toBe(409);
      expect(bad.text).toMatch(/<textarea id="config" name="config" rows="8" class="code" aria-invalid="true" aria-describedby="config-error config-hint">/);
      expect(bad.text).toMatch(/<p class="field-error" id="config-error">[^<]*unbekannt/);
      await expect(t.call('sensor_source_show', { id: 'pegel-kreis' })).rejects.toMatchObject({ kind: 'not_found' });
      const ok = await post('/sensors/sources/new', s, { name: 'pegel-kreis', title: 'Pegel Kreis', type: 'pegelonline', owner_org: org.id, config: '{"stations": ["KOCHEM"]}', state: 'paused' });
      expect(ok.status).toBe(303);
      expect(ok.headers.location).toBe('/sensors/sources/pegel-kreis?done=saved');
      expect(await t.call<Dict>('sensor_source_show', { id: 'pegel-kreis' })).toMatchObject({ type: 'pegelonline', state: 'paused', config: { stations: ['KOCHEM'] } });
    });

    it('keeps a password given in the secret field, shows it masked and never in clear', async () => {
      const s = await session('quellen-erika');
      const res = await post('/sensors/sources/new', s, {
        name: 'datex-kreis', title: 'DATEX Kreis', type: 'datex2', owner_org: org.id,
        config: '{"url": "https://datex.example.org/mdp", "site_table_url": "https://datex.example.org/sites", "format": "v3-xml", "username": "kreis"}', secret: 'pw-datex-99',
      });
      expect(res.text.match(/field-error[^<]*<|error-summary.*?<\/div>/g) ?? []).toEqual([]);
      expect(res.status).toBe(303);
      const page = await get('/sensors/sources/datex-kreis', s);
      expect(page.text).toContain('********');
      const edit = await get('/sensors/sources/datex-kreis/edit', s);
      for (const html of [page.text, edit.text]) expect(html).not.toContain('pw-datex-99');
      // Saved back unchanged, the masked password keeps the stored one.
      const config = unescape(/<textarea id="config"[^>]*>([^<]*)<\/textarea>/.exec(edit.text)![1]);
      expect((await post('/sensors/sources/datex-kreis/edit', s, { name: 'datex-kreis', title: 'DATEX Kreis', owner_org: org.id, config })).status).toBe(303);
      const [row] = await t.db.dataSource.query(`SELECT config FROM sensor_source WHERE name = 'datex-kreis'`);
      expect(row.config.password).toBe('pw-datex-99');
    });

    it('"run now" queues a poll through sensor_source_run; a member gets 403, a POST without token 403', async () => {
      const s = await session('quellen-erika');
      const res = await post('/sensors/sources/pegel-kreis/run', s);
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^\/sensors\/sources\/pegel-kreis\?done=(run|pending)$/);
      const m = await session('quellen-mats');
      expect((await post('/sensors/sources/pegel-kreis/run', m)).status).toBe(403);
      expect((await request(t.http).post('/sensors/sources/pegel-kreis/run').set('cookie', s.cookie).type('form').send({})).status).toBe(403);
      const page = await get('/sensors/sources/pegel-kreis', s);
      expect(page.text).toContain('PEGELONLINE');
      expect(page.text).toContain('action="/sensors/sources/pegel-kreis/run"');
    });
  });

  describe('the chart\'s data (/web/series/{resource})', () => {
    it('gives a private gauge\'s values to its steward\'s session, 404 to anonymous visitors and outsiders', async () => {
      const thing = await request(t.http).post('/sta/v1.1/Things').set('Authorization', editor.token).set('content-type', 'application/json').send(JSON.stringify({
        name: 'PRIVATPEGEL', description: 'Privater Pegel', properties: { organization: 'kreis-quelle' },
        Locations: [{ name: 'PRIVATPEGEL', description: 'Ort', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [7.1, 50.1] } }],
        Datastreams: [{
          name: 'Wasserstand', description: 'Wasserstand', observationType: 'OM_Measurement', unitOfMeasurement: { name: 'cm', symbol: 'cm', definition: '' }, properties: { quantity: 'water_level' },
          Sensor: { name: 'S', description: 'S', encodingType: 'text/plain', metadata: '' }, ObservedProperty: { name: 'Wasserstand', definition: 'urn:test:water_level', description: 'W' },
          Observations: [{ phenomenonTime: '2025-03-30T20:00:00Z', result: 412 }, { phenomenonTime: '2025-03-30T20:15:00Z', result: 415 }],
        }],
      }));
      expect(thing.status).toBe(201);
      const [{ package_id }] = await t.db.dataSource.query<{ package_id: string }[]>('SELECT package_id FROM sensor_thing WHERE id = $1', [thing.body['@iot.id']]);
      await t.call('package_patch', { id: package_id, private: true });
      const [stream] = await t.call<{ resource_id: string }[]>('sensor_dataset_streams', { id: package_id });
      const s = await session('quellen-erika');
      const ok = await request(t.http).get(`/web/series/${stream.resource_id}`).set('cookie', s.cookie);
      expect(ok.status).toBe(200);
      expect(ok.headers['cache-control']).toBe('private, no-store');
      expect(ok.body.records.map((r: { result: number }) => r.result)).toEqual([415, 412]);
      const anonymous = await request(t.http).get(`/web/series/${stream.resource_id}`);
      expect(anonymous.status).toBe(404);
      expect(anonymous.body).toEqual({ error: { code: 'not_found', message: 'Not found' } });
      const outsider = await request(t.http).get(`/web/series/${stream.resource_id}`).set('cookie', (await session('quellen-otto')).cookie);
      expect(outsider.status).toBe(404);
      // The API stays token-only: the session cookie reads nothing there.
      const api = await request(t.http).get(`/api/3/action/datastore_search?resource_id=${stream.resource_id}`).set('cookie', s.cookie);
      expect(api.status).not.toBe(200);
      // The overview pages' one call for many datasets leaves out what the caller may not read.
      const anyone = await request(t.http).get(`/api/3/action/sensor_datasets_streams?ids=${package_id}`);
      expect(anyone.body.result).toEqual({});
      expect(await t.call<Dict>('sensor_datasets_streams', { ids: [package_id, 'no-such-id'] }, { as: editor })).toEqual({ [package_id]: [expect.objectContaining({ resource_id: stream.resource_id, quantity: 'water_level' })] });
      // The steward's dataset page carries the chart, which reads that address.
      const page = await get(`/dataset/${package_id}`, s);
      expect(page.text).toContain(`&quot;resource&quot;:&quot;${stream.resource_id}&quot;`);
    });
  });
});
