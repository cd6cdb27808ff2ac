import { DateTime, IANAZone } from 'luxon';
import { IngestError, type IngestWarning } from '../readings';

/**
 * Instants from what sources send. An ISO 8601 time with `Z` or an offset is exact. A naive local time (no offset)
 * is refused unless the source declares its IANA zone; then it is converted with the zone's rules (luxon reads the
 * system's tz database, no hand-made offset tables): a local time the spring-forward switch skips does not exist
 * and its row is skipped; one the fall-back switch repeats (02:00–02:59 on the last Sunday of October in
 * Europe/Berlin) is resolved by order of arrival only when the source declares it sends in sequence, otherwise
 * its row is skipped as ambiguous — never guessed.
 */

/** How a source's local times are to be read. */
export interface LocalTimePolicy {
  /** The IANA zone naive timestamps are in (`Europe/Berlin`); unset: naive timestamps refuse the payload. */
  timeZone?: string;
  /** The source sends each series in time order, so a repeated fall-back hour comes first in summer, then in winter time. */
  inSequence?: boolean;
}

const OFFSET_AT_END = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;
const DAY_MS = 86_400_000;

/**
 * The form nearly every sender uses (`2025-06-17T06:15:00Z`, `…T06:15:00.123+02:00`): read by hand, ~20× faster than
 * luxon, which a batch of 10,000 readings felt. Anything else (week dates, ordinals, basic format, commas) goes to luxon.
 */
const COMMON_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/i;

/**
 * The common form's instant in epoch milliseconds; NaN for a date or time that does not exist (2025-02-30, 23:60);
 * undefined for what luxon rules on (24:00, offsets beyond ±23:59, years before 100, which Date.UTC reads as 19xx).
 */
function commonInstant(m: RegExpExecArray): number | undefined {
  const y = +m[1];
  const mo = +m[2];
  const d = +m[3];
  const h = +m[4];
  const mi = +m[5];
  const s = m[6] === undefined ? 0 : +m[6];
  const oh = m[8] ? 0 : +m[10];
  const om = m[8] ? 0 : +m[11];
  if (y < 100 || h > 23 || oh > 23 || om > 59) return undefined;
  if (mo < 1 || mo > 12 || d < 1 || mi > 59 || s > 59) return NaN;
  const day = Date.UTC(y, mo - 1, d);
  if (new Date(day).getUTCDate() !== d) return NaN;
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000 + 1e-6);
  const offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  return day + ((h * 60 + mi - offset) * 60 + s) * 1000 + ms;
}

/**
 * Instants read lately, by their text: a CreateObservations batch over 500 Datastreams sends each time 500 times. The
 * Dates are shared, so nobody may change one (no reading's time is ever changed in place). Emptied when full.
 */
const RECENT = new Map<string, Date>();
const RECENT_MAX = 4096;

/** An ISO 8601 instant with `Z` or an offset; anything else refuses the payload, naming the value and `at`. */
export function parseInstant(value: unknown, at: string): Date {
  if (typeof value === 'string') {
    const known = RECENT.get(value);
    if (known) return known;
  }
  if (typeof value !== 'string' || !value.trim()) throw new IngestError('invalid', `Kein Zeitpunkt an ${at}: ${JSON.stringify(value)}.`, at);
  const text = value.trim();
  const common = COMMON_INSTANT.exec(text);
  const t = common ? commonInstant(common) : undefined;
  if (t !== undefined) {
    if (Number.isNaN(t)) throw new IngestError('invalid', `Kein gültiger ISO-8601-Zeitpunkt an ${at}: "${text}".`, at);
    const date = new Date(t);
    if (RECENT.size >= RECENT_MAX) RECENT.clear();
    RECENT.set(value, date);
    return date;
  }
  if (!OFFSET_AT_END.test(text)) {
    throw new IngestError('naive_time', `Zeitpunkt ohne Zeitzone an ${at}: "${text}"; die Quelle muss Z oder einen Offset senden oder ihre Zeitzone angeben.`, at);
  }
  const dt = DateTime.fromISO(text, { setZone: true });
  if (!dt.isValid) throw new IngestError('invalid', `Kein gültiger ISO-8601-Zeitpunkt an ${at}: "${text}".`, at);
  return dt.toJSDate();
}

/** Checks a declared zone once, when a source's settings are read. */
export function assertTimeZone(zone: string): void {
  if (!IANAZone.isValidZone(zone)) throw new IngestError('invalid', `Unbekannte Zeitzone "${zone}" (erwartet: IANA-Name wie Europe/Berlin).`, 'timeZone');
}

/** A resolved time, or why the row is skipped. */
export type LocalResult = { time: Date } | { warning: IngestWarning };

/**
 * Resolves a payload's times under one source's policy. Stateful per payload: for a source that sends in sequence
 * it remembers, per series, the last instant and the repeated local times already seen.
 */
export class TimeResolver {
  private readonly zone: IANAZone | undefined;
  private readonly lastInSeries = new Map<string, number>();
  private readonly seenRepeated = new Map<string, Set<number>>();
  /** Instants with an offset already read in this payload: a batch of 1,000 datastreams repeats each time 1,000 times. */
  private readonly exact = new Map<string, Date>();

  constructor(private readonly policy: LocalTimePolicy = {}) {
    if (policy.timeZone) {
      assertTimeZone(policy.timeZone);
      this.zone = IANAZone.create(policy.timeZone);
    }
  }

  /**
   * An ISO 8601 time: with an offset it is exact; naive (`2025-10-26T02:00:00` or `2025-10-26 02:00:00`) it is
   * read in the declared zone. `series` names the time series for the in-sequence rule.
   */
  resolveIso(value: unknown, at: string, series = ''): LocalResult {
    if (typeof value !== 'string' || !value.trim()) throw new IngestError('invalid', `Kein Zeitpunkt an ${at}: ${JSON.stringify(value)}.`, at);
    const known = this.exact.get(value);
    if (known) return this.remember(series, { time: known });
    const text = value.trim();
    if (OFFSET_AT_END.test(text)) {
      const time = parseInstant(text, at);
      if (this.exact.size < 10_000) this.exact.set(value, time);
      return this.remember(series, { time });
    }
    const wall = DateTime.fromISO(text.replace(/^(\d{4}-\d{2}-\d{2}) (?=\d)/, '$1T'), { zone: 'UTC' });
    if (!wall.isValid) throw new IngestError('invalid', `Kein gültiger ISO-8601-Zeitpunkt an ${at}: "${text}".`, at);
    return this.resolveWall(wall, text, at, series);
  }

  /** A local date and time in an explicit luxon format (`dd.MM.yyyy HH:mm`); the zone must be declared. */
  resolveFormatted(text: string, format: string, at: string, series = ''): LocalResult {
    const wall = DateTime.fromFormat(text.trim(), format, { zone: 'UTC' });
    if (!wall.isValid) throw new IngestError('invalid', `"${text}" an ${at} passt nicht zum Datumsformat "${format}".`, at);
    return this.resolveWall(wall, text, at, series);
  }

  private resolveWall(wall: DateTime, text: string, at: string, series: string): LocalResult {
    const zone = this.zone;
    if (!zone) {
      throw new IngestError('naive_time', `Zeitpunkt ohne Zeitzone an ${at}: "${text}"; die Quelle muss Z oder einen Offset senden oder ihre Zeitzone angeben.`, at);
    }
    const local = wall.toMillis(); // the wall-clock reading as if it were UTC
    // Every instant whose local time in the zone is this wall time: the zone's offsets a day either side are the
    // only candidates (switches are further apart than that), and a candidate counts when the zone agrees at it.
    const offsets = new Set([zone.offset(local - DAY_MS), zone.offset(local), zone.offset(local + DAY_MS)]);
    const instants = [...offsets].map((o) => local - o * 60_000).filter((u) => local - zone.offset(u) * 60_000 === u).sort((a, b) => a - b);
    const unique = [...new Set(instants)];
    if (unique.length === 0) {
      return { warning: { code: 'nonexistent_time', message: `Die Ortszeit "${text}" gibt es in ${zone.name} nicht (Umstellung auf Sommerzeit); Zeile übersprungen.`, at } };
    }
    if (unique.length === 1) return this.remember(series, { time: new Date(unique[0]) });
    if (!this.policy.inSequence) {
      return {
        warning: { code: 'ambiguous_time', message: `Die Ortszeit "${text}" gibt es in ${zone.name} zweimal (Umstellung auf Winterzeit) und die Quelle sendet nicht geordnet; Zeile übersprungen.`, at },
      };
    }
    // In sequence: the first arrival is the earlier instant (summer time); a repeat of the same local time, or one
    // that would go back before the series' last instant, is the later one (winter time).
    const [earlier, later] = [unique[0], unique[unique.length - 1]];
    const seen = this.seenRepeated.get(series) ?? new Set<number>();
    this.seenRepeated.set(series, seen);
    const last = this.lastInSeries.get(series);
    const chosen = seen.has(local) || (last !== undefined && earlier < last) ? later : earlier;
    seen.add(local);
    return this.remember(series, { time: new Date(chosen) });
  }

  private remember(series: string, result: { time: Date }): LocalResult {
    if (this.policy.inSequence) this.lastInSeries.set(series, result.time.getTime());
    return result;
  }
}
