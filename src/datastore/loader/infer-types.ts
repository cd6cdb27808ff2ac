import { ColumnGuess, Misfit } from './column-guess';
import { uniqueColumnNames } from './column-names';
import { LoadLog } from './load-log';
import { TableFormat } from './format';
import { Separator } from './separator';
import { DataRow } from './table';
import { Notation, parseNumber, parseTimestamp } from './values';

/** The DataStore (PostgreSQL) types the loader chooses; `float8` is only ever a steward's override. */
export type DatastoreType = 'text' | 'int4' | 'int8' | 'numeric' | 'float8' | 'bool' | 'date' | 'timestamp' | 'timestamptz';

/** A column as loaded: its name, its type, how its numbers are written, and why it got that type (for the log). */
export interface InferredColumn {
  name: string;
  type: DatastoreType;
  /** For number columns: German `1.234,56` or English `1,234.56`. */
  notation?: Notation;
  reason: string;
  /** The line the reason names (the value that kept the column text). */
  line?: number;
}

export interface Inference {
  columns: InferredColumn[];
  /** Data rows seen (not counting the header, titles, footnotes and empty lines). */
  rowCount: number;
}

/** What the type pass reads: a table from readTable (its batches are consumed). */
export interface TableToType {
  header: string[];
  batches: AsyncIterable<DataRow[]>;
  log: LoadLog;
  format?: TableFormat;
  separator?: Separator;
}

/**
 * Types from the whole file, never from its first rows: every value of every column is looked at, and a column
 * gets a type only when all its non-missing values fit it; one `12a` in the last row keeps a number column text
 * (and the log names the line). Memory stays constant: each column keeps only what it still may be.
 */
export async function inferTypes(table: TableToType): Promise<Inference> {
  const guesses = table.header.map(() => new ColumnGuess());
  let rowCount = 0;
  for await (const batch of table.batches) {
    rowCount += batch.length;
    for (const row of batch) {
      while (guesses.length < row.values.length) guesses.push(new ColumnGuess()); // a longer row's extra columns
      for (let i = 0; i < guesses.length; i++) guesses[i].observe(row.values[i] ?? '', row.line);
    }
  }
  const names = uniqueColumnNames([...table.header, ...guesses.slice(table.header.length).map(() => '')]);
  const fallback = fileNotation(guesses, table);
  const columns = guesses.map((g, i) => decide(names[i], g, fallback));
  for (const c of columns) {
    if (c.line === undefined) table.log.info(`Spalte '${c.name}': ${c.reason}`);
    else table.log.warn(`Spalte '${c.name}': ${c.reason}`, c.line); // a value kept the column text
  }
  return { columns, rowCount };
}

/**
 * How to read numbers that fit both notations differently (`1.234`): in a workbook as English, the form its number
 * cells are written out in (xlsx-rows.ts); in a text file as its other number columns are written, if they agree;
 * otherwise German in a semicolon file (Excel's German export) and English in a comma file; null (the column stays
 * text) when nothing tells.
 */
function fileNotation(guesses: ColumnGuess[], { format, separator }: TableToType): Notation | null {
  if (format === 'xlsx') return 'en';
  const votes = new Set(guesses.map((g) => g.notationsThatFit()).filter((n) => n.length === 1).map((n) => n[0]));
  if (votes.size === 1) return [...votes][0];
  return separator === ';' ? 'de' : separator === ',' ? 'en' : null;
}

function decide(name: string, g: ColumnGuess, fallback: Notation | null): InferredColumn {
  const counts = `${g.values} Werte, ${g.missing} fehlend`;
  if (g.values === 0) return { name, type: 'text', reason: 'keine Werte (nur leer oder Platzhalter) – bleibt Text' };
  if (g.bool.ok) return { name, type: 'bool', reason: `bool (${counts})` };
  const notation = numberNotation(g, fallback);
  if (notation) {
    const n = g[notation];
    const type = n.whole ? n.width : 'numeric';
    return { name, type, notation, reason: `${type} (${notation === 'de' ? 'deutsche' : 'englische'} Schreibweise; ${counts})` };
  }
  if (g.date.ok) return { name, type: 'date', reason: `date (${counts})` };
  if (g.local.ok) return { name, type: 'timestamp', reason: `timestamp (${counts})` };
  if (g.zoned.ok) return { name, type: 'timestamptz', reason: `timestamptz (${counts})` };
  const why = whyText(g, fallback);
  if (!why) return { name, type: 'text', reason: `text (${counts})` };
  return { name, type: 'text', reason: `${why.text} – bleibt Text`, line: why.line };
}

function numberNotation(g: ColumnGuess, fallback: Notation | null): Notation | null {
  if (g.de.ok && g.en.ok) return g.differs ? fallback : 'en'; // without a difference, both read the same
  return g.de.ok ? 'de' : g.en.ok ? 'en' : null;
}

/** A reason and the line it is about. */
interface Why {
  text: string;
  line?: number;
}

/** Why a column stayed text: told by the type that held longest before a value broke it; null for plain text. */
function whyText(g: ColumnGuess, fallback: Notation | null): Why | null {
  const number = Math.max(g.de.fitted, g.en.fitted);
  const time = Math.max(g.local.fitted, g.zoned.fitted);
  const best = Math.max(number, g.date.fitted, time, g.bool.fitted);
  if (g.leadingZero && [g.de.misfit?.line, g.en.misfit?.line].includes(g.leadingZero.line)) {
    return at(g.leadingZero, 'hat eine führende Null (Schlüssel oder Postleitzahl?)');
  }
  if (best === 0) return null; // no value fitted any type: plain text
  if (best === number) return whyNoNumber(g, fallback);
  if (best === g.date.fitted) return at(g.date.misfit, 'ist kein Datum');
  if (best === time) return whyNoTime(g);
  return at(g.bool.misfit, 'ist kein Wahrheitswert (ja/nein, wahr/falsch, true/false)');
}

function whyNoNumber(g: ColumnGuess, fallback: Notation | null): Why {
  if (g.de.ok && g.en.ok && !fallback) return at(g.differs, 'kann deutsch oder englisch geschrieben sein');
  const [de, en] = [g.de.misfit, g.en.misfit];
  if (de && en && parseNumber(de.value.trim(), 'en') !== null && parseNumber(en.value.trim(), 'de') !== null) {
    const [first, second] = de.line < en.line ? [de, en] : [en, de];
    return { text: `Zahlen in deutscher und englischer Schreibweise gemischt (Zeile ${first.line} '${first.value}', Zeile ${second.line} '${second.value}')`, line: second.line };
  }
  return at(g.de.fitted >= g.en.fitted ? de : en, 'ist keine Zahl');
}

function whyNoTime(g: ColumnGuess): Why {
  const [local, zoned] = [g.local.misfit, g.zoned.misfit];
  if (local && zoned && parseTimestamp(local.value.trim()) && parseTimestamp(zoned.value.trim())) {
    const later = (g.local.misfit?.line ?? 0) > (g.zoned.misfit?.line ?? 0) ? g.local.misfit : g.zoned.misfit;
    return at(later, 'passt nicht: Zeitpunkte teils mit, teils ohne Zeitzone');
  }
  return at(g.local.fitted >= g.zoned.fitted ? g.local.misfit : g.zoned.misfit, 'ist kein Zeitpunkt');
}

function at(m: Misfit | undefined, what: string): Why {
  return m ? { text: `Zeile ${m.line} '${m.value}' ${what}`, line: m.line } : { text: what };
}
