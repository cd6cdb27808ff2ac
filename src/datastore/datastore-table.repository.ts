import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { EntityManager } from 'typeorm';
import { isUuid } from '../api/ckan-schema';
import { preparedQuery } from '../database/prepared';

/** A DataStore table's row in `datastore_table`. */
export interface TableRow {
  resource_id: string;
  package_id: string;
  fts_language: string;
  /** A view over data the service writes itself (a sensor datastream's observations): the DataStore's writes refuse it. */
  read_only?: boolean;
}

/** A column as PostgreSQL holds it: its name and its type's name (`int4`, `text`, `_text`, `timestamp`). */
export interface Column {
  id: string;
  type: string;
}

export interface ColumnSchema {
  native_type: string;
  notnull: boolean;
  index_name: string | null;
  is_index: boolean;
  uniquekey: boolean;
}

/** The table of a resource, schema-qualified; both parts quoted, whatever the id holds. */
export const tableName = (resourceId: string): string => `datastore.${escapeIdentifier(resourceId)}`;
const q = escapeIdentifier;

/**
 * The trigger that keeps `_full_text` (CKAN's zfulltext): it runs the function only for a row whose `_full_text` is
 * NULL, which is when the function did anything at all (it returns a row with one unchanged). Our own inserts compute
 * `_full_text` in the statement (fullTextExpression), so the trigger costs them nothing; a COPY, an UPDATE that sets it
 * to NULL and any other writer still get it from the trigger.
 */
export const fullTextTrigger = (table: string, language: string): string =>
  `CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW WHEN (NEW."_full_text" IS NULL) EXECUTE FUNCTION datastore.populate_full_text(${escapeLiteral(language)})`;

/**
 * `_full_text` of a row computed in an INSERT, equal to what datastore.populate_full_text makes of it: the user columns'
 * values in column order as row_to_json renders them (text as it is, other types as their JSON text), NULLs left out,
 * joined by spaces. `alias` is the row's source in the statement; columns are the table's, in order.
 */
export function fullTextExpression(alias: string, columns: Column[], language: string): string {
  const values = columns
    .filter((c) => !c.id.startsWith('_'))
    .map((c) => (c.type === 'text' ? `${alias}.${q(c.id)}` : `to_json(${alias}.${q(c.id)}) #>> '{}'`));
  return `to_tsvector(${escapeLiteral(language)}::regconfig, concat_ws(' '${values.map((v) => `, ${v}`).join('')}))`;
}

/** CKAN's _generate_index_name: sha1 of the resource id and the indexed expression, so names are unique per table. */
const indexName = (resourceId: string, expr: string): string => createHash('sha1').update(resourceId + expr, 'utf8').digest('hex');

/**
 * Every statement on the DataStore's tables except the rows' (datastore-records.repository.ts): their catalog row,
 * DDL, comments (CKAN's data dictionary: `info` as a JSON column comment), indexes and statistics. Names of tables,
 * columns and indexes are always quoted with pg's escapeIdentifier; types come from datastore-fields.ts.
 */
@Injectable()
export class DatastoreTableRepository {
  /** Serializes writes to one resource's table until the transaction ends. */
  async lock(db: EntityManager, resourceId: string): Promise<void> {
    await db.query(`SELECT pg_advisory_xact_lock(hashtext('datastore:' || $1))`, [resourceId]);
  }

  /** A search's transaction can read only (must come before its first query). */
  async readOnly(db: EntityManager): Promise<void> {
    await db.query(`SET TRANSACTION READ ONLY`);
  }

  /** Statement timeout for the rest of the transaction (CKAN's 60 s on every DataStore statement). */
  async timeout(db: EntityManager, ms: number): Promise<void> {
    await db.query(`SELECT set_config('statement_timeout', $1, true)`, [String(ms)]);
  }

  /** dry_run: a savepoint inside the action's transaction that the writes are rolled back to. */
  async savepoint(db: EntityManager, name: 'datastore_dry_run'): Promise<void> {
    await db.query(`SAVEPOINT ${name}`);
  }

  async rollbackToSavepoint(db: EntityManager, name: 'datastore_dry_run'): Promise<void> {
    await db.query(`ROLLBACK TO SAVEPOINT ${name}`);
  }


  /** The table of a resource id; anything that is no resource id has none. */
  async find(db: EntityManager, resourceId: string): Promise<TableRow | null> {
    if (!isUuid(resourceId)) return null;
    const rows: TableRow[] = await db.query(`SELECT resource_id, package_id, fts_language, read_only FROM datastore_table WHERE resource_id = $1::uuid`, [resourceId]);
    return rows[0] ?? null;
  }

  async ofDatasets(db: EntityManager, packageIds: string[]): Promise<TableRow[]> {
    // Prepared: asked on every dataset write and dict build, where planning cost more than the lookup.
    return preparedQuery<TableRow>(db, 'datastore-tables-of-datasets', `SELECT resource_id, package_id, fts_language, read_only FROM datastore_table WHERE package_id = ANY($1::uuid[])`, [packageIds]);
  }

  /** Whether a text search configuration of this name exists. */
  async isTextSearchConfig(db: EntityManager, name: string): Promise<boolean> {
    const rows: unknown[] = await db.query(`SELECT 1 FROM pg_ts_config WHERE cfgname = $1`, [name]);
    return rows.length > 0;
  }

  /** CREATE TABLE with CKAN's `_id` and `_full_text`, the full-text trigger, and the catalog row. */
  async create(db: EntityManager, t: TableRow, columns: { id: string; sql: string }[]): Promise<void> {
    const cols = [`"_id" serial PRIMARY KEY`, `"_full_text" tsvector`, ...columns.map((c) => `${q(c.id)} ${c.sql}`)];
    await db.query(`CREATE TABLE ${tableName(t.resource_id)} (${cols.join(', ')})`);
    await db.query(fullTextTrigger(tableName(t.resource_id), t.fts_language));
    await db.query(`INSERT INTO datastore_table (resource_id, package_id, fts_language) VALUES ($1, $2, $3)`, [t.resource_id, t.package_id, t.fts_language]);
  }

  async addColumns(db: EntityManager, resourceId: string, columns: { id: string; sql: string }[]): Promise<void> {
    if (!columns.length) return;
    await db.query(`ALTER TABLE ${tableName(resourceId)} ${columns.map((c) => `ADD COLUMN ${q(c.id)} ${c.sql}`).join(', ')}`);
  }

  async dropColumns(db: EntityManager, resourceId: string, names: string[]): Promise<void> {
    if (!names.length) return;
    await db.query(`ALTER TABLE ${tableName(resourceId)} ${names.map((n) => `DROP COLUMN ${q(n)}`).join(', ')}`);
  }

  /** Drops the resource's table, or its view (a read-only one, see createView), and its catalog row. */
  async drop(db: EntityManager, resourceId: string): Promise<void> {
    const kind: { relkind: string }[] = await db.query(`SELECT relkind FROM pg_class WHERE oid = to_regclass($1)`, [tableName(resourceId)]);
    if (kind[0]?.relkind === 'v') await db.query(`DROP VIEW IF EXISTS ${tableName(resourceId)} CASCADE`);
    else await db.query(`DROP TABLE IF EXISTS ${tableName(resourceId)} CASCADE`);
    await db.query(`DELETE FROM datastore_table WHERE resource_id = $1`, [resourceId]);
  }

  /**
   * A read-only "table": a view named by the resource id over `select`, which must yield `_id`, `_full_text` (a
   * tsvector in the configuration `t.fts_language`) and the fields. `select` comes from the service's own code, never
   * from a client. Replaces the view when it exists (same columns), and marks the catalog row read-only.
   */
  async createView(db: EntityManager, t: TableRow, select: string): Promise<void> {
    await db.query(`CREATE OR REPLACE VIEW ${tableName(t.resource_id)} AS ${select}`);
    await db.query(
      `INSERT INTO datastore_table (resource_id, package_id, fts_language, read_only) VALUES ($1, $2, $3, true)
       ON CONFLICT (resource_id) DO UPDATE SET package_id = EXCLUDED.package_id, fts_language = EXCLUDED.fts_language, read_only = true`,
      [t.resource_id, t.package_id, t.fts_language],
    );
  }

  /** Whether the resource's table is a view (datastore_info's table_type). */
  async isView(db: EntityManager, resourceId: string): Promise<boolean> {
    const kind: { relkind: string }[] = await db.query(`SELECT relkind FROM pg_class WHERE oid = to_regclass($1)`, [tableName(resourceId)]);
    return kind[0]?.relkind === 'v';
  }

  /** The user columns and `_id`, in table order (CKAN's _get_fields_types; other `_` columns left out). */
  async columns(db: EntityManager, resourceId: string): Promise<Column[]> {
    const rows: Column[] = await db.query(
      `SELECT a.attname AS id, t.typname AS type FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [tableName(resourceId)],
    );
    return rows.filter((c) => c.id === '_id' || !c.id.startsWith('_')).map((c) => (c.id === '_id' ? { id: '_id', type: 'int' } : c));
  }

  /** The column comments as CKAN stores them: `' ' + JSON`, the data dictionary under `_info`. */
  async comments(db: EntityManager, resourceId: string): Promise<Map<string, Record<string, unknown>>> {
    const rows: { name: string; description: string }[] = await db.query(
      `SELECT a.attname AS name, d.description FROM pg_attribute a
         JOIN pg_description d ON d.objoid = a.attrelid AND d.objsubid = a.attnum
        WHERE a.attrelid = to_regclass($1) AND a.attnum > 0`,
      [tableName(resourceId)],
    );
    const out = new Map<string, Record<string, unknown>>();
    for (const r of rows) {
      try {
        const parsed: unknown = JSON.parse(r.description);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) out.set(r.name, parsed as Record<string, unknown>);
      } catch {
        // Not one of ours: CKAN ignores comments that are not JSON too.
      }
    }
    return out;
  }

  async setComment(db: EntityManager, resourceId: string, column: string, value: Record<string, unknown>): Promise<void> {
    // COMMENT takes no parameters: the JSON goes in as a quoted literal.
    await db.query(`COMMENT ON COLUMN ${tableName(resourceId)}.${q(column)} IS ${escapeLiteral(` ${JSON.stringify(value)}`)}`);
  }

  /** The columns of the unique index that is the table's key (CKAN's primary_key is a unique index, not a constraint). */
  async uniqueKey(db: EntityManager, resourceId: string): Promise<string[]> {
    const rows: { name: string }[] = await db.query(
      `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = to_regclass($1) AND i.indisunique AND NOT i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      [tableName(resourceId)],
    );
    return rows.map((r) => r.name);
  }

  async indexNames(db: EntityManager, resourceId: string): Promise<string[]> {
    const rows: { name: string }[] = await db.query(
      `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = to_regclass($1) AND NOT i.indisprimary`,
      [tableName(resourceId)],
    );
    return rows.map((r) => r.name);
  }

  /** _drop_indexes: the unique ones (the key) or the others. */
  async dropIndexes(db: EntityManager, resourceId: string, unique: boolean): Promise<void> {
    const rows: { name: string }[] = await db.query(
      `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = to_regclass($1) AND NOT i.indisprimary AND i.indisunique = $2`,
      [tableName(resourceId), unique],
    );
    for (const r of rows) await db.query(`DROP INDEX datastore.${q(r.name)} CASCADE`);
  }

  /** An index on columns (json ones by their text); unique for the key. Nothing happens when it exists already. */
  async createIndex(db: EntityManager, resourceId: string, columns: Column[], unique: boolean, existing: Set<string>): Promise<void> {
    const exprs = columns.map((c) => (c.type === 'json' ? `((${q(c.id)})::text)` : q(c.id))).join(', ');
    // CKAN compat: CKAN names unique and plain indexes alike, so a primary_key on an indexed column was silently skipped.
    const name = indexName(resourceId, unique ? `unique ${exprs}` : exprs);
    if (existing.has(name)) return;
    await db.query(`CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${q(name)} ON ${tableName(resourceId)} (${exprs})`);
    existing.add(name);
  }

  /** CKAN's full-text indexes: `_full_text`, and the given columns' tsvector (for `q` by field), by `method` (DATASTORE_FTS_INDEX_METHOD). */
  async createFullTextIndexes(db: EntityManager, t: TableRow, textColumns: string[], existing: Set<string>, method: 'gin' | 'gist'): Promise<void> {
    const lang = escapeLiteral(t.fts_language);
    const exprs = [q('_full_text'), ...textColumns.map((c) => `to_tsvector(${lang}::regconfig, ${q(c)})`)];
    for (const expr of exprs) {
      const name = indexName(t.resource_id, expr);
      if (existing.has(name)) continue;
      await db.query(`CREATE INDEX ${q(name)} ON ${tableName(t.resource_id)} USING ${method === 'gist' ? 'gist' : 'gin'} (${expr})`);
      existing.add(name);
    }
  }

  /** calculate_record_count: fresh statistics, which `total_estimation_threshold` reads. */
  async analyze(db: EntityManager, resourceId: string): Promise<void> {
    await db.query(`ANALYZE ${tableName(resourceId)}`);
  }

  /** The planner's estimate of the row count; negative when the table was never analyzed. */
  async estimatedCount(db: EntityManager, resourceId: string): Promise<number> {
    const rows: { n: string }[] = await db.query(`SELECT reltuples::bigint AS n FROM pg_class WHERE oid = to_regclass($1)`, [tableName(resourceId)]);
    return Number(rows[0]?.n ?? -1);
  }

  /** datastore_info's `meta`: row count and sizes. */
  async meta(db: EntityManager, resourceId: string): Promise<{ count: number; size: number; idx_size: number; db_size: number }> {
    const [c]: { n: string }[] = await db.query(`SELECT count(_id) AS n FROM ${tableName(resourceId)}`);
    const [s]: { size: string; idx: string; db: string }[] = await db.query(
      `SELECT pg_relation_size(to_regclass($1)) AS size, pg_indexes_size(to_regclass($1)) AS idx, pg_database_size(current_database()) AS db`,
      [tableName(resourceId)],
    );
    return { count: Number(c.n), size: Number(s.size), idx_size: Number(s.idx), db_size: Number(s.db) };
  }

  /** datastore_info's per-field `schema`. */
  async columnSchemas(db: EntityManager, resourceId: string): Promise<Map<string, ColumnSchema>> {
    const rows: (ColumnSchema & { column_name: string })[] = await db.query(
      `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS native_type, a.attnotnull AS notnull,
              (SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = a.attrelid AND a.attnum = ANY(i.indkey) ORDER BY i.indisunique DESC, c.relname LIMIT 1) AS index_name,
              EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND a.attnum = ANY(i.indkey)) AS is_index,
              EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisunique AND a.attnum = ANY(i.indkey)) AS uniquekey
         FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [tableName(resourceId)],
    );
    return new Map(rows.map(({ column_name, ...s }) => [column_name, s]));
  }
}
