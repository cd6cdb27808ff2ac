/** The typed syntax tree of a `$filter` or `$orderby` expression (OGC 18-088 §9.3.3.5, OData 4 URL conventions). */

export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type ArithmeticOp = 'add' | 'sub' | 'mul' | 'div' | 'mod';

export type GeoJsonGeometry =
  | { type: 'Point'; coordinates: number[] }
  | { type: 'LineString' | 'MultiPoint'; coordinates: number[][] }
  | { type: 'Polygon' | 'MultiLineString'; coordinates: number[][][] }
  | { type: 'MultiPolygon'; coordinates: number[][][][] }
  | { type: 'GeometryCollection'; geometries: GeoJsonGeometry[] };

export type Literal =
  | { kind: 'string'; value: string }
  /** `text` as written: integers beyond 2^53 (ids) keep every digit. */
  | { kind: 'number'; value: number; integer: boolean; text: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  /** An instant with its offset as written (`2015-03-02T00:00:00+01:00`); `offsetMinutes` for totaloffsetminutes(). */
  | { kind: 'datetime'; value: string; offsetMinutes: number }
  /** A time interval literal `start/end` (FROST accepts it; compares as the standard's interval rules). */
  | { kind: 'interval'; start: string; end: string }
  | { kind: 'date'; value: string }
  | { kind: 'time'; value: string }
  /** `duration'P1DT2H'`: ISO 8601 duration as written, possibly with a leading sign. */
  | { kind: 'duration'; value: string }
  /** `geography'POINT(8 50)'` or `geometry'…'`, turned into GeoJSON. */
  | { kind: 'geometry'; value: GeoJsonGeometry; wkt: string };

export type FunctionName =
  | 'substringof' | 'endswith' | 'startswith' | 'length' | 'indexof' | 'substring' | 'tolower' | 'toupper' | 'trim' | 'concat'
  | 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'fractionalseconds' | 'date' | 'time' | 'totaloffsetminutes'
  | 'now' | 'mindatetime' | 'maxdatetime'
  | 'round' | 'floor' | 'ceiling'
  | 'geo.distance' | 'geo.length' | 'geo.intersects'
  | 'st_equals' | 'st_disjoint' | 'st_touches' | 'st_within' | 'st_overlaps' | 'st_crosses' | 'st_intersects' | 'st_contains' | 'st_relate';

export type Expr =
  | { type: 'literal'; literal: Literal; pos: number }
  /** A property path: `name`, `Datastream/Thing/name`, `properties/owner`, `@iot.id`. Segments as written. */
  | { type: 'path'; segments: string[]; pos: number }
  | { type: 'compare'; op: ComparisonOp; left: Expr; right: Expr; pos: number }
  | { type: 'and' | 'or'; left: Expr; right: Expr; pos: number }
  | { type: 'not'; operand: Expr; pos: number }
  | { type: 'arith'; op: ArithmeticOp; left: Expr; right: Expr; pos: number }
  | { type: 'neg'; operand: Expr; pos: number }
  | { type: 'call'; name: FunctionName; args: Expr[]; pos: number };

/** Each function's accepted argument counts. */
export const FUNCTION_ARITY: Record<FunctionName, readonly number[]> = {
  substringof: [2], endswith: [2], startswith: [2], length: [1], indexof: [2], substring: [2, 3], tolower: [1], toupper: [1], trim: [1],
  concat: [2],
  year: [1], month: [1], day: [1], hour: [1], minute: [1], second: [1], fractionalseconds: [1], date: [1], time: [1], totaloffsetminutes: [1],
  now: [0], mindatetime: [0], maxdatetime: [0],
  round: [1], floor: [1], ceiling: [1],
  'geo.distance': [2], 'geo.length': [1], 'geo.intersects': [2],
  st_equals: [2], st_disjoint: [2], st_touches: [2], st_within: [2], st_overlaps: [2], st_crosses: [2], st_intersects: [2], st_contains: [2],
  st_relate: [3],
};
