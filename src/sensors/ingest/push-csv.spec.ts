import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordMapping } from './record-mapping';
import { parseCsvBatch, PUSH_CSV_DIALECT, PUSH_CSV_MAPPING } from './push-csv';
import type { CsvDialect } from './csv-dialect';

const fixture = (p: string): Buffer => readFileSync(join(__dirname, '../../../test/fixtures/sensors', p));
const iso = (d: Date): string => d.toISOString();

/** A city counting-station export: one row per lane and 5 minutes, a count and an average speed whose unit is in the header. */
const COUNTING: RecordMapping = {
  time: 'timestamp',
  station: '{site}',
  values: [
    { field: 'vehicle_count', stream: 'lane{lane}/vehicle_count', unit: 'veh' },
    { field: 'avg_speed', unitInName: true, stream: 'lane{lane}/speed' },
  ],
  ignore: ['direction'],
  intervalSeconds: 300,
};
const COMMA: CsvDialect = { separator: ',', decimalMark: '.', dateFormat: 'iso' };
const GAUGE_CM: RecordMapping = { time: 'timestamp', station: '{station}', values: [{ field: 'value', unitInName: true, stream: 'W' }] };

describe('CSV push batches', () => {
  it('reads the proposed push CSV by header, keeping the declared unit', () => {
    const { readings, warnings } = parseCsvBatch(fixture('push/batch-gauges.csv'), PUSH_CSV_DIALECT, PUSH_CSV_MAPPING);
    expect(warnings).toEqual([]);
    expect(readings).toHaveLength(8);
    expect(readings[0]).toEqual({ station: 'COCHEM', stream: 'W', time: new Date('2025-03-28T23:00:00Z'), value: 301, unit: 'cm', at: 'line 2' });
    expect(readings.map((r) => r.value)).toEqual([301, 299, 300, 300, 301, 300, 300, 301]);
  });

  it('reads the counting-station export as 5-minute intervals, an empty speed as missing (not 0)', () => {
    const { readings, warnings } = parseCsvBatch(fixture('counts/counting-stations-5min.csv'), COMMA, COUNTING);
    expect(warnings).toEqual([]);
    expect(readings).toHaveLength(3168 * 2);
    const first = readings.filter((r) => r.station === 'ZS-KO-101' && r.time.getTime() === Date.parse('2025-06-17T00:00:00+02:00'));
    expect(first.slice(0, 4)).toEqual([
      expect.objectContaining({ stream: 'lane1/vehicle_count', value: 0, unit: 'veh', end: new Date('2025-06-16T22:05:00Z') }),
      { station: 'ZS-KO-101', stream: 'lane1/speed', time: new Date('2025-06-16T22:00:00Z'), end: new Date('2025-06-16T22:05:00Z'), value: null, unit: 'km/h', quality: 'missing', at: 'line 2' },
      expect.objectContaining({ stream: 'lane2/vehicle_count', value: 1 }),
      expect.objectContaining({ stream: 'lane2/speed', value: 52.9, unit: 'km/h' }),
    ]);
    const missing = readings.filter((r) => r.quality === 'missing');
    expect(missing).toHaveLength(158);
    expect(missing.every((r) => r.stream.endsWith('/speed') && r.value === null)).toBe(true);
    expect(readings.every((r) => r.end!.getTime() - r.time.getTime() === 300_000)).toBe(true);
  });

  it('bad/wrong-unit-speed-ms.csv: the speed header in m/s declares m/s on its readings, never loaded as km/h', () => {
    const { readings } = parseCsvBatch(fixture('bad/wrong-unit-speed-ms.csv'), COMMA, COUNTING);
    const speeds = readings.filter((r) => r.stream.endsWith('/speed'));
    expect(speeds.map((r) => r.unit)).toEqual(Array(8).fill('m/s'));
    expect(speeds.filter((r) => r.value !== null).map((r) => r.value)).toEqual([14.7, 13.8, 13.9, 13.7]);
  });

  it('bad/wrong-unit-speed-ms.csv: a source mapped to avg_speed_kmh only refuses the batch naming the unknown header', () => {
    const strict: RecordMapping = { ...COUNTING, values: [COUNTING.values[0], { field: 'avg_speed_kmh', stream: 'lane{lane}/speed', unit: 'km/h' }] };
    expect(() => parseCsvBatch(fixture('bad/wrong-unit-speed-ms.csv'), COMMA, strict)).toThrow(
      expect.objectContaining({ code: 'unknown_column', at: 'line 1, avg_speed_ms', message: expect.stringContaining('avg_speed_ms') }),
    );
  });

  it('refuses a speed header without a unit, and two speed headers in different units for one stream', () => {
    const bare = 'timestamp,site,lane,direction,vehicle_count,avg_speed\n2025-06-17T00:00:00+02:00,A,1,in,1,3\n';
    expect(() => parseCsvBatch(bare, COMMA, COUNTING)).toThrow(expect.objectContaining({ code: 'missing_unit', at: 'line 1, avg_speed' }));
    const both = 'timestamp,site,lane,direction,vehicle_count,avg_speed_kmh,avg_speed_ms\n2025-06-17T00:00:00+02:00,A,1,in,1,36,10\n';
    expect(() => parseCsvBatch(both, COMMA, COUNTING)).toThrow(expect.objectContaining({ code: 'invalid', at: 'line 1, avg_speed_ms' }));
  });

  it('refuses a header whose unit suffix is unknown instead of guessing it', () => {
    const csv = 'timestamp,site,lane,direction,vehicle_count,avg_speed_knots\n2025-06-17T00:00:00+02:00,A,1,in,1,3\n';
    expect(() => parseCsvBatch(csv, COMMA, COUNTING)).toThrow(expect.objectContaining({ code: 'unknown_unit', message: expect.stringContaining('avg_speed_knots') }));
  });

  describe('bad/decimal-comma-semicolon.csv (German export: ";", decimal comma, dd.MM.yyyy + HH:mm local)', () => {
    const mapping: RecordMapping = { time: 'Datum', timeOfDay: 'Zeit', station: '{Messst.Nr.}', values: [{ field: 'Wert', stream: 'W', unit: 'cm' }] };
    const german: CsvDialect = { separator: ';', decimalMark: ',', dateFormat: 'dd.MM.yyyy', timeFormat: 'HH:mm', timeZone: 'Europe/Berlin' };

    it('is read exactly with its configured dialect', () => {
      const { readings, warnings } = parseCsvBatch(fixture('bad/decimal-comma-semicolon.csv'), german, mapping);
      expect(warnings).toEqual([]);
      expect(readings.map((r) => [r.station, r.stream, iso(r.time), r.value, r.unit])).toEqual([
        ['26906702', 'W', '2025-03-28T23:00:00.000Z', 301, 'cm'],
        ['26906702', 'W', '2025-03-28T23:15:00.000Z', 299, 'cm'],
        ['26906702', 'W', '2025-03-28T23:30:00.000Z', 300, 'cm'],
        ['26906702', 'W', '2025-03-28T23:45:00.000Z', 300, 'cm'],
        ['26906702', 'W', '2025-03-29T00:00:00.000Z', 301, 'cm'],
        ['26906702', 'W', '2025-03-29T00:15:00.000Z', 300, 'cm'],
      ]);
    });

    it('is refused with a decimal point dialect, naming the cell (301,000 is never read as 301000 or 301)', () => {
      expect(() => parseCsvBatch(fixture('bad/decimal-comma-semicolon.csv'), { ...german, decimalMark: '.' }, mapping)).toThrow(
        expect.objectContaining({ code: 'invalid_number', at: 'line 2, Wert', message: expect.stringContaining('301,000') }),
      );
    });

    it('is refused without a declared time zone, naming the naive time', () => {
      expect(() => parseCsvBatch(fixture('bad/decimal-comma-semicolon.csv'), { ...german, timeZone: undefined }, mapping)).toThrow(
        expect.objectContaining({ code: 'naive_time', at: 'line 2, Datum Zeit', message: expect.stringContaining('29.03.2025 00:00') }),
      );
    });

    it('is refused under a comma separator: the one-column header is unknown', () => {
      expect(() => parseCsvBatch(fixture('bad/decimal-comma-semicolon.csv'), { ...german, separator: ',', decimalMark: '.' }, mapping)).toThrow(
        expect.objectContaining({ code: 'unknown_column' }),
      );
    });
  });

  describe('bad/ambiguous-local-times.csv (the October fall-back night, naive local times)', () => {
    const berlin: CsvDialect = { ...COMMA, timeZone: 'Europe/Berlin' };

    it('skips the repeated 02:00 and 02:15 as ambiguous when the source does not send in sequence', () => {
      const { readings, warnings } = parseCsvBatch(fixture('bad/ambiguous-local-times.csv'), berlin, GAUGE_CM);
      expect(readings.map((r) => [iso(r.time), r.value])).toEqual([
        ['2025-10-25T23:45:00.000Z', 302],
        ['2025-10-26T02:00:00.000Z', 305],
      ]);
      expect(warnings.map((w) => [w.code, w.at])).toEqual([
        ['ambiguous_time', 'line 3, timestamp'],
        ['ambiguous_time', 'line 4, timestamp'],
        ['ambiguous_time', 'line 5, timestamp'],
        ['ambiguous_time', 'line 6, timestamp'],
      ]);
    });

    it('resolves them by order of arrival (first +02:00, second +01:00) for a source that sends in sequence', () => {
      const { readings, warnings } = parseCsvBatch(fixture('bad/ambiguous-local-times.csv'), { ...berlin, inSequence: true }, GAUGE_CM);
      expect(warnings).toEqual([]);
      expect(readings.map((r) => [iso(r.time), r.value, r.unit])).toEqual([
        ['2025-10-25T23:45:00.000Z', 302, 'cm'],
        ['2025-10-26T00:00:00.000Z', 303, 'cm'],
        ['2025-10-26T00:15:00.000Z', 303, 'cm'],
        ['2025-10-26T01:00:00.000Z', 304, 'cm'],
        ['2025-10-26T01:15:00.000Z', 304, 'cm'],
        ['2025-10-26T02:00:00.000Z', 305, 'cm'],
      ]);
    });

    it('is refused as a whole when the source declares no zone', () => {
      expect(() => parseCsvBatch(fixture('bad/ambiguous-local-times.csv'), COMMA, GAUGE_CM)).toThrow(expect.objectContaining({ code: 'naive_time', at: 'line 2, timestamp' }));
    });
  });

  it('bad/duplicates.csv is read faithfully, repeats included, for the writer to decide by natural key', () => {
    const { readings } = parseCsvBatch(fixture('bad/duplicates.csv'), COMMA, COUNTING);
    const counts = readings.filter((r) => r.station === 'ZS-KO-101' && r.stream === 'lane3/vehicle_count');
    expect(counts.map((r) => [r.value, r.at])).toEqual([
      [2, 'line 4'],
      [19, 'line 10'],
    ]);
    expect(readings).toHaveLength(18);
  });

  it('bad/sentinels.csv passes -777, -999 and -1 through as numbers (the writer applies the source\'s sentinels)', () => {
    const { readings } = parseCsvBatch(fixture('bad/sentinels.csv'), COMMA, GAUGE_CM);
    expect(readings.map((r) => r.value)).toEqual([301, -777, 300, -999, 301, -1]);
    expect(readings.every((r) => r.unit === 'cm' && r.quality === undefined)).toBe(true);
  });

  it('refuses a broken CSV as a whole, naming the line', () => {
    const csv = 'timestamp,station,value_cm\n2025-03-29T00:00:00+01:00,COCHEM,301\n2025-03-29T00:15:00+01:00,COCHEM,299,7\n';
    expect(() => parseCsvBatch(csv, COMMA, GAUGE_CM)).toThrow(expect.objectContaining({ code: 'malformed', at: 'line 3' }));
  });

  it('reports an unknown source quality word and keeps the reading as suspect', () => {
    const csv = 'station;timeseries;timestamp;value;unit;quality\nCOCHEM;W;2025-03-29T00:00:00+01:00;301;cm;geprüft?\n';
    const { readings, warnings } = parseCsvBatch(csv, PUSH_CSV_DIALECT, PUSH_CSV_MAPPING);
    expect(readings[0]).toMatchObject({ quality: 'suspect', qualityReason: 'quality "geprüft?"' });
    expect(warnings).toEqual([expect.objectContaining({ code: 'unknown_quality', at: 'line 2' })]);
  });

  it('refuses a header that lacks a column the station or stream is made of, naming it', () => {
    const csv = 'timestamp,site,direction,vehicle_count\n2025-06-17T00:00:00+02:00,ZS-KO-101,inbound,3\n';
    expect(() => parseCsvBatch(csv, COMMA, COUNTING)).toThrow(expect.objectContaining({ code: 'missing_column', at: 'line 1, lane' }));
    const noSite = 'timestamp,lane,vehicle_count\n2025-06-17T00:00:00+02:00,1,3\n';
    expect(() => parseCsvBatch(noSite, COMMA, COUNTING)).toThrow(expect.objectContaining({ code: 'missing_column', at: 'line 1, site' }));
  });

  it('reads a windows-1252 export when the source declares it, and refuses it undeclared naming the byte', () => {
    const csv = 'Messstelle;Datum;Zeit;Wasserstand_cm\nSAARBRÜCKEN;29.03.2025;00:00;301,5\n';
    const bytes = Buffer.from(csv, 'latin1');
    const mapping: RecordMapping = { time: 'Datum', timeOfDay: 'Zeit', station: '{Messstelle}', values: [{ field: 'Wasserstand', unitInName: true, stream: 'W' }] };
    const dialect: CsvDialect = { separator: ';', decimalMark: ',', dateFormat: 'dd.MM.yyyy', timeFormat: 'HH:mm', timeZone: 'Europe/Berlin' };
    expect(parseCsvBatch(bytes, { ...dialect, encoding: 'windows-1252' }, mapping).readings).toEqual([
      { station: 'SAARBRÜCKEN', stream: 'W', time: new Date('2025-03-28T23:00:00Z'), value: 301.5, unit: 'cm', at: 'line 2' },
    ]);
    expect(() => parseCsvBatch(bytes, dialect, mapping)).toThrow(expect.objectContaining({ code: 'malformed', at: `byte ${csv.indexOf('Ü')}` }));
  });
});
