import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { booleanValidator, validateInto } from '../api/ckan-schema';
import { CkanError, ValidationError } from '../api/errors';
import { Dispatcher } from '../api/dispatcher';
import { Authenticator } from '../auth/authenticator';
import { hasScope } from '../api/token-scope';
import type { Logger } from '../common/logger';
import { DatastoreRecordsRepository } from './datastore-records.repository';
import { DatastoreSearch } from './datastore-search.service';
import { DatastoreTableRepository } from './datastore-table.repository';
import { DatastoreSearchInput } from './datastore.dto';
import { DUMP_CONTENT_TYPES, DUMP_FORMATS, DUMP_ROWS, DumpField, DumpFormat, writeTextDump, writeXlsxDump, XLSX_MAX_RECORDS } from './datastore-dump';

const JSON_TYPE = 'application/json;charset=utf-8';
/** The search parameters a dump passes on to datastore_search (CKAN's dump_schema). */
const SEARCH_PARAMS = ['q', 'filters', 'fields', 'sort', 'distinct', 'plain', 'language', 'offset', 'limit'] as const;

/** The first value of a query parameter given once or several times. */
const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);

/** CKAN's abort(400) text for errors of the dump's parameters: one `key: messages` line per parameter. */
function errorText(err: ValidationError): string {
  return Object.entries(err.fields)
    .filter(([k]) => k !== '__junk')
    .map(([k, e]) => `${k}: ${Array.isArray(e) ? e.join(' ') : JSON.stringify(e)}`)
    .join('\n');
}

/**
 * CKAN's `GET /datastore/dump/{resource_id}` (ckanext/datastore/blueprint.py): the rows of a DataStore table as csv (default),
 * tsv, json, xml or xlsx, with datastore_search's `q`, `filters`, `fields`, `sort` (default `_id`), `distinct`, `plain`,
 * `language`, `offset` and `limit` (default: all rows), and `bom`. Streamed: the rows come from a cursor in one read-only
 * transaction and are written as the client takes them. A resource that does not exist or that the caller may not read is
 * 404, as in CKAN, so private tables do not show.
 */
@Controller('datastore')
export class DatastoreDumpController {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly authenticator: Authenticator,
    private readonly search: DatastoreSearch,
    private readonly rows: DatastoreRecordsRepository,
    private readonly tables: DatastoreTableRepository,
  ) {}

  @Get('dump/:resource_id')
  async dump(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const log = req.log as unknown as Logger;
    const { resource_id: resourceId } = req.params as { resource_id: string };
    const query = req.query as Record<string, unknown>;
    const fail = (code: number, message: string): void =>
      void reply.code(code).header('content-type', JSON_TYPE).send(JSON.stringify({ error: { code, message } }));

    const user = await this.authenticator.fromHeaders(req.headers);
    if (!hasScope(user, 'read')) return fail(403, 'The API token lacks the scope "read", which DataStore dumps need');
    const ctx = this.dispatcher.context(user, { log, scope: 'read' });
    // As CKAN: a datastore_search for no rows decides whether the table exists and the caller may read it.
    try {
      await ctx.call('datastore_search', { resource_id: resourceId, limit: 0, include_total: false });
    } catch (err) {
      if (err instanceof CkanError) return fail(404, 'DataStore resource not found');
      throw err;
    }

    const format = (first(query.format) ?? 'csv') as string;
    if (!(DUMP_FORMATS as readonly string[]).includes(format)) return fail(400, `format: Value must be one of ${DUMP_FORMATS.join(', ')}`);
    const bom = booleanValidator(first(query.bom) ?? false, {}) === true;
    const data: Record<string, unknown> = { resource_id: resourceId, include_total: false, sort: '_id' };
    for (const key of SEARCH_PARAMS) if (query[key] !== undefined) data[key] = first(query[key]);
    if (data.offset === undefined) data.offset = 0;
    const parsed = validateInto(DatastoreSearchInput, data);
    if (parsed.errors) return fail(400, errorText(new ValidationError(parsed.errors)));
    const input = parsed.value;
    if (format === 'xlsx') input.limit = Math.min(input.limit ?? XLSX_MAX_RECORDS, XLSX_MAX_RECORDS);

    const out = new PassThrough();
    let sent = false;
    try {
      await ctx.transaction(async (tx) => {
        await this.tables.readOnly(tx.db);
        // A dump reads for as long as the client takes: no statement timeout on its one cursor.
        await this.tables.timeout(tx.db, 0);
        const { plan, head } = await this.search.prepare(tx, input, false);
        const fields = head.fields as DumpField[];
        const rows = await this.rows.stream(tx.db, plan, DUMP_ROWS[format as DumpFormat]);
        // The first rows are read before the answer starts, so a query PostgreSQL refuses is still a 400.
        await once(rows, 'readable');
        void reply
          .header('content-type', DUMP_CONTENT_TYPES[format as DumpFormat])
          .header('content-disposition', `attachment; filename="${resourceId}.${format}"`)
          .send(out);
        sent = true;
        await (format === 'xlsx' ? writeXlsxDump(fields, rows, out) : writeTextDump(format as Exclude<DumpFormat, 'xlsx'>, fields, bom, rows, out));
      });
    } catch (err) {
      if (!sent) {
        if (err instanceof ValidationError) return fail(400, errorText(err));
        if (err instanceof Error && 'code' in err) return fail(400, `query: ${err.message.split('\n')[0]}`);
        throw err;
      }
      // The answer has begun: it ends unfinished, so the client sees a broken download, not a short one that looks whole.
      log.warn({ err, resource: resourceId }, 'datastore dump ended early');
      out.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
