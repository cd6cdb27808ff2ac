import { Injectable } from '@nestjs/common';
import { escapeIdentifier as q } from 'pg';
import { Readable } from 'node:stream';
import QueryStream from 'pg-query-stream';
import { EntityManager } from 'typeorm';
import { transactionClient } from '../database/pg-client';
import { Column, fullTextExpression, tableName } from './datastore-table.repository';

/** What an INSERT needs to compute `_full_text`: the table's columns in order and its text search configuration. */
export interface FullTextSource {
  columns: Column[];
  language: string;
}

export type RecordsFormat = 'objects' | 'lists' | 'csv' | 'tsv';

/** What datastore_search asks, checked against the table's columns (datastore-search.ts) before it gets here. */
export interface SearchPlan {
  resourceId: string;
  /** The table's columns with `_id` first. */
  columns: Column[];
  language: string;
  plain: boolean;
  filters: Record<string, unknown>;
  /** Full text over `_full_text` (`q` as a string, or `full_text`). */
  text?: string;
  /** `q` as a dict: full text per column. */
  textByField: Record<string, string>;
  /** The output fields in order: column names and rank columns (`rank`, `rank <field>`). */
  fields: string[];
  sort: { field: string; order: string }[];
  distinct: boolean;
  /** null: all rows (dumps). */
  limit: number | null;
  offset: number;
  format: RecordsFormat;
}

/** The WHERE clause, the text queries joined in FROM, and the rank expressions, with their parameters. */
interface Conditions {
  from: string;
  where: string;
  /** Rank expressions by output name, over columns prefixed with `a` (`"_z".` in the outer query, '' inside). */
  ranks: Map<string, (a: string) => string>;
  params: unknown[];
}

const TEXT_INDEXED_TYPES = new Set(['text', 'tsvector']);

/** Filters, `q` and `full_text` as SQL (CKAN's _where_clauses and _textsearch_query). Values are always parameters. */
function conditions(p: SearchPlan): Conditions {
  const params: unknown[] = [];
  const param = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const types = new Map(p.columns.map((c) => [c.id, c.type]));
  const where: string[] = [];
  for (const [field, value] of Object.entries(p.filters)) {
    const type = types.get(field);
    if (type === undefined) continue;
    const isArray = type.startsWith('_');
    // PostgreSQL compares int_field = '10' but not text_field = 10: text columns get text (CKAN does the same).
    const asText = (v: unknown): unknown => (type === 'text' && v !== null ? (typeof v === 'object' ? JSON.stringify(v) : String(v)) : v);
    if (Array.isArray(value) && !isArray) {
      // One array parameter of the column's own type (its name from pg_type, quoted), however long the list.
      where.push(`${q(field)} = ANY(${param(value.map(asText))}::${q(field === '_id' ? 'int4' : type)}[])`);
    } else {
      where.push(`${q(field)} = ${param(asText(value))}`);
    }
  }
  const fn = p.plain ? 'plainto_tsquery' : 'to_tsquery';
  const lang = () => `${param(p.language)}::regconfig`;
  const from: string[] = [];
  const ranks = new Map<string, (a: string) => string>();
  if (p.text !== undefined) {
    from.push(`${fn}(${lang()}, ${param(p.text)}) AS "_q"`);
    where.push(`"_full_text" @@ "_q"`);
    ranks.set('rank', (a) => `ts_rank(${a}"_full_text", ${a}"_q", 32)`);
  }
  Object.entries(p.textByField).forEach(([field, text], i) => {
    const type = types.get(field);
    if (type === undefined) return;
    const alias = q(`_q${i}`);
    from.push(`${fn}(${lang()}, ${param(text)}) AS ${alias}`);
    if (!TEXT_INDEXED_TYPES.has(type)) where.push(`"_full_text" @@ ${alias}`);
    const config = lang();
    const vector = (a: string): string => `to_tsvector(${config}, cast(${a}${q(field)} AS text))`;
    where.push(`${vector('')} @@ ${alias}`);
    ranks.set(`rank ${field}`, (a) => `ts_rank(${vector(a)}, ${a}${alias}, 32)`);
  });
  return {
    from: from.map((f) => `, ${f}`).join(''),
    where: where.length ? `WHERE ${where.map((w) => `(${w})`).join(' AND ')}` : '',
    ranks,
    params,
  };
}

/** One output field as an SQL expression over the inner query `z` (CKAN's select columns per records_format). */
function selectExpr(field: string, type: string | undefined, c: Conditions, format: RecordsFormat): string {
  const rank = c.ranks.get(field);
  let e = rank ? rank('"_z".') : `"_z".${q(field)}`;
  // CKAN writes timestamps without fractions of a second.
  if (type === 'timestamp') e = `to_char(${e}, 'YYYY-MM-DD"T"HH24:MI:SS')`;
  if (format === 'objects') return `${e} AS ${q(field)}`;
  if (format === 'lists') return `coalesce(to_json(${e})::text, 'null')`;
  return csvQuoted(textOf(e, type), format === 'tsv' ? 'E\'\\t\'' : `','`);
}

/** A field's value as the text a csv/tsv cell holds, before quoting. */
function textOf(e: string, type: string | undefined): string {
  if (type?.startsWith('_')) return `coalesce(array_to_json(${e})::text, 'null')`;
  if (type === 'json' || type === 'jsonb') return `coalesce(${e}::text, 'null')`;
  return `(${e})::text`;
}

/**
 * csv/tsv lines over the inner query: each field's text is made once in a subquery (OFFSET 0 keeps PostgreSQL from
 * folding it into the line, where the quoting would make it again for every test), then quoted and joined.
 */
function delimitedLines(fields: string[], types: Map<string, string>, c: Conditions, format: 'csv' | 'tsv', inner: string, distinct: string): string {
  const sep = format === 'tsv' ? `E'\\t'` : `','`;
  const texts = fields.map((f, i) => {
    const rank = c.ranks.get(f);
    let e = rank ? rank('"_z".') : `"_z".${q(f)}`;
    if (types.get(f) === 'timestamp') e = `to_char(${e}, 'YYYY-MM-DD"T"HH24:MI:SS')`;
    return `${textOf(e, types.get(f))} AS "_t${i}"`;
  });
  const line = fields.map((_, i) => csvQuoted(`"_y"."_t${i}"`, sep)).join(` || ${sep} || `);
  return `SELECT ${distinct}${line} || E'\\n' AS "_v" FROM (SELECT ${texts.join(', ')} FROM (${inner}) AS "_z" OFFSET 0) AS "_y"`;
}

/** A text value as PostgreSQL's COPY … CSV writes it: NULL empty, quoted when empty or holding the delimiter, a quote or a line break. */
function csvQuoted(x: string, delimiter: string): string {
  return `CASE WHEN ${x} IS NULL THEN '' WHEN ${x} = '' OR ${x} = '\\.' OR strpos(${x}, ${delimiter}) > 0 OR strpos(${x}, '"') > 0 OR strpos(${x}, E'\\n') > 0 OR strpos(${x}, E'\\r') > 0
    THEN '"' || replace(${x}, '"', '""') || '"' ELSE ${x} END`;
}

/** The matching rows in order, one page of them (`LIMIT NULL`: all). */
function innerSelect(p: SearchPlan, c: Conditions): string {
  const rankOf = (f: string): string | undefined => c.ranks.get(f)?.('');
  const order = p.sort.length ? p.sort.map((s) => `${rankOf(s.field) ?? q(s.field)} ${s.order}`) : [...c.ranks.values()].map((r) => `${r('')} DESC`);
  if (!order.length && !p.distinct) order.push('"_id"');
  const limit = `$${c.params.push(p.limit)}`;
  const offset = `$${c.params.push(p.offset)}`;
  return `SELECT * FROM ${tableName(p.resourceId)}${c.from} ${c.where} ${order.length ? `ORDER BY ${order.join(', ')}` : ''} LIMIT ${limit} OFFSET ${offset}`;
}

/**
 * What a dump reads per row: `csv`/`tsv` one line of text as datastore_search's records_format writes it (with its
 * line break), `json` one JSON list, `values` each field as its JSON text.
 */
export type DumpRows = 'csv' | 'tsv' | 'json' | 'values';

/**
 * The rows of the DataStore's tables: inserts (one statement per batch, through json_populate_recordset, so each
 * value is converted by the column's own type), CKAN's update and upsert per record, deletes by filters, and
 * datastore_search's queries. Identifiers are quoted with pg's escapeIdentifier; values are parameters.
 */
@Injectable()
export class DatastoreRecordsRepository {
  /**
   * INSERT a batch; `_full_text` is computed in the statement from `table` (all the table's columns, in order, and its
   * text search configuration), not row by row in the trigger.
   */
  async insert(db: EntityManager, resourceId: string, columns: string[], records: Record<string, unknown>[], table: FullTextSource): Promise<void> {
    if (!records.length || !columns.length) return;
    const cols = columns.map((c) => q(c));
    await db.query(
      `INSERT INTO ${tableName(resourceId)} (${cols.join(', ')}, "_full_text")
       SELECT ${cols.map((c) => `"_r".${c}`).join(', ')}, ${fullTextExpression('"_r"', table.columns, table.language)}
         FROM json_populate_recordset(NULL::${tableName(resourceId)}, $1::json) "_r"`,
      [JSON.stringify(records)],
    );
  }

  /** Whether PostgreSQL reads two of the records as the same key ('5' and 5 in an int column, or two NULL keys). */
  async hasRepeatedKey(db: EntityManager, resourceId: string, key: string[], records: Record<string, unknown>[]): Promise<boolean> {
    const t = tableName(resourceId);
    const row = key.map((k) => `"_r".${q(k)}`).join(', ');
    const rows: { repeated: boolean }[] = await db.query(
      `SELECT count(*) <> count(DISTINCT ROW(${row}, 0)) AS repeated FROM json_populate_recordset(NULL::${t}, $1::json) "_r"`,
      [JSON.stringify(records)],
    );
    return rows[0].repeated;
  }

  /**
   * CKAN's upsert (UPDATE by key, else INSERT) for a batch in one statement: records that share their columns, keyed by
   * the table's unique key, no key twice. Both halves see the table as it was, so an updated key is not inserted too.
   */
  async upsertMany(db: EntityManager, resourceId: string, columns: string[], key: string[], records: Record<string, unknown>[], table: FullTextSource): Promise<void> {
    const t = tableName(resourceId);
    const cols = columns.map((c) => q(c));
    const set = [...columns.filter((c) => !key.includes(c)).map((c) => `${q(c)} = "_r".${q(c)}`), '"_full_text" = NULL'];
    const match = (a: string): string => `(${key.map((k) => `${a}.${q(k)}`).join(', ')}) = (${key.map((k) => `"_r".${q(k)}`).join(', ')})`;
    await db.query(
      `WITH "_r" AS (SELECT * FROM json_populate_recordset(NULL::${t}, $1::json)),
            "_u" AS (UPDATE ${t} AS "_t" SET ${set.join(', ')} FROM "_r" WHERE ${match('"_t"')} RETURNING 1)
       INSERT INTO ${t} (${cols.join(', ')}, "_full_text") SELECT ${cols.map((c) => `"_r".${c}`).join(', ')}, ${fullTextExpression('"_r"', table.columns, table.language)} FROM "_r"
        WHERE NOT EXISTS (SELECT 1 FROM ${t} "_x" WHERE ${match('"_x"')})`,
      [JSON.stringify(records)],
    );
  }

  /** UPDATE one record by its key (or `_id`); `_full_text` is recomputed. Returns the number of rows changed. */
  async update(db: EntityManager, resourceId: string, columns: string[], key: string[], record: Record<string, unknown>): Promise<number> {
    const t = tableName(resourceId);
    const set = [...columns.map((c) => q(c)), '"_full_text"'];
    const values = [...columns.map((c) => `"_r".${q(c)}`), 'NULL::tsvector'];
    const rows: { n: number }[] = await db.query(
      `WITH "_r" AS (SELECT * FROM json_populate_record(NULL::${t}, $1::json)),
            "_u" AS (UPDATE ${t} SET (${set.join(', ')}) = (SELECT ${values.join(', ')} FROM "_r")
                   WHERE (${key.map((k) => q(k)).join(', ')}) = (SELECT ${key.map((k) => `"_r".${q(k)}`).join(', ')} FROM "_r") RETURNING 1)
       SELECT count(*)::int AS n FROM "_u"`,
      [JSON.stringify(record)],
    );
    return rows[0].n;
  }

  /** INSERT one record unless a row with its key exists (the second half of CKAN's upsert). */
  async insertIfAbsent(db: EntityManager, resourceId: string, columns: string[], key: string[], record: Record<string, unknown>): Promise<void> {
    const t = tableName(resourceId);
    const cols = columns.map((c) => q(c));
    await db.query(
      `INSERT INTO ${t} (${cols.join(', ')})
       SELECT ${cols.map((c) => `"_r".${c}`).join(', ')} FROM json_populate_record(NULL::${t}, $1::json) "_r"
        WHERE NOT EXISTS (SELECT 1 FROM ${t} "_x" WHERE (${key.map((k) => `"_x".${q(k)}`).join(', ')}) = (${key.map((k) => `"_r".${q(k)}`).join(', ')}))`,
      [JSON.stringify(record)],
    );
  }

  /** DELETE the rows that match the filters (all rows for none). */
  async delete(db: EntityManager, resourceId: string, columns: Column[], filters: Record<string, unknown>): Promise<void> {
    const c = conditions({ resourceId, columns, filters, textByField: {}, language: 'simple', plain: true, fields: [], sort: [], distinct: false, limit: 0, offset: 0, format: 'objects' });
    await db.query(`DELETE FROM ${tableName(resourceId)} ${c.where}`, c.params);
  }

  /** One page of records, serialized by PostgreSQL in the requested format (JSON text, or CSV/TSV text). */
  async page(db: EntityManager, p: SearchPlan): Promise<string | null> {
    const c = conditions(p);
    const types = new Map(p.columns.map((col) => [col.id, col.type]));
    const inner = innerSelect(p, c);
    const distinct = p.distinct ? 'DISTINCT ' : '';
    const exprs = p.fields.map((f) => selectExpr(f, types.get(f), c, p.format));
    let sql: string;
    if (p.format === 'objects') {
      sql = `SELECT array_to_json(array_agg("_j"))::text AS v FROM (SELECT ${distinct}${exprs.join(', ')} FROM (${inner}) AS "_z") AS "_j"`;
    } else if (p.format === 'lists') {
      sql = `SELECT '[' || array_to_string(array_agg("_j"."_v"), ',') || ']' AS v FROM (SELECT ${distinct}'[' || ${exprs.join(` || ',' || `)} || ']' AS "_v" FROM (${inner}) AS "_z") AS "_j"`;
    } else {
      sql = `SELECT string_agg("_j"."_v", '') AS v FROM (${delimitedLines(p.fields, types, c, p.format, inner, distinct)}) AS "_j"`;
    }
    const rows: { v: string | null }[] = await db.query(sql, c.params);
    return rows[0]?.v ?? null;
  }

  /**
   * A dump's rows, read through a cursor as the consumer takes them (pg-query-stream), so memory stays flat for any
   * table size. Each row is an array: one text for csv/tsv/json, one JSON text per field for `values`. Must run in a
   * transaction, which the stream's consumer keeps open until the stream ends.
   */
  async stream(db: EntityManager, p: SearchPlan, rows: DumpRows): Promise<Readable> {
    const c = conditions(p);
    const types = new Map(p.columns.map((col) => [col.id, col.type]));
    const inner = innerSelect(p, c);
    const distinct = p.distinct ? 'DISTINCT ' : '';
    let select: string;
    if (rows === 'csv' || rows === 'tsv') {
      const client = await transactionClient(db);
      return client.query(new QueryStream(delimitedLines(p.fields, types, c, rows, inner, distinct), c.params, { rowMode: 'array', batchSize: 500, highWaterMark: 500 }));
    }
    if (rows === 'json') {
      select = `'[' || ${p.fields.map((f) => selectExpr(f, types.get(f), c, 'lists')).join(` || ',' || `)} || ']'`;
    } else {
      select = p.fields.map((f, i) => `${selectExpr(f, types.get(f), c, 'lists')} AS "_v${i}"`).join(', ');
    }
    const client = await transactionClient(db);
    return client.query(new QueryStream(`SELECT ${distinct}${select} FROM (${inner}) AS "_z"`, c.params, { rowMode: 'array', batchSize: 500, highWaterMark: 500 }));
  }

  /** The number of matching rows (of distinct output rows with `distinct`). */
  async count(db: EntityManager, p: SearchPlan): Promise<number> {
    const c = conditions(p);
    const base = `SELECT * FROM ${tableName(p.resourceId)}${c.from} ${c.where}`;
    const types = new Map(p.columns.map((col) => [col.id, col.type]));
    const sql = p.distinct
      ? `SELECT count(*) AS n FROM (SELECT DISTINCT ${p.fields.map((f) => selectExpr(f, types.get(f), c, 'objects')).join(', ')} FROM (${base}) AS "_z") AS "_d"`
      : `SELECT count(*) AS n FROM (${base}) AS "_z"`;
    const rows: { n: string }[] = await db.query(sql, c.params);
    return Number(rows[0].n);
  }
}
