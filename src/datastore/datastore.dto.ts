import { booleanValidator, declaredFields, DROP, Field, ignoreMissing, intValidator, Invalid, maxItems, maxLength, naturalNumber, NestedList, notEmpty, notMissing, oneOf, Step, unicodeSafe, documented } from '../api/ckan-schema';

/** CKAN's `__before: [rename('id', 'resource_id')]`: a given `id` names the resource. */
const idOrResourceId: Step = (v, o) => (o.id !== undefined && o.id !== null && o.id !== '' ? o.id : v);
const resourceIdRequired: Step[] = [idOrResourceId, notEmpty, unicodeSafe, maxLength(100)];

/** list_of_strings_or_string: a string, or a list of strings and lists. */
const listOfStringsOrString: Step = (v) => {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return new Invalid('Not a list');
  for (const x of v) if (typeof x !== 'string' && !Array.isArray(x)) return new Invalid(`Neither a string nor a list: ${JSON.stringify(x)}`);
  return v;
};
documented(listOfStringsOrString, { schema: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } });

/** json_validator: lists and dicts as they are, other values parsed as JSON. */
const jsonValidator: Step = (v) => {
  if (typeof v === 'object' && v !== null) return v;
  try {
    return JSON.parse(String(v));
  } catch {
    return new Invalid('Cannot parse JSON');
  }
};
documented(jsonValidator, { schema: { description: 'JSON; text is parsed' } });

/** unicode_or_json_validator: a JSON dict when the text is one, else the text. */
const textOrJsonDict: Step = (v) => {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v;
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  try {
    const parsed: unknown = JSON.parse(s);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : s;
  } catch {
    return s;
  }
};
documented(textOrJsonDict, { schema: { oneOf: [{ type: 'string' }, { type: 'object' }] } });

const dictOnly: Step = documented((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : new Invalid('Must be a dict')), { schema: { type: 'object' } });
const listOfDicts = (noun: string): Step =>
  documented((v) => (Array.isArray(v) && v.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r)) ? v : new Invalid(`${noun} has to be a list of dicts`)), {
    schema: { type: 'array', items: { type: 'object' } },
  });
const orFalse: Step = (v) => (v === undefined ? false : v);
/** Keys CKAN accepts that this slice does not act on yet: refused, rather than silently ignored. */
const notSupported = (what: string): Step => (v) => (v === undefined || v === null ? DROP : new Invalid(`${what} are not supported yet`));

/**
 * CKAN's `'__junk': [empty]`: a parameter the action does not know is refused, not ignored (a misspelt `filter`
 * would otherwise return every row). Declared as the property `__junk`, whose rule looks at the whole input.
 */
const noJunk = (cls: () => object): Step => (_v, o) => {
  const known = declaredFields(cls() as never);
  return Object.keys(o).some((k) => !known.has(k) && k !== 'id' && k !== '__junk') ? new Invalid('The input field __junk was not expected.') : DROP;
};

/** Fields with more columns than this are refused before PostgreSQL's limit of 1600 is reached mid-write. */
export const MAX_FIELDS = 1000;

export class DatastoreFieldInput {
  @Field(notEmpty, unicodeSafe) id!: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) type?: string;
  /** The data dictionary entry (label, notes, type_override…); kept when it is a dict, as CKAN does. */
  @Field(ignoreMissing) info?: unknown;
}

export class DatastoreCreateInput {
  @Field(noJunk(() => DatastoreCreateInput)) __junk?: never;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) resource_id?: string;
  @Field(ignoreMissing, dictOnly) resource?: Record<string, unknown>;
  @Field(ignoreMissing, booleanValidator) force?: boolean;
  @NestedList(DatastoreFieldInput, { before: [maxItems(MAX_FIELDS, 'fields')] }) fields?: DatastoreFieldInput[];
  @Field(ignoreMissing, listOfDicts('Records')) records?: Record<string, unknown>[];
  @Field(ignoreMissing, listOfStringsOrString) primary_key?: string | string[];
  @Field(ignoreMissing, listOfStringsOrString) indexes?: string | (string | string[])[];
  @Field(orFalse, booleanValidator) delete_fields!: boolean;
  @Field(orFalse, booleanValidator) calculate_record_count!: boolean;
  @Field(notSupported('Aliases')) aliases?: unknown;
  @Field(notSupported('Triggers')) triggers?: unknown;
}

export class DatastoreUpsertInput {
  @Field(noJunk(() => DatastoreUpsertInput)) __junk?: never;
  @Field(...resourceIdRequired) resource_id!: string;
  @Field(ignoreMissing, booleanValidator) force?: boolean;
  @Field(ignoreMissing, listOfDicts('Records')) records?: Record<string, unknown>[];
  @Field(ignoreMissing, unicodeSafe, oneOf(['upsert', 'insert', 'update'])) method?: 'upsert' | 'insert' | 'update';
  @Field(orFalse, booleanValidator) calculate_record_count!: boolean;
  @Field(ignoreMissing, booleanValidator) dry_run?: boolean;
}

export class DatastoreDeleteInput {
  @Field(noJunk(() => DatastoreDeleteInput)) __junk?: never;
  @Field(...resourceIdRequired) resource_id!: string;
  @Field(ignoreMissing, booleanValidator) force?: boolean;
  /** null or missing: the whole table goes. */
  @Field((v) => (v === undefined || v === null ? DROP : typeof v === 'object' && !Array.isArray(v) ? v : new Invalid('filters must be either a dict or null.'))) filters?: Record<string, unknown>;
  @Field(orFalse, booleanValidator) calculate_record_count!: boolean;
}

export class DatastoreRecordsDeleteInput {
  @Field(noJunk(() => DatastoreRecordsDeleteInput)) __junk?: never;
  @Field(...resourceIdRequired) resource_id!: string;
  @Field(ignoreMissing, booleanValidator) force?: boolean;
  @Field(notMissing, dictOnly) filters!: Record<string, unknown>;
  @Field(orFalse, booleanValidator) calculate_record_count!: boolean;
}

/** A value must be given (undefined, null and '' are none). */
const requiredValue: Step = documented((v) => (v === undefined || v === null || v === '' ? new Invalid('Missing value') : v), { presence: 'required' });

export class DatastoreInfoInput {
  @Field((v, o) => v ?? o.id, requiredValue, unicodeSafe, maxLength(100)) resource_id!: string;
}

export class DatastoreSearchInput {
  @Field(noJunk(() => DatastoreSearchInput)) __junk?: never;
  @Field(...resourceIdRequired) resource_id!: string;
  @Field(ignoreMissing, textOrJsonDict) q?: string | Record<string, unknown>;
  @Field(ignoreMissing, unicodeSafe) full_text?: string;
  @Field(ignoreMissing, booleanValidator) plain?: boolean;
  @Field(ignoreMissing, jsonValidator) filters?: unknown;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) language?: string;
  /** Defaulted and capped by the handler (settings DATASTORE_SEARCH_ROWS_DEFAULT / _MAX). */
  @Field(ignoreMissing, naturalNumber) limit?: number;
  @Field(ignoreMissing, intValidator) offset?: number;
  @Field(ignoreMissing, listOfStringsOrString) fields?: string | string[];
  @Field(ignoreMissing, listOfStringsOrString) sort?: string | string[];
  @Field(ignoreMissing, booleanValidator) distinct?: boolean;
  @Field((v) => (v === undefined ? true : v), booleanValidator) include_total!: boolean;
  @Field((v) => (v === undefined || v === '' ? null : v), intValidator) total_estimation_threshold!: number | null;
  @Field((v) => (v === undefined ? 'objects' : v), oneOf(['objects', 'lists', 'csv', 'tsv'])) records_format!: 'objects' | 'lists' | 'csv' | 'tsv';
}
