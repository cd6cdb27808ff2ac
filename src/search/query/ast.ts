/**
 * A search query as a typed tree, parsed from the Solr syntax CKAN clients send (`q`, `fq`).
 * Backends compile this tree; no client text is ever spliced into SQL or a Meilisearch filter.
 */
export type QNode =
  | { kind: 'all' }
  /** A word (or a pattern with * and ?) in a field; `field` null = the default full-text field. */
  | { kind: 'term'; field: string | null; value: string; wildcard: boolean }
  /** A quoted value: exact for keyword fields, a phrase for text fields. */
  | { kind: 'phrase'; field: string | null; value: string }
  /** `field:[lo TO hi]`, `{…}` exclusive; null = open end (`*`). */
  | { kind: 'range'; field: string; lo: string | null; hi: string | null; loInclusive: boolean; hiInclusive: boolean }
  | { kind: 'and'; children: QNode[] }
  | { kind: 'or'; children: QNode[] }
  | { kind: 'not'; child: QNode }
  /**
   * Free text in CKAN's DisMax mode (a `q` without `:`): words and phrases searched across the
   * text fields; `+`/`-` mark required/excluded words; of the rest a minimum must match
   * (CKAN's mm "2<-1 5<80%").
   */
  | { kind: 'free'; words: FreeWord[] }
  /**
   * ckanext-spatial's `ext_bbox`: datasets whose extent (search_document.bbox) intersects this box, edges included;
   * where it is not negated, its overlap also ranks (see overlapScore).
   */
  | { kind: 'bbox'; box: QueryBox };

/** minx, miny, maxx, maxy in WGS 84 degrees, minx <= maxx and miny <= maxy. */
export type QueryBox = [number, number, number, number];

/**
 * ckanext-spatial's solr-bbox ranking: 2·X / (Q + T), X the area both boxes share, Q the query box's area, T the
 * dataset's; 1 for a perfect fit, near 0 for a dataset that barely touches the box or dwarfs it. Two boxes without
 * area (a point searched by a point) fit perfectly. Every backend computes it in this order of operations, so equal
 * extents tie the same way everywhere.
 */
export function overlapScore(q: QueryBox, minx: number, miny: number, maxx: number, maxy: number): number {
  const ix = Math.max(0, Math.min(q[2], maxx) - Math.max(q[0], minx));
  const iy = Math.max(0, Math.min(q[3], maxy) - Math.max(q[1], miny));
  const sum = (q[2] - q[0]) * (q[3] - q[1]) + (maxx - minx) * (maxy - miny);
  return sum > 0 ? (2 * (ix * iy)) / sum : 1;
}

export interface FreeWord {
  text: string;
  phrase: boolean;
  required: boolean;
  excluded: boolean;
}

export const MATCH_ALL: QNode = { kind: 'all' };

export function and(...nodes: QNode[]): QNode {
  const children = nodes.flatMap((n) => (n.kind === 'and' ? n.children : n.kind === 'all' ? [] : [n]));
  if (children.length === 0) return MATCH_ALL;
  return children.length === 1 ? children[0] : { kind: 'and', children };
}

export function or(...nodes: QNode[]): QNode {
  if (nodes.some((n) => n.kind === 'all')) return MATCH_ALL;
  const children = nodes.flatMap((n) => (n.kind === 'or' ? n.children : [n]));
  return children.length === 1 ? children[0] : { kind: 'or', children };
}

/** Every field a tree names (to decide which engine can answer it). */
export function fieldsOf(node: QNode, out = new Set<string>()): Set<string> {
  switch (node.kind) {
    case 'term':
    case 'phrase':
      out.add(node.field ?? 'text');
      break;
    case 'range':
      out.add(node.field);
      break;
    case 'and':
    case 'or':
      node.children.forEach((c) => fieldsOf(c, out));
      break;
    case 'not':
      fieldsOf(node.child, out);
      break;
    case 'free':
      out.add('text');
      break;
    case 'bbox':
      out.add('bbox');
      break;
    case 'all':
      break;
  }
  return out;
}

/** CKAN's minimum-should-match "2<-1 5<80%" for n optional words. */
export function minimumShouldMatch(n: number): number {
  if (n <= 2) return n;
  if (n <= 5) return n - 1;
  return Math.floor(n * 0.8); // Solr rounds percentages down
}
