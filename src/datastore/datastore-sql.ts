import type { parse as Parse } from 'libpg-query';
import { NotAuthorized, ValidationError } from '../api/errors';

/** PostgreSQL's parser (WebAssembly), loaded on the first datastore_search_sql: only catalogs that enable it need it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parser = (): typeof Parse => (require('libpg-query') as { parse: typeof Parse }).parse;

/**
 * datastore_search_sql's gate: the SQL a client sends is read by PostgreSQL's own parser (libpg-query, the server's
 * grammar compiled to WebAssembly) and its parse tree is walked. Only one plain SELECT passes: every node must be of a
 * kind on NODE_KINDS, every function on FUNCTIONS, every cast to a type on TYPES, and every table a DataStore table
 * (a resource id, unqualified or in schema `datastore`). The run itself is fenced again by PostgreSQL: a read-only
 * transaction under a role that may only read schema `datastore` (datastore-sql.repository.ts).
 */

/** The kinds of parse-tree nodes a read-only query is made of. Anything else (XMLTABLE, SQL/JSON constructors, TABLESAMPLE…) is refused. */
const NODE_KINDS = new Set([
  'SelectStmt', 'ResTarget', 'ColumnRef', 'A_Star', 'String', 'Integer', 'Float', 'Boolean', 'BitString', 'A_Const',
  'A_Expr', 'BoolExpr', 'NullTest', 'BooleanTest', 'FuncCall', 'TypeCast', 'TypeName', 'RangeVar', 'RangeSubselect',
  'RangeFunction', 'JoinExpr', 'SortBy', 'WithClause', 'CommonTableExpr', 'SubLink', 'CaseExpr', 'CaseWhen',
  'CoalesceExpr', 'MinMaxExpr', 'A_ArrayExpr', 'A_Indirection', 'A_Indices', 'RowExpr', 'WindowDef', 'Alias', 'List',
  'CollateClause', 'SQLValueFunction', 'GroupingSet', 'NamedArgExpr',
]);

/**
 * Built-in functions without side effects, that neither read outside the query's tables nor wait: arithmetic, text,
 * dates, aggregates, window functions, JSON, arrays, full text. Left out on purpose, among others: pg_sleep*,
 * dblink*, lo_*, pg_read_file and friends, set_config, current_setting, nextval/setval, txid/xid functions,
 * pg_advisory_*, pg_terminate_backend, query_to_xml, and repeat/lpad/rpad (one call could ask for a gigabyte).
 */
const FUNCTIONS = new Set(
  `abs ceil ceiling floor round trunc sign sqrt cbrt power pow exp ln log log10 mod div pi degrees radians sin cos tan asin
  acos atan atan2 sind cosd tand width_bucket gcd lcm scale min_scale trim_scale random
  count sum avg min max array_agg string_agg json_agg jsonb_agg json_object_agg jsonb_object_agg bool_and bool_or every
  stddev stddev_pop stddev_samp variance var_pop var_samp corr covar_pop covar_samp regr_slope regr_intercept regr_count
  regr_r2 regr_avgx regr_avgy percentile_cont percentile_disc mode bit_and bit_or any_value
  row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
  length char_length character_length octet_length bit_length lower upper initcap btrim ltrim rtrim substr substring
  position strpos replace concat concat_ws left right reverse split_part translate starts_with format overlay
  regexp_replace regexp_match regexp_matches regexp_split_to_array regexp_split_to_table regexp_like regexp_count
  regexp_instr regexp_substr md5 to_char to_number to_date to_timestamp string_to_array array_to_string quote_ident
  quote_literal quote_nullable ascii chr normalize unistr
  now current_timestamp date_part date_trunc date_bin extract age make_date make_time make_timestamp make_timestamptz
  make_interval justify_days justify_hours justify_interval timezone isfinite clock_timestamp statement_timestamp
  transaction_timestamp
  to_json to_jsonb row_to_json array_to_json json_build_object jsonb_build_object json_build_array jsonb_build_array
  json_object jsonb_object json_array_length jsonb_array_length json_each jsonb_each json_each_text jsonb_each_text
  json_extract_path jsonb_extract_path json_extract_path_text jsonb_extract_path_text json_typeof jsonb_typeof
  jsonb_pretty json_object_keys jsonb_object_keys json_array_elements jsonb_array_elements json_array_elements_text
  jsonb_array_elements_text jsonb_strip_nulls json_strip_nulls jsonb_set jsonb_insert jsonb_path_query
  jsonb_path_query_array jsonb_path_query_first jsonb_path_exists jsonb_path_match
  array_length cardinality unnest array_position array_positions array_remove array_replace array_append array_prepend
  array_cat array_lower array_upper array_dims array_ndims
  to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd ts_headline setweight
  numnode querytree strip ts_delete
  generate_series num_nulls num_nonnulls`.split(/\s+/),
);

/** Types a value may be cast to (with or without `[]`). Not reg* types, which look up the system catalogs. */
const TYPES = new Set(
  `int2 int4 int8 smallint integer int bigint numeric decimal float4 float8 real text varchar bpchar char bool boolean date
  time timetz timestamp timestamptz interval json jsonb uuid tsvector tsquery`.split(/\s+/),
);

/** The schema DataStore tables live in. */
export const DATASTORE_SCHEMA = 'datastore';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const names = (list: unknown): string[] => (Array.isArray(list) ? list.map((n) => (isObject(n) && isObject(n.String) ? String(n.String.sval) : '')) : []);

const refuse = (message: string): ValidationError => new ValidationError({ query: [message] });
const SYSTEM_TABLES = 'Not authorized to access system tables';

/** The statement, without a trailing `;`, ready to be wrapped as a subquery; and the tables it reads (resource ids, unique). */
export interface CheckedSql {
  statement: string;
  tables: string[];
}

/**
 * Parses `sql` and returns its one SELECT and the tables it reads, or throws CKAN's errors: ValidationError on `query`
 * for anything that is not a single read-only SELECT or that PostgreSQL cannot parse, NotAuthorized for system tables,
 * other schemas and functions that are not allowed.
 */
export async function checkSql(sql: string): Promise<CheckedSql> {
  if (sql.includes('\u0000')) throw refuse('Query is not a single statement.');
  let tree: { stmts?: { stmt?: Json; stmt_location?: number; stmt_len?: number }[] };
  try {
    tree = (await parser()(sql)) as typeof tree;
  } catch (err) {
    if (err instanceof RangeError) throw refuse('Query is nested too deeply.');
    throw refuse(err instanceof Error ? err.message : String(err));
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length !== 1) throw refuse('Query is not a single statement.');
  const [{ stmt, stmt_location: location = 0, stmt_len: length = 0 }] = stmts;
  if (!stmt || !isObject(stmt.SelectStmt)) throw refuse('Only a SELECT statement is allowed.');
  const tables = new Set<string>();
  try {
    select(stmt.SelectStmt, new Set(), tables);
  } catch (err) {
    // Thousands of nested expressions: more than the walk's stack holds (PostgreSQL's parser stops at about 10,000).
    if (err instanceof RangeError) throw refuse('Query is nested too deeply.');
    throw err;
  }
  // Locations are byte offsets into the UTF-8 text; a length of 0 means "to the end".
  const bytes = Buffer.from(sql, 'utf8');
  const statement = bytes.subarray(location, length ? location + length : undefined).toString('utf8');
  return { statement, tables: [...tables] };
}

/** A SELECT (also one side of UNION/INTERSECT/EXCEPT): its WITH names are visible in it and in its subqueries. */
function select(s: Json, outer: ReadonlySet<string>, tables: Set<string>): void {
  if (s.intoClause) throw refuse('SELECT ... INTO is not allowed.');
  if (s.lockingClause) throw refuse('Locking clauses (FOR UPDATE, FOR SHARE) are not allowed.');
  let scope = new Set(outer);
  const withClause = s.withClause;
  if (isObject(withClause)) {
    const ctes = (Array.isArray(withClause.ctes) ? withClause.ctes : []).map((c) => (isObject(c) && isObject(c.CommonTableExpr) ? c.CommonTableExpr : {}));
    const cteNames = ctes.map((c) => String(c.ctename));
    // WITH RECURSIVE: every name is visible in every body; otherwise a body sees the names before it.
    if (withClause.recursive) scope = new Set([...scope, ...cteNames]);
    for (const c of ctes) {
      for (const key of Object.keys(c)) if (/^[A-Z]/.test(key)) throw refuse(`${key} is not allowed.`);
      if (c.search_clause || c.cycle_clause) throw refuse('SEARCH and CYCLE clauses are not allowed.');
      const body = c.ctequery;
      if (!isObject(body) || !isObject(body.SelectStmt)) throw refuse('Data-modifying statements in WITH are not allowed.');
      select(body.SelectStmt, scope, tables);
      scope.add(String(c.ctename));
    }
  }
  for (const [key, value] of Object.entries(s)) {
    if (key === 'withClause') continue;
    if ((key === 'larg' || key === 'rarg') && isObject(value)) select(value, scope, tables);
    else walk(value, scope, tables);
  }
}

/** Every node below a SELECT. */
function walk(v: unknown, scope: ReadonlySet<string>, tables: Set<string>): void {
  if (Array.isArray(v)) {
    for (const x of v) walk(x, scope, tables);
    return;
  }
  if (!isObject(v)) return;
  // A relation can sit in a typed field without its node name around it: recognise it by its shape.
  if (typeof v.relname === 'string') return relation(v, scope, tables);
  for (const [key, value] of Object.entries(v)) {
    if (/^[A-Z]/.test(key)) {
      if (!NODE_KINDS.has(key)) throw refuse(`${key} is not allowed.`);
      if (!isObject(value)) continue;
      if (key === 'SelectStmt') select(value, scope, tables);
      else if (key === 'RangeVar') relation(value, scope, tables);
      else if (key === 'FuncCall') {
        functionName(value.funcname);
        walkFields(value, scope, tables);
      } else if (key === 'TypeName') {
        typeName(value);
      } else if (key === 'TypeCast') {
        typeName(value.typeName);
        walkFields(value, scope, tables);
      } else if (key === 'A_Expr') {
        const op = names(value.name);
        if (op.length > 1 && op[0] !== 'pg_catalog') throw new NotAuthorized(`Not authorized to call operator ${op.join('.')}`);
        walkFields(value, scope, tables);
      } else walkFields(value, scope, tables);
    } else if (key === 'typeName') {
      typeName(value);
    } else {
      walk(value, scope, tables);
    }
  }
}

function walkFields(node: Json, scope: ReadonlySet<string>, tables: Set<string>): void {
  for (const [key, value] of Object.entries(node)) {
    if (key === 'typeName') typeName(value);
    else walk(value, scope, tables);
  }
}

/** A table in FROM: a WITH name in scope, or a DataStore table (unqualified or in schema datastore). */
function relation(r: Json, scope: ReadonlySet<string>, tables: Set<string>): void {
  const name = String(r.relname);
  const schema = typeof r.schemaname === 'string' ? r.schemaname : undefined;
  if (r.catalogname) throw new NotAuthorized('Not authorized to read resource.');
  if (schema === undefined && scope.has(name)) {
    walk(r.alias, scope, tables);
    return;
  }
  if (schema === 'pg_catalog' || schema === 'information_schema' || schema?.startsWith('pg_') || (schema === undefined && name.startsWith('pg_'))) {
    throw new NotAuthorized(SYSTEM_TABLES);
  }
  if (schema !== undefined && schema !== DATASTORE_SCHEMA) throw new NotAuthorized('Not authorized to read resource.');
  tables.add(name);
}

function functionName(funcname: unknown): void {
  const parts = names(funcname);
  const name = parts[parts.length - 1] ?? '';
  const schemaOk = parts.length === 1 || (parts.length === 2 && parts[0] === 'pg_catalog');
  if (!schemaOk || !FUNCTIONS.has(name)) throw new NotAuthorized(`Not authorized to call function ${parts.join('.')}`);
}

function typeName(t: unknown): void {
  if (!isObject(t)) return;
  const parts = names(t.names);
  const name = parts[parts.length - 1] ?? '';
  const schemaOk = parts.length === 1 || (parts.length === 2 && parts[0] === 'pg_catalog');
  if (!schemaOk || !TYPES.has(name)) throw refuse(`Casting to type ${parts.join('.')} is not allowed.`);
  if (t.setof || t.pct_type) throw refuse(`Casting to type ${parts.join('.')} is not allowed.`);
}
