import { spatialProblem } from './geojson';

describe('spatial extent as GeoJSON', () => {
  it('accepts geometries on the globe, its edges included', () => {
    expect(spatialProblem('{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[[-5,6],[7,-8]]]}')).toBeUndefined();
    expect(spatialProblem('{"type":"MultiPoint","coordinates":[[180,-90],[-180,90]]}')).toBeUndefined();
  });

  it('refuses what ckanext-spatial cannot index, with a reason', () => {
    expect(spatialProblem('{"type":"Point","coordinates":[7,50],"type":"Point"}')).toMatch(/^Error: Wrong GeoJSON object/);
    expect(spatialProblem('{"type":"GeometryCollection","geometries":[]}')).toMatch(/no positions/);
    expect(spatialProblem('{"type":"LineString","coordinates":[[7,50]]}')).toMatch(/two or more positions/);
    expect(spatialProblem('{"type":"Point","coordinates":[-180.5,0]}')).toMatch(/longitude -180.5/);
    expect(spatialProblem('"Point"')).toMatch(/a geometry is expected/);
    expect(spatialProblem('{"type":"Point","coordinates":[7,95]}')).toMatch(/latitude 95/);
  });

  it('refuses a GeometryCollection inside another (RFC 7946 §3.1.8)', () => {
    const point = { type: 'Point', coordinates: [7, 50] };
    const nest = (g: object): object => ({ type: 'GeometryCollection', geometries: [g] });
    expect(spatialProblem(JSON.stringify(nest(point)))).toBeUndefined();
    expect(spatialProblem(JSON.stringify(nest(nest(point))))).toMatch(/^Error: Wrong GeoJSON object: This type of GeoJSON object is not allowed here/);
  });
});
