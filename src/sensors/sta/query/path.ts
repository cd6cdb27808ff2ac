import { StaQueryError } from './errors';
import { ENTITY_SETS, MODEL, UNSUPPORTED_SETS, propertyName, type EntityType } from './model';

/**
 * SensorThings resource paths after `/sta/v1.1` (OGC 18-088 §9.2): an entity set (`/Things`), one entity
 * (`/Things(1)`), navigation (`/Things(1)/Datastreams`, `/Observations(5)/Datastream/Thing`), a property
 * (`/Things(1)/name`, deeper into JSON: `/Things(1)/properties/owner`), its raw value (`/$value`), and references
 * (`/$ref`, on collections and single entities). The path comes URL-decoded.
 */

export interface PathSegment {
  type: EntityType;
  /** The navigation property that led here, absent on the first segment. */
  navigation?: string;
  /** The `(id)` given on this segment. */
  id?: string;
  /** Whether this segment names a set (an entity set or a to-many navigation without an id). */
  isCollection: boolean;
}

export interface ResourcePath {
  segments: PathSegment[];
  /** `Things(1)/name`: the property, plus deeper JSON members (`properties/owner` → ['properties', 'owner']). */
  property?: string[];
  /** `…/name/$value`: the property's raw value as text/plain. */
  isValue: boolean;
  /** `…/$ref`: references (`@iot.selfLink`) only. */
  isRef: boolean;
}

const SEGMENT = /^([A-Za-z][A-Za-z0-9_]*)(?:\((.*)\))?$/s;

function fail(status: 400 | 404, message: string): never {
  throw new StaQueryError(status, status === 404 ? 'not_found' : 'bad_path', message);
}

function parseId(raw: string, where: string): string {
  const v = raw.trim();
  if (/^\d+$/.test(v) && v.length <= 19 && BigInt(v) <= 9223372036854775807n) return String(BigInt(v));
  if (/^'.*'$/s.test(v)) fail(400, `${where}: ids on this service are numbers, not strings (${v})`);
  return fail(400, `${where}: not a valid id: (${raw})`);
}

/** The current type and whether it is one entity, for the last segment. */
export const lastSegment = (p: ResourcePath): PathSegment => p.segments[p.segments.length - 1];

export function parsePath(path: string): ResourcePath {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (!trimmed) fail(400, 'The path names no entity set');
  const parts = trimmed.split('/');
  const result: ResourcePath = { segments: [], isValue: false, isRef: false };
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k];
    if (!part) fail(400, 'Empty path segment (two slashes in a row)');
    const rest = parts.length - k - 1;
    if (part === '$ref') {
      if (rest) fail(400, '$ref must be the last segment of a path');
      if (result.property) fail(400, '$ref applies to entities and collections, not to a property');
      result.isRef = true;
      break;
    }
    if (part === '$value') {
      if (rest) fail(400, '$value must be the last segment of a path');
      if (!result.property) fail(400, '$value applies to a property, as in Things(1)/name/$value');
      result.isValue = true;
      break;
    }
    if (result.property) {
      // Deeper into a JSON property: Things(1)/properties/owner.
      const top = MODEL[lastSegment(result).type].properties[propertyName(result.property[0])];
      if (top.kind !== 'json' && top.kind !== 'result') fail(404, `${result.property.join('/')} has no member ${part}`);
      result.property.push(part);
      continue;
    }
    const m = SEGMENT.exec(part);
    if (!m) fail(400, `Not a valid path segment: ${part}`);
    const [, name, idRaw] = m;
    if (k === 0) {
      if (UNSUPPORTED_SETS[name]) throw new StaQueryError(404, 'unsupported', UNSUPPORTED_SETS[name]);
      const type = ENTITY_SETS[name];
      if (!type) fail(404, `No entity set named ${name}`);
      result.segments.push(idRaw === undefined ? { type, isCollection: true } : { type, id: parseId(idRaw, name), isCollection: false });
      continue;
    }
    const current = lastSegment(result);
    const def = MODEL[current.type];
    const nav = def.navigations[name];
    if (nav) {
      if (current.isCollection) fail(400, `Cannot navigate from the collection ${current.navigation ?? name} to ${name}; name one entity first, as in (1)`);
      if (idRaw !== undefined && !nav.many) fail(400, `${name} is a single entity and takes no id`);
      const id = idRaw === undefined ? undefined : parseId(idRaw, name);
      result.segments.push({ type: nav.target, navigation: name, id, isCollection: nav.many && id === undefined });
      continue;
    }
    if (name === 'MultiDatastreams' || name === 'MultiDatastream') throw new StaQueryError(404, 'unsupported', UNSUPPORTED_SETS.MultiDatastreams);
    if (idRaw === undefined && def.properties[propertyName(name)]) {
      if (current.isCollection) fail(400, `Cannot read the property ${name} of a collection; name one entity first`);
      result.property = [name];
      continue;
    }
    fail(404, `${current.type} has no navigation or property named ${name}`);
  }
  return result;
}
