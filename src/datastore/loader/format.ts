import FileType from 'file-type';
import { LoadLog } from './load-log';
import { LoaderError } from './loader.errors';

/** What the resource claims to be (its `format` or the file name's extension), if anything. */
export type FormatHint = 'csv' | 'tsv' | 'txt' | 'xlsx' | 'ods';

/** How the loader reads a file: delimited text (CSV, TSV, semicolon text) or an Excel workbook. */
export type TableFormat = 'text' | 'xlsx';

/**
 * The format from the file's own bytes (the `file-type` package's signatures, which look inside ZIP archives),
 * never from the hint alone: a "CSV" that is really a workbook is read as one, and the log says so.
 */
export async function detectFormat(head: Buffer, hint: FormatHint | undefined, log: LoadLog): Promise<TableFormat> {
  if (head.length === 0) throw new LoaderError('Die Datei ist leer.');
  const found = await FileType.fromBuffer(head);
  const format = fromSignature(found?.ext);
  if (format === 'text' && (hint === 'xlsx' || hint === 'ods')) throw new LoaderError(`Die Datei ist keine ${hint.toUpperCase()}-Arbeitsmappe.`);
  if (hint && (format === 'xlsx') !== (hint === 'xlsx')) {
    log.warn(`Angegeben war ${hint.toUpperCase()}, die Datei ist aber ${format === 'xlsx' ? 'eine XLSX-Arbeitsmappe' : 'Text'}; sie wird als solche gelesen.`);
  }
  return format;
}

function fromSignature(ext: string | undefined): TableFormat {
  switch (ext) {
    case undefined:
      return 'text';
    case 'xlsx':
    case 'zip': // a workbook whose first entries file-type did not see; exceljs says plainly if it is none
      return 'xlsx';
    case 'ods':
      // No well-kept npm library streams ODS (SheetJS left the npm registry in 0.18.5; exceljs reads only OOXML).
      throw new LoaderError('ODS-Dateien (OpenDocument) werden noch nicht gelesen; bitte als XLSX oder CSV speichern.');
    case 'cfb':
      throw new LoaderError('Alte Excel-Dateien (XLS, Excel 97–2003) werden nicht gelesen; bitte als XLSX oder CSV speichern.');
    default:
      // Other signatures are a few bytes that text can begin with too (UTF-16's BOM looks like MPEG audio);
      // real binary data is refused by the decoder, which sees it is no text.
      return 'text';
  }
}
