import { ValidationError } from '../../api/errors';
import { addCounts } from './sensor-poll.job';
import { parseSourceConfig } from './sensor-source-config';
import { MASK, maskSecrets, restoreSecrets } from './sensor-source-secrets';

const fieldsOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.fields;
    throw err;
  }
  throw new Error('no ValidationError');
};

describe('sensor source settings', () => {
  it('converts what a form sends (numbers as text, comma lists) and drops nothing it knows', () => {
    expect(parseSourceConfig('pegelonline', { waters: 'RHEIN, MOSEL', poll_interval_seconds: '600', retention: { raw_days: '90' } })).toEqual({
      waters: ['RHEIN', 'MOSEL'], poll_interval_seconds: 600, retention: { raw_days: 90 },
    });
  });

  it('names each item of a device mapping that is wrong, as CKAN names list items', () => {
    expect(fieldsOf(() => parseSourceConfig('mqtt', { topic: 'v3/+/devices/+/up', payload: 'tts', devices: [{ device_id: 'p1', station: 'S1', fields: { level: 'W' } }, { device_id: 'p2', fields: [] }] })))
      .toEqual({ config: { devices: [{}, { station: ['Missing value'], fields: ['Missing value'] }] } });
  });

  it('takes MQTT 5 and a shared group only for a source\'s own broker, and a group only with MQTT 5', () => {
    const flat = { topic: 'a/+/+', payload: 'flat', topic_pattern: 'a/{station}/{stream}' };
    expect(parseSourceConfig('mqtt', { ...flat, url: 'mqtt://broker:1883', protocol_version: '5', shared_group: 'catalog' })).toMatchObject({ protocol_version: 5, shared_group: 'catalog' });
    expect(fieldsOf(() => parseSourceConfig('mqtt', { ...flat, protocol_version: 5, shared_group: 'catalog' }))).toEqual({
      config: { protocol_version: [expect.stringContaining('set url too')], shared_group: [expect.stringContaining('set url too')] },
    });
    expect(fieldsOf(() => parseSourceConfig('mqtt', { ...flat, url: 'mqtt://broker:1883', shared_group: 'catalog' }))).toEqual({ config: { shared_group: [expect.stringContaining('MQTT 5')] } });
    expect(fieldsOf(() => parseSourceConfig('mqtt', { ...flat, url: 'mqtt://broker:1883', protocol_version: 5, shared_group: 'a/b' }))).toEqual({ config: { shared_group: [expect.stringContaining('one topic level')] } });
    expect(fieldsOf(() => parseSourceConfig('mqtt', { ...flat, url: 'mqtt://broker:1883', protocol_version: 3 }))).toEqual({ config: { protocol_version: [expect.any(String)] } });
  });

  it('polls a sta source only when it mirrors another server', () => {
    expect(parseSourceConfig('sta', { url: 'https://frost.example.org/v1.1', poll_interval_seconds: 300 })).toMatchObject({ poll_interval_seconds: 300 });
    expect(fieldsOf(() => parseSourceConfig('sta', { poll_interval_seconds: 300 }))).toEqual({ config: { poll_interval_seconds: [expect.stringContaining('url')] } });
  });

  it('takes the plausibility limits the observations writer reads, and refuses unknown quantities or limits', () => {
    expect(parseSourceConfig('push', { format: 'json', limits: { water_level: { min: -100, max: 1500 }, vehicle_count: { max_per_hour: 2000 } } })).toMatchObject({
      limits: { water_level: { min: -100, max: 1500 }, vehicle_count: { max_per_hour: 2000 } },
    });
    expect(fieldsOf(() => parseSourceConfig('pegelonline', { stations: ['KOBLENZ'], limits: { level: { max: 1 } } }))).toEqual({ config: { limits: [expect.stringContaining('Unknown quantity "level"')] } });
    expect(fieldsOf(() => parseSourceConfig('pegelonline', { stations: ['KOBLENZ'], limits: { water_level: { maximum: 1 } } }))).toEqual({ config: { limits: [expect.stringContaining('unknown limit "maximum"')] } });
  });

  it('checks a push source\'s mapping and stations when it is set up, not at its first batch', () => {
    const ok = { format: 'csv', mapping: { time: 'timestamp', station: '{station}', values: [{ field: 'value', unitInName: true, stream: 'W' }] }, stations: [{ key: 'COCHEM', streams: [{ key: 'W', quantity: 'water_level', unit: 'cm' }] }] };
    expect(parseSourceConfig('push', ok)).toMatchObject(ok);
    const bad = fieldsOf(() => parseSourceConfig('push', { format: 'json', json_shape: 'records', stations: [{ key: 'X', streams: [{ key: 'W', quantity: 'level', unit: '' }] }] }));
    expect(bad).toEqual({ config: { mapping: ['A records shape needs a mapping'], stations: ['[0].streams[0].quantity: one of water_level, discharge, water_temperature, air_temperature, vehicle_count, vehicle_flow, speed, occupancy, other', '[0].streams[0].unit: Missing value'] } });
  });

  it('limits the first window of a PEGELONLINE source to the 31 days PEGELONLINE keeps', () => {
    expect(parseSourceConfig('pegelonline', { stations: ['KOBLENZ'], first_window: 'PT6H' })).toMatchObject({ first_window: 'PT6H' });
    expect(fieldsOf(() => parseSourceConfig('pegelonline', { stations: ['KOBLENZ'], first_window: 'P40D' }))).toEqual({ config: { first_window: ['Must be at most P31D'] } });
  });

  it('refuses a config that is no dict', () => {
    expect(fieldsOf(() => parseSourceConfig('push', ['json']))).toEqual({ config: ['Must be a dict'] });
  });

  it('masks secrets at any depth and in URLs, and puts them back when the mask comes back', () => {
    const stored = { url: 'mqtt://u:p%40ss@host:1883/', password: 'x', nested: { api_key: 'k', keep: 'v' }, empty_token: '' };
    const shown = maskSecrets(stored) as typeof stored;
    expect(shown).toEqual({ url: `mqtt://u:${encodeURIComponent(MASK)}@host:1883/`, password: MASK, nested: { api_key: MASK, keep: 'v' }, empty_token: '' });
    expect(restoreSecrets(shown, stored)).toEqual(stored);
    expect(restoreSecrets({ ...shown, password: 'neu' }, stored)).toMatchObject({ password: 'neu', nested: { api_key: 'k' } });
  });

  it('adds a run\'s numbers to the source\'s counts, with runs and failures', () => {
    expect(addCounts({ runs: 2, readings: 10, note: 'x' }, { readings: 5, stations: 1 }, false)).toEqual({ runs: 3, readings: 15, stations: 1 });
    expect(addCounts({ runs: 3, readings: 15 }, {}, true)).toEqual({ runs: 4, readings: 15, failures: 1 });
  });
});
