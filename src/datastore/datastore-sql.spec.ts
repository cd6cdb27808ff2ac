import { NotAuthorized, ValidationError } from '../api/errors';
import { checkSql } from './datastore-sql';

describe('datastore_search_sql parse-tree check', () => {
  it('names every table a query reads, and WITH names only where PostgreSQL sees them', async () => {
    expect((await checkSql('WITH a AS (SELECT 1) SELECT * FROM a')).tables).toEqual([]);
    expect((await checkSql('WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r')).tables).toEqual([]);
    // Without RECURSIVE, a WITH body does not see its own name: `a` inside is a table.
    expect((await checkSql('WITH a AS (SELECT * FROM a) SELECT 1')).tables).toEqual(['a']);
    // A WITH on one side of a UNION is not visible on the other.
    expect((await checkSql('(WITH a AS (SELECT 1) SELECT * FROM a) UNION SELECT * FROM a')).tables).toEqual(['a']);
    expect((await checkSql('SELECT * FROM "T1" JOIN datastore."t2" USING (x) WHERE x IN (SELECT y FROM "t3")')).tables).toEqual(['T1', 't2', 't3']);
  });

  it('returns the one statement without a trailing semicolon, also after multi-byte text', async () => {
    expect((await checkSql('  SELECT 1;  ')).statement).toBe('SELECT 1');
    expect((await checkSql("SELECT 'äöü' AS x -- Kommentar")).statement).toBe("SELECT 'äöü' AS x -- Kommentar");
  });

  it('refuses operators from other schemas, XMLTABLE, TABLESAMPLE, parameters and catalog lookups by cast', async () => {
    await expect(checkSql('SELECT 1 OPERATOR(public.+) 2')).rejects.toBeInstanceOf(NotAuthorized);
    await expect(checkSql("SELECT * FROM XMLTABLE('/a' PASSING '<a/>' COLUMNS x int)")).rejects.toBeInstanceOf(ValidationError);
    await expect(checkSql('SELECT * FROM "t" TABLESAMPLE system (10)')).rejects.toBeInstanceOf(ValidationError);
    await expect(checkSql('SELECT $1')).rejects.toBeInstanceOf(ValidationError);
    await expect(checkSql("SELECT CAST('pg_class' AS regclass)")).rejects.toBeInstanceOf(ValidationError);
    await expect(checkSql('SELECT lower(x)::int4[], count(*) OVER (PARTITION BY y ORDER BY z) FROM "t"')).resolves.toMatchObject({ tables: ['t'] });
  });

  it('answers a query nested thousands of levels deep with a query error, not a crash', async () => {
    for (const n of [4900, 20000]) await expect(checkSql(`SELECT ${'ARRAY['.repeat(n)}1${']'.repeat(n)}`)).rejects.toBeInstanceOf(ValidationError);
    await expect(checkSql(`SELECT ${'-('.repeat(20000)}1${')'.repeat(20000)}`)).rejects.toBeInstanceOf(ValidationError);
  });
});
