import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonPush } from './push-json';
import type { RecordMapping } from './record-mapping';

const fixture = (p: string): Buffer => readFileSync(join(__dirname, '../../../test/fixtures/sensors', p));

describe('JSON push batches', () => {
  it('reads the proposed batch with its id, sender time, declared units and quality words', () => {
    const { readings, warnings, meta } = parseJsonPush(fixture('push/batch-gauges.json'), { shape: 'batch' });
    expect(warnings).toEqual([]);
    expect(meta).toEqual({ source: 'kreis-musterland-pegelnetz', batchId: '01JQ6Z1X9G2M4R7T8V0W3Y5B6C', sentAt: new Date('2025-03-29T01:01:35Z') });
    expect(readings).toHaveLength(8);
    expect(readings[0]).toEqual({ station: 'COCHEM', stream: 'W', time: new Date('2025-03-28T23:00:00Z'), value: 301, unit: 'cm', at: 'readings[0]' });
    // "raw" is the normal state of a live value; "suspect" is kept as the source says.
    expect(readings.map((r) => r.quality ?? 'good')).toEqual(['good', 'good', 'good', 'good', 'good', 'suspect', 'good', 'good']);
  });

  it('bad/malformed.json is refused as a whole with the byte offset of the error, nothing parsed', () => {
    let error: unknown;
    try {
      parseJsonPush(fixture('bad/malformed.json'), { shape: 'timeseries', station: 'COCHEM', stream: 'W', unit: 'cm' });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'malformed', at: 'byte 167', message: expect.stringContaining('Byte 167') });
    // 167 is where the unterminated timestamp string starts in the truncated body.
    expect(fixture('bad/malformed.json').subarray(167, 180).toString()).toBe('"2025-03-29T0');
  });

  it('names the byte offset in bytes, not characters, after umlauts', () => {
    const body = Buffer.from('{"readings":[{"station":"SAARBRÜCKEN","timeseries":"W","timestamp":"2025-03-29T00:00:00+01:00","value":1,,}]}');
    const at = body.indexOf(',,') + 1;
    expect(() => parseJsonPush(body, { shape: 'batch' })).toThrow(expect.objectContaining({ code: 'malformed', at: `byte ${at}` }));
  });

  describe('bad/timestamps-without-offset.json', () => {
    const config = { shape: 'timeseries' as const, station: 'COCHEM', stream: 'W', unit: 'cm' };

    it('is refused when the source declares no zone, naming the value and the item', () => {
      expect(() => parseJsonPush(fixture('bad/timestamps-without-offset.json'), config)).toThrow(
        expect.objectContaining({ code: 'naive_time', at: 'measurements[0], timestamp', message: expect.stringContaining('2025-03-29T00:00:00') }),
      );
    });

    it('is read in the zone the source declares (Europe/Berlin: +01:00 that night)', () => {
      const { readings } = parseJsonPush(fixture('bad/timestamps-without-offset.json'), { ...config, timeZone: 'Europe/Berlin' });
      expect(readings.map((r) => [r.time.toISOString(), r.value, r.unit])).toEqual([
        ['2025-03-28T23:00:00.000Z', 301, 'cm'],
        ['2025-03-28T23:15:00.000Z', 299, 'cm'],
        ['2025-03-28T23:30:00.000Z', 300, 'cm'],
        ['2025-03-28T23:45:00.000Z', 300, 'cm'],
        ['2025-03-29T00:00:00.000Z', 301, 'cm'],
        ['2025-03-29T00:15:00.000Z', 300, 'cm'],
      ]);
    });
  });

  it('bad/out-of-order-and-late.json keeps every reading as sent, the 3-day-old one too (window and order are the writer\'s)', () => {
    const { readings, meta } = parseJsonPush(fixture('bad/out-of-order-and-late.json'), { shape: 'batch' });
    expect(meta.sentAt).toEqual(new Date('2025-03-29T01:15:00Z'));
    expect(readings.map((r) => r.time.toISOString())).toEqual([
      '2025-03-28T23:45:00.000Z', '2025-03-28T23:15:00.000Z', '2025-03-28T23:00:00.000Z', '2025-03-28T23:30:00.000Z',
      '2025-03-29T00:30:00.000Z', '2025-03-29T00:00:00.000Z', '2025-03-29T00:15:00.000Z', '2025-03-29T00:45:00.000Z',
      '2025-03-25T23:00:00.000Z',
    ]);
    // No unit in the items: the datastream's declared unit applies, nothing is assumed here.
    expect(readings.every((r) => r.station === 'KOBLENZ' && r.stream === 'W' && r.unit === undefined)).toBe(true);
  });

  it('bad/wrong-unit-meters.json keeps the declared unit m on every reading (3.01 m, never 3.01 cm)', () => {
    const { readings } = parseJsonPush(fixture('bad/wrong-unit-meters.json'), { shape: 'timeseries', station: 'COCHEM', unit: 'cm' });
    expect(readings.map((r) => [r.stream, r.value, r.unit])).toEqual([
      ['W', 3.01, 'm'], ['W', 2.99, 'm'], ['W', 3, 'm'], ['W', 3, 'm'], ['W', 3.01, 'm'], ['W', 3, 'm'],
    ]);
  });

  it('bad/out-of-range.json is read faithfully, values never clamped (plausibility is the writer\'s)', () => {
    const mixed: RecordMapping = {
      time: 'timestamp',
      station: ['{station}', '{site}'],
      values: [
        { field: 'value', stream: '{timeseries}', unitField: 'unit' },
        { field: 'vehicle_count', stream: 'lane{lane}/vehicle_count', unit: 'veh' },
        { field: 'avg_speed', unitInName: true, stream: 'lane{lane}/speed' },
        { field: 'occupancy', unitInName: true, stream: 'lane{lane}/occupancy' },
      ],
      intervalSeconds: 300,
    };
    const { readings, warnings } = parseJsonPush(fixture('bad/out-of-range.json'), { shape: 'records', mapping: mixed });
    expect(warnings).toEqual([]);
    expect(readings.map((r) => [r.station, r.stream, r.value, r.unit])).toEqual([
      ['COCHEM', 'W', 99999, 'cm'],
      ['COCHEM', 'W', -2500, 'cm'],
      ['ZS-KO-101', 'lane1/vehicle_count', -4, 'veh'],
      ['ZS-KO-101', 'lane1/speed', 31, 'km/h'],
      ['ZS-KO-101', 'lane2/vehicle_count', 12, 'veh'],
      ['ZS-KO-101', 'lane2/speed', 412, 'km/h'],
      ['ZS-KO-101', 'lane3/vehicle_count', 9000, 'veh'],
      ['ZS-KO-101', 'lane3/speed', 44, 'km/h'],
      ['DE.RP.KO.MQ0101', 'lane1/occupancy', 130, '%'],
    ]);
    expect(readings.every((r) => r.quality === undefined)).toBe(true);
  });

  it('reads the Eco-Counter export as one 15-minute stream per direction', () => {
    const counter: RecordMapping = { time: 'timestamp', station: 'RAD-KO-PFAFFENDORF', values: [{ field: 'count', stream: '{direction}' }], intervalSeconds: 900 };
    const { readings, warnings } = parseJsonPush(fixture('counts/bicycle-counter-15min.json'), { shape: 'records', mapping: counter });
    expect(warnings).toEqual([]);
    expect(readings).toHaveLength(192);
    expect(new Set(readings.map((r) => r.stream))).toEqual(new Set(['IN', 'OUT']));
    for (const dir of ['IN', 'OUT']) {
      const series = readings.filter((r) => r.stream === dir);
      expect(series).toHaveLength(96);
      expect(series[0].time).toEqual(new Date('2025-06-16T22:00:00Z'));
      expect(series.every((r, i) => r.time.getTime() === series[0].time.getTime() + i * 900_000 && r.end!.getTime() - r.time.getTime() === 900_000)).toBe(true);
    }
    expect(readings[2]).toMatchObject({ station: 'RAD-KO-PFAFFENDORF', stream: 'IN', value: 2 });
  });

  it('refuses an item with a field the format does not know, naming it', () => {
    const body = JSON.stringify({ readings: [{ station: 'A', timeseries: 'W', timestamp: '2025-03-29T00:00:00Z', value: 1, wert: 2 }] });
    expect(() => parseJsonPush(body, { shape: 'batch' })).toThrow(expect.objectContaining({ code: 'unknown_column', at: 'readings[0], wert' }));
  });

  it('refuses a value that is no number, naming the item', () => {
    const body = JSON.stringify([{ station: 'A', timeseries: 'W', timestamp: '2025-03-29T00:00:00Z', value: 'hoch' }]);
    expect(() => parseJsonPush(body, { shape: 'batch' })).toThrow(expect.objectContaining({ code: 'invalid_number', at: 'readings[0].value' }));
  });

  it('reads a null value as a missing reading', () => {
    const body = JSON.stringify([{ station: 'A', timeseries: 'W', timestamp: '2025-03-29T00:00:00Z', value: null, unit: 'cm' }]);
    expect(parseJsonPush(body, { shape: 'batch' }).readings).toEqual([expect.objectContaining({ value: null, quality: 'missing', unit: 'cm' })]);
  });
});
