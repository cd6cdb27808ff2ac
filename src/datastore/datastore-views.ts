import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../api/action-context';
import { ValidationError } from '../api/errors';
import { DatastoreResources } from './datastore-resources.service';
import { DatastoreTableRepository } from './datastore-table.repository';

/** A read-only DataStore resource: a view over data the service keeps itself. */
export interface ReadOnlyView {
  resourceId: string;
  packageId: string;
  /**
   * The view's query, from the service's own code (never built from client text): it yields `_id` (a unique
   * integer per row), `_full_text` (a tsvector in `ftsLanguage`) and the fields, in the order they are shown.
   */
  select: string;
  /** The text search configuration of `_full_text`, which `q` searches in; default `simple`. */
  ftsLanguage?: string;
  /** CKAN's data dictionary: `info` ({label, notes, ...}) per field. */
  info?: Record<string, Record<string, unknown>>;
}

const READ_ONLY_MESSAGE =
  'This resource is kept by the service itself (live sensor data) and is read-only: its DataStore table cannot be created, changed or deleted through the API, force does not apply.';

/**
 * Read-only DataStore resources (views in schema `datastore` named by the resource id, marked `read_only` in
 * `datastore_table`): datastore_search, datastore_info, datastore_search_sql and the dumps read them as any table, the
 * DataStore's writes refuse them, and a resource or dataset removed takes its view along (DatastoreModule's
 * dropOrphans). Other parts (sensors) register their views here.
 */
@Injectable()
export class DatastoreViews {
  constructor(private readonly tables: DatastoreTableRepository, private readonly resources: DatastoreResources) {}

  /** Creates or replaces the view of a resource and sets its `datastore_active`, in the caller's transaction. */
  async register(ctx: ActionContext, v: ReadOnlyView): Promise<void> {
    await this.tables.lock(ctx.db, v.resourceId);
    await this.tables.createView(ctx.db, { resource_id: v.resourceId, package_id: v.packageId, fts_language: v.ftsLanguage ?? 'simple' }, v.select);
    for (const [field, info] of Object.entries(v.info ?? {})) await this.tables.setComment(ctx.db, v.resourceId, field, { _info: info });
    const r = await this.resources.find(ctx, v.resourceId);
    if (r) await this.resources.setActive(ctx, r, true);
  }

  /** Drops the view of a resource (nothing when there is none); a resource that stays is no longer DataStore-active. */
  async drop(ctx: ActionContext, resourceId: string): Promise<void> {
    const t = await this.tables.find(ctx.db, resourceId);
    if (!t?.read_only) return;
    await this.tables.lock(ctx.db, resourceId);
    await this.tables.drop(ctx.db, resourceId);
    const r = await this.resources.find(ctx, resourceId);
    if (r) await this.resources.setActive(ctx, r, false);
  }

  /** Whether the resource's DataStore table is a read-only view. */
  async isReadOnly(ctx: ActionContext, resourceId: string): Promise<boolean> {
    return (await this.tables.find(ctx.db, resourceId))?.read_only === true;
  }

  /**
   * The DataStore's writes (datastore_create on an existing resource, datastore_upsert, datastore_delete,
   * datastore_records_delete, xloader_submit) on a read-only resource. CKAN compat: CKAN answers a write to a resource
   * it does not manage with 409 `{"read-only": [...]}` (_check_read_only), which ckanapi and the CKAN client libraries
   * raise as ValidationError; the same shape here, but `force` does not lift it.
   */
  async refuseWrite(ctx: ActionContext, resourceId: string): Promise<void> {
    if (await this.isReadOnly(ctx, resourceId)) throw new ValidationError({ 'read-only': [READ_ONLY_MESSAGE] });
  }
}
