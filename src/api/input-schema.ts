import type { ClassConstructor } from 'class-transformer';
import { declaredRules, DeclaredRule, Step, stepDoc } from './ckan-schema';

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it), as plain data. */
export type JsonSchema = Record<string, unknown>;

/** One parameter of an action as the API description shows it. */
export interface ParamDoc {
  name: string;
  required: boolean;
  /** The type in words, for people: "integer ≥ 0", "list of string", "one of off, warn, enforce". */
  type: string;
  /** JSON Schema of the value (type, enum, bounds, default, description where known). */
  schema: JsonSchema;
}

/** A schema's type in words (CKAN's: a JSON object is a dict). */
export function typeLabel(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(String).join(', ')}`;
  if (Array.isArray(schema.oneOf)) return (schema.oneOf as JsonSchema[]).map(typeLabel).join(' or ');
  switch (schema.type) {
    case 'array':
      return `list of ${typeLabel((schema.items ?? {}) as JsonSchema)}`;
    case 'object':
      return 'dict';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? `${schema.type} ≥ ${schema.minimum}` : schema.type;
    case 'string':
      return typeof schema.format === 'string' ? `string (${schema.format})` : 'string';
    case undefined:
      return 'any';
    default:
      return String(schema.type);
  }
}

/** Merges fragments in order: later keys win, descriptions add up. */
function merge(into: JsonSchema, part: JsonSchema): void {
  for (const [k, v] of Object.entries(part)) {
    if (k === 'description' && typeof into.description === 'string') into.description = `${into.description}; ${String(v)}`;
    else into[k] = v;
  }
}

/** The schema and presence a `@Field` chain tells: the first step with a presence decides it. */
function chainDoc(steps: Step[]): { schema: JsonSchema; presence?: 'required' | 'optional' } {
  const schema: JsonSchema = {};
  let presence: 'required' | 'optional' | undefined;
  for (const step of steps) {
    const doc = stepDoc(step);
    if (!doc) continue;
    presence ??= doc.presence;
    if (doc.schema) merge(schema, doc.schema);
  }
  return { schema, presence };
}

/** class-validator's own decorators, by their metadata name, as schema fragments. */
function otherDoc(rule: Extract<DeclaredRule, { kind: 'other' }>): { schema: JsonSchema; presence?: 'required' | 'optional' } {
  const [a] = rule.constraints;
  if (rule.type === 'conditionalValidation') return { schema: {}, presence: 'optional' };
  switch (rule.name) {
    case 'isString':
      return { schema: { type: 'string' } };
    case 'isInt':
      return { schema: { type: 'integer' } };
    case 'isNumber':
      return { schema: { type: 'number' } };
    case 'isBoolean':
      return { schema: { type: 'boolean' } };
    case 'isIn':
      return { schema: { enum: a as unknown[] } };
    case 'min':
      return { schema: { minimum: a } };
    case 'max':
      return { schema: { maximum: a } };
    case 'isUrl':
      return { schema: { type: 'string', format: 'uri' } };
    case 'matches':
      return { schema: { type: 'string', pattern: a instanceof RegExp ? a.source : String(a) } };
    case 'isNotEmpty':
      return { schema: {}, presence: 'required' };
    default:
      return { schema: {} };
  }
}

/** A value worth showing as a default: plain JSON data. */
function jsonDefault(v: unknown): boolean {
  return v !== undefined && (v === null || ['string', 'number', 'boolean'].includes(typeof v) || (Array.isArray(v) && v.every((x) => typeof x === 'string')));
}

/** The class's field defaults (an input object before the client's keys). */
function defaultsOf(cls: ClassConstructor<object>): Record<string, unknown> {
  try {
    return { ...(new cls() as Record<string, unknown>) };
  } catch {
    return {};
  }
}

/**
 * The parameters an input class declares, as JSON Schemas derived from its rules: `@Field` chains through the
 * documented steps (ckan-schema.ts), `@NestedList` as arrays of the item class, class-validator decorators by name.
 * A parameter is required when its rules demand a value and the class gives it no default.
 */
export function inputParams(cls: ClassConstructor<object>, depth = 0): ParamDoc[] {
  const defaults = defaultsOf(cls);
  const out: ParamDoc[] = [];
  for (const [name, rules] of declaredRules(cls)) {
    const schema: JsonSchema = {};
    let presence: 'required' | 'optional' | undefined;
    let sawOther = false;
    for (const rule of rules) {
      if (rule.kind === 'field') {
        const d = chainDoc(rule.steps);
        presence ??= d.presence;
        merge(schema, d.schema);
      } else if (rule.kind === 'list') {
        const before = chainDoc(rule.opts.before ?? []);
        presence ??= before.presence ?? 'optional';
        merge(schema, { ...before.schema, type: 'array', items: depth < 3 ? objectSchema(rule.cls, depth + 1) : { type: 'object' } });
      } else {
        sawOther = true;
        const d = otherDoc(rule);
        if (d.presence === 'optional' || presence === undefined) presence = d.presence ?? presence;
        merge(schema, d.schema);
      }
    }
    // class-validator rules run on a missing key too, so without @IsOptional such a key is required.
    if (presence === undefined && sawOther) presence = 'required';
    if (jsonDefault(defaults[name])) schema.default = defaults[name];
    out.push({ name, required: presence === 'required' && defaults[name] === undefined, type: typeLabel(schema), schema });
  }
  return out;
}

/** An input class as one JSON Schema object; unknown keys stay allowed, as CKAN passes them on. */
export function objectSchema(cls: ClassConstructor<object>, depth = 0, descriptions: Record<string, string> = {}): JsonSchema {
  const params = inputParams(cls, depth);
  const properties: Record<string, JsonSchema> = {};
  for (const p of params) properties[p.name] = descriptions[p.name] && !p.schema.description ? { ...p.schema, description: descriptions[p.name] } : p.schema;
  const required = params.filter((p) => p.required).map((p) => p.name);
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}
