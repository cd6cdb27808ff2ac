import { booleanValidator, Field, ignore, ignoreEmpty, ignoreMissing, Invalid, jsonObject, listIfString, listOfStrings, maxItems, maxLength, naturalNumber, notEmpty, runChain, Step, stripValue, unicodeSafe, documented } from '../../api/ckan-schema';
import type { FieldErrors } from '../../api/errors';
import type { ResourceViewRow } from './resource-view.repository';

const ORDER_MAX = 1000;
const text = (max: number): Step[] => [ignoreMissing, unicodeSafe, maxLength(max)];

/**
 * The view types this service knows, each with its plugin's schema (CKAN's IResourceView.info()['schema']): keys a
 * view of that type accepts besides the common ones; CKAN stores them in the view's `config`.
 */
export const VIEW_TYPES: Record<string, Record<string, Step[]>> = {
  image_view: { image_url: [ignoreMissing, unicodeSafe] },
  webpage_view: { page_url: [ignoreMissing, unicodeSafe, stripValue] },
  text_view: {},
  datatables_view: {
    responsive: [ignoreMissing, booleanValidator],
    ellipsis_length: [ignoreMissing, naturalNumber],
    date_format: [ignoreMissing, unicodeSafe],
    show_fields: [ignoreMissing, listOfStrings],
    filterable: [ignoreMissing, booleanValidator],
  },
};

/** View types whose plugin says `filterable` (CKAN's datatables_view): they take filter_fields and filter_values. */
const FILTERABLE = new Set(['datatables_view']);

/** convert_to_list_if_string: one string is a list of one (no splitting at commas). */
const oneItemList: Step = (v) => (typeof v === 'string' ? [v] : v);

/** get_view_plugin: CKAN answers 409 for a type no plugin provides. */
const knownViewType: Step = documented((v) => (typeof v === 'string' && Object.hasOwn(VIEW_TYPES, v) ? v : new Invalid(`No plugin found for view_type ${String(v)}`)), {
  schema: { type: 'string', enum: Object.keys(VIEW_TYPES) },
});

/** default_create_view_schema's common keys; the view type's own keys are checked by viewConfig. */
export class ResourceViewCreateInput {
  /** Sysadmins only (empty_if_not_sysadmin, uuid_validator, resource_view_id_does_not_exist: in the handler). */
  @Field(ignoreEmpty, unicodeSafe, maxLength(100)) id?: string;
  @Field(notEmpty, unicodeSafe, maxLength(100)) resource_id!: string;
  @Field(notEmpty, unicodeSafe, maxLength(1000)) title!: string;
  @Field(...text(100_000)) description?: string;
  @Field(notEmpty, unicodeSafe, knownViewType) view_type!: string;
  /** Sent back from resource_view_show; not stored (the resource's dataset). */
  @Field(ignore) package_id?: unknown;
  @Field(ignore) order?: unknown;
}

/**
 * default_update_resource_view_schema: the view type cannot change, the resource is not moved; a title not given is
 * kept (CKAN 2.11's update schema makes it ignore_missing).
 */
export class ResourceViewUpdateInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignore) resource_id?: unknown;
  @Field(ignoreMissing, unicodeSafe, maxLength(1000)) title?: string;
  @Field(...text(100_000)) description?: string;
  @Field(ignore) view_type?: unknown;
  @Field(ignore) package_id?: unknown;
  @Field(ignore) order?: unknown;
}

export class ResourceViewIdInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
}

/** _get_or_bust's message for a missing key. */
const required: Step = documented((v) => (v === undefined || v === null ? new Invalid('Missing value') : v), { presence: 'required' });

export class ResourceViewReorderInput {
  /** The resource. */
  @Field(required, unicodeSafe, maxLength(100)) id!: string;
  @Field(required, (v) => (Array.isArray(v) ? v : new Invalid('Must supply order as a list')), maxItems(ORDER_MAX, 'views'), listOfStrings,
    (v) => (new Set(v as string[]).size === (v as string[]).length ? v : new Invalid('No duplicates allowed in order')))
  order!: string[];
}

export class ResourceViewClearInput {
  @Field(ignoreMissing, listIfString, listOfStrings) view_types?: string[];
}

/** A dict whose `id` names the object (resource or package dict, as CKAN's *_create_default_resource_views take). */
const dictWithId: Step = (v) => {
  const o = jsonObject(v, {});
  if (o instanceof Invalid) return o;
  if (typeof o !== 'object' || o === null) return new Invalid('Missing value');
  const id = (o as Record<string, unknown>).id;
  return typeof id === 'string' && id !== '' ? o : new Invalid('Missing value: id');
};
documented(dictWithId, { schema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } });

export class ResourceDefaultViewsInput {
  @Field(required, dictWithId) resource!: { id: string };
  @Field(ignore) package?: unknown;
  @Field(ignoreMissing, booleanValidator) create_datastore_views?: boolean;
}

export class PackageDefaultViewsInput {
  @Field(required, dictWithId) package!: { id: string };
  @Field(ignoreMissing, booleanValidator) create_datastore_views?: boolean;
}

const COMMON_KEYS = new Set(['id', 'resource_id', 'title', 'description', 'view_type', 'package_id', 'order']);

/**
 * The view type's keys of a data dict as the view's config (resource_view_dict_save), or the field errors. CKAN's
 * schema ends in `'__extras': [empty]`: any other key is refused.
 */
export function viewConfig(viewType: string, given: Record<string, unknown>): { config: Record<string, unknown>; errors?: FieldErrors } {
  const schema = VIEW_TYPES[viewType] ?? {};
  const config: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  const filterable = FILTERABLE.has(viewType);
  if (filterable) filterConfig(given, config, errors);
  for (const [key, value] of Object.entries(given)) {
    if (COMMON_KEYS.has(key) || value === undefined || (filterable && FILTER_KEYS.has(key))) continue;
    const steps = schema[key];
    if (!steps) {
      errors.__extras = ['The input field __extras was not expected.'];
      continue;
    }
    const out = runChain(steps, value);
    if (out instanceof Invalid) errors[key] = [out.message];
    else if (out !== undefined && out !== null) config[key] = out;
  }
  return Object.keys(errors).length ? { config, errors } : { config };
}

const FILTER_KEYS = new Set(['filter_fields', 'filter_values']);

/**
 * default_create_resource_view_schema_filtered: filter_fields and filter_values (a string is a list of one), of the same
 * length, both given once filter_fields is; they are kept as given and paired into `filters` ({field: [values]}).
 */
function filterConfig(given: Record<string, unknown>, config: Record<string, unknown>, errors: FieldErrors): void {
  const read = (key: string): string[] | undefined => {
    const out = runChain([ignoreMissing, oneItemList, maxItems(ORDER_MAX, 'filters'), listOfStrings], given[key]);
    if (out instanceof Invalid) {
      errors[key] = [out.message];
      return undefined;
    }
    return (out ?? undefined) as string[] | undefined;
  };
  const values = read('filter_values');
  if (values !== undefined) config.filter_values = values;
  if (given.filter_fields === undefined || given.filter_fields === null || errors.filter_values) return;
  const fields = read('filter_fields');
  if (fields === undefined) return;
  config.filter_fields = fields;
  const add = (key: string, message: string): void => {
    errors[key] = [...((errors[key] as string[] | undefined) ?? []), message];
  };
  if (fields.length !== (values ?? []).length) {
    const message = '"filter_fields" and "filter_values" should have the same length';
    add('filter_fields', message);
    add('filter_values', message);
  }
  if (!fields.length) add('filter_fields', '"filter_fields" is required when "filter_values" is filled');
  if (!values?.length) add('filter_values', '"filter_values" is required when "filter_fields" is filled');
  const filters: Record<string, string[]> = {};
  fields.forEach((field, i) => {
    if (i < (values ?? []).length) (filters[field] ??= []).push(values![i]);
  });
  config.filters = filters;
}

export interface ResourceViewDict extends Record<string, unknown> {
  id: string;
  resource_id: string;
  package_id: string;
  title: string;
  description: string | null;
  view_type: string;
}

/** resource_view_dictize: the columns without `order`, the config's keys at the top, and the resource's dataset. */
export const toResourceViewDict = (v: ResourceViewRow, packageId: string): ResourceViewDict => ({
  ...v.config,
  id: v.id,
  resource_id: v.resource_id,
  package_id: packageId,
  title: v.title,
  description: v.description,
  view_type: v.view_type,
});
