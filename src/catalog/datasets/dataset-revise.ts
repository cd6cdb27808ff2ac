/**
 * The dict operations behind package_revise, with the semantics of CKAN's
 * ckan/lib/navl/dictization_functions.py (check_dict, resolve_string_key, filter_glob_match,
 * update_merge_*): paths are keys joined by `__`; in a list a segment is an index (negative counts
 * from the end) or, with 5 characters or more, the start of an item's id.
 */
type Path = (string | number)[];
type Dict = Record<string, unknown>;

/** A path that does not fit the data; package_revise reports it as a field error. */
export class ReviseDataError extends Error {}

const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const joined = (p: Path): string => p.map(String).join('__');

/** Equality as Python's == on JSON values (1 == 1.0, lists and dicts compared by content). */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && same(a[k], b[k]));
  }
  return a === b;
}

/** The paths of `select` whose values differ from `data` (check_dict / check_list). */
export function checkValue(data: unknown, select: unknown, parent: Path = []): Path[] {
  if (isDict(select)) {
    if (!isDict(data)) return [parent];
    const out: Path[] = [];
    for (const k of Object.keys(select).sort()) {
      if (!(k in data)) out.push([...parent, k]);
      else out.push(...checkValue(data[k], select[k], [...parent, k]));
    }
    return out;
  }
  if (Array.isArray(select)) {
    if (!Array.isArray(data)) return [parent];
    const out: Path[] = [];
    select.forEach((v, i) => {
      if (i >= data.length) out.push([...parent, i]);
      else out.push(...checkValue(data[i], v, [...parent, i]));
    });
    return out;
  }
  return same(data, select) ? [] : [parent];
}

/** The value at a `a__b__0` key and its resolved path (resolve_string_key); throws ReviseDataError when it is not there. */
export function resolveStringKey(data: unknown, stringKey: string): { value: unknown; path: Path } {
  const path: Path = [];
  let current = data;
  for (const k of stringKey.split('__')) {
    const unmatched = (): ReviseDataError => new ReviseDataError(`Unmatched key ${joined([...path, k])}`);
    if (isDict(current)) {
      if (!(k in current)) throw unmatched();
      path.push(k);
      current = current[k];
      continue;
    }
    if (!Array.isArray(current)) throw unmatched();
    if (k.length >= 5) {
      // A prefix of an item's id; every item must be a dict with an id, as in CKAN.
      let found = -1;
      for (let i = 0; i < current.length && found < 0; i++) {
        const rec: unknown = current[i];
        if (!isDict(rec) || !('id' in rec)) throw unmatched();
        if (String(rec.id).startsWith(k)) found = i;
      }
      if (found < 0) throw unmatched();
      path.push(found);
      current = current[found];
      continue;
    }
    if (!/^\s*[-+]?\d+\s*$/.test(k)) throw unmatched();
    const index = Number(k);
    if (index < -current.length || index >= current.length) throw unmatched();
    path.push(index);
    current = current.at(index);
  }
  return { value: current, path };
}

/** The paths under `stringKey` whose values differ from `value` (check_string_key). */
export function checkStringKey(data: Dict, stringKey: string, value: unknown): Path[] {
  const { value: current, path } = resolveStringKey(data, stringKey);
  return checkValue(current, value, path);
}

type Glob = { keep: boolean; parts: string[] };

/**
 * Removes keys from `data` in place by patterns: `-a__b` removes, `+a__b` protects from a later
 * removal, `*` matches every key or item of its level (filter_glob_match).
 */
export function filterGlobMatch(data: Dict, patterns: string[]): void {
  filterGlobs(data, patterns.map((p) => ({ keep: p.startsWith('+'), parts: p.replace(/^[-+]+/, '').split('__') })));
}

function filterGlobs(data: unknown, globs: Glob[]): void {
  if (isDict(data)) {
    const protectedKeys: Dict = {};
    const children = new Map<string, Glob[]>();
    for (const { keep, parts } of globs) {
      const head = parts[0];
      if (head === '*') {
        if (keep) Object.assign(protectedKeys, data);
        else for (const k of Object.keys(data)) delete data[k];
        continue;
      }
      if (!(head in data)) continue;
      if (parts.length > 1) children.set(head, [...(children.get(head) ?? []), { keep, parts: parts.slice(1) }]);
      else if (keep) protectedKeys[head] = data[head];
      else delete data[head];
    }
    Object.assign(data, protectedKeys);
    for (const [head, sub] of children) if (head in data) filterGlobs(data[head], sub);
    return;
  }
  if (!Array.isArray(data)) return;
  const kept = new Set<number>();
  const removed = new Set<number>();
  const children = new Map<number, Glob[]>();
  const all = data.map((_, i) => i);
  for (const { keep, parts } of globs) {
    const head = parts[0];
    if (head === '*') {
      if (keep) all.filter((i) => !removed.has(i)).forEach((i) => kept.add(i));
      else all.filter((i) => !kept.has(i)).forEach((i) => removed.add(i));
      continue;
    }
    let index: number;
    try {
      index = Number(resolveStringKey(data, head).path[0]);
    } catch (e) {
      if (e instanceof ReviseDataError) continue;
      throw e;
    }
    if (index < 0) index += data.length; // CKAN keeps -1 as is; a set of indexes needs it normalised
    if (parts.length > 1) children.set(index, [...(children.get(index) ?? []), { keep, parts: parts.slice(1) }]);
    else if (keep) {
      if (!removed.has(index)) kept.add(index);
    } else if (!kept.has(index)) removed.add(index);
  }
  for (const [index, sub] of children) if (!removed.has(index) || kept.has(index)) filterGlobs(data[index], sub);
  const gone = new Set([...removed].filter((i) => !kept.has(i)));
  const rest = data.filter((_, i) => !gone.has(i));
  data.splice(0, data.length, ...rest);
}

/** Merges `update` into `data` in place: dicts key by key, lists item by item (update_merge_dict / update_merge_list). */
export function updateMergeDict(data: Dict, update: unknown, parent: Path = []): void {
  if (!isDict(update)) throw new ReviseDataError(`Expected dict for ${joined(parent)}`);
  for (const [k, v] of Object.entries(update)) {
    const cur = data[k];
    if (!(k in data)) data[k] = v;
    else if (isDict(cur)) updateMergeDict(cur, v, [...parent, k]);
    else if (Array.isArray(cur)) updateMergeList(cur, v, [...parent, k]);
    else data[k] = v;
  }
}

function updateMergeList(data: unknown[], update: unknown, parent: Path): void {
  if (!Array.isArray(update)) throw new ReviseDataError(`Expected list for ${joined(parent)}`);
  update.forEach((v, i) => {
    const cur = data[i];
    if (i >= data.length) data.push(v);
    else if (isDict(cur)) updateMergeDict(cur, v, [...parent, i]);
    else if (Array.isArray(cur)) updateMergeList(cur, v, [...parent, i]);
    else data[i] = v;
  });
}

/** Applies one flattened `a__b__c` update; `a__extend` appends a list's items (update_merge_string_key). */
export function updateMergeStringKey(data: Dict, stringKey: string, value: unknown): void {
  const parts = stringKey.split('__');
  const k = parts[parts.length - 1];
  const parentKey = parts.slice(0, -1).join('__');
  const { value: current, path } = parentKey ? resolveStringKey(data, parentKey) : { value: data as unknown, path: [] as Path };
  if (isDict(current)) return updateMergeDict(current, { [k]: value }, path);
  if (!Array.isArray(current)) throw new ReviseDataError(`Expected list or dict for ${parentKey}`);
  if (k === 'extend') {
    if (!Array.isArray(value)) throw new ReviseDataError(`Expected list for ${parentKey}`);
    current.push(...(value as unknown[]));
    return;
  }
  const { value: child, path: at } = resolveStringKey(current, k);
  const index = Number(at[0]);
  if (isDict(child)) updateMergeDict(child, value, [...path, index]);
  else if (Array.isArray(child)) updateMergeList(child, value, [...path, index]);
  else current[index < 0 ? index + current.length : index] = value;
}
