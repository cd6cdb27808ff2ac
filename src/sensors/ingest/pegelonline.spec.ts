import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { guardedFetchText } from './http-fetch';
import {
  parsePegelonlineMeasurements,
  parsePegelonlineStations,
  PEGELONLINE_BASE_URL,
  pegelonlineMeasurementsUrl,
  pegelonlineStationsUrl,
  PegelonlineClient,
} from './pegelonline';

const FIXTURES = join(__dirname, '../../../test/fixtures/sensors');
const fixture = (p: string): Buffer => readFileSync(join(FIXTURES, p));

describe('PEGELONLINE stations', () => {
  const { stations, warnings } = parsePegelonlineStations(fixture('pegelonline/stations.json'));

  it('gives every station with its uuid as key, name, point (lon, lat) and properties', () => {
    expect(warnings).toEqual([]);
    expect(stations).toHaveLength(10);
    const kaub = stations.find((s) => s.name === 'KAUB')!;
    expect(kaub).toMatchObject({
      key: '4ea62a61-e3dd-46d2-90c5-d47253ca4501',
      location: { type: 'Point', coordinates: [7.7652, 50.0851] },
      properties: { number: '26902234', shortname: 'KAUB', longname: 'KAUB', km: 546.3, agency: 'WSA RHEIN', water: { shortname: 'RHEIN', longname: 'RHEIN' } },
    });
  });

  it('gives W in cm, Q in m³/s and WT in °C with their intervals, gauge zero and characteristic values', () => {
    const kaub = stations.find((s) => s.name === 'KAUB')!;
    expect(kaub.streams.map((s) => [s.key, s.quantity, s.unit, s.intervalSeconds])).toEqual([
      ['W', 'water_level', 'cm', 900],
      ['Q', 'discharge', 'm³/s', 900],
      ['WT', 'water_temperature', '°C', 3600],
    ]);
    const w = kaub.streams[0];
    expect(w.name).toBe('WASSERSTAND ROHDATEN');
    expect(w.properties).toEqual({
      gaugeZero: { unit: 'm. ü. NHN', value: 67.41, validFrom: '2019-11-01' },
      characteristicValues: {
        MNW: { longname: 'MITTLERES NIEDRIGWASSER', unit: 'cm', value: 110, validFrom: '2023-01-01', timespanStart: '2011-11-01', timespanEnd: '2021-10-31' },
        MW: expect.objectContaining({ value: 225 }),
        MHW: expect.objectContaining({ value: 520 }),
        HSW: { longname: 'HÖCHSTER SCHIFFFAHRTSWASSERSTAND', unit: 'cm', value: 640, validFrom: '2019-11-01' },
        M_I: expect.objectContaining({ value: 580 }),
        M_II: expect.objectContaining({ value: 640 }),
      },
    });
    expect(kaub.streams[1].properties).toBeUndefined(); // an empty characteristicValues list adds nothing
  });

  it('keeps a gauge without HSW (DIEZ) and the state gauge BAD KREUZNACH in the same shape', () => {
    const diez = stations.find((s) => s.name === 'DIEZ')!;
    const cv = diez.streams.find((s) => s.key === 'W')!.properties!.characteristicValues as Record<string, unknown>;
    expect(Object.keys(cv)).not.toContain('HSW');
    expect(stations.find((s) => s.name === 'BAD KREUZNACH')!.streams.map((s) => s.key)).toContain('W');
  });

  it('keeps names with umlauts as UTF-8', () => {
    expect(stations.map((s) => s.name)).toContain('SAARBRÜCKEN-ST. ARNUAL');
  });

  it('reads the plain list (no include* parameters) as stations without streams', () => {
    const plain = parsePegelonlineStations(fixture('pegelonline/stations.plain.json'));
    expect(plain.stations.map((s) => s.key)).toEqual(stations.map((s) => s.key));
    expect(plain.stations.every((s) => s.streams.length === 0 && s.location)).toBe(true);
  });

  it('skips a station without uuid with a warning, and refuses a body that is no list', () => {
    const got = parsePegelonlineStations(JSON.stringify([{ shortname: 'OHNE' }]));
    expect(got.stations).toEqual([]);
    expect(got.warnings).toEqual([expect.objectContaining({ code: 'skipped', at: '[0]' })]);
    expect(() => parsePegelonlineStations('{"a":1}')).toThrow(expect.objectContaining({ code: 'invalid' }));
  });
});

describe('PEGELONLINE measurements', () => {
  const series = (name: string) => parsePegelonlineMeasurements(fixture(`pegelonline/stations/${name}/W/measurements.json`), { station: name, stream: 'W', unit: 'cm' });

  it('KOBLENZ has 188 quarter-hours across the March switch, exact instants, unit cm', () => {
    const { readings } = series('KOBLENZ');
    expect(readings).toHaveLength(188);
    expect(readings[0].time).toEqual(new Date('2025-03-28T23:00:00Z'));
    expect(readings[187].time).toEqual(new Date('2025-03-30T21:45:00Z'));
    expect(readings.every((r, i) => i === 0 || r.time.getTime() - readings[i - 1].time.getTime() === 900_000)).toBe(true);
    expect(readings.every((r) => r.unit === 'cm' && r.station === 'KOBLENZ' && r.stream === 'W')).toBe(true);
  });

  it('COCHEM keeps its gaps as gaps (182 points) and TRIER passes its -777 through for the writer', () => {
    expect(series('COCHEM').readings).toHaveLength(182);
    const trier = series('TRIER').readings;
    expect(trier).toHaveLength(186);
    expect(trier.find((r) => r.value === -777)?.time).toEqual(new Date('2025-03-29T14:00:00Z'));
  });
});

describe('PEGELONLINE client', () => {
  it('builds the station list URL with ids or waters, URL-encoding umlauts and spaces', () => {
    expect(pegelonlineStationsUrl({ ids: ['SAARBRÜCKEN-ST. ARNUAL', 'caca0fc2-906a-4f94-8fca-66c52cc8b6ff'] })).toBe(
      `${PEGELONLINE_BASE_URL}/stations.json?ids=SAARBR%C3%9CCKEN-ST.%20ARNUAL,caca0fc2-906a-4f94-8fca-66c52cc8b6ff&includeTimeseries=true&includeCharacteristicValues=true`,
    );
    expect(pegelonlineStationsUrl({ waters: ['MOSEL', 'SAAR'] }, 'http://example.org/v2/')).toBe(
      'http://example.org/v2/stations.json?waters=MOSEL,SAAR&includeTimeseries=true&includeCharacteristicValues=true',
    );
  });

  it('asks for measurements since the last stored time, the + of an offset encoded as %2B', () => {
    expect(pegelonlineMeasurementsUrl('SAARBRÜCKEN-ST. ARNUAL', 'W', '2025-03-29T00:00:00+01:00')).toBe(
      `${PEGELONLINE_BASE_URL}/stations/SAARBR%C3%9CCKEN-ST.%20ARNUAL/W/measurements.json?start=2025-03-29T00%3A00%3A00%2B01%3A00`,
    );
    expect(pegelonlineMeasurementsUrl('4ea62a61-e3dd-46d2-90c5-d47253ca4501', 'Q', new Date('2025-03-30T21:45:00Z'))).toBe(
      `${PEGELONLINE_BASE_URL}/stations/4ea62a61-e3dd-46d2-90c5-d47253ca4501/Q/measurements.json?start=2025-03-30T21%3A45%3A00.000Z`,
    );
  });

  describe('against a local server replaying the fixtures, through the guarded fetch', () => {
    let server: Server;
    let base: string;
    const asked: string[] = [];

    beforeAll(async () => {
      server = createServer((req, res) => {
        asked.push(req.url ?? '');
        const url = new URL(req.url ?? '/', 'http://x');
        const path = url.pathname === '/v2/stations.json' ? 'pegelonline/stations.json' : decodeURIComponent(url.pathname).replace(/^\/v2\//, 'pegelonline/');
        try {
          res.writeHead(200, { 'content-type': 'application/json' }).end(fixture(path));
        } catch {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
    });
    afterAll(() => new Promise((r) => server.close(r)));

    const limits = { maxBytes: 1_000_000, timeoutMs: 5000, allowPrivate: true };

    it('polls stations of a water, then a series since the last stored time', async () => {
      const client = new PegelonlineClient(guardedFetchText(limits), base);
      const { stations } = await client.stations({ waters: ['MOSEL'] });
      expect(asked[0]).toBe('/v2/stations.json?waters=MOSEL&includeTimeseries=true&includeCharacteristicValues=true');
      expect(stations).toHaveLength(10); // the replay answers the whole list; filtering is the server's
      const cochem = stations.find((s) => s.name === 'COCHEM')!;
      const w = cochem.streams.find((s) => s.key === 'W')!;
      const { readings } = await client.measurements('COCHEM', w, new Date('2025-03-28T23:00:00Z'));
      expect(asked[1]).toBe('/v2/stations/COCHEM/W/measurements.json?start=2025-03-28T23%3A00%3A00.000Z');
      expect(readings).toHaveLength(182);
      expect(readings[0]).toMatchObject({ station: 'COCHEM', stream: 'W', unit: 'cm', value: 301 });
    });

    it('refuses the local server when private addresses are not allowed', async () => {
      const client = new PegelonlineClient(guardedFetchText({ ...limits, allowPrivate: false }), base);
      await expect(client.stations()).rejects.toThrow(/nicht öffentlich/);
    });
  });
});
