import { CkanError, NotAuthorized, ValidationError } from '../api/errors';

/** A PostgreSQL error as pg (and TypeORM's QueryFailedError, which copies its fields) reports it. */
interface PgError {
  code?: string;
  message: string;
}

const isPgError = (err: unknown): err is PgError => err instanceof Error && !(err instanceof CkanError) && typeof (err as PgError).code === 'string';

/** The first line of PostgreSQL's message, without the SQL (CKAN's _programming_error_summary). */
const summary = (err: PgError): string => err.message.split('\n')[0];

/**
 * What CKAN answers when PostgreSQL refuses a DataStore write: a 409 naming what failed, never a 500.
 * `field` is where a refused value is reported (`records` for rows, `fields` for columns).
 */
export function writeError(err: unknown, field: string): unknown {
  if (!isPgError(err)) return err;
  switch (err.code) {
    case '23505':
      return new ValidationError({
        constraints: ['Cannot insert records or create index because of uniqueness constraint'],
        info: { orig: summary(err), pgcode: err.code },
      });
    case '57014':
      return new ValidationError({ query: ['Query took too long'] });
    case '54011':
      return new ValidationError({ fields: [summary(err)] });
  }
  // Data exceptions (22…), integrity (23…) and refused statements (42…: e.g. an array for a scalar) are the input's fault.
  if (/^(22|23|42)/.test(err.code ?? '')) return new ValidationError({ [field]: [summary(err)] });
  return err;
}

/** datastore_search: a query PostgreSQL refuses (a bad tsquery with plain=false, a value of the wrong type in filters). */
export function searchError(err: unknown): unknown {
  if (!isPgError(err)) return err;
  if (err.code === '57014') return new ValidationError({ query: ['Search took too long'] });
  if (/^(22|42)/.test(err.code ?? '')) return new ValidationError({ query: ['Invalid query'], info: { orig: [summary(err)] } });
  return err;
}

/** SQLSTATE classes that are the server's trouble, not the query's: connection, resources, system, internal. */
const SERVER_TROUBLE = /^(08|53|57P|58|XX)/;

/**
 * datastore_search_sql: what PostgreSQL refuses, as CKAN answers it. A cancelled statement is "Query took too long",
 * a denied privilege NotAuthorized, any other fault of the query a ValidationError naming PostgreSQL's message.
 */
export function sqlError(err: unknown, statement: string): unknown {
  if (!isPgError(err)) return err;
  if (err.code === '57014') return new ValidationError({ query: ['Query took too long'] });
  if (err.code === '42501') return new NotAuthorized('Not authorized to read resource.');
  if (SERVER_TROUBLE.test(err.code ?? '')) return err;
  return new ValidationError({ query: [summary(err)], info: { statement: [statement], orig: [summary(err)] } });
}
