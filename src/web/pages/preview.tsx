import { MAX_PREVIEW_PAGE, PREVIEW_PAGE_ROWS, PreviewState, previewQuery } from '../preview-params';
import type { PageEnv } from './layout';

/** One page of datastore_search as the preview reads it. */
export interface DatastorePage {
  fields: { id: string; type: string }[];
  records: Record<string, unknown>[];
  total?: number;
}

/** resource_preview's answer (src/datastore/resource-preview.actions.ts), as the page reads it. */
export type FilePreview =
  | { kind: 'table'; encoding: string; size: number; truncated: boolean; header: string[]; rows: string[][]; more: boolean }
  | { kind: 'json' | 'text'; encoding: string; size: number; truncated: boolean; text: string }
  | { kind: 'none'; reason: string };

/** A cell as text: null is empty, a JSON value (nested, arrays) its JSON; Preact escapes it. */
const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * A DataStore table, one page: free text and a column filter (GET form), sortable column heads (links), paging links,
 * the full dump's addresses. `badParams` says that datastore_search refused the asked sort or filter; `data` is then the
 * table without them.
 */
export function DatastorePreview({ env, base, name, resourceId, state, data, badParams }: { env: PageEnv; base: string; name: string; resourceId: string; state: PreviewState; data: DatastorePage; badParams: boolean }) {
  const { t } = env;
  const fields = data.fields.filter((f) => f.id !== '_id');
  const total = data.total ?? data.records.length;
  const page = badParams ? 1 : state.page;
  const from = (page - 1) * PREVIEW_PAGE_ROWS + 1;
  const to = from + data.records.length - 1;
  const pages = Math.min(Math.max(1, Math.ceil(total / PREVIEW_PAGE_ROWS)), MAX_PREVIEW_PAGE);
  const shown: PreviewState = badParams ? { page: 1, q: '', filters: [] } : state;
  const href = (change: Partial<PreviewState>): string => `${base}${previewQuery(shown, change)}#preview`;
  const dump = (format: string): string => `/datastore/dump/${encodeURIComponent(resourceId)}?format=${format}`;
  return (
    <section id="preview" aria-labelledby="preview-title">
      <h2 id="preview-title">{t('preview.title')}</h2>
      {badParams ? <p class="notice" role="alert">{t('preview.badParams')}</p> : null}
      <form class="preview-form" method="get" action={`${base}#preview`}>
        <div class="field">
          <label for="preview-q">{t('preview.searchLabel')}</label>
          <input type="search" id="preview-q" name="q" value={shown.q} />
        </div>
        <div class="field">
          <label for="preview-field">{t('preview.filterField')}</label>
          <select id="preview-field" name="filter_field">
            <option value="">{t('preview.filterAny')}</option>
            {fields.map((f) => <option value={f.id}>{f.id}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="preview-value">{t('preview.filterValue')}</label>
          <input type="text" id="preview-value" name="filter_value" value="" />
        </div>
        {shown.filters.map(([f, v]) => <input type="hidden" name={`filter.${f}`} value={v} />)}
        {shown.sort ? <input type="hidden" name="sort" value={`${shown.sort.field}${shown.sort.desc ? ' desc' : ''}`} /> : null}
        <button type="submit">{t('preview.apply')}</button>
      </form>
      {shown.filters.length ? (
        <ul class="active-filters" aria-label={t('preview.activeFilters')}>
          {shown.filters.map(([f, v]) => {
            const label = `${f} = ${v}`;
            return <li><a href={href({ filters: shown.filters.filter(([x, y]) => x !== f || y !== v), page: 1 })} aria-label={t('preview.removeFilter', { filter: label })}>{label} ✕</a></li>;
          })}
        </ul>
      ) : null}
      {shown.filters.length || shown.q || shown.sort ? <p><a href={`${base}#preview`}>{t('preview.reset')}</a></p> : null}
      <div class="table-scroll" role="region" aria-labelledby="preview-caption" tabIndex={0}>
        <table class="preview">
          <caption id="preview-caption">{data.records.length ? t('preview.tableCaption', { name, from, to, total }) : t('preview.tableCaptionEmpty', { name })}</caption>
          <thead>
            <tr>
              {fields.map((f) => {
                const sorted = shown.sort?.field === f.id ? (shown.sort.desc ? 'descending' : 'ascending') : undefined;
                const next = { field: f.id, desc: sorted === 'ascending' };
                return (
                  <th scope="col" aria-sort={sorted}>
                    <a href={href({ sort: next, page: 1 })} title={t('preview.sortBy', { column: f.id })}>{f.id}</a>
                    {sorted ? <span class="sort-mark" aria-hidden="true">{sorted === 'ascending' ? ' ▲' : ' ▼'}</span> : null}
                    <span class="col-type"><span class="visually-hidden">{t('preview.columnType')}: </span>{f.type}</span>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {data.records.map((r) => <tr>{fields.map((f) => <td>{cell(r[f.id])}</td>)}</tr>)}
          </tbody>
        </table>
      </div>
      {pages > 1 ? (
        <nav class="paging" aria-label={t('preview.paging')}>
          <ul>
            {page > 1 ? <li><a href={href({ page: page - 1 })} rel="prev">{t('preview.previous')}</a></li> : null}
            <li aria-current="page">{t('preview.pageOf', { page, pages })}</li>
            {page < pages ? <li><a href={href({ page: page + 1 })} rel="next">{t('preview.next')}</a></li> : null}
          </ul>
        </nav>
      ) : null}
      <p>
        {t('preview.download')} <a href={dump('csv')} type="text/csv">CSV</a>, <a href={dump('json')} type="application/json">JSON</a>
      </p>
    </section>
  );
}

/** The start of an uploaded file: a CSV's first rows as a table, JSON pretty-printed, text as text. Nothing for a link. */
export function FilePreviewSection({ env, name, preview }: { env: PageEnv; name: string; preview: FilePreview }) {
  const { t } = env;
  if (preview.kind === 'none') return null;
  const notes = (
    <p class="meta">
      {t('preview.encoding', { encoding: preview.encoding })}
      {preview.truncated ? <>{'. '}{t('preview.fileTruncated', { kb: 64 })}</> : null}
    </p>
  );
  if (preview.kind === 'table') {
    const width = Math.max(preview.header.length, ...preview.rows.map((r) => r.length));
    const pad = (r: string[]): string[] => [...r, ...Array<string>(Math.max(0, width - r.length)).fill('')];
    return (
      <section id="preview" aria-labelledby="preview-title">
        <h2 id="preview-title">{t('preview.title')}</h2>
        <div class="table-scroll" role="region" aria-labelledby="preview-caption" tabIndex={0}>
          <table class="preview">
            <caption id="preview-caption">{t('preview.fileCaption', { rows: preview.rows.length, name })}</caption>
            <thead><tr>{pad(preview.header).map((h) => <th scope="col">{h}</th>)}</tr></thead>
            <tbody>{preview.rows.map((r) => <tr>{pad(r).map((v) => <td>{v}</td>)}</tr>)}</tbody>
          </table>
        </div>
        {notes}
      </section>
    );
  }
  return (
    <section id="preview" aria-labelledby="preview-title">
      <h2 id="preview-title">{t('preview.title')}</h2>
      <pre class="preview-text" tabIndex={0} aria-label={t('preview.textLabel', { name })}>{preview.text}</pre>
      {notes}
    </section>
  );
}
