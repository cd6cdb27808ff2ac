import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reading } from '../readings';
import { DatexClient, parseDatexMeasuredData } from './datex2';
import { datexStations, parseMeasurementSiteTableXml, parseSiteIndexMap } from './datex2-site-table';

const fixture = (p: string): Buffer => readFileSync(join(__dirname, '../../../test/fixtures/sensors', p));
const table = parseSiteIndexMap(fixture('datex2/site-index-map.json'));
const row = (r: Reading): unknown[] => [r.station, r.stream, r.value, r.unit, r.quality ?? 'good', r.qualityReason];

describe('DATEX II measurement site table', () => {
  it('gives one station per site with a stream per lane and quantity (veh/h, km/h, %)', () => {
    const stations = datexStations(table);
    expect(stations.map((s) => s.key)).toEqual(['DE.RP.KO.MQ0101', 'DE.RP.KO.MQ0102', 'DE.RP.KO.MQ0207', 'DE.RP.KO.MQ0311', 'DE.RP.KO.MQ0415']);
    const mq0101 = stations[0];
    expect(mq0101).toMatchObject({ name: 'B9 Koblenz-Nord, Fahrtrichtung Bonn', location: { type: 'Point', coordinates: [7.5893, 50.3897] } });
    expect(mq0101.streams.map((s) => [s.key, s.quantity, s.unit, s.intervalSeconds])).toEqual([
      ['lane1/vehicle_flow', 'vehicle_flow', 'veh/h', 60],
      ['lane1/speed', 'speed', 'km/h', 60],
      ['lane1/occupancy', 'occupancy', '%', 60],
      ['lane2/vehicle_flow', 'vehicle_flow', 'veh/h', 60],
      ['lane2/speed', 'speed', 'km/h', 60],
      ['lane2/occupancy', 'occupancy', '%', 60],
    ]);
    expect(mq0101.streams[3].name).toBe('Verkehrsstärke, Fahrstreifen 2');
  });

  it('reads the same table from a v3 MeasurementSiteTablePublication (synthetic XML fixture)', () => {
    const fromXml = parseMeasurementSiteTableXml(fixture('datex2/measurement-site-table.v3.xml'));
    expect(fromXml.id).toBe('DE.RP.KO.MST');
    expect(fromXml.version).toBe('12');
    expect(datexStations(fromXml)).toEqual(datexStations(table));
  });

  it('refuses a measured-data payload given as site table', () => {
    expect(() => parseMeasurementSiteTableXml(fixture('datex2/measured-data-publication.v3.xml'))).toThrow(expect.objectContaining({ code: 'invalid' }));
  });
});

describe('DATEX II measured data', () => {
  const v3 = parseDatexMeasuredData(fixture('datex2/measured-data-publication.v3.xml'), table);

  it('reads v3 XML: one reading per known index, time = start of the minute, end = +60 s, unit as DATEX fixes it', () => {
    expect(v3.version).toBe('v3-xml');
    expect(v3.warnings).toEqual([]);
    expect(v3.readings).toHaveLength(24);
    expect(v3.publicationTime).toEqual(new Date('2025-06-17T06:16:10Z'));
    expect(v3.readings[0]).toEqual({
      station: 'DE.RP.KO.MQ0101', stream: 'lane1/vehicle_flow', time: new Date('2025-06-17T06:15:00Z'), end: new Date('2025-06-17T06:16:00Z'),
      value: 1428, unit: 'veh/h', at: 'siteMeasurements[0]/index 1',
    });
    expect(v3.readings.slice(0, 3).map(row)).toEqual([
      ['DE.RP.KO.MQ0101', 'lane1/vehicle_flow', 1428, 'veh/h', 'good', undefined],
      ['DE.RP.KO.MQ0101', 'lane1/speed', 74.2, 'km/h', 'good', undefined],
      ['DE.RP.KO.MQ0101', 'lane1/occupancy', 13.4, '%', 'good', undefined],
    ]);
  });

  it('marks the dead loop MQ0415 invalid with reason LOOP_OPEN: its 0 is never a good zero', () => {
    const dead = v3.readings.filter((r) => r.station === 'DE.RP.KO.MQ0415');
    expect(dead.map(row)).toEqual([
      ['DE.RP.KO.MQ0415', 'lane1/vehicle_flow', 0, 'veh/h', 'invalid', 'LOOP_OPEN'],
      ['DE.RP.KO.MQ0415', 'lane1/speed', 0, 'km/h', 'invalid', 'LOOP_OPEN'],
      ['DE.RP.KO.MQ0415', 'lane1/occupancy', 0, '%', 'invalid', 'LOOP_OPEN'],
    ]);
    expect(v3.readings.filter((r) => r.station !== 'DE.RP.KO.MQ0415').every((r) => r.quality === undefined)).toBe(true);
  });

  it('reads v3 JSON to exactly the same readings as v3 XML', () => {
    const json = parseDatexMeasuredData(fixture('datex2/measured-data-publication.v3.json'), table);
    expect(json.version).toBe('v3-json');
    expect(json.warnings).toEqual([]);
    expect(json.readings).toEqual(v3.readings);
  });

  it('reads v2 XML by its namespace (synthetic fixture), the same values for the same minute', () => {
    const v2 = parseDatexMeasuredData(fixture('datex2/measured-data-publication.v2.xml'), table);
    expect(v2.version).toBe('v2');
    expect(v2.warnings).toEqual([]);
    expect(v2.readings.map(row)).toEqual([
      ...v3.readings.slice(0, 3).map(row),
      ['DE.RP.KO.MQ0415', 'lane1/vehicle_flow', 0, 'veh/h', 'invalid', 'LOOP_OPEN'],
      ['DE.RP.KO.MQ0415', 'lane1/speed', 0, 'km/h', 'invalid', 'LOOP_OPEN'],
    ]);
    expect(v2.readings[0].end).toEqual(new Date('2025-06-17T06:16:00Z'));
  });

  it('bad/datex-unknown-site-and-bad-index.xml: skips the unknown site and the undefined index with warnings, creating no station', () => {
    const bad = parseDatexMeasuredData(fixture('bad/datex-unknown-site-and-bad-index.xml'), table);
    expect(bad.readings).toEqual([]);
    expect(bad.warnings).toEqual([
      expect.objectContaining({ code: 'unknown_station', station: 'DE.RP.KO.MQ9999', at: 'siteMeasurements[0]' }),
      expect.objectContaining({ code: 'unknown_stream', station: 'DE.RP.KO.MQ0311', at: 'siteMeasurements[1]/index 17' }),
    ]);
    expect(table.sites.has('DE.RP.KO.MQ9999')).toBe(false);
  });

  it('refuses malformed XML naming line and column, and a DOCTYPE outright', () => {
    const broken = fixture('datex2/measured-data-publication.v3.xml').toString('utf8').replace('</roa:measurementSiteReference>', '').replace('<roa:timeValue>', '<roa:timeValue><x>');
    expect(() => parseDatexMeasuredData(broken, table)).toThrow(expect.objectContaining({ code: 'malformed', at: expect.stringMatching(/^line \d+, column \d+$/) }));
    const entity = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d2LogicalModel xmlns="http://datex2.eu/schema/2/2_0">&a;</d2LogicalModel>';
    expect(() => parseDatexMeasuredData(entity, table)).toThrow(expect.objectContaining({ code: 'malformed', message: expect.stringContaining('DOCTYPE') }));
  });

  it('refuses XML in another namespace instead of guessing its version', () => {
    const other = '<payload xmlns="http://example.org/not-datex"><siteMeasurements/></payload>';
    expect(() => parseDatexMeasuredData(other, table)).toThrow(expect.objectContaining({ code: 'invalid', message: expect.stringContaining('http://example.org/not-datex') }));
  });

  it('takes end from the publication\'s period when it gives one, and decodes character references in names', () => {
    const xml = fixture('datex2/measured-data-publication.v3.xml')
      .toString('utf8')
      .replaceAll('<roa:timeValue>2025-06-17T06:15:00Z</roa:timeValue>', '<roa:timeValue>2025-06-17T06:15:00Z</roa:timeValue><roa:period>300</roa:period>');
    const got = parseDatexMeasuredData(xml, table);
    expect(got.readings[0]).toMatchObject({ time: new Date('2025-06-17T06:15:00Z'), end: new Date('2025-06-17T06:20:00Z') });
    const mst = fixture('datex2/measurement-site-table.v3.xml').toString('utf8').replace('Pfaffendorfer Brücke', 'Pfaffendorfer Br&#252;cke &amp; Rampe');
    expect(datexStations(parseMeasurementSiteTableXml(mst))[2].name).toBe('Pfaffendorfer Brücke & Rampe, stadteinwärts');
  });
});

describe('DATEX II client', () => {
  it('pulls the site table (XML or JSON map) and the measured data through the injected fetch', async () => {
    const served: Record<string, string> = {
      'https://vrz.example/mst.xml': fixture('datex2/measurement-site-table.v3.xml').toString('utf8'),
      'https://vrz.example/mst.json': fixture('datex2/site-index-map.json').toString('utf8'),
      'https://vrz.example/mdp.json': fixture('datex2/measured-data-publication.v3.json').toString('utf8'),
    };
    const asked: string[] = [];
    const client = new DatexClient(async (url) => {
      asked.push(url);
      return served[url];
    });
    const fromXml = await client.siteTable('https://vrz.example/mst.xml');
    expect(datexStations(fromXml)).toEqual(datexStations(await client.siteTable('https://vrz.example/mst.json')));
    const got = await client.measuredData('https://vrz.example/mdp.json', fromXml);
    expect(got.readings).toHaveLength(24);
    expect(asked).toEqual(['https://vrz.example/mst.xml', 'https://vrz.example/mst.json', 'https://vrz.example/mdp.json']);
  });
});
