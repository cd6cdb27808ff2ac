import type { AnyAction } from './action';
import { scopeOf } from './action';
import { inputParams, JsonSchema, ParamDoc } from './input-schema';
import type { TokenScope } from './token-scope';
import type { FileFieldsDoc } from './uploads';

/**
 * The structured API documentation: every registered action with its help, methods, parameters, who may call it and
 * a copyable example, generated from the action registry. The OpenAPI document (openapi.ts) and the `/api` page are
 * both made from it, so neither can drift from what the dispatcher runs.
 */
export interface ActionDoc {
  name: string;
  /** The family the action belongs to (package, resource, datastore, …): a tag in OpenAPI, a section on the page. */
  family: string;
  /** The help text's first sentence. */
  summary: string;
  /** The action's whole help text (help_show). */
  help: string;
  /** GET only for side-effect-free actions; POST for all. */
  methods: ('GET' | 'POST')[];
  /** Callable without an API token (its own auth rule may still refuse). */
  anonymous: boolean;
  /** The API token scope a call needs (token-scope.ts). */
  scope: TokenScope;
  /** The help's "Who may call:" sentence, when it has one. */
  whoMayCall?: string;
  /** Takes files as multipart/form-data (CKAN's resource upload): in which fields, after which. */
  files?: FileFieldsDoc;
  params: ParamDoc[];
  example: ActionExample;
}

export interface ActionExample {
  /** The data dict the example sends. */
  params: Record<string, unknown>;
  method: 'GET' | 'POST';
  /** A copyable curl command line. */
  curl: string;
  /** Actions that take files: the same call as a multipart/form-data upload of a local file. */
  uploadCurl?: string;
  /** Chosen by hand in the action's definition (else made from the input schema). */
  handPicked: boolean;
}

/**
 * The action families, in the order the documentation lists them, with their descriptions. An action belongs to the
 * family of the longest prefix it starts with (familyOf); an unlisted prefix makes its own family.
 */
export const ACTION_FAMILIES: { name: string; prefixes: string[]; description: string }[] = [
  { name: 'package', prefixes: ['package_', 'current_package_', 'dataset_', 'bulk_', 'format_autocomplete', 'license_'], description: 'Datasets (CKAN packages): read, search, create, update, share and publish' },
  { name: 'resource', prefixes: ['resource_'], description: 'Resources of a dataset, file uploads and resource views' },
  { name: 'organization', prefixes: ['organization_'], description: 'Organizations (publishers) and their members' },
  { name: 'group', prefixes: ['group_', 'member_'], description: 'Groups (themes) and memberships of groups and organizations' },
  { name: 'tag', prefixes: ['tag_', 'vocabulary_'], description: 'Tags and tag vocabularies' },
  { name: 'user', prefixes: ['user_', 'api_token_', 'follow', 'unfollow', 'am_following', 'followee_', ...['dataset', 'group', 'organization'].flatMap((o) => [`${o}_follower_`, `${o}_followee_`])], description: 'Users, API tokens and following' },
  { name: 'activity', prefixes: ['activity_', 'recently_changed_', 'package_activity', 'group_activity', 'organization_activity', 'user_activity', 'dashboard_'], description: 'The activity stream' },
  { name: 'datastore', prefixes: ['datastore_', 'xloader_'], description: 'DataStore tables: search, write and load files (ckanext-datastore, ckanext-xloader)' },
  { name: 'dcat', prefixes: ['dcat_'], description: 'DCAT-AP.de: RDF serialisation and validation (ckanext-dcat)' },
  { name: 'harvest', prefixes: ['harvest'], description: 'Harvest sources, jobs and objects (ckanext-harvest)' },
  { name: 'sensor', prefixes: ['sensor_'], description: 'Sensor sources and live data (see also the SensorThings API)' },
  { name: 'site', prefixes: ['site_', 'status_', 'help_', 'config_option_', 'get_site_user', 'job_'], description: 'The site: status, help, configuration and background jobs' },
];

/** The family of an action by its name: the family with the longest prefix the name starts with (`package_activity_list` → activity). */
export function familyOf(name: string): string {
  let best: { family: string; length: number } | undefined;
  for (const f of ACTION_FAMILIES) {
    for (const p of f.prefixes) if (name.startsWith(p) && p.length > (best?.length ?? 0)) best = { family: f.name, length: p.length };
  }
  return best?.family ?? name.split('_')[0];
}

/** The help's first sentence (up to the first ". " or line break). */
export function summaryOf(help: string): string {
  const first = help.split(/\n/)[0];
  const end = first.search(/\.(\s|$)/);
  return (end >= 0 ? first.slice(0, end + 1) : first).trim();
}

/** The text inside the parentheses that open at `open`, nested ones included. */
function balanced(s: string, open: number): string | undefined {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return s.slice(open + 1, i);
  }
  return undefined;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What the help's "Params:" part says about each parameter written as `name (what it is)`. */
export function paramDescriptions(help: string, names: string[]): Record<string, string> {
  const at = help.search(/Params?:|Parameters:/);
  if (at < 0) return {};
  const text = help.slice(at);
  const out: Record<string, string> = {};
  for (const name of names) {
    const m = new RegExp(`(^|[\\s,;:(])${escapeRe(name)} \\(`).exec(text);
    if (!m) continue;
    const inner = balanced(text, m.index + m[0].length - 1);
    if (inner) out[name] = inner.replace(/\s+/g, ' ').trim();
  }
  return out;
}

/** The help's "Who may call: …" sentence. */
export function whoMayCallOf(help: string): string | undefined {
  const m = /Who may call:\s*([\s\S]*?)(?:\.(?:\s|$)|$)/.exec(help);
  return m ? m[1].replace(/\s+/g, ' ').trim() : undefined;
}

const EXAMPLE_UUID = '3f1e9c2a-5b7d-4e8f-9a0b-1c2d3e4f5a6b';

/** A plausible value for a parameter, from its schema and name (for examples made from the input schema). */
export function exampleValue(name: string, schema: JsonSchema): unknown {
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  switch (schema.type) {
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' && schema.minimum > 0 ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'array': {
      const items = (schema.items ?? {}) as JsonSchema;
      return items.type === 'object' ? [exampleObject(items)] : [exampleValue(name.replace(/s$/, ''), items)];
    }
    case 'object':
      return exampleObject(schema);
  }
  if (schema.format === 'uuid' || /(^|_)(resource_)?id$/.test(name)) return name === 'id' || name.endsWith('_id') ? EXAMPLE_UUID : 'beispiel';
  if (schema.format === 'email') return 'info@example.org';
  if (schema.format === 'date-time') return '2026-01-15T08:00:00';
  if (/url$/.test(name)) return 'https://example.org/daten.csv';
  if (name === 'name' || name.endsWith('_name')) return 'beispiel';
  if (name === 'q') return 'Beispiel';
  return 'beispiel';
}

function exampleObject(schema: JsonSchema): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema.required ?? []) as string[];
  return Object.fromEntries(required.map((k) => [k, exampleValue(k, props[k] ?? {})]));
}

/** A value as GET sends it: strings as they are, anything else as JSON text (CKAN parses it). */
const queryValue = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The query string of a GET call with these parameters. */
export const exampleQuery = (params: Record<string, unknown>): string =>
  new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, queryValue(v)])).toString();

/** The curl command line of a multipart upload: the scalar parameters as form fields, then a local file in `field`. */
export function uploadCurlOf(siteUrl: string, name: string, params: Record<string, unknown>, field = 'upload'): string {
  const fields = Object.entries(params)
    .filter(([k, v]) => k !== 'url' && (typeof v !== 'object' || v === null))
    .map(([k, v]) => ` -F ${shellQuote(`${k}=${String(v)}`)}`)
    .join('');
  return `curl -X POST -H "Authorization: $CKAN_API_TOKEN"${fields} -F ${field}=@daten.csv ${shellQuote(`${siteUrl}/api/3/action/${name}`)}`;
}

/** The curl command line of a call. */
export function curlOf(siteUrl: string, name: string, method: 'GET' | 'POST', params: Record<string, unknown>, withToken: boolean): string {
  const url = `${siteUrl}/api/3/action/${name}`;
  const auth = withToken ? ' -H "Authorization: $CKAN_API_TOKEN"' : '';
  if (method === 'GET') {
    const qs = exampleQuery(params);
    return `curl${auth} ${shellQuote(qs ? `${url}?${qs}` : url)}`;
  }
  return `curl -X POST${auth} -H 'Content-Type: application/json' ${shellQuote(url)} -d ${shellQuote(JSON.stringify(params))}`;
}

/** One action's documentation. `files`: where the upload receiver takes files for it, if it does. */
export function actionDoc(action: AnyAction, siteUrl: string, files?: FileFieldsDoc): ActionDoc {
  // Keys starting with "__" are internal (CKAN's __junk, __extras), not parameters.
  const params = inputParams(action.input).filter((p) => !p.name.startsWith('__'));
  const described = paramDescriptions(action.help, params.map((p) => p.name));
  for (const p of params) {
    if (described[p.name]) p.schema = { ...p.schema, description: p.schema.description ? `${described[p.name]}; ${String(p.schema.description)}` : described[p.name] };
  }
  const methods: ('GET' | 'POST')[] = action.sideEffectFree ? ['GET', 'POST'] : ['POST'];
  const exampleParams = action.example ?? Object.fromEntries(params.filter((p) => p.required).map((p) => [p.name, exampleValue(p.name, p.schema)]));
  const method = methods[0];
  return {
    name: action.name,
    family: familyOf(action.name),
    summary: summaryOf(action.help),
    help: action.help,
    methods,
    anonymous: action.anonymous,
    scope: scopeOf(action),
    whoMayCall: whoMayCallOf(action.help),
    ...(files ? { files } : {}),
    params,
    example: {
      params: exampleParams,
      method,
      curl: curlOf(siteUrl, action.name, method, exampleParams, !action.anonymous),
      ...(files?.field ? { uploadCurl: uploadCurlOf(siteUrl, action.name, exampleParams, files.field) } : {}),
      handPicked: !!action.example,
    },
  };
}
