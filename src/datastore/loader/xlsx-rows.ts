import type ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { LoaderError } from './loader.errors';
import { batched, RawRow } from './raw-row';

/** exceljs, loaded on the first workbook read: it is large, and most processes never read one. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const excel = (): typeof ExcelJS => require('exceljs') as typeof ExcelJS;

/**
 * The rows of a workbook's first sheet, streamed by exceljs's WorkbookReader (the sheet is never held whole),
 * each cell turned into the text a CSV export of it would hold, so both formats go through the same table finder
 * and type inference: numbers as `1234.56` (at Excel's 15 significant digits), date cells as `2024-03-31` or
 * `2024-03-31 14:30:00`, booleans as `true`/`false`, formulas as their cached result, rich text as its text.
 */
export function xlsxRows(bytes: Readable): AsyncGenerator<RawRow[]> {
  return batched(sheetRows(bytes));
}

async function* sheetRows(bytes: Readable): AsyncGenerator<RawRow> {
  const workbook = new (excel().stream.xlsx.WorkbookReader)(bytes, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell a date cell from a number: the date is in the cell's number format
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  try {
    for await (const sheet of workbook) {
      for await (const row of sheet) {
        const values = row.values as ExcelJS.CellValue[];
        yield { line: row.number, cells: Array.from(values.slice(1), cellText) };
      }
      return; // the first sheet only
    }
    throw new LoaderError('Die XLSX-Arbeitsmappe lässt sich nicht lesen: sie enthält kein Tabellenblatt.');
  } catch (err) {
    if (err instanceof LoaderError) throw err;
    throw new LoaderError(`Die XLSX-Arbeitsmappe lässt sich nicht lesen: ${(err as Error).message}`);
  } finally {
    bytes.destroy();
  }
}

/** A cell's value as text; an empty cell (a hole in exceljs's sparse row) is the empty string. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return dateText(value);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('error' in value) return value.error; // '#N/A' counts as missing in a typed column; '#DIV/0!' keeps it text
  if ('formula' in value || 'sharedFormula' in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  if ('text' in value) return cellText(value.text as ExcelJS.CellValue);
  return '';
}

/** What Excel shows: 15 significant digits, so 0.1 + 0.2 reads 0.3 and not 0.30000000000000004. */
function numberText(n: number): string {
  return String(Number(n.toPrecision(15)));
}

/** Excel's dates have no time zone; exceljs gives them as UTC instants, so they are read back in UTC. */
function dateText(d: Date): string {
  const t = new Date(Math.round(d.getTime() / 1000) * 1000); // a serial's float error (…:59.999) is no real time
  const iso = t.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}
