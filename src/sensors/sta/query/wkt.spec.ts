import { parseWkt } from './wkt';

describe('WKT literals to GeoJSON', () => {
  it('reads points, lines and polygons with holes', () => {
    expect(parseWkt('POINT(8.27 50.0)')).toEqual({ type: 'Point', coordinates: [8.27, 50] });
    expect(parseWkt('LINESTRING (0 0, 1 1, -2.5 3e1)')).toEqual({ type: 'LineString', coordinates: [[0, 0], [1, 1], [-2.5, 30]] });
    expect(parseWkt('POLYGON((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 1))')).toEqual({
      type: 'Polygon',
      coordinates: [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [2, 1], [2, 2], [1, 1]]],
    });
  });
  it('reads the Multi forms, both MULTIPOINT spellings, and collections', () => {
    expect(parseWkt('MULTIPOINT((1 2), (3 4))')).toEqual({ type: 'MultiPoint', coordinates: [[1, 2], [3, 4]] });
    expect(parseWkt('MULTIPOINT(1 2, 3 4)')).toEqual({ type: 'MultiPoint', coordinates: [[1, 2], [3, 4]] });
    expect(parseWkt('MULTILINESTRING((0 0, 1 1), (2 2, 3 3))')).toMatchObject({ type: 'MultiLineString', coordinates: [[[0, 0], [1, 1]], [[2, 2], [3, 3]]] });
    expect(parseWkt('MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))')).toMatchObject({ type: 'MultiPolygon' });
    expect(parseWkt('GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1))')).toEqual({
      type: 'GeometryCollection',
      geometries: [{ type: 'Point', coordinates: [1, 2] }, { type: 'LineString', coordinates: [[0, 0], [1, 1]] }],
    });
  });
  it('accepts lower case, SRID=4326 and drops Z and M values, the functions being planar', () => {
    expect(parseWkt('SRID=4326;point z (1 2 3)')).toEqual({ type: 'Point', coordinates: [1, 2] });
    expect(parseWkt('LINESTRING ZM (0 0 5 6, 1 1 5 6)')).toEqual({ type: 'LineString', coordinates: [[0, 0], [1, 1]] });
  });
  it('refuses other reference systems, open rings, short lines and junk with the offset', () => {
    expect(() => parseWkt('SRID=25832;POINT(1 2)')).toThrow('only SRID 4326');
    expect(() => parseWkt('POLYGON((0 0, 1 0, 1 1, 0 1))')).toThrow('closed');
    expect(() => parseWkt('LINESTRING(0 0)')).toThrow('at least two points');
    expect(() => parseWkt('POINT(1 2) x')).toThrow(/unexpected text after the geometry in WKT at offset 11/);
    expect(() => parseWkt('CIRCLE(1 2)')).toThrow('unknown geometry type CIRCLE');
  });
});
