import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { TestApp } from '../test-app';
import type { TestUser } from '../factories/factories';
import { withAdmin } from '../test-db';
import { MqttIngest } from '../../src/sensors/mqtt/mqtt-ingest';
import { eventually, testClient } from '../mqtt-broker';

const fixture = (p: string): string => readFileSync(join(__dirname, '../fixtures/sensors', p), 'utf8');

type Obs = { t: string; result: number | null; quality: string; quality_reason: string | null; parameters: Record<string, unknown> | null };

const gauge = (key: string): Record<string, unknown> => ({ key, streams: [{ key: 'W', name: 'Wasserstand', quantity: 'water_level', unit: 'cm', interval_seconds: 900 }] });
const lanes = (key: string, n: number): Record<string, unknown> => ({
  key,
  streams: Array.from({ length: n }, (_, i) => [
    { key: `lane${i + 1}/vehicle_count`, quantity: 'vehicle_count', unit: '{veh}', interval_seconds: 300 },
    { key: `lane${i + 1}/speed`, quantity: 'speed', unit: 'km/h', interval_seconds: 300 },
  ]).flat(),
});
/** A counting-station export: one row per lane and 5 minutes; the speed's unit is in its header. */
const COUNTING = {
  time: 'timestamp', station: '{site}', ignore: ['direction'], intervalSeconds: 300,
  values: [{ field: 'vehicle_count', stream: 'lane{lane}/vehicle_count', unit: 'veh' }, { field: 'avg_speed', unitInName: true, stream: 'lane{lane}/speed' }],
};
const GAUGE_CM = { time: 'timestamp', station: '{station}', values: [{ field: 'value', unitInName: true, stream: 'W' }] };

describe('HTTP push of sensor batches (sensor_push)', () => {
  let t: TestApp;
  let editor: TestUser;
  let member: TestUser;
  let stranger: TestUser;
  let org: { id: string; name: string };
  let n = 0;

  beforeAll(async () => {
    t = await TestApp.start();
    [editor, member, stranger] = [await t.factories.user(), await t.factories.user(), await t.factories.user()];
    org = (await t.factories.organization({ members: [[editor, 'editor'], [member, 'member']] })) as { id: string; name: string };
    await t.factories.organization({ members: [[stranger, 'editor']] });
  });
  afterAll(() => t.stop());

  const source = async (config: Record<string, unknown>): Promise<{ id: string; name: string }> =>
    t.call('sensor_source_create', { name: `push-${++n}`, owner_org: org.name, type: 'push', config }, { as: editor });
  const push = (src: { name: string }, body: string, type = 'application/json', headers: Record<string, string> = {}, as: TestUser | null = editor): request.Test => {
    const req = request(t.http).post(`/api/3/action/sensor_push?source=${src.name}`).set('content-type', type).set(headers);
    return (as ? req.set('authorization', as.token) : req).send(body);
  };
  const stored = (src: { id: string }, station: string, stream = 'W'): Promise<Obs[]> =>
    t.db.dataSource.query(
      `SELECT to_char(o.phenomenon_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t, o.result, o.quality, o.quality_reason, o.parameters
         FROM sensor_observation o JOIN sensor_datastream d ON d.id = o.datastream_id JOIN sensor_thing th ON th.id = d.thing_id
        WHERE th.source_id = $1 AND th.source_key = $2 AND d.source_key = $3 ORDER BY o.phenomenon_time`,
      [src.id, station, stream],
    );
  const count = async (src: { id: string }): Promise<number> =>
    Number((await t.db.dataSource.query(
      `SELECT count(*) AS n FROM sensor_observation o JOIN sensor_datastream d ON d.id = o.datastream_id JOIN sensor_thing th ON th.id = d.thing_id WHERE th.source_id = $1`,
      [src.id],
    ))[0].n);

  describe('batches and their keys', () => {
    it('records an accepted raw batch in the audit trail as a summary, without its readings', async () => {
      const src = await source({ format: 'json', stations: [gauge('COCHEM'), gauge('KOBLENZ')] });
      expect((await push(src, fixture('push/batch-gauges.json'), 'application/json', { 'idempotency-key': 'audit-1' })).status).toBe(200);
      const rows = await t.db.dataSource.query(`SELECT user_id, object_id, input FROM audit_write WHERE action = 'sensor_push' AND outermost`);
      expect(rows).toEqual([{ user_id: editor.id, object_id: src.id, input: { source: src.name, format: 'json', idempotency_key: 'audit-1', bytes: expect.any(Number), rows: 8 } }]);
      await push(src, '{"readings": [');
      expect((await t.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_write WHERE action = 'sensor_push'`))[0].n).toBe(1);
    });

    it('stores a JSON batch, makes its stations\' datasets, and answers with what it stored after the commit', async () => {
      const src = await source({ format: 'json', stations: [gauge('COCHEM'), gauge('KOBLENZ')] });
      const res = await push(src, fixture('push/batch-gauges.json'));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success: true, result: { source: src.name, batch: '01JQ6Z1X9G2M4R7T8V0W3Y5B6C', readings: 8, stored: 8, warnings: [] } });
      expect((await stored(src, 'COCHEM')).map((r) => r.result)).toEqual([301, 299, 300, 300, 301, 300, 300, 301]);
      const shown = await t.call<{ num_datasets: number }>('sensor_source_show', { id: src.id }, { as: member });
      expect(shown).toMatchObject({ num_datasets: 2, last_error: null, counts: { batches: 1, readings: 8, stored: 8 } });
      // A refused batch shows on the source for its stewards; the next good one clears it and adds up.
      await push(src, '{"readings": [');
      expect(await t.call('sensor_source_show', { id: src.id }, { as: member })).toMatchObject({ last_error: { code: 'malformed' } });
      await push(src, fixture('push/batch-gauges.json').replace('01JQ6Z1X9G2M4R7T8V0W3Y5B6C', 'second'));
      expect(await t.call('sensor_source_show', { id: src.id }, { as: member })).toMatchObject({ last_error: null, counts: { batches: 2, readings: 16, stored: 8, unchanged: 8 } });
    });

    it('announces what a batch stored on MQTT (SensorThings receive updates) after the commit, never a private source\'s', async () => {
      const reader = await testClient(`mqtt://127.0.0.1:${t.app.get(MqttIngest).brokerPort}`);
      try {
        const got: { topic: string; result: unknown }[] = [];
        reader.on('message', (topic, payload) => got.push({ topic, result: (JSON.parse(payload.toString()) as { result: unknown }).result }));
        await reader.subscribeAsync('v1.1/Observations', { qos: 1 });
        const hidden = await source({ format: 'json', private: true, stations: [gauge('COCHEM'), gauge('KOBLENZ')] });
        expect((await push(hidden, fixture('push/batch-gauges.json'))).status).toBe(200);
        const open = await source({ format: 'json', stations: [gauge('COCHEM'), gauge('KOBLENZ')] });
        expect((await push(open, fixture('push/batch-gauges.json'))).status).toBe(200);
        await eventually(() => got.length >= 8, 10_000, () => `8 updates, got ${got.length}`);
        await new Promise((r) => setTimeout(r, 200));
        // Only the public source's 8 readings; the private one's were stored and stayed quiet.
        expect(got).toHaveLength(8);
        expect(await count(hidden)).toBe(8);
      } finally {
        await reader.endAsync();
      }
    });

    it('answers a replay with the same key and body with the first answer, and the same key with another body with 409', async () => {
      const src = await source({ format: 'json', stations: [gauge('COCHEM'), gauge('KOBLENZ')] });
      const body = fixture('push/batch-gauges.json');
      const first = await push(src, body, 'application/json', { 'Idempotency-Key': 'k-1' });
      const again = await push(src, body, 'application/json', { 'Idempotency-Key': 'k-1' });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(await count(src)).toBe(8);
      const other = await push(src, body.replace('"value": 301', '"value": 302'), 'application/json', { 'Idempotency-Key': 'k-1' });
      expect(other.status).toBe(409);
      expect(other.body).toMatchObject({ success: false, error: { __type: 'Validation Error', 'Idempotency-Key': [expect.stringContaining('another body')] } });
      // Without a header, the batch's own batch_id is its key: the same body again is the same answer.
      const byBatchId = await push(src, body);
      expect(byBatchId.body.result).toMatchObject({ batch: '01JQ6Z1X9G2M4R7T8V0W3Y5B6C' });
      expect((await push(src, body)).body).toEqual(byBatchId.body);
    });

    it('takes CSV as a raw text/csv body and as the CKAN action form {source, format, data}', async () => {
      const src = await source({ format: 'csv', csv: { separator: ';' }, stations: [gauge('COCHEM'), gauge('KOBLENZ')] });
      const raw = await push(src, fixture('push/batch-gauges.csv'), 'text/csv');
      expect(raw.body).toMatchObject({ success: true, result: { readings: 8, stored: 8 } });
      const action = await request(t.http).post('/api/3/action/sensor_push').set('authorization', editor.token)
        .send({ source: src.name, format: 'csv', data: fixture('push/batch-gauges.csv'), idempotency_key: 'csv-1' });
      expect(action.body).toMatchObject({ success: true, result: { batch: 'csv-1', readings: 8, stored: 0, unchanged: 8 } });
      // curl --data-binary without a content type sends a form type: the body is read in the source's format.
      const curlDefault = await push(src, fixture('push/batch-gauges.csv'), 'application/x-www-form-urlencoded');
      expect(curlDefault.body).toMatchObject({ success: true, result: { readings: 8, unchanged: 8 } });
      expect(await count(src)).toBe(8);
    });

    it('runs as an action through the dispatcher too (the CLI, help_show), a batch over the row limit there a 409', async () => {
      const src = await source({ format: 'csv', csv: { separator: ';' }, max_rows: 8, stations: [gauge('COCHEM')] });
      const csv = fixture('push/batch-gauges.csv');
      await expect(t.call('sensor_push', { source: src.name, data: csv, idempotency_key: 'cli-1' }, { as: editor })).resolves.toMatchObject({ batch: 'cli-1', stored: 8 });
      await expect(t.call('sensor_push', { source: src.name, data: csv, idempotency_key: 'cli-1' }, { as: member })).rejects.toMatchObject({ kind: 'not_authorized' });
      await expect(t.call('sensor_push', { source: src.name, data: `${csv}COCHEM;W;2025-03-29T02:00:00+01:00;300;cm\n` }, { as: editor })).rejects.toMatchObject({
        fields: { data: [expect.stringContaining('höchstens 8')] },
      });
      const help = await request(t.http).get('/api/3/action/help_show?name=sensor_push');
      expect(help.body.result).toContain('Idempotency-Key');
    });

    it('lets only editors of the source\'s organization push', async () => {
      const src = await source({ format: 'json', stations: [gauge('COCHEM')] });
      const body = fixture('push/batch-gauges.json');
      expect((await push(src, body, 'application/json', {}, null)).status).toBe(403);
      expect((await push(src, body, 'application/json', {}, member)).body).toMatchObject({ success: false, error: { __type: 'Authorization Error' } });
      expect((await push(src, body, 'application/json', {}, stranger)).status).toBe(403);
      expect((await push({ name: 'no-such-source' }, body)).status).toBe(404);
      expect(await count(src)).toBe(0);
    });

    it('refuses a batch over the source\'s row limit with 413 and stores none of it', async () => {
      const src = await source({ format: 'json', max_rows: 5, stations: [gauge('COCHEM'), gauge('KOBLENZ')] });
      const res = await push(src, fixture('push/batch-gauges.json'));
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ success: false, error: { rows: 8, max_rows: 5, message: expect.stringContaining('höchstens 5') } });
      expect(await count(src)).toBe(0);
    });

    it('refuses pushes to a source that is not a push source', async () => {
      const polled = await t.call<{ name: string }>('sensor_source_create', { name: `pegel-${++n}`, owner_org: org.name, type: 'pegelonline', config: { stations: ['KOBLENZ'] } });
      const res = await push(polled, fixture('push/batch-gauges.json'));
      expect(res).toMatchObject({ status: 409, body: { error: { source: [expect.stringContaining('pegelonline')] } } });
    });
  });

  describe('every bad input gets the answer its README describes', () => {
    it('bad/malformed.json: 400 naming the byte offset, nothing stored', async () => {
      const src = await source({ format: 'json', json_shape: 'timeseries', station: 'COCHEM', stream: 'W', stations: [gauge('COCHEM')] });
      const res = await push(src, fixture('bad/malformed.json'));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: { __type: 'Integrity Error', data: { code: 'malformed', at: 'byte 167' } } });
      expect(await count(src)).toBe(0);
    });

    it('bad/wrong-unit-speed-ms.csv: a speed in m/s is converted to km/h (×3.6); a source mapped to avg_speed_kmh refuses the header', async () => {
      const stations = [lanes('ZS-KO-101', 4), lanes('ZS-KO-102', 2), lanes('ZS-KO-205', 2)];
      const src = await source({ format: 'csv', csv: { separator: ',' }, mapping: COUNTING, stations });
      const res = await push(src, fixture('bad/wrong-unit-speed-ms.csv'), 'text/csv');
      expect(res.body).toMatchObject({ success: true, result: { stored: 16, missing: 4 } });
      expect((await stored(src, 'ZS-KO-101', 'lane2/speed'))[0].result).toBeCloseTo(14.7 * 3.6, 6);

      const strict = { ...COUNTING, values: [COUNTING.values[0], { field: 'avg_speed_kmh', stream: 'lane{lane}/speed', unit: 'km/h' }] };
      const kmhOnly = await source({ format: 'csv', csv: { separator: ',' }, mapping: strict, stations });
      const refused = await push(kmhOnly, fixture('bad/wrong-unit-speed-ms.csv'), 'text/csv');
      expect(refused).toMatchObject({ status: 400, body: { error: { data: { code: 'unknown_column', at: 'line 1, avg_speed_ms' } } } });
      expect(await count(kmhOnly)).toBe(0);
    });

    it('bad/timestamps-without-offset.json: refused without a declared zone; with one, stored as UTC and the assumption recorded', async () => {
      const shape = { format: 'json', json_shape: 'timeseries', station: 'COCHEM', stream: 'W', stations: [gauge('COCHEM')] };
      const naive = await source(shape);
      const refused = await push(naive, fixture('bad/timestamps-without-offset.json'));
      expect(refused).toMatchObject({ status: 400, body: { error: { data: { code: 'naive_time' } } } });
      expect(await count(naive)).toBe(0);

      const zoned = await source({ ...shape, time_zone: 'Europe/Berlin' });
      const res = await push(zoned, fixture('bad/timestamps-without-offset.json'));
      // Without a unit in the payload the readings are in the datastream's own (cm).
      expect(res.body).toMatchObject({ success: true, result: { stored: 6, assumed_time_zone: 'Europe/Berlin', warnings: [expect.objectContaining({ code: 'assumed_time_zone' })] } });
      const rows = await stored(zoned, 'COCHEM');
      expect(rows[0]).toMatchObject({ t: '2025-03-28T23:00:00Z', result: 301, parameters: { assumed_time_zone: 'Europe/Berlin' } });
    });

    it('bad/ambiguous-local-times.csv: the repeated hour is resolved by arrival for a source that sends in sequence, and skipped with warnings otherwise', async () => {
      const csv = { separator: ',', date_format: 'YYYY-MM-DD HH:mm:ss', time_zone: 'Europe/Berlin' };
      const inSequence = await source({ format: 'csv', csv: { ...csv, in_sequence: true }, mapping: GAUGE_CM, stations: [gauge('COCHEM')] });
      expect((await push(inSequence, fixture('bad/ambiguous-local-times.csv'), 'text/csv')).body.result).toMatchObject({ stored: 6 });
      expect((await stored(inSequence, 'COCHEM')).map((r) => [r.t, r.result])).toEqual([
        ['2025-10-25T23:45:00Z', 302], ['2025-10-26T00:00:00Z', 303], ['2025-10-26T00:15:00Z', 303],
        ['2025-10-26T01:00:00Z', 304], ['2025-10-26T01:15:00Z', 304], ['2025-10-26T02:00:00Z', 305],
      ]);
      const unordered = await source({ format: 'csv', csv, mapping: GAUGE_CM, stations: [gauge('COCHEM')] });
      const res = await push(unordered, fixture('bad/ambiguous-local-times.csv'), 'text/csv');
      expect(res.body.result).toMatchObject({ stored: 2 });
      expect(res.body.result.warnings.filter((w: { code: string }) => w.code === 'ambiguous_time')).toHaveLength(4);
      // Accepted with warnings: shown on the source as last_warnings, not as an error.
      expect(await t.call('sensor_source_show', { id: unordered.id }, { as: member })).toMatchObject({
        last_error: null, last_warnings: { count: res.body.result.warnings.length, warnings: expect.arrayContaining([expect.objectContaining({ code: 'ambiguous_time' })]) },
      });
    });

    it('bad/duplicates.csv: one row per key, the last of a batch wins; a changed value later is a revision with the old value kept', async () => {
      const src = await source({ format: 'csv', csv: { separator: ',' }, mapping: COUNTING, stations: [lanes('ZS-KO-101', 4), lanes('ZS-KO-102', 2)] });
      const lines = fixture('bad/duplicates.csv').trim().split('\n');
      await push(src, `${lines.slice(0, 7).join('\n')}\n`, 'text/csv');
      const res = await push(src, fixture('bad/duplicates.csv'), 'text/csv');
      expect(res.body.result).toMatchObject({ readings: 18, duplicates: 6, revised: 1, stored: 0 });
      expect(await stored(src, 'ZS-KO-101', 'lane3/vehicle_count')).toEqual([expect.objectContaining({ result: 19 })]);
      const log: { old_result: number; new_result: number }[] = await t.db.dataSource.query(
        `SELECT r.old_result, r.new_result FROM sensor_observation_revision r JOIN sensor_datastream d ON d.id = r.datastream_id JOIN sensor_thing th ON th.id = d.thing_id
          WHERE th.source_id = $1`,
        [src.id],
      );
      expect(log).toEqual([{ old_result: 2, new_result: 19 }]);
    });

    it('bad/out-of-range.json: every reading kept as sent, the implausible ones flagged invalid, never clamped', async () => {
      const mixed = {
        time: 'timestamp', station: ['{station}', '{site}'], intervalSeconds: 300,
        values: [
          { field: 'value', stream: '{timeseries}', unitField: 'unit' },
          { field: 'vehicle_count', stream: 'lane{lane}/vehicle_count', unit: 'veh' },
          { field: 'avg_speed', unitInName: true, stream: 'lane{lane}/speed' },
          { field: 'occupancy', unitInName: true, stream: 'lane{lane}/occupancy' },
        ],
      };
      const src = await source({
        format: 'json', json_shape: 'records', mapping: mixed,
        stations: [gauge('COCHEM'), lanes('ZS-KO-101', 3), { key: 'DE.RP.KO.MQ0101', streams: [{ key: 'lane1/occupancy', quantity: 'occupancy', unit: '%' }] }],
      });
      const res = await push(src, fixture('bad/out-of-range.json'));
      expect(res.body.result).toMatchObject({ readings: 9, stored: 9, invalid: 6 });
      expect((await stored(src, 'COCHEM')).map((r) => [r.result, r.quality])).toEqual([[99999, 'invalid'], [-2500, 'invalid']]);
      expect((await stored(src, 'ZS-KO-101', 'lane3/vehicle_count'))[0]).toMatchObject({ result: 9000, quality: 'invalid' });
      expect((await stored(src, 'ZS-KO-101', 'lane2/speed'))[0]).toMatchObject({ result: 412, quality: 'invalid' });
      expect((await stored(src, 'ZS-KO-101', 'lane1/speed'))[0]).toMatchObject({ result: 31, quality: 'good' });
      expect((await stored(src, 'DE.RP.KO.MQ0101', 'lane1/occupancy'))[0]).toMatchObject({ result: 130, quality: 'invalid' });
    });

    it('bad/sentinels.csv: the source\'s sentinels become missing values, never numbers', async () => {
      const src = await source({ format: 'csv', csv: { separator: ',' }, mapping: GAUGE_CM, sentinels: [-777, -999, -1], stations: [gauge('COCHEM')] });
      expect((await push(src, fixture('bad/sentinels.csv'), 'text/csv')).body.result).toMatchObject({ stored: 6, missing: 3 });
      expect((await stored(src, 'COCHEM')).map((r) => [r.result, r.quality, r.quality_reason])).toEqual([
        [301, 'good', null], [null, 'missing', 'sentinel -777'], [300, 'good', null], [null, 'missing', 'sentinel -999'], [301, 'good', null], [null, 'missing', 'sentinel -1'],
      ]);
    });

    it('bad/decimal-comma-semicolon.csv: read with the source\'s German dialect, never a locale guess', async () => {
      const mapping = { time: 'Datum', timeOfDay: 'Zeit', station: '{Messst.Nr.}', values: [{ field: 'Wert', stream: 'W', unit: 'cm' }] };
      const german = { separator: ';', decimal_mark: ',', date_format: 'DD.MM.YYYY HH:mm', time_zone: 'Europe/Berlin' };
      const src = await source({ format: 'csv', csv: german, mapping, stations: [gauge('26906702')] });
      expect((await push(src, fixture('bad/decimal-comma-semicolon.csv'), 'text/csv')).body.result).toMatchObject({ stored: 6 });
      const rows = await stored(src, '26906702');
      expect(rows.slice(0, 2).map((r) => [r.t, r.result])).toEqual([['2025-03-28T23:00:00Z', 301], ['2025-03-28T23:15:00Z', 299]]);
      // The same file under a decimal point refuses the batch naming the cell.
      const dotted = await source({ format: 'csv', csv: { ...german, decimal_mark: '.' }, mapping, stations: [gauge('26906702')] });
      expect(await push(dotted, fixture('bad/decimal-comma-semicolon.csv'), 'text/csv')).toMatchObject({ status: 400, body: { error: { data: { code: 'invalid_number' } } } });
    });

    it('bad/out-of-order-and-late.json: sorted and stored, the reading beyond the late window refused, the latest value only moving forward', async () => {
      const src = await source({ format: 'json', late_window_days: 1, stations: [gauge('KOBLENZ')] });
      const res = await push(src, fixture('bad/out-of-order-and-late.json'));
      expect(res.body.result).toMatchObject({ readings: 9, stored: 8, late_refused: 1, warnings: [expect.objectContaining({ code: 'late' })] });
      const rows = await stored(src, 'KOBLENZ');
      expect(rows.map((r) => r.t)).toEqual([...rows.map((r) => r.t)].sort());
      expect(rows[0].t).toBe('2025-03-28T23:00:00Z');
      const latest = async (): Promise<string> =>
        (await t.db.dataSource.query(
          `SELECT to_char(l.phenomenon_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t FROM sensor_latest l JOIN sensor_datastream d ON d.id = l.datastream_id
             JOIN sensor_thing th ON th.id = d.thing_id WHERE th.source_id = $1`,
          [src.id],
        ))[0].t;
      expect(await latest()).toBe('2025-03-29T00:45:00Z');
      const older = JSON.stringify({ readings: [{ station: 'KOBLENZ', timeseries: 'W', timestamp: '2025-03-29T00:50:00+01:00', value: 270, unit: 'cm' }] });
      await push(src, older);
      expect(await latest()).toBe('2025-03-29T00:45:00Z');
    });
  });

  describe('while the database is unreachable', () => {
    const dbName = (): string => new URL(t.db.url).pathname.slice(1);
    const block = (allow: boolean): Promise<unknown> =>
      withAdmin(async (c) => {
        await c.query(`ALTER DATABASE ${c.escapeIdentifier(dbName())} WITH ALLOW_CONNECTIONS ${allow}`);
        if (!allow) await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName()]);
      });

    it('answers 503 with Retry-After and stores nothing; after recovery the retry with the same key stores everything exactly once', async () => {
      const src = await source({ format: 'json', stations: [gauge('COCHEM'), gauge('KOBLENZ')] });
      const body = fixture('push/batch-gauges.json');
      await block(false);
      let down: request.Response;
      try {
        down = await push(src, body, 'application/json', { 'Idempotency-Key': 'outage-1' });
      } finally {
        await block(true);
      }
      expect(down.status).toBe(503);
      expect(down.headers['retry-after']).toBe('5');
      expect(down.body).toMatchObject({ success: false, error: { __type: 'Service Unavailable' } });

      // The pool makes new connections once the database takes them again.
      let up: request.Response | undefined;
      for (let i = 0; i < 20 && up?.status !== 200; i++) {
        up = await push(src, body, 'application/json', { 'Idempotency-Key': 'outage-1' });
        if (up.status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(up).toMatchObject({ status: 200, body: { result: { stored: 8 } } });
      const replay = await push(src, body, 'application/json', { 'Idempotency-Key': 'outage-1' });
      expect(replay.body).toEqual(up!.body);
      expect(await count(src)).toBe(8);
    });
  });
});
