import { SearchError } from '../../api/errors';
import { Bits } from './bits';
import { canonical, CodedColumns, Dictionary, isCoded, isSingle, Postings } from './columns';

export function isInMemoryFacet(field: string): boolean {
  return isCoded(canonical(field));
}

/**
 * Facet counts over the slots in `mask` (`matches` of the `size` live ones). Per field, whichever is
 * cheapest: one pass over the matching slots reading the coded columns (small match sets, such as
 * a text query's), the same over the slots that do not match, subtracted from each value's total
 * (nearly everything matches, as for `*:*`), or intersecting the mask with each value's postings.
 */
export function countFacets(coded: CodedColumns, alive: Bits, size: number, mask: Bits, fields: string[], matches: number): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  const all: { field: string; counts: Int32Array; dict: Dictionary; inverse: boolean; postings: Postings }[] = [];
  const misses = size - matches;
  let missBits: Bits | undefined;
  for (const field of fields) {
    const f = canonical(field);
    if (!isCoded(f)) throw new SearchError(`field ${field} is not held in memory`);
    const dict = coded.dicts[f];
    const postings = coded.postings[f];
    const counts = new Int32Array(dict.values.length);
    const perValue = 1 + coded.valueCount[f] / Math.max(1, size);
    const perDoc = matches * perValue;
    const perMiss = misses * perValue;
    let perCode = 0;
    for (let c = 0; c < counts.length && perCode < Math.min(perDoc, perMiss); c++) perCode += postings.cost(c);
    let inverse = false;
    if (perCode < Math.min(perDoc, perMiss)) {
      for (let c = 0; c < counts.length; c++) counts[c] = postings.countIn(c, mask);
    } else {
      inverse = perMiss < perDoc;
      let over = mask;
      if (inverse) {
        if (!missBits) {
          missBits = new Uint32Array(mask.length);
          for (let w = 0; w < mask.length; w++) missBits[w] = alive[w] & ~mask[w];
        }
        over = missBits;
      }
      if (isSingle(f)) countSingle(over, coded.single[f], counts);
      else coded.multi[f].countInto(over, counts);
    }
    all.push({ field, counts, dict, inverse, postings });
  }
  for (const { field, counts, dict, inverse: inv, postings } of all) {
    const values = new Map<string, number>();
    for (let c = 0; c < counts.length; c++) {
      const n = inv ? (postings.sizes[c] ?? 0) - counts[c] : counts[c];
      if (n > 0) values.set(dict.values[c], n);
    }
    out.set(field, values);
  }
  return out;
}

/** Adds the value of every slot in `bits` to `counts` (a single-valued field's column). */
function countSingle(bits: Bits, column: Int32Array, counts: Int32Array): void {
  for (let w = 0; w < bits.length; w++) {
    let x = bits[w];
    while (x !== 0) {
      const low = x & -x;
      x ^= low;
      const c = column[(w << 5) + 31 - Math.clz32(low)];
      if (c >= 0) counts[c]++;
    }
  }
}
