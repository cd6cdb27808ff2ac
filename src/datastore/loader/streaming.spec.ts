import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { inferTypes, readTable, rowsOf } from './index';

const ROWS = 200_000;
const ROWS_PER_CHUNK = 1000;

/** A sensor export as German offices write it, made on demand: nothing of it exists until the reader pulls it. */
function generatedExport(lastValue: string): { source: Readable; pulledBytes: () => number } {
  let pulled = 0;
  function* chunks(): Generator<Buffer> {
    const head = Buffer.from('Messwerte Pegel Musterfluss;;;\nzeit;station;wert;qualitaet\n');
    pulled += head.length;
    yield head;
    for (let start = 0; start < ROWS; start += ROWS_PER_CHUNK) {
      let text = '';
      for (let i = start; i < start + ROWS_PER_CHUNK; i++) text += row(i, i === ROWS - 1 ? lastValue : undefined);
      const chunk = Buffer.from(text);
      pulled += chunk.length;
      yield chunk;
    }
  }
  return { source: Readable.from(chunks()), pulledBytes: () => pulled };
}

function row(i: number, value?: string): string {
  const minute = i % 60;
  const hour = Math.floor(i / 60) % 24;
  const day = (Math.floor(i / 1440) % 28) + 1;
  const time = `${String(day).padStart(2, '0')}.02.2024 ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  return `${time};S${String(i % 500).padStart(4, '0')};${value ?? `${1000 + (i % 9000)},${i % 100}`};${i % 4}\n`;
}

/** The heap after a full collection: what is really held, not garbage not yet collected. */
function heldHeap(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

describe('a large CSV is streamed, never held whole', () => {
  it(`reads ${ROWS} rows while holding only a bounded window of the file`, async () => {
    const { source, pulledBytes } = generatedExport('1,5');
    const before = heldHeap();
    const table = await readTable(source);
    let rows = 0;
    let readBytes = 0;
    let maxAhead = 0;
    let maxHeapGrowth = 0;
    for await (const r of rowsOf(table)) {
      rows++;
      readBytes += r.values.join(';').length + 1;
      if (rows % 10_000 === 0) {
        maxAhead = Math.max(maxAhead, pulledBytes() - readBytes);
        maxHeapGrowth = Math.max(maxHeapGrowth, heldHeap() - before);
      }
    }
    expect(rows).toBe(ROWS);
    expect(pulledBytes()).toBeGreaterThan(6 * 1024 * 1024); // the whole file went through ...
    expect(maxAhead).toBeLessThan(2 * 1024 * 1024); // ... but never more than a small window ahead of the reader
    expect(maxHeapGrowth).toBeLessThan(24 * 1024 * 1024); // and the rows read were not kept
  });

  it('keeps a number column text for one bad value in the very last row, naming that line', async () => {
    const { source } = generatedExport('12a');
    const table = await readTable(source);
    const { columns, rowCount } = await inferTypes(table);
    expect(rowCount).toBe(ROWS);
    expect(columns.map((c) => [c.name, c.type])).toEqual([
      ['zeit', 'timestamp'],
      ['station', 'text'],
      ['wert', 'text'],
      ['qualitaet', 'int4'],
    ]);
    expect(columns[2].reason).toBe(`Zeile ${ROWS + 2} '12a' ist keine Zahl – bleibt Text`);
    expect(table.log.lines()).toContain(`Spalte 'wert': Zeile ${ROWS + 2} '12a' ist keine Zahl – bleibt Text`);
  });

  it('types the same column numeric when the last row fits', async () => {
    const { columns } = await inferTypes(await readTable(generatedExport('1,5').source));
    expect(columns[2]).toMatchObject({ name: 'wert', type: 'numeric', notation: 'de' });
  });
});
