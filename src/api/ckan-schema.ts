import type { ClassConstructor } from 'class-transformer';
import { getMetadataStorage, registerDecorator, validateSync, ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { parseIsoDate } from '../common/ckan-time';
import { ValidationError, FieldErrors } from './errors';
import { jsonTooDeep, MAX_JSON_DEPTH, TOO_DEEP } from './json-depth';

/**
 * CKAN validates with chains of small validators per field (`'name': [not_empty, unicode_safe,
 * name_validator]`); each may convert the value or stop the chain, and the first failure is the
 * field's one message. `@Field(...)` expresses exactly such a chain as a class-validator constraint,
 * so input classes read like CKAN's schemas and produce CKAN's messages and error shapes.
 */
export class Invalid {
  constructor(readonly message: string) {}
}

/** Returned by a step to end the chain successfully, leaving the value as it is (CKAN's ignore_missing). */
const STOP: unique symbol = Symbol('stop');
/** Returned by a step to end the chain and drop the key (CKAN's ignore_empty, ignore). */
export const DROP: unique symbol = Symbol('drop');

export type Step = (value: unknown, object: Record<string, unknown>) => unknown;

/**
 * What a step tells about the value it accepts, for the API description (api-docs.ts): a JSON Schema fragment, and
 * whether the step makes the key required (not_empty, not_missing) or optional (ignore_missing). A chain's schema is
 * its steps' fragments merged in order, so a later step (the one converting the value) has the last word on `type`.
 */
export interface StepDoc {
  presence?: 'required' | 'optional';
  schema?: Record<string, unknown>;
}

const STEP_DOCS = new WeakMap<Step, StepDoc>();

/** Marks `step` with what it tells about the accepted value; returns the step itself. */
export function documented<S extends Step>(step: S, doc: StepDoc): S {
  STEP_DOCS.set(step, doc);
  return step;
}

/** What `step` tells about the accepted value, if it was documented. */
export const stepDoc = (step: Step): StepDoc | undefined => STEP_DOCS.get(step);

/**
 * A failed rule's CKAN-shaped error (a list of messages, or of per-item dicts), by input object and
 * property. class-validator's errors carry only strings; the field map is built from this.
 */
const FIELD_ERRORS = new WeakMap<object, Map<string, unknown>>();

function recordError(object: object, property: string, error: unknown): void {
  let map = FIELD_ERRORS.get(object);
  if (!map) FIELD_ERRORS.set(object, (map = new Map()));
  map.set(property, error);
}

/** Runs a chain; returns the converted value or an Invalid. */
export function runChain(steps: Step[], value: unknown, object: Record<string, unknown> = {}): unknown {
  let v = value;
  for (const step of steps) {
    const out = step(v, object);
    if (out === STOP) return v;
    if (out === DROP) return undefined;
    if (out instanceof Invalid) return out;
    v = out;
  }
  return v;
}

/** `@Field`'s rule: runs the chain and puts the converted value in place of the input (or drops the key). */
function checkField(steps: Step[], value: unknown, obj: Record<string, unknown>, property: string): boolean {
  const out = runChain(steps, value, obj);
  if (out instanceof Invalid) {
    recordError(obj, property, [out.message]);
    return false;
  }
  if (out === undefined) delete obj[property];
  else obj[property] = out;
  return true;
}

interface NestedListOptions {
  flatten?: boolean;
  before?: Step[];
}

/** `@NestedList`'s rule: validates each item into `cls`, keeping the converted items, or records the errors per item. */
function checkNestedList(cls: ClassConstructor<object>, opts: NestedListOptions, value: unknown, obj: Record<string, unknown>, property: string): boolean {
  let v = value;
  if (opts.before) {
    v = runChain(opts.before, v, obj);
    if (v instanceof Invalid) {
      recordError(obj, property, [v.message]);
      return false;
    }
  }
  if (v === undefined || v === null) {
    delete obj[property];
    return true;
  }
  if (!Array.isArray(v)) {
    recordError(obj, property, ['Not a list']);
    return false;
  }
  const items: object[] = [];
  const errors: FieldErrors[] = [];
  let failed = false;
  for (const raw of v) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      errors.push({ message: ['Must be a dict'] });
      items.push({});
      failed = true;
      continue;
    }
    const result = validateInto(cls, raw as Record<string, unknown>);
    items.push(result.value);
    errors.push(result.errors ?? {});
    if (result.errors) failed = true;
  }
  if (failed) {
    const shaped = opts.flatten ? errors.flatMap((e) => Object.values(e).flatMap((m) => (Array.isArray(m) ? m : [m]))) : errors;
    recordError(obj, property, shaped);
    return false;
  }
  obj[property] = items;
  return true;
}

/** The message class-validator reports for a failed rule; the recorded CKAN error replaces it in the field map. */
const invalidMessage = (args: ValidationArguments): string => `${args.property} is invalid`;

/** The constraint behind `@Field`: its one constraint argument is the chain. */
@ValidatorConstraint({ name: 'ckanField' })
class FieldRule implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    return checkField(args.constraints[0] as Step[], value, args.object as Record<string, unknown>, args.property);
  }

  defaultMessage = invalidMessage;
}

/** The constraint behind `@NestedList`: its constraint arguments are the item class and the options. */
@ValidatorConstraint({ name: 'ckanNestedList' })
class NestedListRule implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const [cls, opts] = args.constraints as [ClassConstructor<object>, NestedListOptions];
    return checkNestedList(cls, opts, value, args.object as Record<string, unknown>, args.property);
  }

  defaultMessage = invalidMessage;
}

/** Every class with a `@Field` or `@NestedList` rule, for the test that holds both executors to the same answers. */
const RULED_CLASSES = new Set<ClassConstructor<object>>();

/** A field validated by a CKAN-style chain of steps. The converted value replaces the input. */
export function Field(...steps: Step[]): PropertyDecorator {
  return (target, propertyName) => {
    RULED_CLASSES.add(target.constructor as ClassConstructor<object>);
    registerDecorator({ name: 'ckanField', target: target.constructor, propertyName: propertyName as string, constraints: [steps], validator: FieldRule });
  };
}

/**
 * A list of nested dicts validated by `cls` (resources, groups, extras). Errors come back as CKAN
 * shapes them: one dict per item, `{}` for good items (`resources: [{}, {url: [...]}]`).
 * `flatten` gives a flat list of messages instead, as CKAN does for tags.
 */
export function NestedList(cls: ClassConstructor<object>, opts: NestedListOptions = {}): PropertyDecorator {
  return (target, propertyName) => {
    RULED_CLASSES.add(target.constructor as ClassConstructor<object>);
    registerDecorator({ name: 'ckanNestedList', target: target.constructor, propertyName: propertyName as string, constraints: [cls, opts], validator: NestedListRule });
  };
}

/** The classes validated with `@Field` or `@NestedList` rules (tests). */
export const ruledClasses = (): ClassConstructor<object>[] => [...RULED_CLASSES];

/**
 * The input object: the class's defaults, then the client's keys as they came (converted by the
 * validators). A plain copy instead of class-transformer's plainToInstance: input classes use no
 * transformer decorators, and the copy is several times faster on every request. Keys that would
 * reach the prototype are dropped.
 */
function instantiate<T extends object>(cls: ClassConstructor<T>, raw: Record<string, unknown>): T {
  const instance = new cls() as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    instance[key] = raw[key];
  }
  return instance as T;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** What is wrong with a string PostgreSQL cannot store (in text or JSON), or undefined. */
function unstorable(s: string): string | undefined {
  if (s.includes('\u0000')) return 'Must not contain the NUL character';
  // JSON's "\ud800" escapes decode to half a character; UTF-8 (and PostgreSQL's JSON) has no way to carry it.
  if (LONE_SURROGATE.test(s)) return 'Must be valid Unicode (an unpaired surrogate is not a character)';
  return undefined;
}

/** The first reason a value (or a key inside it) cannot be stored, searched through nested lists and dicts. */
function unstorableIn(v: unknown, depth = 0): string | undefined {
  if (typeof v === 'string') return unstorable(v);
  // Request bodies nest at most MAX_JSON_DEPTH deep (checked before parsing), so this looks at every value of theirs.
  if (depth > MAX_JSON_DEPTH || v === null || typeof v !== 'object') return undefined;
  for (const [k, x] of Object.entries(v)) {
    const why = unstorable(k) ?? unstorableIn(x, depth + 1);
    if (why) return why;
  }
  return undefined;
}

/** One rule of a direct plan: `@Field`'s chain or `@NestedList`'s item class and options. */
type DirectRule = { kind: 'field'; steps: Step[] } | { kind: 'list'; cls: ClassConstructor<object>; opts: NestedListOptions };

/** One property's rules, in the order class-validator runs them. */
interface DirectProperty {
  property: string;
  rules: DirectRule[];
}

/**
 * The direct plan of each class, or null for a class that goes through validateSync. Decorators
 * register while their class is being defined, and a class's rules are its own and its ancestors'
 * (defined before it), so the metadata read for a class in use never changes: it is read once.
 */
const DIRECT_PLANS = new WeakMap<object, DirectProperty[] | null>();

/**
 * How class-validator would validate `cls`, when every rule of the class is one of our own
 * (`@Field`, `@NestedList`): the metadata class-validator reads for it (its public storage, read
 * only), grouped by property in the same order, each rule run on the same arguments, stopping at a
 * property's first failure. Running that directly skips class-validator's general machinery (the
 * scan of every registered class for inherited rules, groups, conditions, error trees), which cost
 * several microseconds per request on the hottest actions. Classes with any other rule go through
 * validateSync. A test holds both ways to the same answers for every input class.
 */
function directPlan(cls: ClassConstructor<object>): DirectProperty[] | null {
  let plan = DIRECT_PLANS.get(cls);
  if (plan !== undefined) return plan;
  const metas = getMetadataStorage().getTargetValidationMetadatas(cls, '', false, false);
  plan = [];
  const byProperty = new Map<string, DirectProperty>();
  for (const m of metas) {
    const ours = m.constraintCls === FieldRule || m.constraintCls === NestedListRule;
    if (!ours || m.type !== 'customValidation' || m.validateIf || m.each || m.always || m.groups?.length || m.context || m.message) {
      plan = null;
      break;
    }
    let entry = byProperty.get(m.propertyName);
    if (!entry) {
      byProperty.set(m.propertyName, (entry = { property: m.propertyName, rules: [] }));
      plan.push(entry);
    }
    const [a, b] = m.constraints as [unknown, unknown];
    entry.rules.push(m.constraintCls === FieldRule ? { kind: 'field', steps: a as Step[] } : { kind: 'list', cls: a as ClassConstructor<object>, opts: b as NestedListOptions });
  }
  DIRECT_PLANS.set(cls, plan);
  return plan;
}

/** Whether `cls` is validated by the direct executor (tests). */
export const usesDirectExecutor = (cls: ClassConstructor<object>): boolean => directPlan(cls) !== null;

/** The properties that failed, with class-validator's messages, by the direct plan or by validateSync. */
function failures(instance: object, engine: 'auto' | 'class-validator'): { property: string; messages: string[] }[] {
  const plan = engine === 'auto' ? directPlan(instance.constructor as ClassConstructor<object>) : null;
  if (!plan) {
    // Unknown keys stay (CKAN passes them on to plugins and extras), so no whitelist; a class without rules is valid.
    const errors = validateSync(instance, { stopAtFirstError: true, forbidUnknownValues: false, skipMissingProperties: false });
    return errors.map((e) => ({ property: e.property, messages: Object.values(e.constraints ?? {}) }));
  }
  const out: { property: string; messages: string[] }[] = [];
  const obj = instance as Record<string, unknown>;
  for (const p of plan) {
    const value = obj[p.property];
    for (const r of p.rules) {
      const ok = r.kind === 'field' ? checkField(r.steps, value, obj, p.property) : checkNestedList(r.cls, r.opts, value, obj, p.property);
      if (!ok) {
        out.push({ property: p.property, messages: [`${p.property} is invalid`] });
        break;
      }
    }
  }
  return out;
}

/**
 * Validates a plain dict into an instance of `cls`; unknown keys are kept as they came. `engine`
 * forces class-validator's own executor (tests compare it with the direct one).
 */
export function validateInto<T extends object>(cls: ClassConstructor<T>, raw: Record<string, unknown>, engine: 'auto' | 'class-validator' = 'auto'): { value: T; errors?: FieldErrors } {
  const instance = instantiate(cls, raw);
  const found = failures(instance, engine);
  const unstorableKeys: [string, string][] = [];
  for (const k of Object.keys(raw)) {
    const why = unstorable(k) ?? unstorableIn(raw[k]);
    if (why) unstorableKeys.push([k, why]);
  }
  if (!found.length && !unstorableKeys.length) return { value: instance };
  const recorded = FIELD_ERRORS.get(instance);
  const errors: FieldErrors = {};
  for (const [k, why] of unstorableKeys) errors[k.replaceAll('\u0000', '').replace(LONE_SURROGATES, '\uFFFD')] = [why];
  for (const e of found) {
    errors[e.property] = recorded?.get(e.property) ?? e.messages;
  }
  return { value: instance, errors };
}

/** The dispatcher's entry: a CKAN data dict in, a validated input object out, or a 409 with the field map. */
export function parseInput<T extends object>(cls: ClassConstructor<T>, raw: Record<string, unknown>): T {
  const { value, errors } = validateInto(cls, raw);
  if (errors) throw new ValidationError(errors);
  return value;
}

/** One property's rules as declared: class-validator's own decorators come as their names and arguments. */
export type DeclaredRule =
  | { kind: 'field'; steps: Step[] }
  | { kind: 'list'; cls: ClassConstructor<object>; opts: { before?: Step[] } }
  | { kind: 'other'; name: string; type: string; constraints: unknown[] };

/** The rules of each property of an input class, in declaration order (for the API description). */
export function declaredRules(cls: ClassConstructor<object>): Map<string, DeclaredRule[]> {
  const out = new Map<string, DeclaredRule[]>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false)) {
    let rules = out.get(m.propertyName);
    if (!rules) out.set(m.propertyName, (rules = []));
    const [a, b] = (m.constraints ?? []) as [unknown, unknown];
    if (m.constraintCls === FieldRule) rules.push({ kind: 'field', steps: a as Step[] });
    else if (m.constraintCls === NestedListRule) rules.push({ kind: 'list', cls: a as ClassConstructor<object>, opts: b as NestedListOptions });
    else rules.push({ kind: 'other', name: m.name ?? m.type, type: m.type, constraints: m.constraints ?? [] });
  }
  return out;
}

/** The property names an input class declares. */
export function declaredFields(cls: ClassConstructor<object>): Set<string> {
  const metas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  return new Set(metas.map((m) => m.propertyName));
}

// ---------------------------------------------------------------------------------------------
// Steps, named after the CKAN validators they reproduce (ckan/logic/validators.py, navl).

const isMissing = (v: unknown): boolean => v === undefined || v === null;

/** ignore_missing: a missing or null value ends the chain. */
export const ignoreMissing: Step = documented((v) => (isMissing(v) ? STOP : v), { presence: 'optional' });

/** ignore_empty: missing, null or '' ends the chain (the value is dropped). */
export const ignoreEmpty: Step = documented((v) => (isMissing(v) || v === '' ? DROP : v), { presence: 'optional' });

/** not_empty: "Missing value" unless a non-empty value is given; false and 0 count as values. */
export const notEmpty: Step = (v) => {
  if (v === false || v === 0) return v;
  if (isMissing(v) || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)) {
    return new Invalid('Missing value');
  }
  return v;
};
documented(notEmpty, { presence: 'required' });

/** not_missing: the key must be present (null is a value). */
export const notMissing: Step = documented((v) => (v === undefined ? new Invalid('Missing value') : v), { presence: 'required' });

/** unicode_safe: strings stay, numbers and booleans become strings; lists and dicts are refused. */
export const unicodeSafe: Step = (v) => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (isMissing(v)) return v;
  return new Invalid('Must be a string');
};
documented(unicodeSafe, { schema: { type: 'string' } });

export const stripValue: Step = (v) => (typeof v === 'string' ? v.trim() : v);

/** A bound on text length, so no field can grow without limit (CKAN compat: CKAN itself has none for most text fields). */
export const maxLength = (n: number, message = `Must be a maximum of ${n} characters long`): Step =>
  documented((v) => (typeof v === 'string' && v.length > n ? new Invalid(message) : v), { schema: { maxLength: n } });

const NAME_MAX_LENGTH = 100;
const NAME_PATTERN = /^[a-z0-9_-]*$/;

/** name_validator: CKAN's rules for dataset, organization, group and user names. */
export const nameValidator: Step = (v) => {
  if (typeof v !== 'string') return new Invalid('Names must be strings');
  if (['new', 'edit', 'search'].includes(v)) return new Invalid('That name cannot be used');
  if (v.length < 2) return new Invalid('Must be at least 2 characters long');
  if (v.length > NAME_MAX_LENGTH) return new Invalid(`Name must be a maximum of ${NAME_MAX_LENGTH} characters long`);
  if (!NAME_PATTERN.test(v)) return new Invalid('Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_');
  return v;
};
documented(nameValidator, { schema: { type: 'string', minLength: 2, maxLength: NAME_MAX_LENGTH, pattern: NAME_PATTERN.source } });

/** package_version_validator */
export const versionValidator: Step = (v) =>
  typeof v === 'string' && v.length > 100 ? new Invalid('Version must be a maximum of 100 characters long') : v;
documented(versionValidator, { schema: { type: 'string', maxLength: 100 } });

const EMAIL_PATTERN =
  /^(?!\.)(?!.*\.$)(?!.*?\.\.)[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** email_validator: an empty value passes. */
export const emailValidator: Step = (v) =>
  typeof v === 'string' && v && !EMAIL_PATTERN.test(v) ? new Invalid(`Email ${v} is not a valid format`) : v;
documented(emailValidator, { schema: { type: 'string', format: 'email' } });

/** int_validator: ints, whole floats and base-10 strings; '' and null become null. */
export const intValidator: Step = (v) => {
  if (isMissing(v)) return null;
  if (typeof v === 'string') {
    const s = v.trim();
    if (!s) return null;
    return /^[+-]?\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : new Invalid('Invalid integer');
  }
  if (typeof v === 'number' && Number.isInteger(v) && Number.isSafeInteger(v)) return v;
  return new Invalid('Invalid integer');
};
documented(intValidator, { schema: { type: 'integer' } });

/** natural_number_validator */
export const naturalNumber: Step = (v) => {
  const n = intValidator(v, {});
  if (n instanceof Invalid || n === null) return n === null ? new Invalid('Invalid integer') : n;
  return (n as number) < 0 ? new Invalid('Must be a natural number') : n;
};
documented(naturalNumber, { schema: { type: 'integer', minimum: 0 } });

/** boolean_validator: never fails; true for true/'true'/'yes'/'t'/'y'/'1', false otherwise. */
export const booleanValidator: Step = (v) => {
  if (isMissing(v)) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1;
  if (typeof v === 'string') return ['true', 'yes', 't', 'y', '1'].includes(v.toLowerCase());
  return false;
};
documented(booleanValidator, { schema: { type: 'boolean' } });

const UUID_PATTERN = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** uuid_validator */
export const uuidValidator: Step = (v) => (typeof v === 'string' && UUID_PATTERN.test(v.replace(/^\{|\}$/g, '').replace(/^urn:uuid:/i, '')) ? v : new Invalid('Invalid id provided'));
documented(uuidValidator, { schema: { type: 'string', format: 'uuid' } });

export const isUuid = (v: string): boolean => UUID_PATTERN.test(v) && v.length === 36;

/** one_of */
export const oneOf = (choices: readonly string[]): Step =>
  documented((v) => (typeof v === 'string' && choices.includes(v) ? v : new Invalid(`Value must be one of ${JSON.stringify(choices)}`)), { schema: { type: 'string', enum: [...choices] } });

const TOO_DEEP_MESSAGE = TOO_DEEP[0].toUpperCase() + TOO_DEEP.slice(1);

/** convert_to_json_if_string: GET parameters carry structured values as JSON text. */
export const jsonIfString: Step = (v) => {
  if (typeof v !== 'string') return v;
  if (jsonTooDeep(v)) return new Invalid(TOO_DEEP_MESSAGE);
  try {
    return JSON.parse(v);
  } catch {
    return new Invalid('Could not parse as valid JSON');
  }
};
documented(jsonIfString, { schema: { description: 'JSON text is accepted too (GET parameters)' } });

/** convert_to_list_if_string: 'a' → ['a']; a comma string is split. */
export const listIfString: Step = (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v);
documented(listIfString, { schema: { type: 'array', items: { type: 'string' }, description: 'a comma-separated string is accepted too' } });

/**
 * A bound on the length of a list, checked before its items are (CKAN compat: CKAN has none; 20,000
 * tags in one package_create took seconds to store and made every read of the dataset megabytes).
 */
export const maxItems = (n: number, noun: string): Step =>
  documented((v) => (Array.isArray(v) && v.length > n ? new Invalid(`At most ${n} ${noun}`) : v), { schema: { maxItems: n } });

/** list_of_strings */
export const listOfStrings: Step = (v) => {
  if (!Array.isArray(v)) return new Invalid('Not a list');
  for (const x of v) if (typeof x !== 'string') return new Invalid(`Not a string: ${String(x)}`);
  return v;
};
documented(listOfStrings, { schema: { type: 'array', items: { type: 'string' } } });

/** json_object: a dict, or a string holding one. */
export const jsonObject: Step = (v) => {
  if (isMissing(v) || v === '') return STOP;
  let o = v;
  if (typeof v === 'string') {
    if (jsonTooDeep(v)) return new Invalid(TOO_DEEP_MESSAGE);
    try {
      o = JSON.parse(v);
    } catch {
      return new Invalid('Could not parse the value as a valid JSON object');
    }
  }
  return typeof o === 'object' && o !== null && !Array.isArray(o) ? o : new Invalid('The value should be a valid JSON object');
};
documented(jsonObject, { schema: { type: 'object', description: 'a JSON object, or a string holding one' } });

/** isodate: an ISO-8601 date or datetime (naive = UTC), checked to be a real day; '' becomes null. */
export const isoDate: Step = (v) => {
  if (v === '') return null;
  const parsed = typeof v === 'string' ? parseIsoDate(v) : null;
  return parsed ?? new Invalid('Date format incorrect');
};
documented(isoDate, { schema: { type: 'string', format: 'date-time', description: 'ISO 8601 date or date-time (without zone: UTC)' } });

/** ignore: the key is dropped whatever it holds. */
export const ignore: Step = () => DROP;

/** `dcat_validation` of a write: a mode (off, warn, enforce); the report object a write returned, sent back by a client, is dropped. */
const validationMode = oneOf(['off', 'warn', 'enforce']);
export const validationModeOrReport: Step = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? DROP : validationMode(v, {}));
documented(validationModeOrReport, { schema: { type: 'string', enum: ['off', 'warn', 'enforce'] } });
