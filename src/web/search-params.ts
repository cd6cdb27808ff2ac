/**
 * The search pages' address, CKAN's: `q`, one parameter per facet (`organization`, `groups`, `tags`, `res_format`,
 * `license_id`, `hvd_category`, `access_level`, repeatable), `sort`, `page`. Anything odd reads as the default
 * (an unknown sort is relevance, a bad page is the first), so a hand-edited link never ends in an error page.
 */
export const FACET_FIELDS = ['organization', 'groups', 'tags', 'res_format', 'license_id', 'hvd_category', 'access_level'] as const;
export type FacetField = (typeof FACET_FIELDS)[number];

export const SORTS = {
  relevance: 'score desc, metadata_modified desc',
  name: 'title_string asc',
  modified: 'metadata_modified desc',
} as const;
export type SortKey = keyof typeof SORTS;

export const ROWS = 20;
/** Deeper pages are not offered (as CKAN's paginator, search engines should not walk the whole catalog by page). */
export const MAX_PAGE = 500;
const MAX_Q = 500;
const MAX_VALUES = 20;

export interface SearchState {
  q: string;
  filters: [FacetField, string][];
  sort: SortKey;
  page: number;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');

export function parseSearch(query: Record<string, unknown>, fixed: FacetField[] = []): SearchState {
  // Control characters (a NUL from a hand-made link) are refused by the search; they read as spaces.
  // eslint-disable-next-line no-control-regex
  const q = (list(query.q)[0] ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, MAX_Q);
  const filters: [FacetField, string][] = [];
  for (const field of FACET_FIELDS) {
    if (fixed.includes(field)) continue;
    for (const v of list(query[field]).slice(0, MAX_VALUES)) if (v.trim() && !filters.some(([f, x]) => f === field && x === v)) filters.push([field, v]);
  }
  const rawSort = list(query.sort)[0] ?? '';
  // CKAN's own sort strings (in links GovData and search engines hold) map to ours.
  const sort = (Object.keys(SORTS) as SortKey[]).find((k) => k === rawSort || SORTS[k] === rawSort.trim()) ?? 'relevance';
  const n = Number(list(query.page)[0]);
  const page = Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_PAGE) : 1;
  return { q, filters, sort, page };
}

/** A term of a filter query in quotes, Solr-escaped. */
const quoted = (v: string): string => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** One filter as package_search's `fq` clause. HVD categories are counted by IRI but stored as written: match the code. */
export function filterClause(field: FacetField, value: string): string {
  if (field === 'hvd_category') {
    const code = /[A-Za-z0-9_]+$/.exec(value)?.[0];
    return code ? `hvd_category:*${code}*` : `hvd_category:${quoted(value)}`;
  }
  return `${field}:${quoted(value)}`;
}

/** package_search's input for a state (plus fixed clauses, e.g. the organization of its page). */
export function searchInput(s: SearchState, fixedFq: string[] = []): Record<string, unknown> {
  const fq = [...fixedFq, ...s.filters.map(([f, v]) => filterClause(f, v))].join(' AND ');
  return {
    q: s.q,
    ...(fq ? { fq } : {}),
    'facet.field': JSON.stringify(FACET_FIELDS),
    'facet.limit': 50,
    rows: ROWS,
    start: (s.page - 1) * ROWS,
    sort: SORTS[s.sort],
    include_private: true,
  };
}

/** The address of a state (what links and the paging write), on a page's base path. */
export function searchHref(base: string, s: SearchState, change: Partial<SearchState> = {}): string {
  const next = { ...s, ...change };
  const p = new URLSearchParams();
  if (next.q) p.append('q', next.q);
  for (const [f, v] of next.filters) p.append(f, v);
  if (next.sort !== 'relevance') p.append('sort', next.sort);
  if (next.page > 1) p.append('page', String(next.page));
  const qs = p.toString();
  return qs ? `${base}?${qs}` : base;
}
