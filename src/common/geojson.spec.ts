import { geometryBbox, spatialProblem } from './geojson';

describe('spatial extent as GeoJSON', () => {
  it('accepts every geometry type on the globe and gives its bounding box', () => {
    expect(spatialProblem('{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[[-5,6],[7,-8]]]}')).toBeUndefined();
    expect(geometryBbox('{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[[-5,6],[7,-8]]]}')).toEqual([-5, -8, 7, 6]);
    expect(geometryBbox('{"type":"Point","coordinates":[180,-90]}')).toEqual([180, -90, 180, -90]);
  });

  it('refuses what ckanext-spatial cannot index, with a reason', () => {
    expect(spatialProblem('{"type":"Point","coordinates":[7,50],"type":"Point"}')).toMatch(/^Error: Wrong GeoJSON object/);
    expect(spatialProblem('{"type":"GeometryCollection","geometries":[]}')).toMatch(/no positions/);
    expect(spatialProblem('{"type":"LineString","coordinates":[[7,50]]}')).toMatch(/two or more positions/);
    expect(spatialProblem('{"type":"Point","coordinates":[-180.5,0]}')).toMatch(/longitude -180.5/);
    expect(spatialProblem('"Point"')).toMatch(/a geometry is expected/);
    expect(geometryBbox('{"type":"Point","coordinates":[7,95]}')).toBeUndefined();
  });

  it('refuses a GeometryCollection inside another (RFC 7946 §3.1.8)', () => {
    const point = { type: 'Point', coordinates: [7, 50] };
    const nest = (g: object): object => ({ type: 'GeometryCollection', geometries: [g] });
    expect(spatialProblem(JSON.stringify(nest(point)))).toBeUndefined();
    expect(spatialProblem(JSON.stringify(nest(nest(point))))).toMatch(/^Error: Wrong GeoJSON object: This type of GeoJSON object is not allowed here/);
  });
});
