import ExcelJS from 'exceljs';
import * as iconv from 'iconv-lite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LoaderError, readTable, ReadOptions, rowsOf, TableSource } from './index';
import { zip } from '../../../test/factories/zip';

const FIXTURES = join(__dirname, '../../../test/fixtures/loader');
const fixture = (name: string): string => join(FIXTURES, name);

async function readAll(source: TableSource, options?: ReadOptions) {
  const table = await readTable(source, options);
  const rows: { line: number; values: string[] }[] = [];
  for await (const row of rowsOf(table)) rows.push(row);
  return { header: table.header, rows, values: rows.map((r) => r.values), log: table.log.lines(), separator: table.separator, format: table.format };
}

const bytes = (b: Buffer): Readable => Readable.from([b]);

describe('reading German office exports: encodings', () => {
  const text = 'Straße;Größe;Anmerkung\r\nHauptstraße;Äußerst groß;Übermaß\r\nMühlweg;klein;öde\r\n';
  const expected = [
    ['Hauptstraße', 'Äußerst groß', 'Übermaß'],
    ['Mühlweg', 'klein', 'öde'],
  ];

  it.each([
    ['UTF-8 without BOM', iconv.encode(text, 'utf-8'), 'UTF-8'],
    ['UTF-8 with BOM', iconv.encode(text, 'utf-8', { addBOM: true }), 'UTF-8'],
    ['Windows-1252', iconv.encode(text, 'windows-1252'), 'ISO-8859-1'],
    ['ISO-8859-1', iconv.encode(text, 'latin1'), 'ISO-8859-1'],
    ['UTF-16 LE with BOM', iconv.encode(text, 'utf-16le', { addBOM: true }), 'UTF-16LE'],
    ['UTF-16 BE with BOM', iconv.encode(text, 'utf-16be', { addBOM: true }), 'UTF-16BE'],
  ])('reads umlauts and ß from %s, naming the detected encoding in the log', async (_name, file, encoding) => {
    const table = await readAll(bytes(file));
    expect(table.header).toEqual(['Straße', 'Größe', 'Anmerkung']);
    expect(table.values).toEqual(expected);
    expect(table.log).toContainEqual(expect.stringContaining(`Zeichenkodierung: ${encoding}`));
  });

  it('keeps the euro sign and German quotes of a Windows-1252 export', async () => {
    const file = iconv.encode('Artikel;Preis;Zitat\nKaffee;3 €;„gut“ – sagt Müller\nTee;2 €;„naja“ – sagt Groß\n', 'windows-1252');
    expect((await readAll(bytes(file))).values).toEqual([
      ['Kaffee', '3 €', '„gut“ – sagt Müller'],
      ['Tee', '2 €', '„naja“ – sagt Groß'],
    ]);
  });

  it('detects Windows-1252 when the first umlaut comes only after 64 KiB of plain ASCII', async () => {
    const ascii = Array.from({ length: 3000 }, (_, i) => `Zeile-${i};Strasse Nummer ${i} im Ort\n`).join('');
    const file = Buffer.concat([Buffer.from(`Name;Adresse\n${ascii}`), iconv.encode('Müller;Hauptstraße 1\n', 'windows-1252')]);
    const table = await readAll(bytes(file));
    expect(table.values.at(-1)).toEqual(['Müller', 'Hauptstraße 1']);
    expect(table.rows).toHaveLength(3001);
  });
});

describe('reading German office exports: separators, quotes and line endings', () => {
  it.each([
    ['semicolon', 'bevoelkerung-titel-fussnoten.csv', ';', ['Gemeinde', 'Einwohner', 'Fläche km²', 'Dichte', 'Stichtag']],
    ['comma', 'messwerte-komma.csv', ',', ['station', 'zeit', 'wert', 'gueltig', 'notiz']],
    ['tab', 'tab-getrennt.tsv', '\t', ['Jahr', 'Monat', 'Menge']],
    ['pipe', 'pipe-getrennt.txt', '|', ['Kennung', 'Bezeichnung', 'Wert']],
  ])('sniffs a %s as the separator', async (_name, file, separator, header) => {
    const table = await readAll(fixture(file));
    expect(table.separator).toBe(separator);
    expect(table.header).toEqual(header);
  });

  it('does not take the decimal commas of a semicolon file for its separator', async () => {
    const file = Buffer.from('Ort;2019;2020;2021\nA;1,5;2,5;3,5\nB;4,5;5,5;6,5\nC;7,5;8,5;9,5\n');
    const table = await readAll(bytes(file));
    expect(table.separator).toBe(';');
    expect(table.values[0]).toEqual(['A', '1,5', '2,5', '3,5']);
  });

  it('keeps separators, line breaks and doubled quotes inside quoted fields, across CRLF, LF and CR line endings', async () => {
    const table = await readAll(fixture('anfuehrungszeichen.csv'));
    expect(table.values).toEqual([
      ['1', 'Semikolon; im Feld', '5'],
      ['2', 'Zeilenumbruch\r\nim Feld', '6'],
      ['3', 'Anführungszeichen "zitiert"', '7'],
      ['4', 'ohne', '8'],
    ]);
    expect(table.rows.map((r) => r.line)).toEqual([2, 3, 5, 6]);
  });

  it('reads quoted commas and quotes in a comma file', async () => {
    const table = await readAll(fixture('messwerte-komma.csv'));
    expect(table.values.map((v) => v[4])).toEqual(['frisch, kalt', '', 'Sensor "B" getauscht']);
    expect(table.values[1][2]).toBe('1,234.75');
  });
});

describe('reading German office exports: where the table is', () => {
  it('skips title lines above the header and footnotes below the table, naming each with its line', async () => {
    const table = await readAll(fixture('bevoelkerung-titel-fussnoten.csv'));
    expect(table.values.map((v) => v[0])).toEqual(['Musterstadt', 'Beispieldorf', 'Neuhausen', 'Altbach']);
    expect(table.rows[0].line).toBe(5);
    expect(table.log).toEqual(
      expect.arrayContaining([
        "Zeile 1: Titelzeile übersprungen: 'Bevölkerung der Gemeinden im Kreis Musterland'",
        "Zeile 2: Titelzeile übersprungen: 'Stand: 31.12.2023'",
        "Zeile 10: Fußzeile unter der Tabelle übersprungen: 'Quelle: Statistisches Landesamt'",
        "Zeile 11: Fußzeile unter der Tabelle übersprungen: '* vorläufige Werte'",
      ]),
    );
  });

  it('takes a two-cell title that stops short of the last column for a title, not the header', async () => {
    const table = await readAll(bytes(Buffer.from('Tabelle 1;Einwohner;\nOrt;Jahr;Anzahl\nA;2023;5\nB;2023;6\n')));
    expect(table.header).toEqual(['Ort', 'Jahr', 'Anzahl']);
    expect(table.log).toContain("Zeile 1: Titelzeile übersprungen: 'Tabelle 1 | Einwohner'");
  });

  it('keeps the last rows of a two-column table that lack a value, and skips footnotes after an empty row', async () => {
    const table = await readAll(bytes(Buffer.from('Name;Wert\nA;1\nB;\nC;\n\nQuelle: Amt\n')));
    expect(table.values).toEqual([
      ['A', '1'],
      ['B', ''],
      ['C', ''],
    ]);
    expect(table.log).toContain("Zeile 6: Fußzeile unter der Tabelle übersprungen: 'Quelle: Amt'");
  });

  it('keeps a one-cell row and skips an empty row that lie between data rows', async () => {
    const table = await readAll(bytes(Buffer.from('Ort;Wert;Art\nA;1;x\nB;;\n\nC;3;z\n')));
    expect(table.values).toEqual([
      ['A', '1', 'x'],
      ['B', '', ''],
      ['C', '3', 'z'],
    ]);
    expect(table.log).toContain('Zeile 4: Leere Zeile übersprungen.');
  });

  it('pads short rows and keeps the extra values of long rows, logging both with their lines', async () => {
    const table = await readAll(fixture('zeilenlaengen.csv'));
    expect(table.values).toEqual([
      ['1', '2', '3'],
      ['4', '5', ''],
      ['6', '7', '8', '9', '10'],
      ['11', '12', '13'],
    ]);
    expect(table.log).toContain('Zeile 3: Zeile hat nur 2 von 3 Feldern; die fehlenden bleiben leer.');
    expect(table.log).toContain('Zeile 4: Zeile hat 5 Felder, die Kopfzeile 3; die übrigen Werte kommen in zusätzliche Spalten.');
  });

  it('names the first few padded rows and counts the rest', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i};x`).join('\n');
    const table = await readAll(bytes(Buffer.from(`a;b;c\n${rows}\n`)));
    expect(table.log.filter((l) => l.includes('von 3 Feldern'))).toHaveLength(5);
    expect(table.log).toContain('15 weitere zu kurze Zeilen aufgefüllt.');
  });

  it('makes duplicate and empty column names unique as a person would name them', async () => {
    const table = await readAll(fixture('kopfzeile-doppelt-leer.csv'));
    expect(table.header).toEqual(['Ort', 'Wert', 'Spalte 3', 'Wert_2', 'Wert_3', 'intern', 'Einwohner (Anzahl)']);
  });
});

describe('reading German office exports: XLSX workbooks', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loader-xlsx-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function writeWorkbook(): Promise<string> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Pegel');
    ws.addRow(['Wasserstände an den Pegeln']);
    ws.addRow([]);
    ws.addRow(['Pegel', 'Datum', 'Zeitpunkt', 'Stand', 'Gültig', 'Doppelt', 'Hinweis']);
    ws.addRow(['Köln', new Date(Date.UTC(2024, 2, 31)), new Date(Date.UTC(2024, 2, 31, 14, 30)), 0.1 + 0.2, true, { formula: 'D4*2', result: 0.6 }, { richText: [{ text: 'steigt ' }, { text: 'stark', font: { bold: true } }] }]);
    ws.addRow(['Bonn', new Date(Date.UTC(2024, 3, 1)), new Date(Date.UTC(2024, 3, 1, 6, 0, 15)), 1234.5, false, { formula: 'D5*2', result: 2469 }, null]);
    ws.addRow([]);
    ws.addRow(['Quelle: Landesamt für Umwelt']);
    ws.getColumn(2).numFmt = 'dd.mm.yyyy';
    ws.getColumn(3).numFmt = 'dd.mm.yyyy hh:mm:ss';
    wb.addWorksheet('Zweites Blatt').addRow(['nicht', 'gelesen']);
    const path = join(dir, 'pegel.xlsx');
    await wb.xlsx.writeFile(path);
    return path;
  }

  it('reads the first sheet, turning dates, numbers, booleans, formulas and rich text into text forms', async () => {
    const table = await readAll(await writeWorkbook(), { format: 'xlsx' });
    expect(table.format).toBe('xlsx');
    expect(table.header).toEqual(['Pegel', 'Datum', 'Zeitpunkt', 'Stand', 'Gültig', 'Doppelt', 'Hinweis']);
    expect(table.values).toEqual([
      ['Köln', '2024-03-31', '2024-03-31 14:30:00', '0.3', 'true', '0.6', 'steigt stark'],
      ['Bonn', '2024-04-01', '2024-04-01 06:00:15', '1234.5', 'false', '2469', ''],
    ]);
    expect(table.rows.map((r) => r.line)).toEqual([4, 5]);
    expect(table.log).toEqual(
      expect.arrayContaining([
        "Zeile 1: Titelzeile übersprungen: 'Wasserstände an den Pegeln'",
        "Zeile 7: Fußzeile unter der Tabelle übersprungen: 'Quelle: Landesamt für Umwelt'",
      ]),
    );
  });

  it('reads a workbook named .csv by its content, and says so', async () => {
    const table = await readAll(await writeWorkbook(), { format: 'csv' });
    expect(table.format).toBe('xlsx');
    expect(table.log).toContainEqual(expect.stringContaining('Angegeben war CSV'));
  });
});


/** Bytes without any pattern a text has: a fixed linear congruential sequence. */
function garbage(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}

describe('files that are no table get a plain error', () => {
  it.each([
    ['an empty file', () => fixture('leer.csv'), /Die Datei ist leer/],
    ['binary garbage', () => bytes(garbage(4096)), /keine Textdatei/],
    ['an ODS spreadsheet', () => bytes(zip({ mimetype: 'application/vnd.oasis.opendocument.spreadsheet', 'content.xml': '<x/>' })), /ODS-Dateien/],
    ['an old XLS workbook', () => bytes(Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(600)])), /XLS/],
    ['a ZIP that is no workbook', () => bytes(zip({ 'readme.txt': 'hallo' })), /XLSX-Arbeitsmappe lässt sich nicht lesen/],
    ['text claimed to be XLSX', () => bytes(Buffer.from('a;b\n1;2\n')), /keine XLSX-Arbeitsmappe/],
    ['only empty lines', () => bytes(Buffer.from('\n\n;;\n')), /keine Kopfzeile|keine Zeilen/],
  ])('refuses %s', async (_name, source, message) => {
    const hint = _name === 'text claimed to be XLSX' ? 'xlsx' : undefined;
    await expect(readAll(source(), { format: hint })).rejects.toThrow(message);
    await expect(readAll(source(), { format: hint })).rejects.toBeInstanceOf(LoaderError);
  });

  it('stops at a quote that swallows more than 8 MiB instead of holding the whole file, naming its line', async () => {
    const file = Buffer.concat([Buffer.from('id;text\n1;gut\n2;"'), Buffer.alloc(9 * 1024 * 1024, 'x'), Buffer.from('\n3;weiter\n')]);
    await expect(readAll(bytes(file))).rejects.toThrow('Zeile 3: Ein Feld ist länger als 8 MiB; vermutlich wird ein Anführungszeichen (") nicht geschlossen.');
  });

  it('names the line where a quote opens that is never closed', async () => {
    await expect(readAll(fixture('kaputt-anfuehrungszeichen.csv'))).rejects.toThrow(
      'Zeile 3: Ein Anführungszeichen (") am Anfang eines Feldes wird bis zum Dateiende nicht geschlossen.',
    );
  });
});
