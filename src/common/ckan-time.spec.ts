import { ckanTimestamp, parseIsoDate } from './ckan-time';

describe('CKAN timestamps', () => {
  it('renders PostgreSQL timestamps as naive UTC with six fraction digits, like Python isoformat()', () => {
    expect(ckanTimestamp('2025-05-01 08:59:03.512345+00')).toBe('2025-05-01T08:59:03.512345');
    expect(ckanTimestamp('2025-05-01 08:59:03.5123+00')).toBe('2025-05-01T08:59:03.512300');
    expect(ckanTimestamp('2025-05-01T08:59:03.5+00:00')).toBe('2025-05-01T08:59:03.500000');
  });

  it('drops the fraction when the microseconds are zero, as isoformat() does', () => {
    expect(ckanTimestamp('2025-05-01 08:59:03+00')).toBe('2025-05-01T08:59:03');
  });

  it('keeps null and refuses what is not a UTC timestamp', () => {
    expect(ckanTimestamp(null)).toBeNull();
    expect(() => ckanTimestamp('2025-05-01 08:59:03+02')).toThrow();
  });

  it('sorts as strings in time order, which harvesters rely on', () => {
    const a = ckanTimestamp('2025-05-01 08:59:03.000001+00')!;
    const b = ckanTimestamp('2025-05-01 08:59:03.512345+00')!;
    const c = ckanTimestamp('2025-05-01 08:59:04+00')!;
    expect([c, a, b].sort()).toEqual([a, b, c]);
  });

  it('parses the ISO dates clients send', () => {
    expect(parseIsoDate('2025-05-01T08:59:03.512345Z')).toBe('2025-05-01 08:59:03.512345+00:00');
    expect(parseIsoDate('2025-05-01')).toBe('2025-05-01 00:00:00+00:00');
    expect(parseIsoDate('2025-02-30')).toBeNull();
    expect(parseIsoDate('01.05.2025')).toBeNull();
  });
});
