import { ValidationError } from '../api/errors';
import { checkFieldNames, getList, guessType, isValidFieldName, parseSortClause, sqlType } from './datastore-fields';
import { pageLinks } from './datastore-search.service';

describe('DataStore field rules', () => {
  it('accepts CKAN type names and arrays of them, each as SQL from our own table', () => {
    expect(['int', 'int4', 'integer', 'bigint', 'int8', 'float8', 'float', 'numeric', 'bool', 'boolean', 'json', 'nested', 'TEXT'].map(sqlType)).toEqual([
      'int4', 'int4', 'int4', 'int8', 'int8', 'float8', 'float8', 'numeric', 'bool', 'bool', 'json', 'json', 'text',
    ]);
    expect(['_text', 'text[]', '_int4', 'timestamp[]'].map(sqlType)).toEqual(['text[]', 'text[]', 'int4[]', 'timestamp[]']);
    for (const bad of ['serial', 'text; DROP TABLE x', '__text', 'text[][]', 'regclass', 'widget', '']) expect(sqlType(bad)).toBeUndefined();
  });

  it('field names: not empty, no leading underscore, no double quote, no surrounding spaces, no NUL', () => {
    for (const ok of ['a', 'Wert (m³)', 'a;b', "x'y", 'DROP TABLE', 'a_b']) expect(isValidFieldName(ok)).toBe(true);
    for (const bad of ['', '_id', ' a', 'a ', 'a"b', 'a\u0000b', 7]) expect(isValidFieldName(bad)).toBe(false);
  });

  it('names longer than 63 bytes are refused with CKAN\'s message, counting bytes as PostgreSQL does', () => {
    expect(() => checkFieldNames([{ id: 'ä'.repeat(32) }])).toThrow(ValidationError);
    expect(() => checkFieldNames([{ id: 'a'.repeat(63) }])).not.toThrow();
  });

  it('guesses types from a value as CKAN does', () => {
    expect([1, 1.5, '12', '1.5e3', '2025-01-01', '2025-01-01T10:00:00Z', '01/02/2025', 'Text', true, { a: 1 }, [1], null].map(guessType)).toEqual([
      'int', 'float', 'integer', 'numeric', 'timestamp', 'timestamp', 'timestamp', 'text', 'bool', 'json', 'json', 'text',
    ]);
  });

  it('reads lists as lists and comma-separated strings, stripping quotes', () => {
    expect(getList('a, "b" ,c')).toEqual(['a', 'b', 'c']);
    expect(getList(['x', ['y', 'z']])).toEqual(['x', ['y', 'z']]);
    expect(getList('"a b" desc', false)).toEqual(['"a b" desc']);
    expect(getList('')).toEqual([]);
  });

  it('parses sort clauses on known fields only', () => {
    const known = new Set(['a', 'b c', '_id']);
    expect(parseSortClause('a', known)).toEqual({ field: 'a', order: 'asc' });
    expect(parseSortClause('"b c" DESC NULLS LAST', known)).toEqual({ field: 'b c', order: 'desc nulls last' });
    expect(parseSortClause('_id desc', known)).toEqual({ field: '_id', order: 'desc' });
    expect(parseSortClause('a; DROP TABLE x', known)).toBeNull();
    expect(parseSortClause('nope', known)).toBeNull();
  });

  it('builds _links from the request URL', () => {
    expect(pageLinks(undefined, 0, 100)).toEqual({});
    expect(pageLinks('/api/3/action/datastore_search', 0, 100)).toEqual({ start: '/api/3/action/datastore_search', next: '/api/3/action/datastore_search?offset=100' });
    expect(pageLinks('/api/action/datastore_search?resource_id=r&offset=20&limit=10&q=', 20, 10)).toEqual({
      start: '/api/action/datastore_search?resource_id=r&limit=10',
      next: '/api/action/datastore_search?resource_id=r&limit=10&offset=30',
      prev: '/api/action/datastore_search?resource_id=r&limit=10&offset=10',
    });
  });
});
