/**
 * The loader's file-reading heart: a German office export in, PostgreSQL COPY lines out. Pure (no database, no
 * job); the DataStore's load job drives it. The pipeline, one file per step:
 *
 *   detect   format.ts      XLSX or text, from the file's own signature (file-type); ODS and old XLS refused plainly
 *   decode   decode.ts      chardet names the encoding (UTF-8 ± BOM, Windows-1252/ISO-8859-1, UTF-16 with BOM),
 *                           iconv-lite turns it into UTF-8; binary data is refused
 *   sniff    separator.ts   `;` `,` tab or `|`, whichever splits a 64 KiB sample into the most regular rows
 *   parse    csv-rows.ts    csv-parse, streaming (quotes, line breaks in fields, mixed CRLF/LF/CR);
 *            xlsx-rows.ts   exceljs's streaming reader, first sheet, cells as the same text forms
 *   find     table.ts       title lines above the header and footnotes below the table skipped and logged,
 *                           short rows padded, long rows kept (extra columns); column-names.ts makes names unique
 *   infer    infer-types.ts every value of the whole file (column-guess.ts, values.ts): int4/int8/numeric
 *                           (German or English notation), bool, date, timestamp, timestamptz, else text, with why
 *   convert  copy-text.ts   each row as a COPY text-format line for the inferred (or overridden) types
 *
 * A load reads the file twice: once to infer types, once to convert (a download is saved to disk first):
 *
 *   const types = await inferTypes(await readTable(path, { format: 'csv' }));
 *   const again = await readTable(path, { format: 'csv' });
 *   const copy = new CopyTextConverter(types.columns);
 *   for await (const batch of again.batches) copyStream.write(copy.lines(batch));   // with back-pressure
 *
 * The table's columns are `types.columns`, not the header: they include the extra columns of rows longer than the
 * header. Rows travel in batches of up to 1000 (one await per batch, not per row); `rowsOf(table)` gives them one
 * by one.
 *
 * Every remark (skipped lines, padded rows, chosen types and why a column stayed text) goes into the LoadLog with
 * the source line it is about; a file that is no table throws a LoaderError with a message for the steward.
 */
export { CopyTextConverter, escapeCopyText } from './copy-text';
export type { CopyColumn } from './copy-text';
export type { FormatHint, TableFormat } from './format';
export { inferTypes } from './infer-types';
export type { DatastoreType, Inference, InferredColumn, TableToType } from './infer-types';
export { LoadLog } from './load-log';
export type { LogEntry, LogLevel } from './load-log';
export { LoaderError } from './loader.errors';
export { readTable } from './read-table';
export type { ReadOptions, ReadTable } from './read-table';
export type { Separator } from './separator';
export type { TableSource } from './source';
export { rowsOf } from './table';
export type { DataRow, Table } from './table';
