/** PostgreSQL cuts identifiers at 63 bytes; longer names would collide once cut. */
const MAX_NAME_BYTES = 63;

/**
 * Column names as a person would read the header row, made usable as DataStore fields: a header cell broken over
 * lines becomes one line; an empty cell is named by its position (`Spalte 3`); a repeated name gets its
 * count (`Wert`, `Wert_2`, `Wert_3`); a leading `_` (reserved by CKAN for `_id`, `_full_text`) and `"` are
 * dropped; a name longer than PostgreSQL allows is shortened.
 */
export function uniqueColumnNames(header: string[]): string[] {
  const taken = new Set<string>();
  return header.map((cell, i) => {
    const base = cleanName(cell) || positionName(i);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = shorten(base, `_${n}`);
    taken.add(name);
    return name;
  });
}

/** The name of a column that has no header cell: its 1-based position, as a spreadsheet user counts. */
export function positionName(index: number): string {
  return `Spalte ${index + 1}`;
}

function cleanName(cell: string): string {
  const name = cell.replace(/\s+/g, ' ').replace(/"/g, '').trim().replace(/^_+/, '').trim();
  return shorten(name, '');
}

function shorten(base: string, suffix: string): string {
  let name = base;
  while (Buffer.byteLength(name + suffix) > MAX_NAME_BYTES) name = Array.from(name).slice(0, -1).join('');
  return name + suffix;
}
