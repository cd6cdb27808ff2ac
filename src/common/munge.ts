/**
 * CKAN's munge_filename (ckan/lib/munge.py): the file name part only, ASCII-folded, lower case,
 * only [a-z0-9_. -], spaces as '-', no repeated '-', extension kept, at most 100 characters.
 * What comes out can never name a path outside its folder.
 */
export function mungeFilename(raw: string): string {
  const base = raw.replace(/\0/g, '').split(/[\\/]/).pop() ?? '';
  let name = asciiFold(base).toLowerCase().trim();
  // CKAN compat: leading dots are dropped too, so no name is hidden or made of dots alone ('..').
  name = name.replace(/[^a-z0-9_. -]/g, '').replace(/ /g, '-').replace(/-+/g, '-').replace(/^\.+/, '');
  const dot = name.lastIndexOf('.');
  let stem = dot > 0 ? name.slice(0, dot) : name;
  let ext = dot > 0 ? name.slice(dot) : '';
  if (ext.length > 21) ext = ext.slice(0, 21);
  const max = 100 - ext.length;
  const min = Math.max(1, 3 - ext.length);
  stem = stem.slice(0, max);
  if (stem.length < min) stem = stem.padEnd(min, '_');
  return stem + ext;
}

/** ASCII folding as CKAN's substitute_ascii_equivalents does it (ä→a), plus ß→ss and æ→ae. */
export function asciiFold(s: string): string {
  return s
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/Æ/g, 'AE')
    .replace(/ø/g, 'o')
    .replace(/Ø/g, 'O')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
}

/**
 * CKAN's munge_name (ckan/lib/munge.py): a dataset name from any text, ASCII-folded, lower case, only [a-z0-9_-],
 * every other run of characters one '-', no '-' at either end, at least 2 and at most `max` characters (padded with '_').
 */
export function mungeName(raw: string, max = 100): string {
  let name = asciiFold(raw).toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  name = name.slice(0, max).replace(/-$/, '');
  return name.length < 2 ? name.padEnd(2, '_') : name;
}
