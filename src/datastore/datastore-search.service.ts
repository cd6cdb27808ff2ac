import { Inject, Injectable } from '@nestjs/common';
import type { ActionContext } from '../api/action-context';
import { NotFound, ValidationError } from '../api/errors';
import { APP_CONFIG, AppConfig } from '../config/env';
import { getList, parseSortClause } from './datastore-fields';
import { searchError } from './datastore-errors';
import { DatastoreRecordsRepository, SearchPlan } from './datastore-records.repository';
import { DatastoreTableRepository } from './datastore-table.repository';
import { STATEMENT_TIMEOUT_MS } from './datastore-writer.service';
import { DatastoreSearchInput } from './datastore.dto';

const invalid = (key: string, value: unknown): ValidationError => new ValidationError({ [key]: [`invalid value "${String(value)}"`] });
const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * CKAN's _insert_links: `start` is the request's URL without `offset`, `next` with offset + limit, `prev` with offset - limit
 * while that is above 0. Built from the request path and query string, so a POST gives `/api/3/action/datastore_search?offset=100`.
 */
export function pageLinks(url: string | undefined, offset: number, limit: number): Record<string, string> {
  if (!url) return {};
  const [path, query = ''] = url.split('?', 2);
  const args = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(query)) if (v !== '') args.set(k, v);
  const withOffset = (o?: number): string => {
    const p = new URLSearchParams();
    for (const [k, v] of args) if (k !== 'offset') p.append(k, v);
    if (o !== undefined) p.append('offset', String(o));
    const qs = p.toString();
    return qs ? `${path}?${qs}` : path;
  };
  const links: Record<string, string> = { start: withOffset(), next: withOffset(offset + limit) };
  if (offset - limit > 0) links.prev = withOffset(offset - limit);
  return links;
}

/** datastore_search: CKAN's datastore_validate checks, then the query (datastore-records.repository.ts) and the total. */
@Injectable()
export class DatastoreSearch {
  constructor(
    private readonly tables: DatastoreTableRepository,
    private readonly rows: DatastoreRecordsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** In a read-only transaction: everything of the result but the records, and the records as PostgreSQL serialized them (null: none). */
  async run(ctx: ActionContext, input: DatastoreSearchInput, ownTransaction: boolean): Promise<{ head: Record<string, unknown>; records: string | null }> {
    // Read-only only when the transaction is the search's own: a nested call inside a write must not end its writing.
    if (ownTransaction) await this.tables.readOnly(ctx.db);
    await this.tables.timeout(ctx.db, STATEMENT_TIMEOUT_MS);
    const { plan, head, filtered, tableId } = await this.prepare(ctx, input, true);
    head._links = pageLinks(ctx.request?.path, plan.offset, plan.limit ?? 0);
    try {
      const records = await this.rows.page(ctx.db, plan);
      if (input.include_total) {
        const threshold = input.total_estimation_threshold;
        const estimate = threshold !== null && !filtered ? await this.tables.estimatedCount(ctx.db, tableId) : -1;
        if (threshold !== null && !filtered && estimate >= threshold) {
          head.total = estimate;
          head.total_was_estimated = true;
        } else {
          head.total = await this.rows.count(ctx.db, plan);
          head.total_was_estimated = false;
        }
      }
      return { head, records };
    } catch (err) {
      throw searchError(err);
    }
  }

  /**
   * datastore_validate and the query plan: the input checked against the table's columns, and the result's head
   * (echoed input, limit, fields with their data dictionary). `capLimit` false (dumps): no limit unless one is given.
   */
  async prepare(ctx: ActionContext, input: DatastoreSearchInput, capLimit: boolean): Promise<{ plan: SearchPlan; head: Record<string, unknown>; filtered: boolean; tableId: string }> {
    const table = await this.tables.find(ctx.db, input.resource_id);
    if (!table) throw new NotFound(`Resource "${input.resource_id}" was not found.`);
    const columns = await this.tables.columns(ctx.db, table.resource_id);
    const types = new Map(columns.map((c) => [c.id, c.type]));

    const filters = input.filters ?? {};
    if (!isDict(filters)) throw new ValidationError({ filters: ['Must be a dict'] });
    for (const k of Object.keys(filters)) if (!types.has(k)) throw invalid('filters', k);

    const fullText = input.full_text || (typeof input.q === 'string' && input.q ? input.q : undefined);
    const textByField: Record<string, string> = {};
    if (isDict(input.q)) {
      for (const [k, v] of Object.entries(input.q)) {
        if (!types.has(k) || typeof v !== 'string') throw invalid('q', k);
        textByField[k] = v;
      }
    }
    const rankNames = [...(fullText !== undefined ? ['rank'] : []), ...Object.keys(textByField).map((k) => `rank ${k}`)];
    const known = new Set([...types.keys(), ...rankNames]);

    const requested = input.fields === undefined ? [] : getList(input.fields);
    for (const f of requested) if (typeof f !== 'string' || !known.has(f)) throw invalid('fields', f);
    const fields = requested.length ? (requested as string[]) : [...types.keys(), ...rankNames];

    const sort: SearchPlan['sort'] = [];
    for (const clause of input.sort === undefined ? [] : getList(input.sort, false)) {
      const parsed = parseSortClause(clause, known);
      if (!parsed) throw invalid('sort', clause);
      sort.push(parsed);
    }
    const offset = input.offset ?? 0;
    if (offset < 0) throw invalid('offset', offset);
    const language = input.language || table.fts_language;
    if (!(await this.tables.isTextSearchConfig(ctx.db, language))) throw invalid('language', language);
    const limit = capLimit ? Math.min(input.limit ?? this.config.DATASTORE_SEARCH_ROWS_DEFAULT, this.config.DATASTORE_SEARCH_ROWS_MAX) : (input.limit ?? null);

    const plan: SearchPlan = {
      resourceId: table.resource_id, columns, language, plain: input.plain ?? true, filters, text: fullText, textByField,
      fields, sort, distinct: input.distinct ?? false, limit, offset, format: input.records_format,
    };
    const comments = await this.tables.comments(ctx.db, table.resource_id);
    const head: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) if (v !== undefined && k !== 'id') head[k] = v;
    head.limit = limit;
    head.fields = fields.map((id) => {
      const info = comments.get(id)?._info;
      return { id, type: rankNames.includes(id) && !types.has(id) ? 'float' : types.get(id), ...(info !== undefined ? { info } : {}) };
    });
    const filtered = Object.keys(filters).length > 0 || fullText !== undefined || Object.keys(textByField).length > 0 || plan.distinct;
    return { plan, head, filtered, tableId: table.resource_id };
  }
}
