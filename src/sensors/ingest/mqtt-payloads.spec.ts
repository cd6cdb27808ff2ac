import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compileTopicPattern,
  mapFlatMessage,
  mapMqttMessage,
  mapStaObservation,
  mapTtsUplink,
  staTopicDatastream,
  type FlatTopicConfig,
  type TtsConfig,
} from './mqtt-payloads';

interface Message {
  topic: string;
  payload: Buffer;
}
/** The fixture's messages as a broker delivers them: topic and the payload's bytes. */
const messages: Message[] = readFileSync(join(__dirname, '../../../test/fixtures/sensors/mqtt/messages.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { topic: string; payload: unknown })
  .map((m) => ({ topic: m.topic, payload: Buffer.from(JSON.stringify(m.payload)) }));
const onTopic = (prefix: string): Message[] => messages.filter((m) => m.topic.startsWith(prefix));

const GAUGES: FlatTopicConfig = { pattern: '{tenant}/pegel/{station}/{stream}' };
const LANES: FlatTopicConfig = {
  pattern: '{tenant}/verkehr/{station}/lane/{lane}',
  record: {
    time: 'interval_start',
    intervalField: 'interval_s',
    station: '{station}',
    values: [
      { field: 'count', stream: 'lane{lane}/vehicle_count', unit: 'veh' },
      { field: 'avg_speed', unitInName: true, stream: 'lane{lane}/speed' },
      { field: 'occupancy', unitInName: true, stream: 'lane{lane}/occupancy' },
    ],
  },
};
const TTS: TtsConfig = {
  application: 'pegel-musterland',
  devices: { 'pegel-kirn-01': { station: 'KIRN', keys: { level_cm: { stream: 'W', unit: 'cm' } }, ignore: ['battery_v'] } },
};

describe('SensorThings create-Observation messages', () => {
  it('reads the fixture message on v1.1/Datastreams(12)/Observations', () => {
    const [m] = onTopic('v1.1/');
    expect(mapStaObservation(m.topic, m.payload)).toEqual({ datastreamId: 12, phenomenonTime: new Date('2025-03-29T04:30:00Z'), result: 118, resultTime: null });
  });

  it('takes numeric and quoted string ids, quotes doubled inside', () => {
    expect(staTopicDatastream('v1.1/Datastreams(7)/Observations')).toBe(7);
    expect(staTopicDatastream("v1.1/Datastreams('pegel-7')/Observations")).toBe('pegel-7');
    expect(staTopicDatastream("v1.1/Datastreams('o''brien')/Observations")).toBe("o'brien");
    expect(staTopicDatastream('v1.1/Datastreams(7)/Observations/x')).toBeUndefined();
    expect(staTopicDatastream('v1.1/Things(7)/Observations')).toBeUndefined();
  });

  it('reads an interval phenomenonTime, resultTime and parameters', () => {
    const body = JSON.stringify({
      phenomenonTime: '2025-06-17T07:00:00+02:00/2025-06-17T07:15:00+02:00',
      result: 41,
      resultTime: '2025-06-17T05:16:02Z',
      parameters: { lane: 1 },
    });
    expect(mapStaObservation("v1.1/Datastreams('zs-102-1')/Observations", body)).toEqual({
      datastreamId: 'zs-102-1',
      phenomenonTime: new Date('2025-06-17T05:00:00Z'),
      phenomenonTimeEnd: new Date('2025-06-17T05:15:00Z'),
      result: 41,
      resultTime: new Date('2025-06-17T05:16:02Z'),
      parameters: { lane: 1 },
    });
  });

  it('uses the server time when phenomenonTime is left out', () => {
    const now = new Date('2025-03-29T05:00:00Z');
    expect(mapStaObservation('v1.1/Datastreams(1)/Observations', '{"result":3}', () => now).phenomenonTime).toBe(now);
  });

  it('refuses a naive phenomenonTime, an interval ending before it starts, an unknown property and a missing result', () => {
    const topic = 'v1.1/Datastreams(1)/Observations';
    expect(() => mapStaObservation(topic, '{"phenomenonTime":"2025-03-29T04:30:00","result":1}')).toThrow(expect.objectContaining({ code: 'naive_time', at: 'phenomenonTime' }));
    expect(() => mapStaObservation(topic, '{"phenomenonTime":"2025-03-29T05:00:00Z/2025-03-29T04:00:00Z","result":1}')).toThrow(expect.objectContaining({ code: 'invalid' }));
    expect(() => mapStaObservation(topic, '{"result":1,"resultat":2}')).toThrow(expect.objectContaining({ code: 'invalid', at: 'resultat' }));
    expect(() => mapStaObservation(topic, '{"phenomenonTime":"2025-03-29T04:30:00Z"}')).toThrow(expect.objectContaining({ at: 'result' }));
  });

  it('refuses a broken payload with its byte offset', () => {
    expect(() => mapStaObservation('v1.1/Datastreams(1)/Observations', '{"result":1,')).toThrow(expect.objectContaining({ code: 'malformed', at: 'byte 12' }));
  });
});

describe('flat topic trees', () => {
  it('compiles a pattern with named wildcards to a subscription filter and a matcher', () => {
    const p = compileTopicPattern('{tenant}/pegel/{station}/{stream}');
    expect(p.filter).toBe('+/pegel/+/+');
    expect(p.match('kreis-musterland/pegel/KMS-PG-003/wasserstand')).toEqual({ tenant: 'kreis-musterland', station: 'KMS-PG-003', stream: 'wasserstand' });
    expect(p.match('kreis-musterland/verkehr/ZS-KO-102/lane')).toBeUndefined();
    expect(p.match('kreis-musterland/pegel/KMS-PG-003')).toBeUndefined();
    expect(() => compileTopicPattern('a/{b}c/d')).toThrow(expect.objectContaining({ code: 'invalid' }));
  });

  it('reads the gauge messages {ts, value, unit} with station and stream from the topic, unit as declared', () => {
    const got = onTopic('kreis-musterland/pegel/').map((m) => mapFlatMessage(m.topic, m.payload, GAUGES));
    expect(got.map((b) => b!.readings)).toEqual([
      [{ station: 'KMS-PG-003', stream: 'wasserstand', time: new Date('2025-03-29T04:00:00Z'), value: 131, unit: 'cm', at: 'kreis-musterland/pegel/KMS-PG-003/wasserstand' }],
      [{ station: 'KMS-PG-003', stream: 'wasserstand', time: new Date('2025-03-29T04:15:00Z'), value: 133, unit: 'cm', at: 'kreis-musterland/pegel/KMS-PG-003/wasserstand' }],
    ]);
    expect(got.every((b) => b!.warnings.length === 0)).toBe(true);
  });

  it('reads the lane message as a record: interval counts, speed and occupancy with the units of their keys', () => {
    const [m] = onTopic('kreis-musterland/verkehr/');
    const batch = mapFlatMessage(m.topic, m.payload, LANES)!;
    expect(batch.readings.map((r) => [r.station, r.stream, r.value, r.unit, r.time.toISOString(), r.end!.toISOString()])).toEqual([
      ['ZS-KO-102', 'lane1/vehicle_count', 41, 'veh', '2025-06-17T05:00:00.000Z', '2025-06-17T05:05:00.000Z'],
      ['ZS-KO-102', 'lane1/speed', 33.5, 'km/h', '2025-06-17T05:00:00.000Z', '2025-06-17T05:05:00.000Z'],
      ['ZS-KO-102', 'lane1/occupancy', 11.2, '%', '2025-06-17T05:00:00.000Z', '2025-06-17T05:05:00.000Z'],
    ]);
  });

  it('answers undefined for a topic outside the pattern, and refuses a naive ts without a declared zone', () => {
    expect(mapFlatMessage('x/y', '{}', GAUGES)).toBeUndefined();
    expect(() => mapFlatMessage('t/pegel/A/W', '{"ts":"2025-03-29T05:00:00","value":1}', GAUGES)).toThrow(expect.objectContaining({ code: 'naive_time' }));
    const inBerlin = mapFlatMessage('t/pegel/A/W', '{"ts":"2025-03-29T05:00:00","value":1}', { ...GAUGES, timeZone: 'Europe/Berlin', unit: 'cm' })!;
    expect(inBerlin.readings[0]).toMatchObject({ time: new Date('2025-03-29T04:00:00Z'), unit: 'cm' });
  });
});

describe('The Things Stack uplinks', () => {
  it('maps the decoded payload keys of a known device to its streams, timed by uplink_message.received_at', () => {
    const [m] = onTopic('v3/');
    const { readings, warnings } = mapTtsUplink(m.topic, m.payload, TTS);
    expect(readings).toEqual([{ station: 'KIRN', stream: 'W', time: new Date('2025-03-29T04:30:04.100Z'), value: 118, unit: 'cm', at: 'uplink_message.decoded_payload.level_cm' }]);
    // battery_v is ignored by configuration; distance_mm is mapped to nothing and says so.
    expect(warnings).toEqual([expect.objectContaining({ code: 'unknown_stream', at: 'uplink_message.decoded_payload.distance_mm', station: 'KIRN' })]);
  });

  it('falls back to the message received_at when the uplink has none', () => {
    const body = JSON.stringify({ received_at: '2025-03-29T04:45:00Z', uplink_message: { decoded_payload: { level_cm: 119 } } });
    expect(mapTtsUplink('v3/pegel-musterland@ttn/devices/pegel-kirn-01/up', body, TTS).readings[0].time).toEqual(new Date('2025-03-29T04:45:00Z'));
  });

  it('skips an unknown device with a warning, never making a station of it', () => {
    const body = JSON.stringify({ received_at: '2025-03-29T04:45:00Z', uplink_message: { decoded_payload: { level_cm: 1 } } });
    expect(mapTtsUplink('v3/pegel-musterland@ttn/devices/fremd-01/up', body, TTS)).toEqual({
      readings: [],
      warnings: [expect.objectContaining({ code: 'unknown_station', station: 'fremd-01' })],
    });
  });

  it('refuses another application, and a payload naming another device than its topic', () => {
    const [m] = onTopic('v3/');
    expect(() => mapTtsUplink('v3/fremde-app@ttn/devices/pegel-kirn-01/up', m.payload, TTS)).toThrow(expect.objectContaining({ code: 'invalid', at: 'topic' }));
    expect(() => mapTtsUplink('v3/pegel-musterland@ttn/devices/pegel-kirn-02/up', m.payload, { devices: {} })).toThrow(
      expect.objectContaining({ at: 'end_device_ids.device_id' }),
    );
  });
});

describe('routing a message to its mapper', () => {
  it('routes every fixture message: Observation, flat gauge, flat lane and uplink', () => {
    const config = { sensorThings: true, flat: [GAUGES, LANES], tts: TTS };
    const kinds = messages.map((m) => {
      const got = mapMqttMessage(m.topic, m.payload, config);
      return got.kind === 'readings' ? `readings:${got.batch.readings.length}` : got.kind;
    });
    expect(kinds).toEqual(['readings:1', 'readings:1', 'readings:3', 'readings:1', 'observation']);
  });

  it('leaves a topic no mapper claims unmatched, and SensorThings topics alone when not enabled', () => {
    expect(mapMqttMessage('irgendwas/anderes', '{}', { flat: [GAUGES] })).toEqual({ kind: 'unmatched' });
    expect(mapMqttMessage('v1.1/Datastreams(12)/Observations', '{"result":1}', {})).toEqual({ kind: 'unmatched' });
  });
});
