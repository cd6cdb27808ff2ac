import { Inject, Injectable } from '@nestjs/common';
import type { ActionContext } from '../api/action-context';
import { NotFound, ValidationError } from '../api/errors';
import { APP_CONFIG, AppConfig } from '../config/env';
import { checkFieldNames, fullTextIndexedColumns, getList, guessType, isValidFieldName, sqlType } from './datastore-fields';
import { writeError } from './datastore-errors';
import { DatastoreRecordsRepository } from './datastore-records.repository';
import { ResourceRef } from './datastore-resources.service';
import { Column, DatastoreTableRepository, TableRow } from './datastore-table.repository';
import { DatastoreCreateInput, DatastoreFieldInput, DatastoreUpsertInput } from './datastore.dto';

/** CKAN's statement timeout on DataStore writes and searches (_TIMEOUT). */
export const STATEMENT_TIMEOUT_MS = 60_000;

type Rec = Record<string, unknown>;

const isDict = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** CKAN stores '' as NULL in every column but text ones. */
function blanksToNull(record: Rec, columns: Column[]): Rec {
  const out: Rec = { ...record };
  for (const c of columns) if (out[c.id] === '' && c.type !== 'text') out[c.id] = null;
  return out;
}

/**
 * The writes behind datastore_create, datastore_upsert and datastore_delete (CKAN's backend/postgres.py create_table,
 * alter_table, create_indexes, upsert_data, delete_data), in the action's transaction and under a lock on the
 * resource, so a failure anywhere leaves neither a half-made table nor half the records.
 */
@Injectable()
export class DatastoreWriter {
  constructor(
    private readonly tables: DatastoreTableRepository,
    private readonly rows: DatastoreRecordsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Locks the resource's table for this transaction and returns its catalog row (null: no table yet). */
  async begin(ctx: ActionContext, resourceId: string): Promise<TableRow | null> {
    await this.tables.lock(ctx.db, resourceId);
    await this.tables.timeout(ctx.db, STATEMENT_TIMEOUT_MS);
    return this.tables.find(ctx.db, resourceId);
  }

  /** The table's row, or CKAN's 404 for a resource without one. */
  async existing(ctx: ActionContext, resourceId: string): Promise<TableRow> {
    const t = await this.begin(ctx, resourceId);
    if (!t) throw new NotFound(`Resource "${resourceId}" was not found.`);
    return t;
  }

  /** Creates the table or adds to it; then records, indexes and statistics. Returns the fields with their types. */
  async create(ctx: ActionContext, resource: ResourceRef, input: DatastoreCreateInput): Promise<DatastoreFieldInput[]> {
    const id = resource.id;
    const current = await this.begin(ctx, id);
    const fields = (input.fields ?? []).map((f) => ({ ...f }));
    const records = input.records ?? [];
    try {
      const table = current ?? { resource_id: id, package_id: resource.package_id, fts_language: this.config.DATASTORE_FTS_LANG };
      if (!current) await this.createTable(ctx, table, fields, records);
      else await this.alterTable(ctx, id, fields, records, input.delete_fields);
      await this.insert(ctx, table, records);
      await this.createIndexes(ctx, table, input);
      if (input.calculate_record_count) await this.tables.analyze(ctx.db, id);
    } catch (err) {
      throw writeError(err, 'records');
    }
    return fields;
  }

  private typeOf(f: { id: string; type?: string }, records: Rec[]): string {
    if (f.type !== undefined) return f.type;
    if (!records.length || !(f.id in records[0])) throw new ValidationError({ fields: [`"${f.id}" type not guessable`] });
    return guessType(records[0][f.id]);
  }

  /** Columns the first record brings that the fields do not name, typed from its values. */
  private extraFields(records: Rec[], known: Set<string>): { id: string; type: string }[] {
    if (!records.length) return [];
    const extra = Object.keys(records[0]).filter((k) => !known.has(k));
    for (const k of extra) if (!isValidFieldName(k)) throw new ValidationError({ fields: [`"${k}" is not a valid field name`] });
    checkFieldNames(extra.map((k) => ({ id: k })));
    return extra.map((k) => ({ id: k, type: guessType(records[0][k]) }));
  }

  private async createTable(ctx: ActionContext, table: TableRow, fields: DatastoreFieldInput[], records: Rec[]): Promise<void> {
    checkFieldNames(fields);
    for (const f of fields) f.type = this.typeOf(f, records);
    if (new Set(fields.map((f) => f.id)).size !== fields.length) throw new ValidationError({ field: ['Duplicate column names are not supported'] });
    const all = [...fields, ...this.extraFields(records, new Set(fields.map((f) => f.id)))];
    await this.tables.create(ctx.db, table, all.map((f) => ({ id: f.id, sql: sqlType(f.type!)! })));
    for (const f of fields) if (isDict(f.info)) await this.tables.setComment(ctx.db, table.resource_id, f.id, { _info: f.info });
  }

  private async alterTable(ctx: ActionContext, id: string, fields: DatastoreFieldInput[], records: Rec[], deleteFields: boolean): Promise<void> {
    const current = (await this.tables.columns(ctx.db, id)).filter((c) => c.id !== '_id');
    const currentIds = new Set(current.map((c) => c.id));
    const supplied: { id: string; type?: string; info?: unknown }[] = fields.length ? fields : current;
    checkFieldNames(supplied);
    if (new Set(supplied.map((f) => f.id)).size !== supplied.length) throw new ValidationError({ field: ['Duplicate column names are not supported'] });
    const added: { id: string; type: string }[] = [];
    for (const f of supplied) {
      if (currentIds.has(f.id)) continue;
      f.type = this.typeOf(f, records);
      added.push({ id: f.id, type: f.type });
    }
    added.push(...this.extraFields(records, new Set([...supplied.map((f) => f.id), ...currentIds])));
    await this.tables.addColumns(ctx.db, id, added.map((f) => ({ id: f.id, sql: sqlType(f.type)! })));
    if (fields.some((f) => f.info !== undefined)) {
      const comments = await this.tables.comments(ctx.db, id);
      for (const f of fields) {
        if (!isDict(f.info)) continue;
        await this.tables.setComment(ctx.db, id, f.id, { ...(comments.get(f.id) ?? {}), _info: f.info });
      }
    }
    if (deleteFields) {
      const keep = new Set([...supplied.map((f) => f.id), ...added.map((f) => f.id)]);
      await this.tables.dropColumns(ctx.db, id, [...currentIds].filter((c) => !keep.has(c)));
    }
  }

  /** create_indexes: the full-text ones always; `indexes` replaces the others; a changed `primary_key` replaces the unique one. */
  private async createIndexes(ctx: ActionContext, table: TableRow, input: DatastoreCreateInput): Promise<void> {
    const id = table.resource_id;
    const columns = (await this.tables.columns(ctx.db, id)).filter((c) => c.id !== '_id');
    const byId = new Map(columns.map((c) => [c.id, c]));
    const wanted: { fields: unknown[]; unique: boolean }[] = [];
    if (input.indexes !== undefined) {
      await this.tables.dropIndexes(ctx.db, id, false);
      for (const entry of getList(input.indexes)) wanted.push({ fields: getList(entry), unique: false });
    }
    if (input.primary_key !== undefined) {
      const key = getList(input.primary_key);
      const current = await this.tables.uniqueKey(ctx.db, id);
      if ([...current].sort().join('\u0000') !== [...key].map(String).sort().join('\u0000')) {
        await this.tables.dropIndexes(ctx.db, id, true);
        wanted.push({ fields: key, unique: true });
      }
    }
    const existing = new Set(await this.tables.indexNames(ctx.db, id));
    await this.tables.createFullTextIndexes(ctx.db, table, fullTextIndexedColumns(columns, this.config.DATASTORE_FTS_INDEX_FIELD_TYPES).map((c) => c.id), existing, this.config.DATASTORE_FTS_INDEX_METHOD);
    for (const index of wanted) {
      if (!index.fields.length) continue;
      const cols = index.fields.map((f) => {
        const c = typeof f === 'string' ? byId.get(f) : undefined;
        if (!c) throw new ValidationError({ index: [`The field "${index.fields.join(',')}" is not a valid column name.`] });
        return c;
      });
      await this.tables.createIndex(ctx.db, id, cols, index.unique, existing);
    }
  }

  /** insert_data: every record must be a dict of existing columns. */
  async insert(ctx: ActionContext, table: TableRow, records: Rec[]): Promise<void> {
    if (!records.length) return;
    const id = table.resource_id;
    const columns = (await this.tables.columns(ctx.db, id)).filter((c) => c.id !== '_id');
    const names = new Set(columns.map((c) => c.id));
    records.forEach((r, num) => {
      const extra = Object.keys(r).filter((k) => !names.has(k));
      if (extra.length) throw new ValidationError({ records: [`row "${num + 1}" has extra keys "${extra.join(', ')}"`] });
    });
    await this.rows.insert(ctx.db, id, [...names], records.map((r) => blanksToNull(r, columns)), { columns, language: table.fts_language });
  }

  /** upsert_data for `update` and `upsert`: each record by the table's key or its `_id`. */
  async upsert(ctx: ActionContext, table: TableRow, input: DatastoreUpsertInput): Promise<void> {
    const id = table.resource_id;
    const records = input.records ?? [];
    const method = input.method ?? 'upsert';
    if (input.dry_run) await this.tables.savepoint(ctx.db, 'datastore_dry_run');
    try {
      if (method === 'insert') await this.insert(ctx, table, records);
      else await this.updateEach(ctx, table, records, method);
    } catch (err) {
      throw writeError(err, 'records');
    }
    if (input.dry_run) await this.tables.rollbackToSavepoint(ctx.db, 'datastore_dry_run');
    else if (input.calculate_record_count) await this.tables.analyze(ctx.db, id);
  }

  private async updateEach(ctx: ActionContext, table: TableRow, records: Rec[], method: 'update' | 'upsert'): Promise<void> {
    const id = table.resource_id;
    const columns = (await this.tables.columns(ctx.db, id)).filter((c) => c.id !== '_id');
    const names = new Set(columns.map((c) => c.id));
    const unique = await this.tables.uniqueKey(ctx.db, id);
    if (method === 'upsert' && (await this.upsertBatch(ctx, table, records, columns, unique))) return;
    for (const raw of records) {
      if (!unique.length && !('_id' in raw)) throw new ValidationError({ table: ['unique key must be passed for update/upsert'] });
      if (!('_id' in raw)) {
        const missing = unique.filter((k) => !(k in raw));
        if (missing.length) throw new ValidationError({ key: [`fields "${missing.join(', ')}" are missing but needed as key`] });
      }
      const unknown = Object.keys(raw).filter((k) => !names.has(k) && k !== '_id');
      if (unknown.length) throw new ValidationError({ fields: [`fields "${unknown.join(', ')}" do not exist`] });
      const record = blanksToNull(raw, columns);
      const used = columns.filter((c) => c.id in record).map((c) => c.id);
      const key = '_id' in record ? ['_id'] : unique;
      const changed = await this.rows.update(ctx.db, id, used, key, record);
      if (method === 'update' && changed !== 1) {
        throw new ValidationError({ key: [`key "${JSON.stringify(Object.fromEntries(key.map((k) => [k, record[k]])))}" not found`] });
      }
      if (method === 'upsert' && changed === 0 && used.length) await this.rows.insertIfAbsent(ctx.db, id, used, key, record);
    }
  }

  /**
   * The common bulk case in one statement: every record has the same columns, the unique key among them, no `_id`, and
   * no key twice. Anything else goes record by record, as CKAN does.
   */
  private async upsertBatch(ctx: ActionContext, table: TableRow, records: Rec[], columns: Column[], unique: string[]): Promise<boolean> {
    const id = table.resource_id;
    if (records.length < 2 || !unique.length) return false;
    const names = new Set(columns.map((c) => c.id));
    const shape = Object.keys(records[0]).sort().join('\u0000');
    if (!unique.every((k) => k in records[0]) || Object.keys(records[0]).some((k) => !names.has(k))) return false;
    const keys = new Set<string>();
    for (const r of records) {
      if ('_id' in r || Object.keys(r).sort().join('\u0000') !== shape) return false;
      const k = JSON.stringify(unique.map((u) => r[u]));
      if (keys.has(k)) return false;
      keys.add(k);
    }
    const prepared = records.map((r) => blanksToNull(r, columns));
    // Two records PostgreSQL reads as one key ('1' and 1): record by record, the later one wins, as in CKAN.
    if (await this.rows.hasRepeatedKey(ctx.db, id, unique, prepared)) return false;
    await this.rows.upsertMany(ctx.db, id, Object.keys(records[0]), unique, prepared, { columns, language: table.fts_language });
    return true;
  }

  /** delete_data: the rows matching `filters`, whose keys must be columns. */
  async deleteRows(ctx: ActionContext, id: string, filters: Rec): Promise<void> {
    const columns = await this.tables.columns(ctx.db, id);
    const names = new Set(columns.map((c) => c.id));
    const bad = Object.keys(filters).find((k) => !names.has(k));
    if (bad !== undefined) throw new ValidationError({ filters: [`invalid value "${bad}"`] });
    try {
      await this.rows.delete(ctx.db, id, columns, filters);
    } catch (err) {
      throw writeError(err, 'filters');
    }
  }

  async dropTable(ctx: ActionContext, id: string): Promise<void> {
    await this.tables.drop(ctx.db, id);
  }

  async analyze(ctx: ActionContext, id: string): Promise<void> {
    await this.tables.analyze(ctx.db, id);
  }
}
