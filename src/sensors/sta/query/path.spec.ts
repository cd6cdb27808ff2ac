import { StaQueryError } from './errors';
import { parsePath } from './path';

function errorOf(path: string): StaQueryError {
  try {
    parsePath(path);
  } catch (e) {
    if (e instanceof StaQueryError) return e;
    throw e;
  }
  throw new Error(`parsed without error: ${path}`);
}

describe('SensorThings resource paths', () => {
  it('reads every entity set as a collection', () => {
    for (const [set, type] of [
      ['Things', 'Thing'], ['Locations', 'Location'], ['HistoricalLocations', 'HistoricalLocation'], ['Datastreams', 'Datastream'], ['Sensors', 'Sensor'],
      ['ObservedProperties', 'ObservedProperty'], ['Observations', 'Observation'], ['FeaturesOfInterest', 'FeatureOfInterest'],
    ]) {
      expect(parsePath(`/${set}`)).toEqual({ segments: [{ type, isCollection: true }], isValue: false, isRef: false });
    }
  });
  it('reads one entity by its number', () => {
    expect(parsePath('/Things(1)').segments).toEqual([{ type: 'Thing', id: '1', isCollection: false }]);
    expect(parsePath('Observations(9007199254740993)').segments[0].id).toBe('9007199254740993');
  });
  it('reads navigation to collections and single entities', () => {
    expect(parsePath('/Things(1)/Datastreams').segments).toEqual([
      { type: 'Thing', id: '1', isCollection: false },
      { type: 'Datastream', navigation: 'Datastreams', isCollection: true },
    ]);
    expect(parsePath('/Observations(5)/Datastream/Thing').segments.map((s) => [s.type, s.isCollection])).toEqual([
      ['Observation', false], ['Datastream', false], ['Thing', false],
    ]);
    expect(parsePath('/Things(1)/Datastreams(7)/Observations').segments[1]).toEqual({ type: 'Datastream', navigation: 'Datastreams', id: '7', isCollection: false });
  });
  it('reads a property, a JSON member and $value', () => {
    expect(parsePath('/Things(1)/name')).toMatchObject({ property: ['name'], isValue: false });
    expect(parsePath('/Things(1)/name/$value')).toMatchObject({ property: ['name'], isValue: true });
    expect(parsePath('/Things(1)/properties/owner')).toMatchObject({ property: ['properties', 'owner'] });
    expect(parsePath('/Datastreams(1)/Thing/properties')).toMatchObject({ property: ['properties'] });
  });
  it('reads $ref on collections and entities', () => {
    expect(parsePath('/Things/$ref')).toMatchObject({ isRef: true, segments: [{ isCollection: true }] });
    expect(parsePath('/Things(1)/Datastreams/$ref')).toMatchObject({ isRef: true });
    expect(parsePath('/Datastreams(1)/Thing/$ref')).toMatchObject({ isRef: true });
  });

  it('answers 404 for an unknown entity set, navigation or property', () => {
    expect(errorOf('/Gauges')).toMatchObject({ status: 404, message: 'No entity set named Gauges' });
    expect(errorOf('/Things(1)/Observations')).toMatchObject({ status: 404, message: expect.stringContaining('Thing has no navigation or property named Observations') });
    expect(errorOf('/Things(1)/colour')).toMatchObject({ status: 404 });
    expect(errorOf('/Things(1)/name/first')).toMatchObject({ status: 404 });
  });
  it('refuses MultiDatastreams clearly', () => {
    expect(errorOf('/MultiDatastreams')).toMatchObject({ status: 404, code: 'unsupported', message: expect.stringContaining('MultiDatastream') });
    expect(errorOf('/Things(1)/MultiDatastreams')).toMatchObject({ code: 'unsupported' });
  });
  it('refuses quoted string ids, since ids here are numbers', () => {
    expect(errorOf("/Things('abc')")).toMatchObject({ status: 400, message: expect.stringContaining('ids on this service are numbers') });
  });
  it('answers 400 for malformed paths', () => {
    expect(errorOf('/Things(1.5)')).toMatchObject({ status: 400, message: expect.stringContaining('not a valid id') });
    expect(errorOf('/Things(-1)')).toMatchObject({ status: 400 });
    expect(errorOf('/Things(99999999999999999999)')).toMatchObject({ status: 400 });
    expect(errorOf('/Things/Datastreams')).toMatchObject({ status: 400, message: expect.stringContaining('Cannot navigate from the collection') });
    expect(errorOf('/Things/name')).toMatchObject({ status: 400 });
    expect(errorOf('/Datastreams(1)/Thing(2)')).toMatchObject({ status: 400, message: expect.stringContaining('takes no id') });
    expect(errorOf('/Things(1)//Datastreams')).toMatchObject({ status: 400 });
    expect(errorOf('/Things(1)/$value')).toMatchObject({ status: 400 });
    expect(errorOf('/Things(1)/name/$ref')).toMatchObject({ status: 400 });
    expect(errorOf('/Things/$ref/x')).toMatchObject({ status: 400 });
    expect(errorOf('/')).toMatchObject({ status: 400 });
  });
});
