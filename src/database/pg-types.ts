import { types } from 'pg';

/**
 * Timestamps stay strings: JavaScript's Date keeps milliseconds, CKAN's format and the harvesters'
 * string comparison need PostgreSQL's microseconds ('2025-05-01 08:59:03.512345+00' in a UTC session).
 */
types.setTypeParser(types.builtins.TIMESTAMPTZ, (v) => v);
types.setTypeParser(types.builtins.TIMESTAMP, (v) => v);
/** bigint (resource sizes, counts) fits a JS number far beyond any real file size. */
types.setTypeParser(types.builtins.INT8, (v) => Number(v));
