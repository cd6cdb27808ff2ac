/**
 * The DataStore table preview's address on the resource page: `page` (from 1), `sort` (`column` or `column desc`),
 * `q` (free text over the table) and `filter.{column}=value` (repeatable per column). The filter form sends a column
 * and a value as `filter_field` and `filter_value`, read here as one more `filter.{column}`, so a form without
 * JavaScript can add a filter. Odd values read as defaults; a column the table does not have is for datastore_search to
 * refuse (the page then says so).
 */
export const PREVIEW_PAGE_ROWS = 25;
/** Deeper pages are not offered; the dump has the whole table. */
export const MAX_PREVIEW_PAGE = 10000;
const MAX_TEXT = 200;
const MAX_FILTERS = 10;

export interface PreviewSort {
  field: string;
  desc: boolean;
}

export interface PreviewState {
  page: number;
  sort?: PreviewSort;
  q: string;
  filters: [string, string][];
}

const first = (v: unknown): string | undefined => (Array.isArray(v) ? v : [v]).find((x): x is string => typeof x === 'string');
const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
// eslint-disable-next-line no-control-regex
const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, MAX_TEXT);

export function parsePreview(query: Record<string, unknown>): PreviewState {
  const pageText = first(query.page) ?? '';
  const pageNumber = /^\d{1,6}$/.test(pageText) ? Number(pageText) : 1;
  const page = Math.min(Math.max(pageNumber, 1), MAX_PREVIEW_PAGE);
  const sortText = clean(first(query.sort) ?? '');
  const m = /^(.+?)(?:\s+(asc|desc))?$/i.exec(sortText);
  const sort = m ? { field: m[1], desc: (m[2] ?? '').toLowerCase() === 'desc' } : undefined;
  const q = clean(first(query.q) ?? '');
  const filters: [string, string][] = [];
  const add = (field: string, value: string): void => {
    const f = clean(field);
    const v = clean(value);
    if (f && v && filters.length < MAX_FILTERS && !filters.some(([x, y]) => x === f && y === v)) filters.push([f, v]);
  };
  for (const [key, value] of Object.entries(query)) {
    if (key.startsWith('filter.')) for (const v of list(value)) add(key.slice('filter.'.length), v);
  }
  const formField = first(query.filter_field);
  const formValue = first(query.filter_value);
  if (formField && formValue) add(formField, formValue);
  return { page, sort, q, filters };
}

/** datastore_search's input for a state; several values of one column are any of them (CKAN's list filter). */
export function previewSearchInput(resourceId: string, state: PreviewState, withQuery = true): Record<string, unknown> {
  const input: Record<string, unknown> = { resource_id: resourceId, limit: PREVIEW_PAGE_ROWS, offset: (state.page - 1) * PREVIEW_PAGE_ROWS, include_total: true };
  if (!withQuery) return { ...input, offset: 0 };
  // Field names never hold a double quote (the DataStore refuses them), so quoting keeps commas and spaces in a name.
  if (state.sort) input.sort = [`"${state.sort.field.replace(/"/g, '')}" ${state.sort.desc ? 'desc' : 'asc'}`];
  if (state.q) input.q = state.q;
  if (state.filters.length) {
    const filters: Record<string, string[]> = {};
    for (const [f, v] of state.filters) (filters[f] ??= []).push(v);
    input.filters = filters;
  }
  return input;
}

/** The query string of a state (page 1 and no sort left out), with one change applied. */
export function previewQuery(state: PreviewState, change: Partial<PreviewState> = {}): string {
  const s = { ...state, ...change };
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  for (const [f, v] of s.filters) p.append(`filter.${f}`, v);
  if (s.sort) p.set('sort', `${s.sort.field}${s.sort.desc ? ' desc' : ''}`);
  if (s.page > 1) p.set('page', String(s.page));
  const qs = p.toString();
  return qs ? `?${qs}` : '';
}
