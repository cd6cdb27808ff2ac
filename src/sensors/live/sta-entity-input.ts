import type { EntityType } from '../sta/query';

/**
 * The JSON a SensorThings write sends (OGC 18-088 §10): which properties each entity type has, which are mandatory
 * on create and on a full replace (PUT), which navigation properties may carry inline entities or links
 * (`{"@iot.id": 7}`). Pure: the service decides what the entities mean.
 */

export type Json = Record<string, unknown>;

/** A client's mistake in a write: the status and `{ error: { code, message } }` the endpoint answers. */
export class StaWriteError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 415,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const bad = (message: string): StaWriteError => new StaWriteError(400, 'bad_request', message);

interface TypeDef {
  /** Mandatory properties (18-088 v1.1 tables 9–21). */
  required: string[];
  optional: string[];
  /** Navigation properties a create may fill (inline or by link), and whether they take a list. */
  navigations: Record<string, { many: boolean; type: EntityType }>;
}

const DEFS: Record<EntityType, TypeDef> = {
  Thing: {
    required: ['name', 'description'], optional: ['properties'],
    navigations: { Locations: { many: true, type: 'Location' }, Datastreams: { many: true, type: 'Datastream' }, HistoricalLocations: { many: true, type: 'HistoricalLocation' } },
  },
  Location: {
    required: ['name', 'description', 'encodingType', 'location'], optional: ['properties'],
    navigations: { Things: { many: true, type: 'Thing' }, HistoricalLocations: { many: true, type: 'HistoricalLocation' } },
  },
  HistoricalLocation: { required: ['time'], optional: [], navigations: { Thing: { many: false, type: 'Thing' }, Locations: { many: true, type: 'Location' } } },
  Datastream: {
    required: ['name', 'description', 'unitOfMeasurement', 'observationType'], optional: ['observedArea', 'phenomenonTime', 'resultTime', 'properties'],
    navigations: { Thing: { many: false, type: 'Thing' }, Sensor: { many: false, type: 'Sensor' }, ObservedProperty: { many: false, type: 'ObservedProperty' }, Observations: { many: true, type: 'Observation' } },
  },
  Sensor: { required: ['name', 'description', 'encodingType', 'metadata'], optional: ['properties'], navigations: { Datastreams: { many: true, type: 'Datastream' } } },
  ObservedProperty: { required: ['name', 'definition', 'description'], optional: ['properties'], navigations: { Datastreams: { many: true, type: 'Datastream' } } },
  Observation: {
    required: ['result'], optional: ['phenomenonTime', 'resultTime', 'resultQuality', 'validTime', 'parameters'],
    navigations: { Datastream: { many: false, type: 'Datastream' }, FeatureOfInterest: { many: false, type: 'FeatureOfInterest' } },
  },
  FeatureOfInterest: { required: ['name', 'description', 'encodingType', 'feature'], optional: ['properties'], navigations: { Observations: { many: true, type: 'Observation' } } },
};

const TEXT = new Set(['name', 'description', 'encodingType', 'metadata', 'definition', 'observationType']);
const OBJECT = new Set(['properties', 'unitOfMeasurement', 'parameters', 'location', 'feature', 'observedArea']);

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A link to an existing entity: `{"@iot.id": 7}` (further keys make it an inline entity, which is refused with an id). */
export function linkId(v: unknown): number | undefined {
  if (!isObject(v) || !('@iot.id' in v)) return undefined;
  const id = v['@iot.id'];
  const n = typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : id;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw bad(`Not a valid @iot.id: ${JSON.stringify(id)}`);
  return n;
}

/** The request body as a JSON object, or a 400 naming what is wrong. */
export function parseBody(raw: unknown): Json {
  let body: unknown = raw;
  if (Buffer.isBuffer(raw) || typeof raw === 'string') {
    const text = raw.toString();
    if (!text.trim()) throw bad('The request has no body; send the entity as JSON');
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw bad(`The body is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!isObject(body)) throw bad('The body must be a JSON object');
  return body;
}

/**
 * Checks an entity's JSON for its type: unknown properties and read-only ones (`@iot.selfLink`, navigation links)
 * refused, mandatory ones present on create and PUT (`parentNav`: the navigation the path fills, e.g. Datastream on
 * `Datastreams(1)/Observations`), each property of the right JSON type.
 */
export function checkEntity(type: EntityType, body: Json, mode: 'create' | 'put' | 'patch', parentNav?: string): void {
  const def = DEFS[type];
  for (const [k, v] of Object.entries(body)) {
    if (k === '@iot.id') {
      if (mode !== 'create') continue;
      throw bad(`${type}: @iot.id is set by the service and may not be given on create`);
    }
    if (k.endsWith('@iot.navigationLink') || k === '@iot.selfLink') continue;
    if (def.navigations[k]) {
      // A Thing moves by a link to its new Location (18-088 §10.3, historical-location-auto-creation); nothing else inline.
      const isMove = type === 'Thing' && k === 'Locations' && Array.isArray(v) && v.every((x) => isObject(x) && Object.keys(x).length === 1 && linkId(x) !== undefined);
      if (mode !== 'create' && !isMove) throw bad(`${type}: ${k} cannot be changed with ${mode.toUpperCase()} except by links {"@iot.id": n} of a Thing's Locations`);
      if (def.navigations[k].many ? !Array.isArray(v) : !isObject(v)) throw bad(`${type}: ${k} must be ${def.navigations[k].many ? 'a list of entities' : 'an entity'} (inline or {"@iot.id": n})`);
      continue;
    }
    if (!def.required.includes(k) && !def.optional.includes(k)) throw bad(`${type} has no property ${k}`);
    if (TEXT.has(k) && typeof v !== 'string') throw bad(`${type}: ${k} must be a string`);
    if (OBJECT.has(k) && v !== null && !isObject(v)) throw bad(`${type}: ${k} must be a JSON object`);
  }
  if (mode === 'patch') return;
  for (const k of def.required) if (body[k] === undefined || body[k] === null) throw bad(`${type}: the mandatory property ${k} is missing`);
  if (mode === 'create') {
    const mandatoryNav: Partial<Record<EntityType, string[]>> = { Datastream: ['Thing', 'Sensor', 'ObservedProperty'], Observation: ['Datastream'], HistoricalLocation: ['Thing'] };
    for (const nav of mandatoryNav[type] ?? []) if (nav !== parentNav && body[nav] === undefined) throw bad(`${type}: ${nav} is missing (inline or {"@iot.id": n})`);
  }
}

/** The navigation definition of a create (for nested entities). */
export const navigationOf = (type: EntityType, nav: string): { many: boolean; type: EntityType } | undefined => DEFS[type].navigations[nav];
