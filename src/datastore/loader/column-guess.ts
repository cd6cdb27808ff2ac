import { hasLeadingZero, integerType, isMissingMarker, Notation, parseBoolean, parseDate, parseNumber, parseTimestamp } from './values';

/** The first value that did not fit a type, where it is. */
export interface Misfit {
  line: number;
  value: string;
}

/** One type a column may still have: alive until the first value that does not fit. */
export class Candidate {
  ok = true;
  /** Values that fitted before the first misfit: the longer a type held, the better it explains a text column. */
  fitted = 0;
  misfit?: Misfit;

  check(fits: boolean, line: number, value: string): boolean {
    if (!this.ok) return false;
    if (fits) this.fitted++;
    else [this.ok, this.misfit] = [false, { line, value }];
    return this.ok;
  }
}

const WIDER = { int4: 0, int8: 1, numeric: 2 } as const;

/** Numbers in one notation: whether all were whole, and the smallest integer type that holds them all. */
export class NumberCandidate extends Candidate {
  whole = true;
  width: keyof typeof WIDER = 'int4';

  take(normalized: string | null, line: number, value: string): void {
    if (!this.check(normalized !== null, line, value)) return;
    const int = integerType(normalized as string);
    if (int === null) this.whole = false;
    else if (WIDER[int] > WIDER[this.width]) this.width = int;
  }
}

/**
 * Everything the type pass learns about one column, value by value, in constant memory: each candidate type
 * stays alive while every non-missing value fits it. Empty cells are missing in every type; the markers
 * (`-`, `k.A.`, …) are missing for numbers, dates and times, but no `ja`/`nein` (an `x` may well mean yes).
 */
export class ColumnGuess {
  values = 0;
  missing = 0;
  readonly de = new NumberCandidate();
  readonly en = new NumberCandidate();
  /** The first number that reads differently in the two notations (`1.234`: 1234 or 1.234). */
  differs?: Misfit;
  leadingZero?: Misfit;
  readonly bool = new Candidate();
  readonly date = new Candidate();
  readonly local = new Candidate();
  readonly zoned = new Candidate();

  observe(value: string, line: number): void {
    const v = value.trim();
    if (v === '') return void this.missing++;
    if (isMissingMarker(v)) {
      this.missing++;
      return void this.bool.check(false, line, value);
    }
    this.values++;
    if (this.bool.ok) this.bool.check(parseBoolean(v) !== null, line, value);
    if (this.de.ok || this.en.ok) this.observeNumber(v, line, value);
    if (this.date.ok) this.date.check(parseDate(v) !== null, line, value);
    if (this.local.ok || this.zoned.ok) this.observeTime(v, line, value);
  }

  notationsThatFit(): Notation[] {
    return (['de', 'en'] as const).filter((n) => this[n].ok && this[n].fitted > 0);
  }

  private observeNumber(v: string, line: number, value: string): void {
    if (hasLeadingZero(v)) this.leadingZero ??= { line, value };
    const de = parseNumber(v, 'de');
    const en = parseNumber(v, 'en');
    this.de.take(de, line, value);
    this.en.take(en, line, value);
    if (de !== null && en !== null && de !== en) this.differs ??= { line, value };
  }

  private observeTime(v: string, line: number, value: string): void {
    const t = parseTimestamp(v);
    this.local.check(t !== null && t.zone === null, line, value);
    this.zoned.check(t !== null && t.zone !== null, line, value);
  }
}
