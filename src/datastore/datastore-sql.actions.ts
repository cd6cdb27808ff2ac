import { Inject, Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, AuthResult, defineAction, deny } from '../api/action';
import type { ActionContext } from '../api/action-context';
import { Field, notEmpty, unicodeSafe } from '../api/ckan-schema';
import { ValidationError } from '../api/errors';
import { RawJson } from '../api/raw-json';
import { APP_CONFIG, AppConfig } from '../config/env';
import { sqlError } from './datastore-errors';
import { DatastoreResources } from './datastore-resources.service';
import { checkSql, CheckedSql } from './datastore-sql';
import { DatastoreSqlRepository } from './datastore-sql.repository';
import { DatastoreTableRepository } from './datastore-table.repository';

export class DatastoreSearchSqlInput {
  @Field(notEmpty, unicodeSafe) sql!: string;
}

/**
 * datastore_search_sql (ckanext/datastore/logic/action.py): one SELECT over DataStore tables the caller may read.
 * Registered only with DATASTORE_SQL_ENABLED=true; otherwise CKAN's answer for an action that is not there.
 */
@Injectable()
export class DatastoreSqlActions implements ActionProvider {
  constructor(
    private readonly resources: DatastoreResources,
    private readonly tables: DatastoreTableRepository,
    private readonly sql: DatastoreSqlRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The checked statement, parsed once per call (auth and handler share it). */
  private checked(ctx: ActionContext, sql: string): Promise<CheckedSql> {
    return ctx.memo(`datastore-sql:${sql}`, () => checkSql(sql));
  }

  /** Every table must be a DataStore table; PostgreSQL's own words for one that is not. */
  private async existing(ctx: ActionContext, names: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const name of names) {
      const t = await ctx.memo(`datastore-table:${name}`, () => this.tables.find(ctx.db, name));
      // Exactly the table's name: PostgreSQL resolves `"<id>"` by its text, not as a uuid that could be written otherwise.
      if (!t || t.resource_id !== name) throw new ValidationError({ query: [`relation "${name}" does not exist`] });
      ids.push(t.resource_id);
    }
    return ids;
  }

  /** CKAN's auth datastore_search_sql: the right to read every table's resource. */
  private async mayReadAll(ctx: ActionContext, input: DatastoreSearchSqlInput): Promise<AuthResult> {
    const { tables } = await this.checked(ctx, input.sql);
    for (const id of await this.existing(ctx, tables)) {
      if (!(await this.resources.mayRead(ctx, id)).allowed) return deny('Not authorized to read resource.');
    }
    return allow();
  }

  readonly datastoreSearchSql = defineAction({
    name: 'datastore_search_sql',
    help: `Run one SQL SELECT over DataStore tables. Params: sql (a single SELECT; tables are named by resource id in double
quotes, "<resource id>", or datastore."<resource id>"). Functions: common built-ins only (arithmetic, text, dates, aggregates,
window, JSON, arrays, full text); no system tables or other schemas, no SELECT INTO, FOR UPDATE or writes in WITH.
Runs read-only, with a statement timeout of ${this.config.DATASTORE_SQL_TIMEOUT_MS} ms and at most
${this.config.DATASTORE_SEARCH_ROWS_MAX} records (then records_truncated: true). Returns sql, records and fields ({id, type}).
Who may call: whoever may read every resource the query names.`,
    sideEffectFree: true,
    anonymous: true,
    input: DatastoreSearchSqlInput,
    auth: (ctx, input) => this.mayReadAll(ctx, input),
    handler: async (ctx, input) => {
      const { statement, tables } = await this.checked(ctx, input.sql);
      await this.existing(ctx, tables);
      let result;
      try {
        result = await this.sql.run(ctx.db, statement, this.config.DATASTORE_SEARCH_ROWS_MAX, this.config.DATASTORE_SQL_TIMEOUT_MS);
      } catch (err) {
        throw sqlError(err, statement);
      }
      const head = JSON.stringify({ sql: input.sql, fields: result.fields, ...(result.truncated ? { records_truncated: true } : {}) });
      return new RawJson([head.slice(0, -1), ',"records":', result.records, '}']);
    },
  });

  all = (): AnyAction[] => [this.datastoreSearchSql];
}
