import { Inject, Injectable, Optional } from '@nestjs/common';
import { findLicense } from '../../dcat-profiles/vocabularies/licenses';
import { regionOf } from '../../dcat-profiles/vocabularies/regions';
import { resolveTerm, termLabel, VOCABULARY_EXTRAS, VocabularyName } from '../../dcat-profiles/vocabularies';
import { cleanFormat } from '../catalog/resources/resource-formats';
import type { ActionContext } from '../api/action-context';
import { RawJson } from '../api/raw-json';
import { readClauses, Visibility } from '../auth/visibility';
import { DatasetDicts } from '../catalog/datasets/dataset-dicts.service';
import { GroupDicts } from '../catalog/organizations/group-dicts.service';
import { MeiliSearchBackend, MEILI_BACKEND } from './meili/meili-search.backend';
import { PgSearchBackend } from './pg/pg-search.backend';
import { SearchBackend, SearchHits } from './search-backend';
import { SearchCursors } from './search-cursor.repository';
import { buildSearchRequest, checkSearchParameters, PackageSearchInput, requestedBbox, SearchRequest, SearchVisibility } from './search-request';

/**
 * package_search as CKAN answers it: the request checked and parsed, the caller's visibility
 * added, the backend asked, a paging cursor kept, and the result in CKAN's shape — full dicts
 * from the dict cache, `facets` and `search_facets` with display names.
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly pg: PgSearchBackend,
    private readonly dicts: DatasetDicts,
    private readonly groups: GroupDicts,
    private readonly visibility: Visibility,
    private readonly cursors: SearchCursors,
    @Optional() @Inject(MEILI_BACKEND) private readonly meili?: MeiliSearchBackend,
  ) {}

  /** The backend answering a request: Meilisearch for what it can express, PostgreSQL for everything else. */
  backendFor(req: SearchRequest): SearchBackend {
    return this.meili?.canAnswer(req) ? this.meili : this.pg;
  }

  /** What this request may show: its flags, and the read rule's cases for the caller. */
  async searchVisibility(ctx: ActionContext, input: PackageSearchInput): Promise<SearchVisibility> {
    return { includePrivate: input.include_private, includeDrafts: input.include_drafts, readable: readClauses(await this.visibility.readerOf(ctx)) };
  }

  async search(ctx: ActionContext, input: PackageSearchInput): Promise<RawJson> {
    checkSearchParameters(input as unknown as Record<string, unknown>);
    const req = buildSearchRequest(input, await this.searchVisibility(ctx, input));
    const backend = this.backendFor(req);
    const normalized = JSON.stringify([backend.name, input.q ?? '', input.fq ?? '', input.fq_list ?? [], req.sortText, req.rows, input.include_private, input.include_drafts, requestedBbox(input) ?? null]);
    const after = req.start > 0 ? await this.cursors.get(ctx, this.cursors.key(ctx, normalized, req.start)) : undefined;
    const hits = await backend.search(ctx, { q: req.q, filters: req.filters, sort: req.sort, start: req.start, rows: req.rows, after, facetFields: req.facetFields });
    // After every full page, not only while start + rows < count: once a walk has moved past deleted rows, the next
    // start can exceed the count while datasets still follow the cursor.
    if (hits.last && hits.ids.length === req.rows) {
      await this.cursors.put(ctx, this.cursors.key(ctx, normalized, req.start + req.rows), hits.last);
    }
    return new RawJson(await this.render(ctx, req, hits));
  }

  /** The result as CKAN's JSON, in parts, so the cached dicts' bytes are copied, not re-serialised. */
  private async render(ctx: ActionContext, req: SearchRequest, hits: SearchHits): Promise<(string | Buffer)[]> {
    const results: (string | Buffer)[] = [];
    // `fl=id` (how harvesters list a whole portal's identities) needs no dict at all.
    const idsOnly = req.fl?.length && req.fl.every((f) => f === 'id');
    const dicts = idsOnly ? [] : await this.dicts.bytesFor(ctx, await this.dicts.getMany(ctx, hits.ids));
    if (idsOnly) {
      results.push(JSON.stringify(hits.ids.map((id) => ({ id }))));
    } else if (req.fl?.length) {
      const fl = req.fl;
      results.push(JSON.stringify(dicts.map((bytes) => pick(JSON.parse(bytes.toString('utf8')) as Record<string, unknown>, fl))));
    } else {
      results.push('[');
      dicts.forEach((bytes, i) => results.push(...(i ? [',', bytes] : [bytes])));
      results.push(']');
    }
    const selected = new Map<string, [string, number][]>();
    for (const field of req.facetFields) {
      const counts = hits.facets.get(field) ?? new Map<string, number>();
      selected.set(field, selectFacet(TERM_LIST_FACETS[field] ? termListFacet(TERM_LIST_FACETS[field], counts) : counts, req.facetLimit, req.facetMincount));
    }
    const titles = await this.groupTitles(ctx, [...(selected.get('organization') ?? []), ...(selected.get('groups') ?? [])].map(([v]) => v));
    const facets: string[] = [];
    const searchFacets: string[] = [];
    for (const [field, values] of selected) {
      facets.push(`${JSON.stringify(field)}:{${values.map(([v, n]) => `${JSON.stringify(v)}:${n}`).join(',')}}`);
      const items = values.map(([name, count]) => ({ name, display_name: displayName(field, name, titles), count }));
      items.sort((a, b) => (a.display_name < b.display_name ? 1 : a.display_name > b.display_name ? -1 : 0));
      searchFacets.push(`${JSON.stringify(field)}:${JSON.stringify({ title: field, items })}`);
    }
    return [`{"count":${hits.count},"facets":{${facets.join(',')}},"results":`, ...results, `,"sort":${JSON.stringify(req.sortText)},"search_facets":{${searchFacets.join(',')}}}`];
  }

  private groupTitles(ctx: ActionContext, names: string[]): Promise<Map<string, string>> {
    return this.groups.titlesByName(ctx, names);
  }
}

/**
 * Extras that hold a list of vocabulary terms (JSON list, comma list or one value, short forms or IRIs, as clients
 * wrote them) and are counted per term: a dataset in two HVD categories counts once under each, keyed by the term's
 * IRI (what ckanext-dcat and data.europa.eu publish), whatever spelling its steward used.
 */
const TERM_LIST_FACETS: Readonly<Record<string, VocabularyName>> = { hvd_category: 'hvdCategory' };

/**
 * Counts of stored values (each value the whole extra of its datasets) → counts per term IRI. A value's terms are
 * counted once per dataset even when it names one term twice; values that are no term of the list stay as written.
 */
export function termListFacet(vocabulary: VocabularyName, counts: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [value, n] of counts) {
    const terms = new Set(splitTerms(value).map((v) => resolveTerm(vocabulary, v)?.iri ?? v));
    for (const term of terms) out.set(term, (out.get(term) ?? 0) + n);
  }
  return out;
}

function splitTerms(value: string): string[] {
  const s = value.trim();
  if (s.startsWith('[')) {
    try {
      const parsed = JSON.parse(s) as unknown;
      if (Array.isArray(parsed)) return parsed.map((x) => String(x).trim()).filter(Boolean);
    } catch {
      /* not JSON: a plain value */
    }
  }
  return s.split(',').map((x) => x.trim()).filter(Boolean);
}

/** Solr's facet.limit (top values by count, ties by value; negative = all, by value) and facet.mincount. */
export function selectFacet(counts: Map<string, number>, limit: number, mincount: number): [string, number][] {
  const values = [...counts].filter(([, n]) => n >= Math.max(mincount, 1) || (mincount === 0 && n >= 0));
  if (limit < 0) return values.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  values.sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  return values.slice(0, limit);
}

function displayName(field: string, value: string, titles: Map<string, string>): string {
  if (field === 'organization' || field === 'groups') {
    const t = titles.get(value);
    return t && t.trim() ? t : value;
  }
  if (field === 'license_id') return findLicense(value)?.title ?? value;
  // CKAN compat: CKAN's display_name of these is the value itself. Formats and vocabulary extras are stored as clients
  // wrote them (short form or IRI), so we show an EU file-type IRI as the format's name and a vocabulary term by its
  // label, and both spellings of one term read alike; `name` (what fq takes) stays the stored value.
  if (field === 'res_format') {
    const term = value.includes('://') ? resolveTerm('fileType', value) : undefined;
    return term ? cleanFormat(term.code) : value;
  }
  const key = field.startsWith('extras_') ? field.slice(7) : field;
  // A political geocoding key reads as the Land it names (dcat-profiles/vocabularies/regions.ts).
  if (key === 'politicalGeocodingURI') return regionOf(value)?.name ?? value;
  const vocabulary = VOCABULARY_EXTRAS[key];
  return (vocabulary && termLabel(vocabulary, value)) ?? value;
}

function pick(dict: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const extras = new Map(((dict.extras as { key: string; value: unknown }[]) ?? []).map((e) => [e.key, e.value]));
  for (const f of fields) {
    if (f in dict) out[f] = dict[f];
    else if (f.startsWith('extras_') && extras.has(f.slice(7))) out[f] = extras.get(f.slice(7));
  }
  return out;
}
