import type { PackageDict } from '../dataset-fields';
import type { MessageKey } from '../i18n/de';
import { SearchForm, type PageEnv } from './layout';
import { DatasetItem, type FacetItem } from './search';

export interface Counts {
  datasets: number;
  organizations: number;
  groups: number;
}

const num = (env: PageEnv, n: number): string => n.toLocaleString(env.lang === 'en' ? 'en-GB' : 'de-DE');

/** The home page: search box, counts, newest datasets, the organizations and topics with the most datasets. */
export function HomePage({ env, counts, newest, organizations, groups }: { env: PageEnv; counts: Counts; newest: PackageDict[]; organizations: FacetItem[]; groups: FacetItem[] }) {
  const { t } = env;
  return (
    <>
      <h1>{env.siteTitle}</h1>
      <p>{t('home.intro')}</p>
      <SearchForm env={env} action="/dataset" q="" />
      <h2>{t('home.counts')}</h2>
      <ul class="counts">
        <li><a href="/dataset"><strong>{num(env, counts.datasets)}</strong> {t('home.countDatasets')}</a></li>
        <li><a href="/organization"><strong>{num(env, counts.organizations)}</strong> {t('home.countOrganizations')}</a></li>
        <li><a href="/group"><strong>{num(env, counts.groups)}</strong> {t('home.countGroups')}</a></li>
      </ul>
      <h2>{t('home.newest')}</h2>
      {newest.length ? <ul class="results">{newest.map((d) => <DatasetItem env={env} d={d} />)}</ul> : <p>{t('home.noDatasets')}</p>}
      <p><a href="/dataset?sort=modified">{t('home.allDatasets')}</a></p>
      {organizations.length ? <EntryList env={env} title="site.organizations" base="/organization" items={organizations} /> : null}
      {groups.length ? <EntryList env={env} title="site.groups" base="/group" items={groups} /> : null}
    </>
  );
}

function EntryList({ env, title, base, items }: { env: PageEnv; title: MessageKey; base: string; items: FacetItem[] }) {
  return (
    <>
      <h2>{env.t(title)}</h2>
      <ul class="cards">
        {items.map((i) => <li><a href={`${base}/${encodeURIComponent(i.name)}`}>{i.display_name || i.name}</a> <span class="count">({env.t('org.datasets', { count: num(env, i.count) })})</span></li>)}
      </ul>
    </>
  );
}

export interface GroupSummary {
  name: string;
  title?: string | null;
  description?: string | null;
  /** Datasets the caller may read (package_search's facet count). */
  count: number;
}

/** The list of organizations or of topics (groups), each with the number of datasets the caller may read. */
export function GroupListPage({ env, kind, groups }: { env: PageEnv; kind: 'organization' | 'group'; groups: GroupSummary[] }) {
  const { t } = env;
  return (
    <>
      <h1>{t(kind === 'organization' ? 'org.title' : 'group.title')}</h1>
      {groups.length ? (
        <ul class="cards">
          {groups.map((g) => (
            <li>
              <h2 class="card-title"><a href={`/${kind}/${encodeURIComponent(g.name)}`}>{g.title || g.name}</a></h2>
              <p class="count">{t('org.datasets', { count: num(env, g.count) })}</p>
            </li>
          ))}
        </ul>
      ) : <p>{t(kind === 'organization' ? 'org.none' : 'group.none')}</p>}
    </>
  );
}

/** An error page: what happened, in words, and the way home. */
export function ErrorPage({ env, status, detail }: { env: PageEnv; status: 400 | 403 | 404 | 429; detail?: string }) {
  const { t } = env;
  const [title, text]: [MessageKey, MessageKey] =
    status === 404 ? ['error.notFoundTitle', 'error.notFoundText'] : status === 403 ? ['error.forbiddenTitle', 'error.forbiddenText'] : status === 429 ? ['error.tooManyTitle', 'error.tooManyTitle'] : ['error.badRequestTitle', 'error.badRequestText'];
  return (
    <>
      <h1>{t(title)}</h1>
      <p>{detail ?? t(text)}</p>
      <SearchForm env={env} action="/dataset" q="" />
      <p><a href="/">{t('error.backHome')}</a></p>
    </>
  );
}
