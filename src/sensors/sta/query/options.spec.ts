import { StaQueryError } from './errors';
import { parseQueryOptions } from './options';

function errorOf(fn: () => unknown): StaQueryError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StaQueryError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('SensorThings query options', () => {
  it('defaults to $top 100, $skip 0, no count, all properties', () => {
    expect(parseQueryOptions('Thing', {})).toEqual({ orderby: [], top: 100, skip: 0, count: false, expand: [], resultFormat: 'default' });
  });
  it('reads $top, $skip and $count, and lowers a $top above the cap', () => {
    expect(parseQueryOptions('Thing', { $top: '5', $skip: '10', $count: 'true' })).toMatchObject({ top: 5, skip: 10, count: true });
    expect(parseQueryOptions('Thing', { $top: '50000' }, { defaultTop: 100, maxTop: 1000 }).top).toBe(1000);
    expect(parseQueryOptions('Thing', {}, { defaultTop: 20, maxTop: 1000 }).top).toBe(20);
    expect(parseQueryOptions('Thing', { $count: 'false' }).count).toBe(false);
  });
  it('refuses bad numbers and counts', () => {
    expect(errorOf(() => parseQueryOptions('Thing', { $top: '-1' }))).toMatchObject({ status: 400, message: expect.stringContaining('$top') });
    expect(errorOf(() => parseQueryOptions('Thing', { $skip: 'ten' }))).toMatchObject({ status: 400, message: expect.stringContaining('$skip') });
    expect(errorOf(() => parseQueryOptions('Thing', { $count: 'yes' }))).toMatchObject({ status: 400, message: expect.stringContaining('$count') });
  });
  it('refuses unknown and repeated options, ignoring parameters without $', () => {
    expect(errorOf(() => parseQueryOptions('Thing', { $frob: '1' }))).toMatchObject({ message: 'Unknown query option $frob' });
    expect(errorOf(() => parseQueryOptions('Thing', { $top: ['1', '2'] }))).toMatchObject({ message: expect.stringContaining('more than once') });
    expect(parseQueryOptions('Thing', { api_key: 'x' }).top).toBe(100);
  });
  it('reads $select with @iot.id, properties, JSON members and navigation links', () => {
    expect(parseQueryOptions('Thing', { $select: '@iot.id,name, properties/owner,Datastreams' }).select).toEqual([['id'], ['name'], ['properties', 'owner'], ['Datastreams']]);
    expect(parseQueryOptions('Observation', { $select: 'id,result,phenomenonTime' }).select).toEqual([['id'], ['result'], ['phenomenonTime']]);
  });
  it('refuses $select of an unknown property', () => {
    expect(errorOf(() => parseQueryOptions('Thing', { $select: 'name,colour' }))).toMatchObject({ status: 400, message: '$select: Thing has no property colour' });
  });
  it('reads $filter and $orderby, naming the option in errors', () => {
    const o = parseQueryOptions('Observation', { $filter: 'result gt 3', $orderby: 'phenomenonTime desc,result' });
    expect(o.filter).toMatchObject({ type: 'compare', op: 'gt' });
    expect(o.orderby.map((i) => i.direction)).toEqual(['desc', 'asc']);
    expect(errorOf(() => parseQueryOptions('Observation', { $filter: 'result gt' }))).toMatchObject({ status: 400, message: expect.stringMatching(/^\$filter: /), position: 9 });
  });
  it('reads $expand with nested options separated by ; and nested expands', () => {
    const o = parseQueryOptions('Thing', { $expand: "Datastreams($select=name;$top=2;$orderby=name desc;$filter=name ne 'x';$count=true;$expand=Observations($top=1;$orderby=phenomenonTime desc)),Locations" });
    expect(o.expand).toHaveLength(2);
    const [ds, loc] = o.expand;
    expect(ds).toMatchObject({ navigation: 'Datastreams', options: { select: [['name']], top: 2, count: true, orderby: [{ direction: 'desc' }], filter: { type: 'compare' } } });
    expect(ds.options.expand).toMatchObject([{ navigation: 'Observations', options: { top: 1, orderby: [{ direction: 'desc' }] } }]);
    expect(loc).toMatchObject({ navigation: 'Locations', options: { top: 100, expand: [] } });
  });
  it('reads nested expand paths and merges them with options for the same navigation', () => {
    const o = parseQueryOptions('Observation', { $expand: 'Datastream/Thing/Locations,Datastream($select=name),FeatureOfInterest' });
    expect(o.expand.map((e) => e.navigation)).toEqual(['Datastream', 'FeatureOfInterest']);
    expect(o.expand[0].options.select).toEqual([['name']]);
    expect(o.expand[0].options.expand[0]).toMatchObject({ navigation: 'Thing', options: { expand: [{ navigation: 'Locations' }] } });
  });
  it('keeps a semicolon inside a nested filter string literal', () => {
    const o = parseQueryOptions('Thing', { $expand: "Datastreams($filter=name eq 'a;b')" });
    expect(o.expand[0].options.filter).toMatchObject({ right: { literal: { value: 'a;b' } } });
  });
  it('refuses unknown navigations and options in $expand', () => {
    expect(errorOf(() => parseQueryOptions('Thing', { $expand: 'Observations' }))).toMatchObject({ status: 400, message: '$expand: Thing has no navigation property Observations' });
    expect(errorOf(() => parseQueryOptions('Thing', { $expand: 'Datastreams($resultFormat=dataArray)' }))).toMatchObject({ status: 400 });
    expect(errorOf(() => parseQueryOptions('Thing', { $expand: 'Datastreams($top=1' }))).toMatchObject({ message: expect.stringContaining('Unbalanced') });
  });
  it('recognises $resultFormat=dataArray on Observations only', () => {
    expect(parseQueryOptions('Observation', { $resultFormat: 'dataArray' }).resultFormat).toBe('dataArray');
    expect(errorOf(() => parseQueryOptions('Thing', { $resultFormat: 'dataArray' }))).toMatchObject({ status: 400 });
    expect(errorOf(() => parseQueryOptions('Observation', { $resultFormat: 'CSV' }))).toMatchObject({ status: 400 });
  });
});
