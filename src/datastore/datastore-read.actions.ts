import { Inject, Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, defineAction } from '../api/action';
import type { ActionContext } from '../api/action-context';
import { NotFound } from '../api/errors';
import { RawJson } from '../api/raw-json';
import { APP_CONFIG, AppConfig } from '../config/env';
import { DatastoreResources } from './datastore-resources.service';
import { DatastoreSearch } from './datastore-search.service';
import { DatastoreTableRepository } from './datastore-table.repository';
import { DatastoreInfoInput, DatastoreSearchInput } from './datastore.dto';

/** datastore_search and datastore_info (ckanext/datastore/logic/action.py). */
@Injectable()
export class DatastoreReadActions implements ActionProvider {
  constructor(
    private readonly resources: DatastoreResources,
    private readonly tables: DatastoreTableRepository,
    private readonly search: DatastoreSearch,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The table must exist (CKAN's 404 comes before the permission check), then the caller must see the dataset. */
  private async mayRead(ctx: ActionContext, id: string, notFound: string) {
    const t = await ctx.memo(`datastore-table:${id}`, () => this.tables.find(ctx.db, id));
    if (!t) throw new NotFound(notFound);
    return this.resources.mayRead(ctx, t.resource_id);
  }

  readonly datastoreSearch = defineAction({
    name: 'datastore_search',
    help: `Search a DataStore table.

Params: resource_id (or id); q (full text over all fields, or a dict of field: text); full_text; plain (default true: q is plain
text; false: PostgreSQL tsquery syntax); language (text search configuration, default ${this.config.DATASTORE_FTS_LANG});
filters (dict of field: value, or field: [values]); fields (list or comma-separated: only these, in this order); sort
("field1, field2 desc nulls last"; default _id, or rank with q); limit (default ${this.config.DATASTORE_SEARCH_ROWS_DEFAULT},
at most ${this.config.DATASTORE_SEARCH_ROWS_MAX}); offset; distinct; include_total (default true); total_estimation_threshold
(above it, total is PostgreSQL's estimate and total_was_estimated true; only without filters and q); records_format (objects,
lists, csv or tsv). Returns fields, records, total, total_was_estimated and _links (start, next, prev).
Who may call: whoever may read the resource's dataset.`,
    example: { resource_id: '3f1e9c2a-5b7d-4e8f-9a0b-1c2d3e4f5a6b', filters: { Messstelle: 'Köln' }, sort: 'Zeitpunkt desc', limit: 100 },
    sideEffectFree: true,
    anonymous: true,
    input: DatastoreSearchInput,
    auth: (ctx, input) => this.mayRead(ctx, input.resource_id, `Resource "${input.resource_id}" was not found.`),
    handler: async (ctx, input) => {
      const own = !ctx.inTransaction;
      const { head, records } = await ctx.transaction((tx) => this.search.run(tx, input, own));
      // The records come as PostgreSQL serialized them (JSON text, or CSV/TSV text) and are spliced in unparsed.
      const json = JSON.stringify(head);
      const recordsJson = input.records_format === 'csv' || input.records_format === 'tsv' ? JSON.stringify(records ?? '') : (records ?? '[]');
      return new RawJson([json.slice(0, -1), `${json.length > 2 ? ',' : ''}"records":`, recordsJson, '}']);
    },
  });

  readonly datastoreInfo = defineAction({
    name: 'datastore_info',
    help: `Describe a DataStore table. Params: resource_id (or id).
Returns meta (id, count, table_type, size, idx_size, db_size, aliases) and fields ({id, type, info, schema: {native_type,
index_name, is_index, notnull, uniquekey}}). Who may call: whoever may read the resource's dataset.`,
    sideEffectFree: true,
    anonymous: true,
    input: DatastoreInfoInput,
    auth: (ctx, input) => this.mayRead(ctx, input.resource_id, `Resource/Alias "${input.resource_id}" was not found.`),
    handler: async (ctx, input) => {
      const t = await this.tables.find(ctx.db, input.resource_id);
      if (!t) throw new NotFound(`Resource/Alias "${input.resource_id}" was not found.`);
      await this.resources.get(ctx, t.resource_id);
      const [meta, columns, comments, schemas, isView] = await Promise.all([
        this.tables.meta(ctx.db, t.resource_id),
        this.tables.columns(ctx.db, t.resource_id),
        this.tables.comments(ctx.db, t.resource_id),
        this.tables.columnSchemas(ctx.db, t.resource_id),
        this.tables.isView(ctx.db, t.resource_id),
      ]);
      return {
        meta: { id: t.resource_id, count: meta.count, table_type: isView ? 'VIEW' : 'BASE TABLE', size: meta.size, idx_size: meta.idx_size, db_size: meta.db_size, aliases: [] },
        fields: columns
          .filter((c) => c.id !== '_id')
          .map((c) => {
            const info = comments.get(c.id)?._info;
            return { id: c.id, type: c.type, ...(info !== undefined ? { info } : {}), schema: schemas.get(c.id) };
          }),
      };
    },
  });

  all = (): AnyAction[] => [this.datastoreSearch, this.datastoreInfo];
}
