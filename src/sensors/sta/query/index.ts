/**
 * The SensorThings API v1.1 query language (OGC 18-088), as a library the /sta/v1.1 endpoints call:
 * parsePath → parseQueryOptions → compileRead / compileExpand → run the SQL. Errors are StaQueryError (400/404).
 */
export type { Expr, Literal, FunctionName, ComparisonOp, ArithmeticOp, GeoJsonGeometry } from './ast';
export { StaQueryError } from './errors';
export { parseFilter, parseOrderBy, type OrderItem } from './filter-parser';
export { MODEL, ENTITY_SETS, SET_OF, type EntityType, type EntityDef, type PropertyDef, type NavigationDef } from './model';
export { parseQueryOptions, DEFAULT_LIMITS, type QueryOptions, type QueryLimits, type ExpandItem } from './options';
export { parsePath, lastSegment, type ResourcePath, type PathSegment } from './path';
export { compileRead, compileExpand, type CompiledRead, type CompiledExpand, type ReadContext, type Visibility, type SqlQuery } from './sql';
export { parseWkt } from './wkt';
