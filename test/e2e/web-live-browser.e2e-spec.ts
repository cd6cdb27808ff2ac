import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { describeInBrowser, launchChromium, saveScreenshot, seriousAxeViolations } from '../browser';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

const gauge = (name: string, coordinates: [number, number], cv: [number, number, number, number]): Dict => ({
  name, description: `Pegel ${name}`, properties: { organization: 'wsv' },
  Locations: [{ name, description: name, encodingType: 'application/geo+json', location: { type: 'Point', coordinates } }],
  Datastreams: [{
    name: 'Wasserstand', description: 'W', observationType: 'OM_Measurement', unitOfMeasurement: { name: 'cm', symbol: 'cm', definition: '' },
    properties: { quantity: 'water_level', characteristicValues: Object.fromEntries(['MNW', 'MW', 'MHW', 'HSW'].map((k, i) => [k, { value: cv[i], unit: 'cm' }])) },
    Sensor: { name: 'Radar', description: 'Radar', encodingType: 'text/plain', metadata: '' }, ObservedProperty: { name: 'Wasserstand', definition: 'urn:test:w', description: 'W' },
  }],
});

/**
 * A gauge's chart and the gauges map in Chromium (issue 17): the islands load from the built bundles and draw; with no
 * network beyond the service, the base map's tiles fail and the markers are still there; axe-core finds no serious
 * or critical violation on either page.
 */
describeInBrowser('web live data in the browser', () => {
  let t: TestApp;
  let steward: TestUser;
  let base: string;
  let browser: Browser;
  let cochem: string;

  beforeAll(async () => {
    t = await TestApp.start();
    steward = await t.factories.user();
    await t.factories.organization({ name: 'wsv', title: 'WSV', members: [[steward, 'editor']] });
    const sta = (path: string, body: unknown) => request(t.http).post(`/sta/v1.1${path}`).set('Authorization', steward.token).set('content-type', 'application/json').send(JSON.stringify(body));
    const things: number[] = [];
    for (const [name, at, cv] of [['COCHEM', [7.1667, 50.1458], [180, 310, 560, 620]], ['TRIER', [6.6286, 49.7508], [150, 280, 600, 700]]] as const) {
      const res = await sta('/Things', gauge(name, [...at], [...cv]));
      expect(res.status).toBe(201);
      things.push(res.body['@iot.id'] as number);
    }
    const [{ id, package_id }] = await t.db.dataSource.query<{ id: number; package_id: string }[]>(
      'SELECT d.id::int AS id, t.package_id FROM sensor_datastream d JOIN sensor_thing t ON t.id = d.thing_id WHERE t.id = $1', [things[0]],
    );
    cochem = package_id;
    const rows = Array.from({ length: 96 }, (_, i) => [new Date(Date.UTC(2025, 2, 30, 0, 15 * i)).toISOString(), Math.round(400 + 330 * Math.sin((i / 96) * Math.PI))]);
    expect((await sta('/CreateObservations', [{ Datastream: { '@iot.id': id }, components: ['phenomenonTime', 'result'], dataArray: rows }])).status).toBe(201);
    await t.searchIndexed();
    await new Promise<void>((resolve) => t.http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(t.http.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t.stop();
  });

  /** A page in a fresh context that reaches only the service: everything else (the base map's tiles) fails. */
  async function open(path: string): Promise<{ page: Page; close: () => Promise<void> }> {
    const context = await browser.newContext({ locale: 'de-DE' });
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + path);
    return { page, close: async () => {
      expect(errors).toEqual([]);
      await context.close();
    } };
  }

  it('draws the gauge\'s water level as a chart with its characteristic values beside the table', async () => {
    const { page, close } = await open(`/dataset/${cochem}`);
    await page.waitForSelector('figure.chart.chart-ready canvas', { timeout: 10000 });
    const canvas = await page.$eval('figure.chart canvas', (c) => ({ w: (c as HTMLCanvasElement).width, h: (c as HTMLCanvasElement).height }));
    expect(canvas.w).toBeGreaterThan(200);
    expect(canvas.h).toBeGreaterThan(100);
    // uPlot's legend names the series: the water level and the four lines.
    const legend = await page.$$eval('.u-legend .u-series .u-label', (ls) => ls.map((l) => l.textContent));
    expect(legend).toEqual(expect.arrayContaining(['Wasserstand (cm)', 'MNW', 'MW', 'MHW', 'HSW']));
    expect(await page.textContent('.latest-value')).toBe('411 cm');
    expect(await page.locator('figure.chart table.data tbody tr').count()).toBe(24);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await saveScreenshot(page, 'gauge-chart');
    await close();
  });

  it('shows every gauge as a marker on the gauges map, even when the base map cannot load', async () => {
    const { page, close } = await open('/sensors/gauges');
    await page.waitForSelector('.map.map-ready', { timeout: 10000 });
    const markers = page.locator('.map path.leaflet-interactive');
    expect(await markers.count()).toBe(2);
    const colours = await markers.evaluateAll((ps) => ps.map((p) => p.getAttribute('fill')).sort());
    // COCHEM normal (411 cm, between MNW and MHW), TRIER without a value yet: unknown.
    expect(colours).toEqual(['#1b6b2f', '#6e6e6e']);
    expect(await page.locator('#gauges tbody tr').count()).toBe(2);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await saveScreenshot(page, 'gauges-map');
    await close();
  });
});
