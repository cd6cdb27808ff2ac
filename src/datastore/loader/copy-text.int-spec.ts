import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createTestDatabase, dropTestDatabase } from '../../../test/test-db';
import { CopyTextConverter, inferTypes, readTable } from './index';

const FIXTURES = join(__dirname, '../../../test/fixtures/loader');

/**
 * The converter's lines go through PostgreSQL's own COPY parser into a table of the inferred types: what the
 * DataStore's load job will do, minus the job. Proves the lines are COPY text PostgreSQL reads as meant.
 */
describe('COPY text lines loaded into PostgreSQL', () => {
  let db: { name: string; url: string };
  let client: Client;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
    dir = mkdtempSync(join(tmpdir(), 'loader-copy-'));
  });
  afterAll(async () => {
    await client.end();
    await dropTestDatabase(db.name);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Infer, create a table of the inferred types, COPY every row in, and read it back as JSON-ready rows. */
  async function load(path: string, table: string): Promise<Record<string, unknown>[]> {
    const { columns } = await inferTypes(await readTable(path));
    const fields = columns.map((c) => `${client.escapeIdentifier(c.name)} ${c.type}`).join(', ');
    await client.query(`CREATE TABLE ${client.escapeIdentifier(table)} (${fields})`);
    const converter = new CopyTextConverter(columns);
    const { batches } = await readTable(path);
    const lines = Readable.from((async function* () {
      for await (const batch of batches) yield converter.lines(batch);
    })());
    await pipeline(lines, client.query(copyFrom(`COPY ${client.escapeIdentifier(table)} FROM STDIN`)));
    const cast = columns.map((c) => `${client.escapeIdentifier(c.name)}::text`).join(', ');
    return (await client.query(`SELECT ${cast} FROM ${client.escapeIdentifier(table)}`)).rows;
  }

  it('loads a German export with every type into typed columns', async () => {
    const rows = await load(join(FIXTURES, 'typen.csv'), 'typen');
    expect(rows[0]).toEqual({
      ganz: '1', gross: '3000000000', de_dezimal: '1234.56', en_dezimal: '1234.56', datum_de: '2023-12-31',
      datum_kurz: '2024-02-01', datum_iso: '2023-12-31', zeit_de: '2023-12-31 14:30:00',
      zeit_iso_tz: expect.stringMatching(/^2023-12-31 1\d:30:00\+00$|^2023-12-31 \d\d:30:00[+-]\d\d$/),
      ja_nein: 'true', wahr_falsch: 'true', plz: '01067', gemischt: '1,5', fast_zahl: '12', ankreuzen: 'x', mehrdeutig: '1234',
    });
    expect(rows[2]).toMatchObject({ ganz: null, de_dezimal: null, datum_de: null, zeit_de: null, ja_nein: 'false' });
    expect(rows).toHaveLength(4);
  });

  it('keeps backslashes, tabs and line breaks of text cells intact through COPY', async () => {
    const path = join(dir, 'sonderzeichen.csv');
    writeFileSync(path, 'Pfad;Notiz\n"C:\\Daten\\neu";"Tab\there"\n"\\N";"zwei\r\nZeilen"\n');
    const rows = await load(path, 'sonderzeichen');
    expect(rows).toEqual([
      { Pfad: 'C:\\Daten\\neu', Notiz: 'Tab\there' },
      { Pfad: '\\N', Notiz: 'zwei\r\nZeilen' },
    ]);
  });
});
