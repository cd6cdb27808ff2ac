import type { ComponentChildren } from 'preact';
import { datasetFields, FieldRow, formatDate, PackageDict, ResourceDict, safeHref } from '../dataset-fields';
import type { MessageKey } from '../i18n/de';
import { renderMarkdown } from '../markdown';
import type { PageEnv } from './layout';

/** A description's Markdown (sanitised, see markdown.ts) in a `div.notes`. */
export function Markdown({ text }: { text: string }) {
  return <div class="notes markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }} />;
}

export function Fields({ env, rows }: { env: PageEnv; rows: FieldRow[] }) {
  return (
    <dl class="fields">
      {rows.map((row) => (
        <>
          <dt>{env.t(row.label)}</dt>
          <dd>
            {row.values.map((v, i) => (
              <>
                {i > 0 ? <br /> : null}
                {safeHref(v.href) ? <a href={safeHref(v.href)}>{v.text}</a> : v.text}
              </>
            ))}
          </dd>
        </>
      ))}
    </dl>
  );
}

export const resourceName = (env: PageEnv, r: ResourceDict): string => r.name?.trim() || env.t('resource.unnamed');
export const resourcePath = (d: PackageDict, r: ResourceDict): string => `/dataset/${encodeURIComponent(d.name)}/resource/${encodeURIComponent(r.id)}`;
const RDF_LINKS = [['ttl', 'Turtle'], ['rdf', 'RDF/XML'], ['jsonld', 'JSON-LD']] as const;

/** A dataset for people: title, description, resources with downloads, DCAT-AP.de metadata in words, API and RDF links. */
export function DatasetPage({ env, d, steward, actions, children }: { env: PageEnv; d: PackageDict; /** The steward's links (edit, add a resource), for those who may edit. */ actions?: ComponentChildren; /** The steward's part (workflow state, access link), under the title. */ steward?: ComponentChildren; /** Live data and map, after the resources. */ children?: ComponentChildren }) {
  const { t } = env;
  const resources = d.resources ?? [];
  const tags = (d.tags ?? []).map((tag) => tag.display_name || tag.name);
  return (
    <article>
      <h1>{d.title || d.name}</h1>
      {actions}
      {steward ?? (d.state === 'draft' || d.state === 'pending' ? <p><span class="badge-warn">{t(d.state === 'pending' ? 'dataset.pending' : 'dataset.draft')}</span></p> : null)}
      {d.access_level && d.access_level !== 'public' ? <p><span class="badge-warn">{t('dataset.private')}: {t(`access.${d.access_level}` as MessageKey)}</span></p> : null}
      {d.notes?.trim() ? <Markdown text={d.notes} /> : <div class="notes"><p>{t('dataset.noDescription')}</p></div>}
      {tags.length ? (
        <ul class="badges" aria-label={t('field.tags')}>
          {tags.map((tag) => <li><a href={`/dataset?tags=${encodeURIComponent(tag)}`}>{tag}</a></li>)}
        </ul>
      ) : null}
      <h2>{t('dataset.resources')}</h2>
      {resources.length ? (
        <ul class="resources">
          {resources.map((r) => (
            <li>
              <span class="format">{r.format || '–'}</span>
              <a href={resourcePath(d, r)}>{resourceName(env, r)}</a>
              {safeHref(r.url) ? <a href={safeHref(r.url)} aria-label={`${t('dataset.download')}: ${resourceName(env, r)}`}>{t('dataset.download')}</a> : null}
            </li>
          ))}
        </ul>
      ) : <p>{t('dataset.noResources')}</p>}
      {children}
      <h2>{t('dataset.metadata')}</h2>
      <Fields env={env} rows={datasetFields(d, env.lang)} />
      <h2>{t('dataset.forDevelopers')}</h2>
      <ul>
        <li><a href={`/api/3/action/package_show?id=${encodeURIComponent(d.id)}`}>{t('dataset.apiLink')}</a></li>
        <li>
          {t('dataset.rdfLinks')}:{' '}
          {RDF_LINKS.map(([ext, label], i) => <>{i > 0 ? ', ' : null}<a href={`/dataset/${encodeURIComponent(d.id)}.${ext}`} type={ext === 'ttl' ? 'text/turtle' : undefined}>{label}</a></>)}
        </li>
      </ul>
    </article>
  );
}

/** One resource: its description, download, preview (children) and metadata. */
export function ResourcePage({ env, d, r, actions, children }: { env: PageEnv; d: PackageDict; r: ResourceDict; /** The steward's links, for those who may edit. */ actions?: ComponentChildren; children?: ComponentChildren }) {
  const { t } = env;
  const rows: FieldRow[] = [];
  const add = (label: MessageKey, text: string | null | undefined, href?: string): void => {
    if (text) rows.push({ label, values: [{ text, href }] });
  };
  add('field.format', r.format);
  add('field.mediaType', r.mimetype);
  add('field.size', typeof r.size === 'number' ? t('field.bytes', { size: r.size.toLocaleString(env.lang === 'en' ? 'en-GB' : 'de-DE') }) : undefined);
  add('field.url', r.url, r.url ?? undefined);
  add('field.created', formatDate(r.created, env.lang));
  add('field.lastModified', formatDate(r.last_modified, env.lang));
  add('field.license', d.license_title || d.license_id, d.license_url || undefined);
  return (
    <article>
      <p><a href={`/dataset/${encodeURIComponent(d.name)}`}>{t('resource.backToDataset', { title: d.title || d.name })}</a></p>
      <h1>{resourceName(env, r)}</h1>
      {actions}
      {r.description?.trim() ? <Markdown text={r.description} /> : null}
      {safeHref(r.url) ? <p><a class="button" href={safeHref(r.url)}>{t('dataset.download')}</a></p> : null}
      {children}
      <h2>{t('dataset.details')}</h2>
      <Fields env={env} rows={rows} />
    </article>
  );
}
