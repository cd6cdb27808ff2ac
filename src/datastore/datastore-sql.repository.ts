import { Injectable } from '@nestjs/common';
import type { PoolClient, QueryArrayConfig, QueryArrayResult } from 'pg';
import { EntityManager } from 'typeorm';
import { transactionClient } from '../database/pg-client';

/** The role of migrations/1795750000000-DatastoreReader.ts: NOLOGIN, may only read schema `datastore`. */
const READER_ROLE = 'datastore_reader';

export interface SqlResult {
  fields: { id: string; type: string }[];
  /** The records as a JSON array text, each value serialized by PostgreSQL's to_json (numbers stay exact). */
  records: string;
  truncated: boolean;
}

/** Rows as arrays, over the extended protocol (pg's `queryMode`, missing from its types): one statement, never several. */
function arrayQuery(client: PoolClient, text: string): Promise<QueryArrayResult<(string | null)[]>> {
  const config: QueryArrayConfig & { queryMode: 'extended' } = { text, rowMode: 'array', queryMode: 'extended' };
  return client.query<(string | null)[]>(config);
}

/**
 * datastore_search_sql's run of a statement datastore-sql.ts has checked: in a transaction of its own (also when the
 * action is called inside another action's transaction), READ ONLY, as the reader role, with search_path `datastore`
 * (so `"<resource id>"` names a table, as CKAN clients write it) and a statement timeout; at most rowsMax + 1 rows are
 * fetched, over the extended protocol, which runs one statement only.
 */
@Injectable()
export class DatastoreSqlRepository {
  async run(db: EntityManager, statement: string, rowsMax: number, timeoutMs: number): Promise<SqlResult> {
    return db.connection.transaction(async (tx) => {
      await tx.query(`SET TRANSACTION READ ONLY`);
      // The server reads string literals as libpg-query did (standard_conforming_strings), and temporary tables come last.
      await tx.query(
        `SELECT set_config('search_path', 'pg_catalog, datastore, pg_temp', true), set_config('statement_timeout', $1, true),
                set_config('standard_conforming_strings', 'on', true)`,
        [String(timeoutMs)],
      );
      try {
        await tx.query(`SET LOCAL ROLE ${READER_ROLE}`);
      } catch (err) {
        // Not the query's fault: the role of migration DatastoreReader is missing or not ours (a server error, logged).
        throw new Error(`datastore_search_sql cannot run as role ${READER_ROLE}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      const client = await transactionClient(tx);
      // The statement goes in as a subquery; the line break ends a trailing `--` comment before the closing parenthesis.
      const sub = `(${statement}\n) AS "_sql"`;
      const described = await arrayQuery(client, `SELECT * FROM ${sub} LIMIT 0`);
      const columns = described.fields;
      const typeRows = await client.query<{ oid: number; typname: string }>({
        text: `SELECT oid::int AS oid, typname FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])`,
        values: [[...new Set(columns.map((c) => c.dataTypeID))]],
      });
      const typeNames = new Map(typeRows.rows.map((r) => [r.oid, r.typname]));
      // Columns by position (a join may repeat a name), each value as JSON text.
      const aliases = columns.map((_c, i) => `"_c${i}"`);
      const text = columns.length
        ? `SELECT ${aliases.map((a) => `to_json(${a})::text`).join(', ')} FROM (${statement}\n) AS "_sql"(${aliases.join(', ')}) LIMIT ${rowsMax + 1}`
        : `SELECT FROM ${sub} LIMIT ${rowsMax + 1}`;
      const result = await arrayQuery(client, text);
      const rows = result.rows;
      const truncated = rows.length > rowsMax;
      if (truncated) rows.pop();
      const keys = columns.map((c) => JSON.stringify(c.name));
      const records = rows.map((row) => {
        // As a dict in CKAN: a repeated name keeps its first place and its last value.
        const obj = new Map<string, string>();
        row.forEach((v, i) => obj.set(keys[i], v ?? 'null'));
        return `{${[...obj].map(([k, v]) => `${k}:${v}`).join(',')}}`;
      });
      return {
        fields: columns.map((c) => ({ id: c.name, type: typeNames.get(c.dataTypeID) ?? 'unknown' })),
        records: `[${records.join(',')}]`,
        truncated,
      };
    });
  }
}
