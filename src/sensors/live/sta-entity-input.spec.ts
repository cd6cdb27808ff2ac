import { checkEntity, linkId, parseBody, StaWriteError } from './sta-entity-input';
import { streamFromDatastream } from './sta-datastream-input';

const refused = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StaWriteError);
    expect((err as StaWriteError).status).toBe(400);
    return (err as Error).message;
  }
  throw new Error('not refused');
};

describe('SensorThings write input', () => {
  it('refuses a body that is not a JSON object, naming the problem', () => {
    expect(refused(() => parseBody(Buffer.from('{"name": ')))).toMatch(/not valid JSON/);
    expect(refused(() => parseBody(Buffer.from('[1, 2]')))).toMatch(/JSON object/);
    expect(refused(() => parseBody(Buffer.from('   ')))).toMatch(/no body/);
    expect(parseBody(Buffer.from('{"name": "a"}'))).toEqual({ name: 'a' });
  });

  it('requires the mandatory properties on create and PUT, not on PATCH', () => {
    expect(refused(() => checkEntity('Thing', { name: 'a' }, 'create'))).toMatch(/mandatory property description/);
    expect(refused(() => checkEntity('Sensor', { name: 'a', description: 'b', encodingType: 'text/plain' }, 'put'))).toMatch(/metadata/);
    expect(() => checkEntity('Thing', { name: 'a' }, 'patch')).not.toThrow();
    expect(refused(() => checkEntity('Datastream', { name: 'a', description: 'b', unitOfMeasurement: {}, observationType: 'x', Thing: { '@iot.id': 1 } }, 'create'))).toMatch(/Sensor is missing/);
    // The navigation path fills the Datastream of an Observation.
    expect(() => checkEntity('Observation', { result: 1 }, 'create', 'Datastream')).not.toThrow();
  });

  it('refuses unknown properties, wrong types, a client\'s own @iot.id and inline entities on PATCH', () => {
    expect(refused(() => checkEntity('Thing', { name: 'a', description: 'b', colour: 'blau' }, 'create'))).toMatch(/no property colour/);
    expect(refused(() => checkEntity('Thing', { name: 5, description: 'b' }, 'create'))).toMatch(/name must be a string/);
    expect(refused(() => checkEntity('Thing', { name: 'a', description: 'b', properties: [1] }, 'create'))).toMatch(/properties must be a JSON object/);
    expect(refused(() => checkEntity('Thing', { '@iot.id': 3, name: 'a', description: 'b' }, 'create'))).toMatch(/@iot.id/);
    expect(refused(() => checkEntity('Thing', { Locations: [{ name: 'x' }] }, 'patch'))).toMatch(/except by links/);
    expect(() => checkEntity('Thing', { Locations: [{ '@iot.id': 4 }] }, 'patch')).not.toThrow();
  });

  it('reads links by @iot.id, as numbers or digit strings', () => {
    expect(linkId({ '@iot.id': 7 })).toBe(7);
    expect(linkId({ '@iot.id': '7' })).toBe(7);
    expect(linkId({ name: 'inline' })).toBeUndefined();
    expect(refused(() => linkId({ '@iot.id': 'sieben' }))).toMatch(/Not a valid @iot.id/);
  });

  it('takes a Datastream\'s quantity from properties.quantity, else from its unit and ObservedProperty', () => {
    expect(streamFromDatastream({ name: 'W', unitOfMeasurement: { symbol: 'cm' } }, 'W')).toMatchObject({ quantity: 'water_level', unit: 'cm' });
    expect(streamFromDatastream({ name: 'T', unitOfMeasurement: { symbol: '°C' } }, 'T', { name: 'Lufttemperatur' })).toMatchObject({ quantity: 'air_temperature' });
    expect(streamFromDatastream({ name: 'X', unitOfMeasurement: { symbol: 'ppm' } }, 'X')).toMatchObject({ quantity: 'other', unit: 'ppm' });
    expect(streamFromDatastream({ name: 'Q', unitOfMeasurement: { symbol: 'm³/s' }, properties: { quantity: 'discharge', gauge: 'A' } }, 'Q')).toMatchObject({ quantity: 'discharge', properties: { gauge: 'A' } });
    expect(refused(() => streamFromDatastream({ name: 'Q', properties: { quantity: 'colour' } }, 'Q'))).toMatch(/properties.quantity/);
  });
});
