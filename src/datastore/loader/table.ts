import { uniqueColumnNames } from './column-names';
import { LoadLog } from './load-log';
import { LoaderError } from './loader.errors';
import { RawRow } from './raw-row';

/** A data row: `values` has at least one value per header column (a short row is padded with empty values). */
export interface DataRow {
  line: number;
  values: string[];
}

/** The table found in a file: its column names (unique, never empty) and its data rows, streamed in batches. */
export interface Table {
  header: string[];
  batches: AsyncIterable<DataRow[]>;
}

/** The rows of a table one by one, for callers that do not care for batches. */
export async function* rowsOf(table: Pick<Table, 'batches'>): AsyncGenerator<DataRow> {
  for await (const batch of table.batches) yield* batch;
}

/** What shaping a data row needs to know. */
interface Shape {
  width: number;
  log: LoadLog;
  /** Text rows name their fields; a sheet's row simply ends at its last filled cell, so only text rows are "short". */
  reportShortRows: boolean;
}

/** Rows read ahead to find the header: enough for any title block, few enough to hold. */
const LOOKAHEAD_ROWS = 100;
/** Footnote-like rows held back at most; a longer run of them is table, not footnotes. */
const MAX_FOOTER_ROWS = 1000;

/**
 * Where the table starts and ends in a real export, as a person sees it:
 * - the header is the first row that fills at least half of the table's usual width (and two cells, if the table
 *   has two columns or more) and reaches its last column (else the first that fills enough); the title lines above
 *   it (report name, "Stand: …", "Tabelle 1;Einwohner", empty lines) are skipped and logged;
 * - below the table, a closing run of rows with at most one filled cell (sources, footnotes, "* vorläufig") is
 *   skipped and logged (in a two-column table only after an empty row); such rows between data rows stay data,
 *   empty ones are skipped;
 * - a row shorter than the header is padded with empty values (missing); a row longer keeps its extra values,
 *   which become extra columns (`Spalte 7`) in the type pass; empty cells at a row's end do not count.
 */
export async function findTable(raw: AsyncIterable<RawRow[]>, log: LoadLog, options: { reportShortRows: boolean }): Promise<Table> {
  const source = raw[Symbol.asyncIterator]();
  const ahead: RawRow[] = [];
  while (ahead.length < LOOKAHEAD_ROWS) {
    const next = await source.next();
    if (next.done) break;
    ahead.push(...next.value);
  }
  const at = headerIndex(ahead);
  for (const title of ahead.slice(0, at)) {
    if (filled(title.cells) > 0) log.info(`Titelzeile übersprungen: '${joined(title.cells)}'`, title.line);
  }
  const headerRow = ahead[at];
  const header = uniqueColumnNames(headerRow.cells.slice(0, usedWidth(headerRow.cells)));
  log.info(`Kopfzeile mit ${header.length} Spalten: ${header.map((h) => `'${h}'`).join(', ')}`, headerRow.line);
  const shape = { width: header.length, log, reportShortRows: options.reportShortRows };
  return { header, batches: dataRows(ahead.slice(at + 1), source, shape) };
}

function headerIndex(rows: RawRow[]): number {
  const width = tableWidth(rows);
  const needed = width === 1 ? 1 : Math.max(2, Math.ceil(width / 2));
  const full = (r: RawRow): boolean => filled(r.cells) >= needed;
  // A header names the columns up to the table's last one; a title such as "Tabelle 1;Einwohner" stops short.
  let at = rows.findIndex((r) => full(r) && usedWidth(r.cells) >= width);
  if (at < 0) at = rows.findIndex(full); // a header shorter than its data rows
  if (at < 0) {
    throw new LoaderError(rows.length === 0 ? 'Die Datei enthält keine Zeilen.' : 'In der Datei ist keine Kopfzeile zu finden.');
  }
  return at;
}

/** The most common used width among rows with two filled cells or more (the wider on a tie); 1 if there are none. */
function tableWidth(rows: RawRow[]): number {
  const counts = new Map<number, number>();
  for (const r of rows) if (filled(r.cells) >= 2) counts.set(usedWidth(r.cells), (counts.get(usedWidth(r.cells)) ?? 0) + 1);
  let best = 1;
  let bestCount = 0;
  for (const [width, count] of counts) {
    if (count > bestCount || (count === bestCount && width > best)) [best, bestCount] = [width, count];
  }
  return best;
}

async function* dataRows(ahead: RawRow[], rest: AsyncIterator<RawRow[]>, shape: Shape): AsyncGenerator<DataRow[]> {
  const held: RawRow[] = [];
  let batch = ahead;
  try {
    for (;;) {
      const out: DataRow[] = [];
      for (const row of batch) take(row, held, out, shape);
      if (out.length > 0) yield out;
      const next = await rest.next();
      if (next.done) break;
      batch = next.value;
    }
  } finally {
    await rest.return?.(); // a reader that stops early closes the parse and the file behind it
  }
  const footer = footerStart(held, shape.width);
  const last: DataRow[] = [];
  for (const r of held.slice(0, footer)) keep(r, last, shape);
  if (last.length > 0) yield last;
  for (const r of held.slice(footer)) {
    if (filled(r.cells, 1) > 0) shape.log.info(`Fußzeile unter der Tabelle übersprungen: '${joined(r.cells)}'`, r.line);
  }
}

/**
 * Where the footnotes begin in the rows held back at the end. In a table of three columns or more, a row with
 * one filled cell is no data row a person would expect; in a table of two it may well be (a name without a value),
 * so there the footnotes begin only after an empty row.
 */
function footerStart(held: RawRow[], width: number): number {
  if (width >= 3) return 0;
  const empty = held.findIndex((r) => filled(r.cells, 1) === 0);
  return empty < 0 ? held.length : empty;
}

/** One row into the output, or held back while it may be a footnote; held rows go out once a data row follows. */
function take(row: RawRow, held: RawRow[], out: DataRow[], shape: Shape): void {
  if (mayBeFooter(row, shape.width) && held.length < MAX_FOOTER_ROWS) {
    held.push(row);
    return;
  }
  if (held.length > 0) for (const r of held.splice(0)) keep(r, out, shape); // not the end yet: they were table
  keep(row, out, shape);
}

function keep(row: RawRow, out: DataRow[], shape: Shape): void {
  if (filled(row.cells, 1) > 0) out.push(shaped(row, shape));
  else shape.log.repeated('empty', row.line, 'Leere Zeile übersprungen.', (n) => `${n} weitere leere Zeilen übersprungen.`);
}

/** An empty row, or (in a table of two columns or more) one with a single filled cell: a footnote if nothing follows. */
function mayBeFooter(row: RawRow, width: number): boolean {
  const n = filled(row.cells, 2);
  return n === 0 || (width >= 2 && n === 1);
}

/** A row cut to its used width and padded to the header's, with a log line when it was short or long. */
function shaped(row: RawRow, { width, log, reportShortRows }: Shape): DataRow {
  const used = usedWidth(row.cells);
  const values = row.cells.length === width ? row.cells : row.cells.slice(0, Math.max(used, width));
  if (reportShortRows && row.cells.length < width) {
    log.repeated('short', row.line, `Zeile hat nur ${row.cells.length} von ${width} Feldern; die fehlenden bleiben leer.`, (n) => `${n} weitere zu kurze Zeilen aufgefüllt.`);
  } else if (used > width) {
    log.repeated('long', row.line, `Zeile hat ${used} Felder, die Kopfzeile ${width}; die übrigen Werte kommen in zusätzliche Spalten.`, (n) => `${n} weitere zu lange Zeilen.`);
  }
  while (values.length < width) values.push('');
  return { line: row.line, values };
}

/** The number of cells with more than blanks in them, counted up to `enough` (all if not given). */
function filled(cells: string[], enough = Infinity): number {
  let n = 0;
  for (let i = 0; i < cells.length && n < enough; i++) if (cells[i] !== '' && cells[i].trim() !== '') n++;
  return n;
}

function usedWidth(cells: string[]): number {
  let end = cells.length;
  while (end > 0 && cells[end - 1].trim() === '') end--;
  return end;
}

function joined(cells: string[]): string {
  return cells.filter((c) => c.trim() !== '').join(' | ');
}
