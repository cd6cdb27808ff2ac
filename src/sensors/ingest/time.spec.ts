import { DateTime } from 'luxon';
import { IngestError } from '../readings';
import { parseInstant, TimeResolver, type LocalResult } from './time';

/** Local wall-clock times of one day (or more) at 15 minutes, as a naive source writes them. */
function wallClock(fromDay: string, days: number): string[] {
  const out: string[] = [];
  let t = DateTime.fromISO(`${fromDay}T00:00:00`, { zone: 'UTC' });
  for (let i = 0; i < days * 96; i++, t = t.plus({ minutes: 15 })) out.push(t.toFormat("yyyy-MM-dd'T'HH:mm:ss"));
  return out;
}

const times = (results: LocalResult[]): Date[] => results.flatMap((r) => ('time' in r ? [r.time] : []));
const warnings = (results: LocalResult[]): string[] => results.flatMap((r) => ('warning' in r ? [r.warning.code] : []));

describe('instants with an offset', () => {
  it('reads Z and offsets exactly', () => {
    expect(parseInstant('2025-03-29T00:15:00+01:00', 'x').toISOString()).toBe('2025-03-28T23:15:00.000Z');
    expect(parseInstant('2025-03-30T03:00:00+0200', 'x').toISOString()).toBe('2025-03-30T01:00:00.000Z');
    expect(parseInstant('2025-06-17T06:15:00Z', 'x').toISOString()).toBe('2025-06-17T06:15:00.000Z');
  });

  it('refuses a naive timestamp naming the value and the place', () => {
    expect(() => parseInstant('2025-03-29T00:15:00', 'readings[1].timestamp')).toThrow(
      expect.objectContaining({ code: 'naive_time', at: 'readings[1].timestamp', message: expect.stringContaining('2025-03-29T00:15:00') }),
    );
  });

  it('reads every common ISO instant exactly as luxon does, valid or not (days that do not exist, 24:00, odd offsets, fractions)', () => {
    let seed = 12345;
    const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
    const samples = ['2025-03-30T24:00:00Z', '2024-02-29T12:00:00Z', '2025-02-29T12:00:00Z', '0099-01-01T00:00:00Z', '2025-03-30T01:00:00.58Z', '2025-03-30T01:00:00.1234567+02:00', '2025-03-30t01:00z'];
    for (let i = 0; i < 20_000; i++) {
      const offset = next(3) === 0 ? 'Z' : `${next(2) ? '+' : '-'}${pad(next(26))}${next(2) ? ':' : ''}${pad(next(62))}`;
      const seconds = next(5) ? `:${pad(next(62))}${next(4) ? '' : `.${next(1000)}`}` : '';
      samples.push(`${pad(90 + next(2200), 4)}-${pad(next(14))}-${pad(next(33))}T${pad(next(26))}:${pad(next(62))}${seconds}${offset}`);
    }
    const ours = (t: string): number | string => {
      try {
        return parseInstant(t, 'x').getTime();
      } catch (err) {
        return (err as IngestError).code;
      }
    };
    const luxons = (t: string): number | string => {
      const dt = DateTime.fromISO(t, { setZone: true });
      return dt.isValid ? dt.toMillis() : 'invalid';
    };
    const differ = samples.filter((t) => ours(t) !== luxons(t));
    expect(differ).toEqual([]);
  });

  it('reads the common form exactly as luxon does, and refuses the same impossible dates', () => {
    const samples = [
      '2025-03-29T00:15:00Z', '2025-03-29T00:15:00.5Z', '2025-03-29T00:15:00.05+01:00', '2025-03-29T00:15:00.123-09:30',
      '2024-02-29T23:59:59.999+14:00', '2000-02-29T12:00:00Z', '1999-12-31T23:59:59-00:00', '2025-12-31T23:30:00-05:45',
      '2025-01-01T24:00:00Z', '2025-01-01T12:00:00+24:00',
    ];
    for (let k = 0; k < 1000; k++) samples.push(`2025-06-17T06:15:${String(k % 60).padStart(2, '0')}.${String(k).padStart(3, '0').slice(0, 1 + (k % 3))}+02:00`);
    for (const s of samples) expect([s, parseInstant(s, 'x').getTime()]).toEqual([s, DateTime.fromISO(s, { setZone: true }).toMillis()]);
    for (const bad of ['2025-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2025-04-31T00:00:00Z', '2025-13-01T00:00:00Z', '2025-01-01T12:60:00Z', '2025-01-01T12:00:60Z']) {
      expect(DateTime.fromISO(bad, { setZone: true }).isValid).toBe(false);
      expect(() => parseInstant(bad, 'x')).toThrow(expect.objectContaining({ code: 'invalid' }));
    }
  });

  it('refuses a value that is no time at all', () => {
    expect(() => parseInstant('gestern+01:00', 'a')).toThrow(IngestError);
    expect(() => parseInstant(42, 'a')).toThrow(expect.objectContaining({ code: 'invalid' }));
  });
});

describe('naive local times in a declared zone', () => {
  it('are refused when the source declares no zone', () => {
    expect(() => new TimeResolver().resolveIso('2025-03-29 00:15:00', 'line 2')).toThrow(expect.objectContaining({ code: 'naive_time', at: 'line 2' }));
  });

  it('refuses an unknown zone name', () => {
    expect(() => new TimeResolver({ timeZone: 'Europe/Atlantis' })).toThrow(IngestError);
  });

  it('the two days across the March switch have 188 quarter-hours, the same instants as 00:00+01:00 .. 00:00+02:00', () => {
    const r = new TimeResolver({ timeZone: 'Europe/Berlin' });
    const results = wallClock('2025-03-29', 2).map((t, i) => r.resolveIso(t, `row ${i}`, 'W'));
    const got = times(results);
    expect(got).toHaveLength(188);
    expect(warnings(results)).toEqual(['nonexistent_time', 'nonexistent_time', 'nonexistent_time', 'nonexistent_time']);
    const start = Date.parse('2025-03-29T00:00:00+01:00');
    const end = Date.parse('2025-03-31T00:00:00+02:00');
    const expected = Array.from({ length: (end - start) / 900_000 }, (_, i) => start + i * 900_000);
    expect(got.map((d) => d.getTime())).toEqual(expected);
  });

  it('skips the nonexistent 02:30 of the spring-forward night per row, naming it', () => {
    const results = new TimeResolver({ timeZone: 'Europe/Berlin' }).resolveIso('2025-03-30T02:30:00', 'line 7');
    expect(results).toEqual({ warning: expect.objectContaining({ code: 'nonexistent_time', at: 'line 7', message: expect.stringContaining('2025-03-30T02:30:00') }) });
  });

  it('the October night of a source sending in sequence has 100 distinct quarter-hours over 25 hours', () => {
    const day = wallClock('2025-10-26', 1);
    const repeated = day.filter((t) => t.startsWith('2025-10-26T02:'));
    const arrival = [...day.slice(0, 12), ...repeated, ...day.slice(12)]; // 00:00..02:45 (summer), 02:00..02:45 again (winter), ...
    const r = new TimeResolver({ timeZone: 'Europe/Berlin', inSequence: true });
    const got = times(arrival.map((t, i) => r.resolveIso(t, `row ${i}`, 'W')));
    expect(got).toHaveLength(100);
    expect(new Set(got.map((d) => d.getTime())).size).toBe(100);
    for (let i = 1; i < got.length; i++) expect(got[i].getTime() - got[i - 1].getTime()).toBe(900_000);
    expect(got[0].toISOString()).toBe('2025-10-25T22:00:00.000Z');
    expect(got[99].toISOString()).toBe('2025-10-26T22:45:00.000Z');
  });

  it('resolves the repeated 02:00 by order of arrival: first +02:00, second +01:00', () => {
    const r = new TimeResolver({ timeZone: 'Europe/Berlin', inSequence: true });
    const first = r.resolveIso('2025-10-26 02:00:00', 'line 3', 'COCHEM/W');
    const second = r.resolveIso('2025-10-26 02:00:00', 'line 5', 'COCHEM/W');
    expect(first).toEqual({ time: new Date('2025-10-26T02:00:00+02:00') });
    expect(second).toEqual({ time: new Date('2025-10-26T02:00:00+01:00') });
  });

  it('skips the repeated hour with an ambiguous_time warning when the source does not send in sequence', () => {
    const r = new TimeResolver({ timeZone: 'Europe/Berlin' });
    expect(r.resolveIso('2025-10-26 02:15:00', 'line 4')).toEqual({ warning: expect.objectContaining({ code: 'ambiguous_time', at: 'line 4' }) });
    expect(r.resolveIso('2025-10-26 03:00:00', 'line 7')).toEqual({ time: new Date('2025-10-26T03:00:00+01:00') });
  });

  it('reads an explicit date format such as dd.MM.yyyy HH:mm in the declared zone', () => {
    const r = new TimeResolver({ timeZone: 'Europe/Berlin' });
    expect(r.resolveFormatted('29.03.2025 00:15', 'dd.MM.yyyy HH:mm', 'line 3')).toEqual({ time: new Date('2025-03-29T00:15:00+01:00') });
    expect(() => r.resolveFormatted('2025-03-29 00:15', 'dd.MM.yyyy HH:mm', 'line 3')).toThrow(expect.objectContaining({ code: 'invalid', at: 'line 3' }));
  });
});
