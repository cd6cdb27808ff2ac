import { ValidationError } from '../api/errors';

/**
 * The column types datastore_create accepts, by the names CKAN's clients send (PostgreSQL type names and
 * their aliases), with the SQL each becomes. CKAN accepts any type PostgreSQL knows (`cast(:type as regtype)`);
 * here the SQL of a type always comes from this table, never from the request. Arrays: `_text` or `text[]`.
 */
const SCALAR_TYPES: Record<string, string> = {
  text: 'text',
  int: 'int4', int4: 'int4', integer: 'int4',
  int2: 'int2', smallint: 'int2',
  int8: 'int8', bigint: 'int8',
  float4: 'float4', real: 'float4',
  float8: 'float8', float: 'float8', 'double precision': 'float8',
  numeric: 'numeric', decimal: 'numeric',
  bool: 'bool', boolean: 'bool',
  date: 'date',
  time: 'time',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  interval: 'interval',
  uuid: 'uuid',
  // CKAN stores `json` in its composite type `nested` and shows it as `json`; here it is PostgreSQL's json.
  json: 'json', nested: 'json',
  jsonb: 'jsonb',
};

/** The SQL type of a CKAN field type, or undefined when it is not one we accept. */
export function sqlType(type: string): string | undefined {
  const t = type.trim().toLowerCase();
  if (SCALAR_TYPES[t]) return SCALAR_TYPES[t];
  const base = t.startsWith('_') ? t.slice(1) : t.endsWith('[]') ? t.slice(0, -2).trim() : undefined;
  const scalar = base !== undefined ? SCALAR_TYPES[base] : undefined;
  return scalar ? `${scalar}[]` : undefined;
}

/** PostgreSQL's limit on identifiers (NAMEDATALEN - 1), in bytes. */
const MAX_NAME_BYTES = 63;

/**
 * is_valid_field_name: not empty, no surrounding whitespace, not starting with `_` (the DataStore's own columns),
 * no `"`. Also no NUL, which PostgreSQL cannot store. Every name is still quoted wherever it is used.
 */
export function isValidFieldName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name === name.trim() && !name.startsWith('_') && !name.includes('"') && !name.includes('\u0000');
}

/** check_fields and create_table's checks on the fields a client names, with CKAN's messages. */
export function checkFieldNames(fields: { id: string; type?: string }[]): void {
  for (const f of fields) {
    if (f.type !== undefined && !sqlType(f.type)) throw new ValidationError({ fields: [`"${f.type}" is not a valid field type`] });
    if (!isValidFieldName(f.id)) throw new ValidationError({ fields: [`"${f.id}" is not a valid field name`] });
  }
  const tooLong = fields.filter((f) => Buffer.byteLength(f.id) > MAX_NAME_BYTES).map((f) => `Column heading "${f.id}" exceeds limit of ${MAX_NAME_BYTES} characters.`);
  if (tooLong.length) throw new ValidationError({ fields: tooLong });
}

const DATE_PATTERNS = [
  /^\d{4}-\d{2}-\d{2}$/, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z?$/,
  /^\d{2}\/\d{2}\/\d{4}$/, /^\d{2}-\d{2}-\d{4}$/,
];

/**
 * _guess_type: the type of a field that has none, from its value in the first record. CKAN compat: a JSON
 * boolean is `bool` here (CKAN guesses `int` from Python's bool and then fails to store it).
 */
export function guessType(value: unknown): string {
  if (value !== null && typeof value === 'object') return 'json';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value !== 'string') return 'text';
  const s = value.trim();
  if (/^[+-]?\d+$/.test(s)) return 'integer';
  if (s !== '' && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return 'numeric';
  if (DATE_PATTERNS.some((p) => p.test(s))) return 'timestamp';
  return 'text';
}

/** datastore_helpers.get_list: a list, or a comma-separated string split and trimmed (quotes stripped when `strip`). */
export function getList(input: unknown, strip = true): unknown[] {
  if (input === undefined || input === null || input === '') return [];
  const items = Array.isArray(input) ? input : String(input).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!strip) return items;
  return items.map((x) => (typeof x === 'string' && x.length && x[0] === x[x.length - 1] ? x.trim().replace(/^"+|"+$/g, '') : x));
}

/** _parse_sort_clause: `field [asc|desc] [nulls first|last]`, the field optionally in double quotes. */
export function parseSortClause(clause: unknown, known: ReadonlySet<string>): { field: string; order: string } | null {
  if (typeof clause !== 'string') return null;
  const m = /^(.+?)( +(asc|desc))?( nulls +(first|last) *)?$/i.exec(clause);
  if (!m) return null;
  let field = m[1];
  if (field.length > 1 && field[0] === '"' && field[field.length - 1] === '"') field = field.slice(1, -1);
  if (!known.has(field)) return null;
  const order = (m[3] ?? 'asc').toLowerCase() + (m[5] ? ` nulls ${m[5].toLowerCase()}` : '');
  return { field, order };
}

/** The columns that get a full-text index of their own under DATASTORE_FTS_INDEX_FIELD_TYPES (`none`: no column). */
export function fullTextIndexedColumns<C extends { type: string }>(columns: C[], setting: string): C[] {
  const types = new Set(setting.toLowerCase().split(/[\s,]+/).filter((t) => t && t !== 'none'));
  return columns.filter((c) => types.has(c.type));
}
