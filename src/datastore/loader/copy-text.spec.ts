import { join } from 'node:path';
import { CopyTextConverter, escapeCopyText, inferTypes, LoaderError, readTable } from './index';

const FIXTURES = join(__dirname, '../../../test/fixtures/loader');

/** Both passes of a load over one fixture: infer the types, then convert every row to COPY text. */
async function copyLines(file: string): Promise<string[]> {
  const path = join(FIXTURES, file);
  const { columns } = await inferTypes(await readTable(path));
  const converter = new CopyTextConverter(columns);
  const lines: string[] = [];
  for await (const batch of (await readTable(path)).batches) lines.push(...batch.map((row) => converter.line(row.values, row.line)));
  return lines;
}

describe('rows as PostgreSQL COPY text lines', () => {
  it('writes German numbers, dates, times and booleans in PostgreSQL form and missing markers as NULL', async () => {
    const lines = await copyLines('typen.csv');
    expect(lines[0].split('\t')).toEqual([
      '1', '3000000000', '1234.56', '1234.56', '2023-12-31', '2024-02-01', '2023-12-31', '2023-12-31 14:30:00',
      '2023-12-31 14:30:00+01:00', 't', 't', '01067', '1,5', '12', 'x', '1234\n',
    ]);
    expect(lines[2].split('\t')).toEqual([
      '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', 'f', 't', '80331', '3', '14,5', 'x', '\\N\n',
    ]);
    expect(lines[3].split('\t').slice(0, 4)).toEqual(['\\N', '\\N', '\\N', '\\N']);
  });

  it('keeps a text column exactly as written, markers included', async () => {
    const lines = await copyLines('typen.csv');
    expect(lines.map((l) => l.split('\t')[13])).toEqual(['12', '13', '14,5', '12a']);
  });

  it('escapes backslash, tab, newline and carriage return of text as COPY requires', async () => {
    expect(escapeCopyText('C:\\Daten\tneu\r\nZeile')).toBe('C:\\\\Daten\\tneu\\r\\nZeile');
    const lines = await copyLines('anfuehrungszeichen.csv');
    expect(lines[1]).toBe('2\tZeilenumbruch\\r\\nim Feld\t6\n');
  });

  it('pads a short row with NULLs up to the columns of the whole file', async () => {
    const lines = await copyLines('zeilenlaengen.csv');
    expect(lines).toEqual(['1\t2\t3\t\\N\t\\N\n', '4\t5\t\\N\t\\N\t\\N\n', '6\t7\t8\t9\t10\n', '11\t12\t13\t\\N\t\\N\n']);
  });

  it('refuses a value that does not fit a type a steward chose, naming column and line', () => {
    const converter = new CopyTextConverter([{ name: 'Wert', type: 'int4', notation: 'de' }]);
    expect(converter.line(['1.234'], 2)).toBe('1234\n');
    expect(() => converter.line(['1,5'], 17)).toThrow(new LoaderError("Spalte 'Wert': '1,5' passt nicht zum Typ int4.", 17));
    expect(() => converter.line(['3000000000'], 18)).toThrow("Zeile 18: Spalte 'Wert': '3000000000' passt nicht zum Typ int4.");
  });

  it('reads an overridden number column in whichever notation is unambiguous', () => {
    const converter = new CopyTextConverter([{ name: 'Wert', type: 'numeric' }]);
    expect(converter.line(['1,5'], 2)).toBe('1.5\n');
    expect(converter.line(['2.5'], 3)).toBe('2.5\n');
    expect(() => converter.line(['1.234'], 4)).toThrow(LoaderError);
  });
});
