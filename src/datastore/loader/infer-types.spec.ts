import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Inference, inferTypes, readTable } from './index';

const FIXTURES = join(__dirname, '../../../test/fixtures/loader');

async function typesOf(source: string | Buffer): Promise<Inference & { log: string[] }> {
  const table = await readTable(typeof source === 'string' ? join(FIXTURES, source) : Readable.from([source]));
  const inference = await inferTypes(table);
  return { ...inference, log: table.log.lines() };
}

const typeMap = (i: Inference): Record<string, string> => Object.fromEntries(i.columns.map((c) => [c.name, c.type]));

describe('types from the whole file', () => {
  it('types every column of a German export by all of its values', async () => {
    const inference = await typesOf('typen.csv');
    expect(typeMap(inference)).toEqual({
      ganz: 'int4',
      gross: 'int8',
      de_dezimal: 'numeric',
      en_dezimal: 'numeric',
      datum_de: 'date',
      datum_kurz: 'date',
      datum_iso: 'date',
      zeit_de: 'timestamp',
      zeit_iso_tz: 'timestamptz',
      ja_nein: 'bool',
      wahr_falsch: 'bool',
      plz: 'text',
      gemischt: 'text',
      fast_zahl: 'text',
      ankreuzen: 'text',
      mehrdeutig: 'int4',
    });
    expect(inference.rowCount).toBe(4);
  });

  it('reads numbers in the notation each column is written in', async () => {
    const { columns } = await typesOf('typen.csv');
    const notation = Object.fromEntries(columns.map((c) => [c.name, c.notation]));
    expect(notation).toMatchObject({ de_dezimal: 'de', en_dezimal: 'en' });
  });

  it('says why a column stayed text, naming the line and the value', async () => {
    const { columns, log } = await typesOf('typen.csv');
    const reason = Object.fromEntries(columns.map((c) => [c.name, c.reason]));
    expect(reason.fast_zahl).toBe("Zeile 5 '12a' ist keine Zahl – bleibt Text");
    expect(reason.plz).toBe("Zeile 2 '01067' hat eine führende Null (Schlüssel oder Postleitzahl?) – bleibt Text");
    expect(reason.gemischt).toBe("Zahlen in deutscher und englischer Schreibweise gemischt (Zeile 2 '1,5', Zeile 3 '2.5') – bleibt Text");
    expect(reason.ankreuzen).toBe('keine Werte (nur leer oder Platzhalter) – bleibt Text');
    expect(log).toContain("Spalte 'fast_zahl': Zeile 5 '12a' ist keine Zahl – bleibt Text");
    expect(columns.find((c) => c.name === 'fast_zahl')?.line).toBe(5);
  });

  it('counts the missing markers of a number column as missing, not as text', async () => {
    const file = Buffer.from('Ort;Wert\nA;1,5\nB;-\nC;.\nD;n/a\nE;k.A.\nF;x\nG;\nH;2,25\n');
    const { columns } = await typesOf(file);
    expect(columns[1]).toMatchObject({ name: 'Wert', type: 'numeric', notation: 'de', reason: 'numeric (deutsche Schreibweise; 2 Werte, 6 fehlend)' });
  });

  it('chooses int4, int8 or numeric by the range of the whole column', async () => {
    const { columns } = await typesOf(Buffer.from('a;b;c\n1;2147483647;1\n-2147483648;2147483648;99999999999999999999\n'));
    expect(columns.map((c) => c.type)).toEqual(['int4', 'int8', 'numeric']);
  });

  it('keeps a date column text when one day does not exist', async () => {
    const { columns } = await typesOf(Buffer.from('Tag;Wert\n28.02.2023;1\n29.02.2023;2\n'));
    expect(columns[0]).toMatchObject({ type: 'text', reason: "Zeile 3 '29.02.2023' ist kein Datum – bleibt Text" });
  });

  it('keeps a time column text when only some times carry a zone', async () => {
    const { columns } = await typesOf(Buffer.from('zeit,wert\n2024-01-01T10:00:00+01:00,1\n2024-01-01T11:00:00,2\n'));
    expect(columns[0]).toMatchObject({ type: 'text', reason: expect.stringContaining('teils mit, teils ohne Zeitzone') });
  });

  it('reads a time column whose times are sometimes left off as timestamps', async () => {
    const { columns } = await typesOf(Buffer.from('zeit;wert\n31.12.2023 23:59;1\n01.01.2024;2\n'));
    expect(columns[0].type).toBe('timestamp');
  });

  it('reads 1.234 as German thousands when the other number columns are German', async () => {
    const { columns } = await typesOf(Buffer.from('a\tb\n1.234\t1,5\n2.500\t2,5\n'));
    expect(columns[0]).toMatchObject({ type: 'int4', notation: 'de' });
  });

  it('refuses to guess 1.234 when nothing in the file tells the notation', async () => {
    const { columns } = await typesOf(Buffer.from('a\tb\n1.234\tx\n2.500\ty\n'));
    expect(columns[0]).toMatchObject({ type: 'text', reason: "Zeile 2 '1.234' kann deutsch oder englisch geschrieben sein – bleibt Text" });
  });

  it('gives the extra values of long rows their own columns', async () => {
    const { columns } = await typesOf('zeilenlaengen.csv');
    expect(columns.map((c) => [c.name, c.type])).toEqual([
      ['a', 'int4'],
      ['b', 'int4'],
      ['c', 'int4'],
      ['Spalte 4', 'int4'],
      ['Spalte 5', 'int4'],
    ]);
  });

  it('does not take a column of x marks for a missing number column', async () => {
    const { columns } = await typesOf(Buffer.from('Name;Teilnahme\nA;x\nB;\nC;x\n'));
    expect(columns[1].type).toBe('text');
  });

  it('types booleans only when every value is one', async () => {
    const { columns } = await typesOf(Buffer.from('a;b\nja;ja\nnein;vielleicht\n'));
    expect(columns.map((c) => c.type)).toEqual(['bool', 'text']);
    expect(columns[1].reason).toBe("Zeile 3 'vielleicht' ist kein Wahrheitswert (ja/nein, wahr/falsch, true/false) – bleibt Text");
  });
});

describe('types of an XLSX workbook', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loader-types-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('types number, date, time and boolean cells, reading number cells as numbers whatever they look like', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Daten');
    ws.addRow(['Messwert', 'Anzahl', 'Tag', 'Zeitpunkt', 'Geprüft', 'Kennung']);
    ws.addRow([1.234, 3, new Date(Date.UTC(2024, 0, 31)), new Date(Date.UTC(2024, 0, 31, 8, 15)), true, '007']);
    ws.addRow([2.345, 3000000000, new Date(Date.UTC(2024, 1, 29)), new Date(Date.UTC(2024, 1, 29, 23, 59, 59)), false, '042']);
    ws.getColumn(3).numFmt = 'dd.mm.yyyy';
    ws.getColumn(4).numFmt = 'dd.mm.yyyy hh:mm';
    const path = join(dir, 'daten.xlsx');
    await wb.xlsx.writeFile(path);
    const { columns } = await inferTypes(await readTable(path));
    expect(columns.map((c) => [c.name, c.type])).toEqual([
      ['Messwert', 'numeric'],
      ['Anzahl', 'int8'],
      ['Tag', 'date'],
      ['Zeitpunkt', 'timestamp'],
      ['Geprüft', 'bool'],
      ['Kennung', 'text'],
    ]);
    expect(columns[0].notation).toBe('en');
  });
});
