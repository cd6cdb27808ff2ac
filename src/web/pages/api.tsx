import type { VNode } from 'preact';
import type { ActionDoc } from '../../api/api-docs';
import type { MessageKey } from '../i18n/de';
import type { PageEnv } from './layout';

/** A family's name and description, in the documentation's order (ACTION_FAMILIES). */
export interface ApiFamily {
  name: string;
  description: string;
}

const FAMILY_KEYS: Record<string, MessageKey> = {
  package: 'api.family.package', resource: 'api.family.resource', organization: 'api.family.organization', group: 'api.family.group',
  tag: 'api.family.tag', user: 'api.family.user', activity: 'api.family.activity', datastore: 'api.family.datastore', dcat: 'api.family.dcat',
  harvest: 'api.family.harvest', sensor: 'api.family.sensor', site: 'api.family.site',
};

const familyId = (name: string): string => `family-${name}`;

/**
 * The `/api` page for people: every action of the registry (ApiDocs.actions()) by family, each with its summary, its
 * parameters in a table, who may call it, its methods and a copyable curl example; a table of contents; links to the
 * OpenAPI description and the SensorThings API. Plain HTML, readable and usable without JavaScript.
 */
export function apiPage(env: PageEnv, docs: ActionDoc[], families: ApiFamily[]): { title: string; body: VNode } {
  const { t } = env;
  const byFamily = new Map<string, ActionDoc[]>();
  for (const d of docs) byFamily.set(d.family, [...(byFamily.get(d.family) ?? []), d]);
  // The documented families first, in their order; then any family an unlisted prefix made.
  const order = [...families.filter((f) => byFamily.has(f.name)), ...[...byFamily.keys()].filter((n) => !families.some((f) => f.name === n)).sort().map((name) => ({ name, description: '' }))];
  const searchExample = docs.find((d) => d.name === 'package_search')?.example.curl;
  const describe = (f: ApiFamily): string => (FAMILY_KEYS[f.name] ? t(FAMILY_KEYS[f.name]) : f.description);
  return {
    title: t('api.title'),
    body: (
      <>
        <h1>{t('api.title')}</h1>
        <p>{t('api.intro')}</p>
        <ul class="api-links">
          <li><a href="/api/3/openapi.json">{t('api.openapi')}</a> <span class="meta">{t('api.openapiNote')}</span></li>
          <li><a href="/sta/v1.1">{t('api.sta')}</a> <span class="meta">{t('api.staNote')}</span></li>
        </ul>
        <h2>{t('api.howTitle')}</h2>
        <p>{t('api.howGet')}</p>
        {searchExample ? <pre><code>{searchExample}</code></pre> : null}
        <p>{t('api.howPost')}</p>
        <p>{t('api.count', { count: docs.length })}</p>
        <nav aria-labelledby="api-toc" class="api-toc">
          <h2 id="api-toc">{t('api.toc')}</h2>
          <ul>
            {order.map((f) => (
              <li>
                <a href={`#${familyId(f.name)}`}>{f.name}</a> <span class="count">({byFamily.get(f.name)!.length})</span>
                <ul class="api-toc-actions">{byFamily.get(f.name)!.map((d) => <li><a href={`#${d.name}`}><code>{d.name}</code></a></li>)}</ul>
              </li>
            ))}
          </ul>
        </nav>
        {order.map((f) => (
          <section aria-labelledby={familyId(f.name)} class="api-family">
            <h2 id={familyId(f.name)}>{f.name}</h2>
            {describe(f) ? <p>{describe(f)}</p> : null}
            {byFamily.get(f.name)!.map((d) => <ActionEntry env={env} d={d} />)}
          </section>
        ))}
      </>
    ),
  };
}

function ActionEntry({ env, d }: { env: PageEnv; d: ActionDoc }) {
  const { t } = env;
  const who = d.whoMayCall ?? (d.anonymous ? t('api.whoAnyone') : t('api.whoToken'));
  return (
    <article class="api-action" aria-labelledby={d.name}>
      <h3 id={d.name}><code>{d.name}</code></h3>
      <p>{d.summary}</p>
      <dl class="fields">
        <dt>{t('api.methods')}</dt>
        <dd>{d.methods.join(', ')}</dd>
        <dt>{t('api.who')}</dt>
        <dd>{who}</dd>
        <dt>{t('api.token')}</dt>
        <dd>{d.anonymous ? t('api.tokenOptional') : t('api.tokenRequired', { scope: d.scope })}</dd>
        {d.files ? <><dt>{t('api.files')}</dt><dd>{t('api.filesField', { field: d.files.field ?? d.files.pattern ?? 'upload' })}</dd></> : null}
      </dl>
      {d.params.length ? (
        <table class="api-params">
          <caption>{t('api.params', { action: d.name })}</caption>
          <thead>
            <tr><th scope="col">{t('api.paramName')}</th><th scope="col">{t('api.paramType')}</th><th scope="col">{t('api.paramRequired')}</th><th scope="col">{t('api.paramDescription')}</th></tr>
          </thead>
          <tbody>
            {d.params.map((p) => (
              <tr>
                <th scope="row"><code>{p.name}</code></th>
                <td>{p.type}</td>
                <td>{p.required ? t('api.yes') : t('api.no')}</td>
                <td>{typeof p.schema.description === 'string' ? p.schema.description : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <p class="meta">{t('api.noParams')}</p>}
      <p class="api-example-label">{t('api.example')}</p>
      <pre><code>{d.example.curl}</code></pre>
      {d.example.uploadCurl ? <><p class="api-example-label">{t('api.uploadExample')}</p><pre><code>{d.example.uploadCurl}</code></pre></> : null}
    </article>
  );
}
