import request from 'supertest';
import { gzipSync } from 'node:zlib';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

/** One Datastream of a Thing made through SensorThings: its quantity, unit, properties (a gauge's characteristic values). */
const stream = (name: string, quantity: string, unit: string, properties: Dict = {}): Dict => ({
  name, description: name, observationType: 'OM_Measurement', unitOfMeasurement: { name: unit, symbol: unit, definition: '' },
  properties: { quantity, ...properties },
  Sensor: { name: 'Sensor', description: 'Sensor', encodingType: 'text/plain', metadata: '' }, ObservedProperty: { name, definition: `urn:test:${quantity}`, description: name },
});

const cv = (mnw: number, mw: number, mhw: number, hsw: number): Dict => ({
  characteristicValues: { MNW: { value: mnw, unit: 'cm' }, MW: { value: mw, unit: 'cm' }, MHW: { value: mhw, unit: 'cm' }, HSW: { value: hsw, unit: 'cm' } },
});

/**
 * Live data in the portal (issue 17): a sensor dataset's page shows each Datastream's latest value, its characteristic
 * values, a chart island and the same values as a table; the overview pages list all gauges by state and all traffic
 * sites, as a map island and as a table; the islands are built bundles served with year-long caching, each page's
 * JavaScript under the 150 KB (gzip) budget.
 */
describe('web live data', () => {
  let t: TestApp;
  let steward: TestUser;
  const things: Record<string, number> = {};
  const datasets: Record<string, string> = {};

  const sta = (path: string, body: unknown, as: TestUser = steward) =>
    request(t.http).post(`/sta/v1.1${path}`).set('Authorization', as.token).set('content-type', 'application/json').send(JSON.stringify(body));

  async function thing(key: string, body: Dict): Promise<void> {
    const res = await sta('/Things', body);
    if (res.status !== 201) throw new Error(`POST /Things answered ${res.status}: ${JSON.stringify(res.body)}`);
    things[key] = res.body['@iot.id'] as number;
    const [{ package_id }] = await t.db.dataSource.query<{ package_id: string }[]>('SELECT package_id FROM sensor_thing WHERE id = $1', [things[key]]);
    datasets[key] = package_id;
  }

  async function observe(key: string, rows: [string, number][], index = 0): Promise<void> {
    const ds = await t.db.dataSource.query<{ id: number }[]>('SELECT id::int AS id FROM sensor_datastream WHERE thing_id = $1 ORDER BY id', [things[key]]);
    const res = await sta('/CreateObservations', [{ Datastream: { '@iot.id': ds[index].id }, components: ['phenomenonTime', 'result'], dataArray: rows }]);
    expect(res.status).toBe(201);
  }

  const place = (name: string, coordinates: [number, number]): Dict[] => [{ name, description: name, encodingType: 'application/geo+json', location: { type: 'Point', coordinates } }];

  beforeAll(async () => {
    t = await TestApp.start();
    steward = await t.factories.user();
    await t.factories.organization({ name: 'wsv', title: 'WSV', members: [[steward, 'editor']] });
    await thing('cochem', { name: 'COCHEM', description: 'Pegel Cochem', properties: { organization: 'wsv' }, Locations: place('COCHEM', [7.1667, 50.1458]), Datastreams: [stream('Wasserstand', 'water_level', 'cm', cv(180, 310, 560, 620))] });
    await thing('trier', { name: 'TRIER', description: 'Pegel Trier', properties: { organization: 'wsv' }, Locations: place('TRIER', [6.6286, 49.7508]), Datastreams: [stream('Wasserstand', 'water_level', 'cm', cv(150, 280, 600, 700))] });
    await thing('diez', { name: 'DIEZ', description: 'Pegel Diez', properties: { organization: 'wsv' }, Locations: place('DIEZ', [8.0103, 50.3711]), Datastreams: [stream('Wasserstand', 'water_level', 'cm')] });
    await thing('mq', {
      name: 'MQ Koblenz Süd', description: 'Zählstelle', properties: { organization: 'wsv' }, Locations: place('MQ Koblenz Süd', [7.59, 50.34]),
      Datastreams: [stream('Fahrstreifen 1 Anzahl', 'vehicle_count', 'Fz'), stream('Fahrstreifen 1 Geschwindigkeit', 'speed', 'km/h')],
    });
    await observe('cochem', [['2025-03-30T20:00:00Z', 700], ['2025-03-30T20:15:00Z', 731], ['2025-03-30T20:30:00Z', 725]]);
    await observe('trier', [['2025-03-30T20:00:00Z', 402], ['2025-03-30T20:15:00Z', 410]]);
    await observe('mq', [['2025-06-17T06:00:00Z', 143]], 0);
    await observe('mq', [['2025-06-17T06:00:00Z', 87.5]], 1);
    await t.searchIndexed();
  });
  afterAll(() => t.stop());

  const get = (path: string) => request(t.http).get(path);
  const scriptsOf = (html: string): string[] => [...html.matchAll(/<script defer src="([^"]+)"/g)].map((m) => m[1]);

  describe('a gauge dataset page', () => {
    it('shows the latest value, MNW/MW/MHW/HSW, the state and a table of the latest values, with the chart script', async () => {
      const res = await get(`/dataset/${datasets.cochem}`).set('accept', 'text/html');
      expect(res.status).toBe(200);
      const html = res.text;
      expect(html).toContain('<h2 id="live-title">Live-Daten</h2>');
      expect(html).toMatch(/<strong class="latest-value">725 cm<\/strong>/);
      expect(html).toMatch(/<dt>MNW \(mittleres Niedrigwasser\)<\/dt><dd>180 cm<\/dd>/);
      expect(html).toMatch(/<dt>HSW \(höchster Schifffahrtswasserstand\)<\/dt><dd>620 cm<\/dd>/);
      expect(html).toContain('<span class="state state-above_hsw">Zustand: über HSW</span>');
      // The table: newest first, times in German local time (CEST, UTC+2).
      expect(html).toContain('Wasserstand: die letzten 3 Messwerte');
      const cells = [...html.matchAll(/<tr><td>([^<]+)<\/td><td class="num">([^<]+)<\/td>/g)].map((m) => [m[1], m[2]]);
      expect(cells).toEqual([['30.03.2025, 22:30', '725'], ['30.03.2025, 22:15', '731'], ['30.03.2025, 22:00', '700']]);
      // The chart island reads the stream's DataStore resource with the thresholds as lines.
      const chart = /data-chart="([^"]+)"/.exec(html)?.[1].replace(/&quot;/g, '"');
      expect(JSON.parse(chart ?? '{}')).toEqual({ resource: expect.any(String), label: 'Wasserstand', unit: 'cm', thresholds: { MNW: 180, MW: 310, MHW: 560, HSW: 620 } });
      expect(scriptsOf(html)).toEqual([expect.stringMatching(/^\/web\/js\/chart\.\w+\.js$/), expect.stringMatching(/^\/web\/js\/map\.\w+\.js$/)]);
      // The map's alternative: the gauge's place as a table.
      expect(html).toMatch(/<th scope="row">COCHEM<\/th><td class="num">7,17<\/td><td class="num">50,15<\/td>/);
    });

    it('shows the same chart and table on the resource page of the Datastream\'s view', async () => {
      const d = (await get(`/api/3/action/package_show?id=${datasets.trier}`)).body.result as { name: string; resources: { id: string; resource_type?: string }[] };
      const r = d.resources.find((x) => x.resource_type === 'sensor_datastream');
      const res = await get(`/dataset/${d.name}/resource/${r?.id}`);
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/<strong class="latest-value">410 cm<\/strong>/);
      expect(res.text).toContain('Wasserstand: die letzten 2 Messwerte');
      expect(res.text).toContain(`data-chart="{&quot;resource&quot;:&quot;${r?.id}&quot;`);
      expect(scriptsOf(res.text)).toEqual([expect.stringMatching(/^\/web\/js\/chart\.\w+\.js$/)]);
    });

    it('names traffic values per lane with their units, in English when asked', async () => {
      const res = await get(`/dataset/${datasets.mq}?lang=en`).set('accept', 'text/html');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h2 id="live-title">Live data</h2>');
      expect(res.text).toMatch(/<h3 id="stream-\d+">Fahrstreifen 1 Anzahl<\/h3><p class="latest"><span class="latest-label">Latest value<\/span> <strong class="latest-value">143 Fz<\/strong>/);
      expect(res.text).toMatch(/<strong class="latest-value">87.5 km\/h<\/strong>/);
    });

    it('maps a dataset\'s spatial extent and shows its GeoJSON as text, with only the map script', async () => {
      const org = await t.factories.organization({ name: 'kreis' });
      const spatial = '{"type":"Polygon","coordinates":[[[7.0,50.0],[7.5,50.0],[7.5,50.4],[7.0,50.4],[7.0,50.0]]]}';
      const d = await t.factories.dataset({ name: 'radwege', owner_org: org.id as string, extras: [{ key: 'spatial', value: spatial }] });
      const res = await get(`/dataset/${d.name as string}`).set('accept', 'text/html');
      expect(res.text).not.toContain('live-title');
      expect(res.text).toContain('<h2 id="map-title">Karte</h2>');
      const config = JSON.parse((/data-map="([^"]+)"/.exec(res.text)?.[1] ?? '{}').replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as Dict;
      expect(config.geojson).toEqual(JSON.parse(spatial));
      expect(res.text).toContain(`<pre class="geojson">${spatial.replace(/"/g, '&quot;')}</pre>`);
      expect(scriptsOf(res.text)).toEqual([expect.stringMatching(/^\/web\/js\/map\.\w+\.js$/)]);
    });

    it('has no live section or scripts for a dataset without sensors or place', async () => {
      const org = await t.factories.organization({ name: 'amt' });
      const d = await t.factories.dataset({ name: 'haushalt', owner_org: org.id as string });
      const res = await get(`/dataset/${d.name as string}`).set('accept', 'text/html');
      expect(res.text).not.toContain('live-title');
      expect(res.text).not.toMatch(/<script/);
    });
  });

  describe('/sensors/gauges', () => {
    it('lists every gauge with its latest value, thresholds and state, computed on the server', async () => {
      const res = await get('/sensors/gauges');
      expect(res.status).toBe(200);
      const rows = [...res.text.matchAll(/<tr data-state="(\w+)"><th scope="row"><a href="\/dataset\/[^"]+">([^<]+)<\/a><\/th><td class="num">([^<]*)<\/td>/g)].map((m) => [m[2], m[1], m[3].trim()]);
      expect(rows).toEqual([['COCHEM', 'above_hsw', '725 cm'], ['DIEZ', 'unknown', '–'], ['TRIER', 'normal', '410 cm']]);
      expect(res.text).toContain('<span class="state state-normal">normal</span>');
      // The map island gets the same places, coloured by state, and the base map of MAP_STYLE_URL.
      const config = JSON.parse((/data-map="([^"]+)"/.exec(res.text)?.[1] ?? '{}').replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as { tiles: string; attribution: string; points: Dict[] };
      expect(config.tiles).toBe('https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_farbe/default/GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png');
      expect(config.attribution).toMatch(/^© GeoBasis-DE \/ BKG \(\d{4}\) CC BY 4\.0$/);
      expect(config.points.map((p) => [p.name, p.colour])).toEqual([['COCHEM', '#b00020'], ['DIEZ', '#6e6e6e'], ['TRIER', '#1b6b2f']]);
      expect(scriptsOf(res.text)).toEqual([expect.stringMatching(/^\/web\/js\/map\.\w+\.js$/)]);
    });

    it('shows a private gauge only to its organization', async () => {
      await thing('hidden', { name: 'GEHEIM', description: 'Pegel', properties: { organization: 'wsv' }, Locations: place('GEHEIM', [7, 50]), Datastreams: [stream('Wasserstand', 'water_level', 'cm', cv(1, 2, 3, 4))] });
      const patch = await request(t.http).post('/api/3/action/package_patch').set('Authorization', steward.token).send({ id: datasets.hidden, private: true });
      expect(patch.body.success).toBe(true);
      await t.searchIndexed();
      expect((await get('/sensors/gauges')).text).not.toContain('GEHEIM');
      expect((await get('/sensors/gauges').set('Authorization', steward.token)).text).toContain('GEHEIM');
      // The action behind the pages keeps the same rule for API clients.
      expect((await get(`/api/3/action/sensor_dataset_streams?id=${datasets.hidden}`)).status).toBe(403);
      const own = await get(`/api/3/action/sensor_dataset_streams?id=${datasets.hidden}`).set('Authorization', steward.token);
      expect(own.body.result).toEqual([expect.objectContaining({ name: 'Wasserstand', quantity: 'water_level', kind: 'water', unit: 'cm', latest: null, thresholds: { MNW: 1, MW: 2, MHW: 3, HSW: 4 }, location: [7, 50], state: 'unknown' })]);
    });
  });

  describe('/sensors/traffic', () => {
    it('lists the traffic sites with their latest value per lane', async () => {
      const res = await get('/sensors/traffic');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h1>Verkehrszählstellen</h1>');
      const rows = [...res.text.matchAll(/<tr><th scope="row"><a href="[^"]+">([^<]+)<\/a><\/th><td>([^<]+)<\/td><td class="num">([^<]+)<\/td>/g)].map((m) => [m[1], m[2], m[3].trim()]);
      expect(rows).toEqual([['MQ Koblenz Süd', 'Fahrstreifen 1 Anzahl', '143 Fz'], ['MQ Koblenz Süd', 'Fahrstreifen 1 Geschwindigkeit', '87,5 km/h']]);
      expect(res.text).not.toContain('COCHEM');
    });
  });

  describe('client bundles', () => {
    it('serves each island and its stylesheet under a content hash with a year-long immutable cache', async () => {
      const page = await get('/sensors/gauges');
      const css = [...page.text.matchAll(/<link rel="stylesheet" href="(\/web\/js\/[^"]+)"/g)].map((m) => m[1]);
      expect(css).toHaveLength(1);
      for (const path of [...scriptsOf(page.text), ...css]) {
        const res = await get(path);
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(path.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
        expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      }
      expect((await get('/web/js/map.NOTAHASH.js')).status).toBe(404);
    });

    it('keeps every page under 150 KB of gzip-compressed JavaScript', async () => {
      const sizes: Record<string, number> = {};
      for (const path of ['/', '/dataset', `/dataset/${datasets.cochem}`, `/dataset/${datasets.mq}`, '/sensors/gauges', '/sensors/traffic']) {
        const page = await get(path).set('accept', 'text/html');
        let total = 0;
        for (const src of scriptsOf(page.text)) total += gzipSync(Buffer.from((await get(src)).text)).length;
        sizes[path] = total;
      }
      for (const [path, size] of Object.entries(sizes)) expect([path, size < 150 * 1024]).toEqual([path, true]);
      // The gauge page carries both islands, and they are real bundles.
      expect(sizes[`/dataset/${datasets.cochem}`]).toBeGreaterThan(20 * 1024);
    });
  });
});
