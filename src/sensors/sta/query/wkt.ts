import type { GeoJsonGeometry } from './ast';

/**
 * Well-known text (the `geography'…'` literals of a `$filter`) to GeoJSON, which is how our locations and features
 * are stored. Points, LineStrings, Polygons, their Multi* forms and GeometryCollections; an optional `SRID=4326;`
 * prefix; Z/M coordinates keep only x and y (the geo functions are planar on longitude/latitude, as FROST's are on
 * PostGIS geometry). Throws a plain Error with the offset of the problem; the parser wraps it.
 */
export function parseWkt(text: string): GeoJsonGeometry {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const fail = (what: string): never => {
    throw Object.assign(new Error(`${what} in WKT at offset ${i}`), { offset: i });
  };
  const expect = (ch: string): void => {
    ws();
    if (text[i] !== ch) fail(`expected "${ch}"`);
    i++;
  };
  const peek = (ch: string): boolean => {
    ws();
    return text[i] === ch;
  };
  const word = (): string => {
    ws();
    const m = /^[A-Za-z]+/.exec(text.slice(i));
    if (!m) fail('expected a geometry type');
    i += m![0].length;
    return m![0].toUpperCase();
  };
  const num = (): number => {
    ws();
    const m = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail('expected a number');
    i += m![0].length;
    return Number(m![0]);
  };
  const coord = (): number[] => {
    const c = [num(), num()];
    ws();
    while (/[-+\d.]/.test(text[i] ?? '')) {
      num(); // Z or M: dropped, the functions are planar
      ws();
    }
    return c;
  };
  const list = <T>(item: () => T): T[] => {
    expect('(');
    const out = [item()];
    while (peek(',')) {
      i++;
      out.push(item());
    }
    expect(')');
    return out;
  };
  const coords = (): number[][] => list(coord);
  const rings = (): number[][][] => list(coords);
  const dimensionTag = (): void => {
    ws();
    const m = /^(ZM|Z|M)\b/i.exec(text.slice(i));
    if (m) i += m[0].length;
  };
  const geometry = (): GeoJsonGeometry => {
    const type = word();
    dimensionTag();
    switch (type) {
      case 'POINT':
        return { type: 'Point', coordinates: list(coord)[0] };
      case 'LINESTRING':
        return { type: 'LineString', coordinates: coords() };
      case 'POLYGON':
        return { type: 'Polygon', coordinates: rings() };
      case 'MULTIPOINT':
        // Both MULTIPOINT((1 2),(3 4)) and MULTIPOINT(1 2, 3 4) are in use.
        return { type: 'MultiPoint', coordinates: list(() => (peek('(') ? list(coord)[0] : coord())) };
      case 'MULTILINESTRING':
        return { type: 'MultiLineString', coordinates: rings() };
      case 'MULTIPOLYGON':
        return { type: 'MultiPolygon', coordinates: list(rings) };
      case 'GEOMETRYCOLLECTION':
        return { type: 'GeometryCollection', geometries: list(geometry) };
      default:
        return fail(`unknown geometry type ${type}`);
    }
  };
  const srid = /^\s*SRID=(\d+);/i.exec(text);
  if (srid) {
    if (srid[1] !== '4326') throw Object.assign(new Error(`only SRID 4326 (WGS 84 longitude/latitude) is supported, not ${srid[1]}`), { offset: 0 });
    i = srid[0].length;
  }
  const g = geometry();
  ws();
  if (i < text.length) fail('unexpected text after the geometry');
  validate(g);
  return g;
}

function validate(g: GeoJsonGeometry): void {
  const ringOk = (r: number[][]): boolean => r.length >= 4 && r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1];
  switch (g.type) {
    case 'LineString':
      if (g.coordinates.length < 2) throw new Error('a LINESTRING needs at least two points');
      break;
    case 'Polygon':
      if (!g.coordinates.every(ringOk)) throw new Error('a POLYGON ring needs at least four points and must be closed');
      break;
    case 'MultiPolygon':
      if (!g.coordinates.every((p) => p.every(ringOk))) throw new Error('a POLYGON ring needs at least four points and must be closed');
      break;
    case 'GeometryCollection':
      g.geometries.forEach(validate);
      break;
    default:
  }
}
