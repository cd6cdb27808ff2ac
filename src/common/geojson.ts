import { getIssues } from '@placemarkio/check-geojson';

/**
 * The `spatial` extra as ckanext-spatial keeps it: one GeoJSON geometry (RFC 7946), WGS 84 longitude/latitude.
 * The structure (positions, closed rings, enough points, no duplicate keys, no GeometryCollection inside another, as
 * RFC 7946 §3.1.8 advises) is checked by @placemarkio/check-geojson;
 * what it leaves to us is checked here: that it is a geometry and not a Feature, that every position lies on the
 * globe, and that it stays small enough to index and to ship in every package dict.
 */

/** Most positions one `spatial` geometry may hold (an outline of a German district has a few thousand at 10 m). */
export const SPATIAL_MAX_POSITIONS = 10_000;
/** Most characters of a `spatial` value (the same bound as any extra, EXTRA_VALUE_MAX, stated here for the message). */
export const SPATIAL_MAX_CHARS = 100_000;

const GEOMETRY_TYPES = ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection'];

type Geometry = { type: string; coordinates?: unknown; geometries?: Geometry[] };

/** Why a `spatial` value is not a usable geometry, in ckanext-spatial's words; undefined when it is one. */
export function spatialProblem(text: string): string | undefined {
  if (text.length > SPATIAL_MAX_CHARS) return `Error: Wrong GeoJSON object: longer than ${SPATIAL_MAX_CHARS} characters`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return `Error decoding JSON object: ${(err as Error).message}`;
  }
  const type = typeof parsed === 'object' && parsed !== null ? (parsed as { type?: unknown }).type : undefined;
  // CKAN compat: ckanext-spatial's geojson.loads takes a Feature too, but only a geometry is ever indexed; we say so at once.
  if (typeof type !== 'string' || !GEOMETRY_TYPES.includes(type)) {
    return `Error: Wrong GeoJSON object: a geometry is expected (${GEOMETRY_TYPES.join(', ')}), not ${typeof type === 'string' ? type : 'an object without a type'}`;
  }
  const issues = getIssues(text);
  if (issues.length) return `Error: Wrong GeoJSON object: ${[...new Set(issues.map((i) => i.message))].join(' ')}`;
  const walk = { positions: 0, problem: undefined as string | undefined };
  visitPositions(parsed as Geometry, walk, (x, y) => {
    if (!(x >= -180 && x <= 180)) return `longitude ${x} is outside -180..180 (WGS 84 longitude, latitude)`;
    if (!(y >= -90 && y <= 90)) return `latitude ${y} is outside -90..90 (WGS 84 longitude, latitude)`;
    return undefined;
  });
  if (walk.problem) return `Error: Wrong GeoJSON object: ${walk.problem}`;
  if (walk.positions === 0) return 'Error: Wrong GeoJSON object: it has no positions';
  return undefined;
}

/** Calls `each` with every position's longitude and latitude until it names a problem or the positions are too many. */
function visitPositions(g: Geometry, walk: { positions: number; problem?: string }, each: (x: number, y: number) => string | undefined): void {
  if (walk.problem) return;
  if (g.type === 'GeometryCollection') {
    for (const child of g.geometries ?? []) visitPositions(child, walk, each);
    return;
  }
  const stack: unknown[] = [g.coordinates];
  while (stack.length && !walk.problem) {
    const c = stack.pop();
    if (!Array.isArray(c)) continue;
    if (typeof c[0] === 'number') {
      if (++walk.positions > SPATIAL_MAX_POSITIONS) walk.problem = `more than ${SPATIAL_MAX_POSITIONS} positions`;
      else walk.problem = each(c[0], c[1] as number);
    } else for (const child of c) stack.push(child);
  }
}
