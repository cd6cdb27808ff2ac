import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PushConfig } from '../catalog/sensor-source-config';
import { isDatabaseUnavailable } from './database-unavailable';
import { dialectOf, parsePush } from './push-parse';

const fixture = (p: string): Buffer => readFileSync(join(__dirname, '../../../test/fixtures/sensors', p));

describe('reading a pushed body under its source\'s settings', () => {
  it('turns the date formats a steward writes into the dialect the CSV adapter reads, split for a separate time column', () => {
    const mapping = { time: 'Datum', timeOfDay: 'Zeit', station: '{s}', values: [{ field: 'Wert', stream: 'W', unit: 'cm' }] };
    expect(dialectOf({ separator: ';', decimal_mark: ',', date_format: 'DD.MM.YYYY HH:mm', time_zone: 'Europe/Berlin' }, mapping, undefined)).toEqual({
      separator: ';', decimalMark: ',', dateFormat: 'dd.MM.yyyy', timeFormat: 'HH:mm', timeZone: 'Europe/Berlin',
    });
    expect(dialectOf({ date_format: 'YYYY-MM-DD HH:mm:ss' }, { ...mapping, timeOfDay: undefined }, 'UTC')).toMatchObject({ separator: ';', dateFormat: 'yyyy-MM-dd HH:mm:ss', timeZone: 'UTC' });
  });

  it('reads naive times in the declared zone only after they were refused without it, and marks every reading with the assumption', () => {
    const cfg = { format: 'json', json_shape: 'timeseries', station: 'COCHEM', stream: 'W' } as PushConfig;
    expect(() => parsePush(fixture('bad/timestamps-without-offset.json'), 'json', cfg)).toThrow(expect.objectContaining({ code: 'naive_time' }));
    const got = parsePush(fixture('bad/timestamps-without-offset.json'), 'json', { ...cfg, time_zone: 'Europe/Berlin' });
    expect(got.assumedZone).toBe('Europe/Berlin');
    expect(got.readings[0]).toMatchObject({ time: new Date('2025-03-28T23:00:00Z'), parameters: { assumed_time_zone: 'Europe/Berlin' } });
    // Times with offsets need no assumption, even where a zone is declared.
    const exact = parsePush(fixture('push/batch-gauges.json'), 'json', { format: 'json', time_zone: 'Europe/Berlin' } as PushConfig);
    expect(exact.assumedZone).toBeUndefined();
    expect(exact.readings[0].parameters).toBeUndefined();
    expect(exact.batchId).toBe('01JQ6Z1X9G2M4R7T8V0W3Y5B6C');
  });
});

describe('telling an unreachable database from a bad request', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a connection an administrator ended', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['a database not taking connections', Object.assign(new Error('database "x" is not currently accepting connections'), { code: '55000' })],
    ['a cut connection, wrapped by TypeORM', { message: 'Query failed', driverError: new Error('Connection terminated unexpectedly') }],
    ['a pool waiting in vain', new Error('timeout exceeded when trying to connect')],
  ])('counts %s as unreachable', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a syntax error', Object.assign(new Error('syntax error'), { code: '42601' })],
    ['another object_not_in_prerequisite_state', Object.assign(new Error('currval of sequence "s" is not yet defined in this session'), { code: '55000' })],
    ['a plain error', new Error('boom')],
  ])('does not count %s', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
