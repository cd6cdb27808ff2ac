import {
  booleanValidator, Field, ignoreEmpty, ignoreMissing, intValidator, Invalid, jsonIfString, listIfString, listOfStrings, maxItems, naturalNumber, Step, unicodeSafe, documented,
} from '../api/ckan-schema';
import { SearchError, SearchQueryError } from '../api/errors';
import type { Clauses, Condition } from '../auth/visibility';
import { and, MATCH_ALL, or, QNode, QueryBox } from './query/ast';
import { parseLucene, parseQ } from './query/solr-parser';
import { searchField } from './search-fields';

export const ROWS_MAX = 1000;
export const DEFAULT_SORT = 'score desc, metadata_modified desc';

/** limit_to_configured_maximum: more rows than the maximum are silently capped. */
const capRows: Step = (v) => (typeof v === 'number' && v > ROWS_MAX ? ROWS_MAX : v);
const stringOrList: Step = (v) => (typeof v === 'string' ? [v] : v);

/**
 * Most facet fields, fq_list filters, fl fields and sort fields in one package_search (CKAN compat: CKAN has no
 * bound; 100,000 facet fields ran for more than 10 s). Each query string is bounded by the parser
 * (MAX_QUERY_TERMS, MAX_QUERY_DEPTH).
 */
export const SEARCH_LIST_MAX = 100;

/** `fl`: names separated by commas or spaces, or a list of such strings; at most SEARCH_LIST_MAX names. */
const fieldList: Step = (v) => {
  const list = listOfStrings(listIfString(v, {}), {});
  if (list instanceof Invalid) return list;
  const names = (list as string[]).flatMap((f) => f.split(/[\s,]+/)).filter(Boolean);
  return names.length > SEARCH_LIST_MAX ? new Invalid(`At most ${SEARCH_LIST_MAX} fields`) : list;
};
documented(fieldList, { schema: { type: 'array', items: { type: 'string' }, description: 'field names separated by commas or spaces' } });

/** `sort`: at most SEARCH_LIST_MAX fields; each further key costs every comparison of a tie. */
const sortFieldCount: Step = (v) =>
  typeof v === 'string' && v.split(',').filter((p) => p.trim()).length > SEARCH_LIST_MAX ? new Invalid(`At most ${SEARCH_LIST_MAX} sort fields`) : v;

/** default_package_search_schema, plus the flags package_search itself reads. */
export class PackageSearchInput {
  @Field(ignoreMissing, unicodeSafe) q?: string;
  @Field(ignoreMissing, fieldList) fl?: string[];
  @Field(ignoreMissing, unicodeSafe) fq?: string;
  @Field(ignoreMissing, stringOrList, maxItems(SEARCH_LIST_MAX, 'filters'), listOfStrings) fq_list?: string[];
  @Field(ignoreEmpty, naturalNumber, capRows) rows = 10;
  @Field(ignoreMissing, unicodeSafe, sortFieldCount) sort?: string;
  @Field(ignoreEmpty, naturalNumber) start = 0;
  @Field(ignoreMissing, unicodeSafe) facet?: string;
  @Field(ignoreEmpty, naturalNumber) 'facet.mincount' = 1;
  @Field(ignoreEmpty, intValidator) 'facet.limit' = 50;
  @Field(ignoreMissing, jsonIfString, maxItems(SEARCH_LIST_MAX, 'facet fields'), listOfStrings) 'facet.field'?: string[];
  @Field(ignoreMissing, booleanValidator) include_private = false;
  @Field(ignoreMissing, booleanValidator) include_drafts = false;
  @Field(ignoreMissing, booleanValidator) include_deleted = false;
  @Field(ignoreMissing, booleanValidator) use_default_schema = false;
  /** ckanext-spatial: `minx,miny,maxx,maxy` in WGS 84 degrees; checked by parseBbox. */
  @Field(ignoreMissing) ext_bbox?: unknown;
}

const WRONG_BBOX = 'Wrong bounding box provided';

/**
 * The ext_bbox a request names: the parameter itself, or inside `extras` (CKAN gathers ext_* parameters there, and a
 * client may send them so; ckanext-spatial reads them from it).
 */
export function requestedBbox(input: PackageSearchInput): unknown {
  const extras = (input as unknown as { extras?: unknown }).extras;
  const inExtras = extras && typeof extras === 'object' && !Array.isArray(extras) ? (extras as Record<string, unknown>).ext_bbox : undefined;
  const raw = input.ext_bbox ?? inExtras;
  return raw === '' ? undefined : raw;
}

/**
 * ckanext-spatial's normalize_bbox: four numbers separated by commas (or a list of four), west, south, east, north;
 * anything else is its SearchError "Wrong bounding box provided" (409). CKAN compat: ckanext-spatial also takes
 * NaN and infinities, and boxes whose west lies east of their east; we refuse those with the same message, and clamp
 * a box reaching past the globe (a map zoomed far out) to it, where ckanext-spatial's solr-bbox shifts it by 360°.
 * Boxes across the antimeridian are not searched.
 */
export function parseBbox(raw: unknown): QueryBox {
  const parts = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : [];
  if (parts.length !== 4) throw new SearchError(WRONG_BBOX);
  const n = parts.map((p) => (typeof p === 'number' ? p : typeof p === 'string' && p.trim() !== '' ? Number(p.trim()) : NaN));
  if (!n.every(Number.isFinite)) throw new SearchError(WRONG_BBOX);
  const [minx, miny, maxx, maxy] = n;
  if (minx > maxx || miny > maxy) throw new SearchError(WRONG_BBOX);
  const clamp = (v: number, limit: number): number => Math.min(limit, Math.max(-limit, v));
  return [clamp(minx, 180), clamp(miny, 90), clamp(maxx, 180), clamp(maxy, 90)];
}

/** Parameters CKAN passes on to Solr: accepted, and ignored here (we are not Solr). */
const SOLR_PASSTHROUGH = new Set(['qf', 'bf', 'boost', 'tie', 'defType', 'mm', 'df', 'wt', 'extras']);
const KNOWN = new Set([
  'q', 'fl', 'fq', 'fq_list', 'rows', 'sort', 'start', 'facet', 'facet.mincount', 'facet.limit', 'facet.field',
  'include_private', 'include_drafts', 'include_deleted', 'use_default_schema', 'ext_bbox', ...SOLR_PASSTHROUGH,
]);

/** Unknown parameters are a Search Query Error, as in CKAN (ext_* belong to plugins and pass). */
export function checkSearchParameters(raw: Record<string, unknown>): void {
  const bad = Object.keys(raw).filter((k) => !KNOWN.has(k) && !k.startsWith('ext_'));
  if (bad.length) throw new SearchQueryError(`Invalid search parameters: [${bad.map((k) => `'${k}'`).join(', ')}]`);
}

export interface SortField {
  field: string;
  desc: boolean;
}

/** `"score desc, metadata_modified desc"` → fields; a missing direction is CKAN's 400, an unknown field its 409. */
export function parseSort(sort: string): SortField[] {
  const out: SortField[] = [];
  for (const part of sort.split(',')) {
    const bits = part.trim().split(/\s+/);
    if (!bits[0]) continue;
    if (bits.length !== 2 || !['asc', 'desc'].includes(bits[1].toLowerCase())) throw new SearchQueryError('Invalid "sort" parameter');
    const field = bits[0];
    if (field !== 'score' && field !== 'views_recent' && field !== 'views_total') {
      const f = searchField(field);
      const sortable = ['keyword', 'date', 'int'].includes(f.type) || field === 'title_string';
      if (!sortable || f.type.startsWith('extra')) throw new SearchError(`sort param field can't be found: ${field}`);
    }
    out.push({ field, desc: bits[1].toLowerCase() === 'desc' });
  }
  return out;
}

/** What one package_search may show: the request's own flags, and whom the caller may read. */
export interface SearchVisibility {
  includePrivate: boolean;
  includeDrafts: boolean;
  /** The read rule's cases for the caller (src/auth/visibility.ts readClauses); null: everything. */
  readable: Clauses;
}

const term = (field: string, value: string): QNode => ({ kind: 'term', field, value, wildcard: false });

/**
 * One access field's condition in the search store's fields (see AccessField): each field has its namesake there,
 * `private` is `capacity`; a list field (shared_with) holds a value when one of its values is it. shared_edit and read_only
 * are asked by editClauses only, never in search.
 */
function conditionQuery(c: Condition): QNode {
  const options: QNode[] = c.oneOf.map((v): QNode => {
    if (v === null) return { kind: 'not', child: { kind: 'range', field: c.field, lo: null, hi: null, loInclusive: true, hiInclusive: true } };
    if (c.field === 'private') return term('capacity', v ? 'private' : 'public');
    return term(c.field, String(v));
  });
  return options.length ? or(...options) : { kind: 'not', child: MATCH_ALL };
}

/** Form 3 of the read rule: its clauses as a query on the search store. No case is decided here. */
export function clausesQuery(clauses: Clauses): QNode {
  if (clauses === null) return MATCH_ALL;
  if (!clauses.length) return { kind: 'not', child: MATCH_ALL };
  return or(...clauses.map((clause) => and(...clause.map(conditionQuery))));
}

/** CKAN's `+capacity:public` and `+state:…` for what the request asks, and the permission labels for who asks. */
export function visibilityFilter(v: SearchVisibility, fqText: string): QNode {
  const parts: QNode[] = [];
  if (!v.includePrivate) parts.push(term('capacity', 'public'));
  // CKAN adds its state filter only when the client's fq does not mention one.
  // Issue 14: a dataset 'pending' approval is a draft awaiting an admin, so include_drafts brings it too (CKAN has no such state).
  if (!fqText.includes('+state')) parts.push(v.includeDrafts ? or(term('state', 'active'), term('state', 'draft'), term('state', 'pending')) : term('state', 'active'));
  if (v.readable !== null) parts.push(clausesQuery(v.readable));
  return parts.length ? and(...parts) : MATCH_ALL;
}

export interface SearchRequest {
  q: QNode;
  filters: QNode[];
  /** The effective sort, as echoed in the result. */
  sortText: string;
  sort: SortField[];
  rows: number;
  start: number;
  facetFields: string[];
  facetLimit: number;
  facetMincount: number;
  fl?: string[];
}

export function buildSearchRequest(input: PackageSearchInput, visibility: SearchVisibility): SearchRequest {
  const fqs = [input.fq ?? '', ...(input.fq_list ?? [])];
  const filters = fqs.map((s, i) => (s.trim() ? parseLucene(s, i === 0 ? 'fq' : 'fq_list') : null)).filter((f): f is QNode => f !== null);
  const fqText = fqs.join(' ');
  filters.push(visibilityFilter(visibility, fqText));
  const bbox = requestedBbox(input);
  if (bbox !== undefined && bbox !== null) filters.push({ kind: 'bbox', box: parseBbox(bbox) });
  // ckanext-harvest's before_dataset_search: harvest sources (datasets of type harvest) are found only when asked for.
  if (!(input.fq ?? '').includes('dataset_type:harvest')) filters.push({ kind: 'not', child: term('dataset_type', 'harvest') });
  const sortText = !input.sort || input.sort === 'rank' ? DEFAULT_SORT : input.sort;
  const facetOn = (input.facet ?? 'true').toLowerCase() !== 'false';
  return {
    q: parseQ(input.q),
    filters,
    sortText,
    sort: parseSort(sortText),
    rows: input.rows,
    start: input.start,
    facetFields: facetOn ? [...new Set(input['facet.field'] ?? [])] : [],
    facetLimit: input['facet.limit'],
    facetMincount: input['facet.mincount'],
    fl: input.fl?.flatMap((f) => f.split(/[\s,]+/)).filter(Boolean),
  };
}

