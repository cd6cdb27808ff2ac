import { SearchQueryError } from '../../api/errors';
import { normalizeTimestamp, resolveDate } from './date-math';

describe('dates in search queries', () => {
  const now = new Date('2025-06-15T10:20:30.456Z');

  it('keeps the six fraction digits the CKAN harvester sends', () => {
    expect(resolveDate('2025-05-01T08:59:03.512345Z')).toBe('2025-05-01T08:59:03.512345');
    expect(resolveDate('2025-05-01')).toBe('2025-05-01T00:00:00.000000');
  });

  it('understands NOW and date math', () => {
    expect(resolveDate('NOW', now)).toBe('2025-06-15T10:20:30.456000');
    expect(resolveDate('NOW-1DAY', now)).toBe('2025-06-14T10:20:30.456000');
    expect(resolveDate('NOW/DAY', now)).toBe('2025-06-15T00:00:00.000000');
    expect(resolveDate('NOW-1YEAR/MONTH+2HOURS', now)).toBe('2024-06-01T02:00:00.000000');
    expect(resolveDate('2025-01-31T00:00:00Z+1MONTH')).toBe('2025-03-03T00:00:00.000000');
  });

  it('refuses what is not a date', () => {
    for (const bad of ['yesterday', '15.01.2025', '2025-02-30', 'NOW-1FORTNIGHT']) expect(() => resolveDate(bad, now)).toThrow(SearchQueryError);
  });

  it('normalises stored timestamps to the same sortable form', () => {
    expect(normalizeTimestamp('2025-05-01 08:59:03.5+00')).toBe('2025-05-01T08:59:03.500000');
    expect(normalizeTimestamp('2025-05-01 08:59:03+00')).toBe('2025-05-01T08:59:03.000000');
  });
});
