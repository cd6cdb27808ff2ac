import type { ComponentChildren, JSX } from 'preact';
import { datasetFields, FieldRow, formatDate, PackageDict, ResourceDict, safeHref } from '../dataset-fields';
import type { MessageKey } from '../i18n/de';
import type { PageEnv } from './layout';

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]]/gi;

/** A line with its web addresses as links (the rest stays text). */
function Linked({ line }: { line: string }) {
  const parts: (string | JSX.Element)[] = [];
  let last = 0;
  for (const m of line.matchAll(URL_IN_TEXT)) {
    parts.push(line.slice(last, m.index), <a href={m[0]}>{m[0]}</a>);
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(line.slice(last));
  return <>{parts}</>;
}

/**
 * Text as paragraphs (blank lines), line breaks kept, web addresses as links; escaped by Preact like every text.
 * CKAN renders Markdown here; we show the text as written rather than add a Markdown renderer and an HTML sanitizer.
 */
export function Paragraphs({ text }: { text: string }) {
  const paras = text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  return (
    <>
      {paras.map((p) => (
        <p>{p.split('\n').map((line, i) => (i === 0 ? <Linked line={line} /> : <><br /><Linked line={line} /></>))}</p>
      ))}
    </>
  );
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
export function DatasetPage({ env, d, steward, children }: { env: PageEnv; d: PackageDict; /** The steward's part (workflow state, access link), under the title. */ steward?: ComponentChildren; /** Live data and map, after the resources. */ children?: ComponentChildren }) {
  const { t } = env;
  const resources = d.resources ?? [];
  const tags = (d.tags ?? []).map((tag) => tag.display_name || tag.name);
  return (
    <article>
      <h1>{d.title || d.name}</h1>
      {steward ?? (d.state === 'draft' || d.state === 'pending' ? <p><span class="badge-warn">{t(d.state === 'pending' ? 'dataset.pending' : 'dataset.draft')}</span></p> : null)}
      {d.access_level && d.access_level !== 'public' ? <p><span class="badge-warn">{t('dataset.private')}: {t(`access.${d.access_level}` as MessageKey)}</span></p> : null}
      <div class="notes">{d.notes?.trim() ? <Paragraphs text={d.notes} /> : <p>{t('dataset.noDescription')}</p>}</div>
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

/** One resource: its metadata and download. (Previews, the DataStore table first, come with the next part of issue 17.) */
export function ResourcePage({ env, d, r, children }: { env: PageEnv; d: PackageDict; r: ResourceDict; children?: ComponentChildren }) {
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
      <div class="notes">{r.description?.trim() ? <Paragraphs text={r.description} /> : null}</div>
      {safeHref(r.url) ? <p><a class="button" href={safeHref(r.url)}>{t('dataset.download')}</a></p> : null}
      {children}
      <h2>{t('dataset.details')}</h2>
      <Fields env={env} rows={rows} />
    </article>
  );
}
