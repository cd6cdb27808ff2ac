import { checkRecordMapping, readQuality, type RecordMapping } from './record-mapping';

const OK: RecordMapping = {
  time: 'timestamp',
  station: ['{station}', '{site}'],
  values: [
    { field: 'value', stream: '{timeseries}', unitField: 'unit' },
    { field: 'avg_speed', unitInName: true, stream: 'lane{lane}/speed' },
  ],
  intervalSeconds: 300,
};

describe('checking a source\'s record mapping when it is configured', () => {
  it('accepts a well-formed mapping', () => {
    expect(() => checkRecordMapping(OK)).not.toThrow();
  });

  it.each<[string, RecordMapping, string]>([
    ['an empty time field', { ...OK, time: '' }, 'mapping.time'],
    ['no value fields', { ...OK, values: [] }, 'mapping.values'],
    ['a broken template', { ...OK, values: [{ field: 'count', stream: 'lane{lane/count' }] }, 'mapping.values[0].stream'],
    ['a unit both in the name and given', { ...OK, values: [{ field: 'avg_speed', unitInName: true, unit: 'km/h', stream: 's' }] }, 'mapping.values[0].unit'],
    ['a non-positive interval', { ...OK, intervalSeconds: 0 }, 'mapping.intervalSeconds'],
    ['an empty station template', { ...OK, station: ['{station}', ''] }, 'mapping.station[1]'],
  ])('refuses %s, naming where', (_what, mapping, at) => {
    expect(() => checkRecordMapping(mapping)).toThrow(expect.objectContaining({ code: 'invalid', at }));
  });
});

describe('a source\'s quality words', () => {
  it('reads raw/ok as good and keeps suspect, invalid and missing', () => {
    expect(['raw', 'OK', 'good', 'suspect', 'invalid', 'missing'].map((w) => readQuality(w, 'x').quality)).toEqual(['good', 'good', 'good', 'suspect', 'invalid', 'missing']);
  });
});
