import type { MessageKey } from '../i18n/de';
import { markdownExtract } from '../markdown';
import { FACET_FIELDS, FacetField, MAX_PAGE, ROWS, SearchState, searchHref, SortKey, SORTS } from '../search-params';
import { formatDate, PackageDict } from '../dataset-fields';
import type { PageEnv } from './layout';

export interface FacetItem {
  name: string;
  display_name: string;
  count: number;
}

export interface SearchResult {
  count: number;
  results: PackageDict[];
  search_facets: Partial<Record<FacetField, { items: FacetItem[] }>>;
}

const SORT_LABELS: Record<SortKey, MessageKey> = { relevance: 'search.sortRelevance', name: 'search.sortName', modified: 'search.sortModified' };
const FACETS_SHOWN = 10;

/** An access level's word, else the value. */
function facetLabel(env: PageEnv, field: FacetField, item: FacetItem): string {
  if (field === 'access_level' && ['public', 'internal', 'shared', 'private'].includes(item.name)) return env.t(`access.${item.name}` as MessageKey);
  return item.display_name || item.name;
}

/** One dataset in a result list: title link, organization, description's start, formats, date. */
export function DatasetItem({ env, d }: { env: PageEnv; d: PackageDict }) {
  const formats = [...new Set((d.resources ?? []).map((r) => (r.format ?? '').trim()).filter(Boolean))];
  const notes = markdownExtract(d.notes ?? '');
  return (
    <li>
      <h3><a href={`/dataset/${encodeURIComponent(d.name)}`}>{d.title || d.name}</a></h3>
      <p class="meta">
        {d.organization ? (d.organization.title || d.organization.name) : null}
        {d.organization ? ' · ' : null}
        {formatDate(d.metadata_modified, env.lang)}
        {d.access_level && d.access_level !== 'public' ? <> · <span class="badge-warn">{env.t(`access.${d.access_level}` as MessageKey)}</span></> : null}
      </p>
      {notes ? <p>{notes}</p> : null}
      {formats.length ? <ul class="badges" aria-label={env.t('facet.res_format')}>{formats.map((f) => <li>{f}</li>)}</ul> : null}
    </li>
  );
}

/**
 * Search with facets, sort and paging, all as GET links and one GET form: works without JavaScript. `base` is the
 * page's path (`/dataset`, `/organization/{name}`); `hideFacets` leaves out the facet the page is about.
 */
export function DatasetSearch({ env, base, state, result, hideFacets = [], error }: {
  env: PageEnv; base: string; state: SearchState; result: SearchResult; hideFacets?: FacetField[]; error?: string;
}) {
  const { t } = env;
  const pages = Math.max(1, Math.min(MAX_PAGE, Math.ceil(result.count / ROWS)));
  const facets = FACET_FIELDS.filter((f) => !hideFacets.includes(f))
    .map((field) => ({ field, items: [...(result.search_facets[field]?.items ?? [])].sort((a, b) => b.count - a.count || a.display_name.localeCompare(b.display_name)) }))
    // The access level tells something only where more than public data can be seen.
    .filter(({ field, items }) => items.length > 0 && (field !== 'access_level' || items.some((i) => i.name !== 'public')));
  const labelOf = (field: FacetField, value: string): string => {
    const item = result.search_facets[field]?.items.find((i) => i.name === value);
    return item ? facetLabel(env, field, item) : value;
  };
  return (
    <div class="layout">
      <aside class="facets" aria-labelledby="facets-title">
        <h2 id="facets-title">{t('search.filters')}</h2>
        {facets.map(({ field, items }) => (
          <section aria-labelledby={`facet-${field}`}>
            <h3 id={`facet-${field}`}>{t(`facet.${field}` as MessageKey)}</h3>
            <ul>
              {items.slice(0, FACETS_SHOWN).map((item) => {
                const active = state.filters.some(([f, v]) => f === field && v === item.name);
                const href = active
                  ? searchHref(base, state, { filters: state.filters.filter(([f, v]) => !(f === field && v === item.name)), page: 1 })
                  : searchHref(base, state, { filters: [...state.filters, [field, item.name]], page: 1 });
                return (
                  <li>
                    <a href={href} aria-current={active ? 'true' : undefined}>{facetLabel(env, field, item)}</a> <span class="count">({item.count})</span>
                  </li>
                );
              })}
            </ul>
          </section>
        ))}
      </aside>
      <section aria-labelledby="results-title">
        <h2 id="results-title">{error ? t('error.badRequestTitle') : result.count === 1 ? t('search.foundOne') : t('search.found', { count: result.count.toLocaleString(env.lang === 'en' ? 'en-GB' : 'de-DE') })}</h2>
        {error ? <p role="alert">{error}</p> : null}
        {state.filters.length ? (
          <>
            <p class="meta">{t('search.activeFilters')}:</p>
            <ul class="active-filters">
              {state.filters.map(([f, v]) => (
                <li><a href={searchHref(base, state, { filters: state.filters.filter(([g, w]) => !(g === f && w === v)), page: 1 })}>{t('search.removeFilter', { label: labelOf(f, v) })}</a></li>
              ))}
              <li><a href={searchHref(base, state, { filters: [], page: 1 })}>{t('search.clearAll')}</a></li>
            </ul>
          </>
        ) : null}
        <div class="toolbar">
          <form method="get" action={base}>
            {state.q ? <input type="hidden" name="q" value={state.q} /> : null}
            {state.filters.map(([f, v]) => <input type="hidden" name={f} value={v} />)}
            <div>
              <label for="sort">{t('search.sort')}</label><br />
              <select id="sort" name="sort">
                {(Object.keys(SORTS) as SortKey[]).map((k) => <option value={k} selected={k === state.sort}>{t(SORT_LABELS[k])}</option>)}
              </select>
            </div>
            <button type="submit" class="secondary">{t('search.apply')}</button>
          </form>
        </div>
        {result.results.length ? (
          <ul class="results" aria-label={t('search.results')}>{result.results.map((d) => <DatasetItem env={env} d={d} />)}</ul>
        ) : error ? null : <p>{t('search.none')}</p>}
        {pages > 1 ? (
          <nav class="paging" aria-label={t('paging.label')}>
            <ul>
              {state.page > 1 ? <li><a rel="prev" href={searchHref(base, state, { page: Math.min(state.page - 1, pages) })}>{t('paging.previous')}</a></li> : null}
              <li aria-current="page">{t('paging.page', { page: state.page, pages })}</li>
              {state.page < pages ? <li><a rel="next" href={searchHref(base, state, { page: state.page + 1 })}>{t('paging.next')}</a></li> : null}
            </ul>
          </nav>
        ) : null}
      </section>
    </div>
  );
}
