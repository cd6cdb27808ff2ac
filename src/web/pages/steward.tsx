import type { MessageKey } from '../i18n/de';
import type { PageEnv } from './layout';

/** A dataset as the dashboard lists it (package_search's dicts). */
export interface DashboardDataset {
  id: string;
  name: string;
  title?: string;
  private?: boolean;
  access_level?: string;
  state?: string;
  quality?: { score: number; max: number; rating: string; indicators?: { indicator: string; met: boolean | null }[] };
}

export interface DashboardOrg {
  name: string;
  title?: string;
  capacity?: string;
  count: number;
  datasets: DashboardDataset[];
}

/** The login form: a POST with the login's CSRF token; what the user typed as login stays, the password never. */
export function LoginPage({ env, token, login, cameFrom, error }: { env: PageEnv; token: string; login: string; cameFrom?: string; error?: string }) {
  const { t } = env;
  return (
    <>
      <h1>{t('login.title')}</h1>
      <p>{t('login.intro')}</p>
      {error ? <p class="error-summary" role="alert" id="login-error">{error}</p> : null}
      <form class="stack" method="post" action="/user/login">
        <input type="hidden" name="_csrf" value={token} />
        {cameFrom ? <input type="hidden" name="came_from" value={cameFrom} /> : null}
        <div class="field">
          <label for="login">{t('login.username')}</label>
          <input type="text" id="login" name="login" value={login} autoComplete="username" required aria-describedby={error ? 'login-error' : undefined} />
        </div>
        <div class="field">
          <label for="password">{t('login.password')}</label>
          <input type="password" id="password" name="password" autoComplete="current-password" required />
        </div>
        <div>
          <button type="submit">{t('login.submit')}</button>
        </div>
      </form>
    </>
  );
}

/** The DCAT-AP.de verdict of a dataset's last write, from its quality's compliance indicator. */
function DcatState({ env, d }: { env: PageEnv; d: DashboardDataset }) {
  const met = d.quality?.indicators?.find((i) => i.indicator === 'dcat_ap_compliance')?.met;
  if (met === true) return <span class="state-ok">{env.t('dashboard.conforms')}</span>;
  if (met === false) return <span class="state-bad">{env.t('dashboard.violations')}</span>;
  return <span>{env.t('dashboard.unchecked')}</span>;
}

const RATINGS = new Set(['excellent', 'good', 'sufficient', 'bad']);
const ROLES = new Set(['admin', 'editor', 'member']);

export function DashboardPage({ env, orgs, approvals }: { env: PageEnv; orgs: DashboardOrg[]; /** Datasets awaiting the caller's approval (approvers only). */ approvals?: number }) {
  const { t } = env;
  return (
    <>
      <h1>{t('dashboard.title')}</h1>
      <p>{t('dashboard.intro')}</p>
      {orgs.some((o) => o.capacity === 'admin' || o.capacity === 'editor') ? <p><a class="button" href="/dataset/new">{t('dashboard.new')}</a></p> : null}
      {approvals !== undefined ? <p><a href="/dashboard/approvals">{t('wf.queueLink', { count: approvals })}</a></p> : null}
      {orgs.length === 0 ? <p>{t('dashboard.noOrgs')}</p> : null}
      {orgs.length ? (
        <nav aria-label={t('sources.dashboardLinks')}>
          <ul class="inline-links">
            <li><a href="/harvest">{t('sources.harvestLink')}</a></li>
            <li><a href="/sensors/sources">{t('sources.sensorLink')}</a></li>
          </ul>
        </nav>
      ) : null}
      {orgs.map((o) => {
        const mayEdit = o.capacity === 'admin' || o.capacity === 'editor';
        const headingId = `org-${o.name}`;
        return (
          <section aria-labelledby={headingId}>
            <h2 id={headingId}><a href={`/organization/${encodeURIComponent(o.name)}`}>{o.title || o.name}</a></h2>
            {o.capacity && ROLES.has(o.capacity) ? <p class="meta">{t('dashboard.role', { role: t(`role.${o.capacity}` as MessageKey) })}</p> : null}
            <p class="meta"><a href={`/organization/members/${encodeURIComponent(o.name)}`} aria-label={t('members.title', { name: o.title || o.name })}>{t('members.link')}</a></p>
            {o.datasets.length === 0 ? (
              <p>{t('dashboard.noDatasets')}</p>
            ) : (
              <table class="data">
                <thead>
                  <tr>
                    <th scope="col">{t('dashboard.dataset')}</th>
                    <th scope="col">{t('dashboard.access')}</th>
                    <th scope="col">{t('dashboard.dcat')}</th>
                    <th scope="col">{t('dashboard.quality')}</th>
                    {mayEdit ? <th scope="col">{t('dashboard.actions')}</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {o.datasets.map((d) => (
                    <tr>
                      <td><a href={`/dataset/${encodeURIComponent(d.name)}`}>{d.title || d.name}</a></td>
                      <td>{d.access_level ? t(`access.${d.access_level}` as MessageKey) : d.private ? t('dashboard.private') : t('dashboard.public')}{d.state === 'draft' ? `, ${t('dashboard.draft')}` : d.state === 'pending' ? `, ${t('dashboard.pending')}` : ''}</td>
                      <td><DcatState env={env} d={d} /></td>
                      <td>
                        {d.quality
                          ? t('dashboard.score', { score: Math.round(d.quality.score), max: d.quality.max, rating: RATINGS.has(d.quality.rating) ? t(`rating.${d.quality.rating}` as MessageKey) : d.quality.rating })
                          : t('dashboard.noScore')}
                      </td>
                      {mayEdit ? (
                        <td class="actions">
                          <a href={`/dataset/edit/${encodeURIComponent(d.name)}`} aria-label={t('dashboard.editLabel', { title: d.title || d.name })}>{t('dashboard.edit')}</a>{' '}
                          <a href={`/dataset/${encodeURIComponent(d.name)}/access`} aria-label={t('acc.shortLabel', { title: d.title || d.name })}>{t('acc.short')}</a>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {o.count > o.datasets.length ? <p class="meta">{t('dashboard.more', { shown: o.datasets.length, count: o.count })}</p> : null}
          </section>
        );
      })}
    </>
  );
}

export interface UserDict {
  name: string;
  fullname?: string | null;
  about?: string | null;
  created?: string;
  datasets?: { name: string; title?: string; private?: boolean }[];
}

/** A user's page: name, about, and the datasets they created that the caller may see (user_show). */
export function UserPage({ env, u }: { env: PageEnv; u: UserDict }) {
  const { t } = env;
  const datasets = u.datasets ?? [];
  return (
    <>
      <h1>{u.fullname || u.name}</h1>
      {u.fullname ? <p class="meta">{u.name}</p> : null}
      {u.created ? <p class="meta">{t('user.member', { date: u.created.slice(0, 10) })}</p> : null}
      {env.user === u.name ? <p><a href={`/user/${encodeURIComponent(u.name)}/api-tokens`}>{t('tokens.link')}</a></p> : null}
      {u.about?.trim() ? <div class="notes">{u.about.split(/\n\s*\n/).map((p) => <p>{p.trim()}</p>)}</div> : null}
      <h2>{t('user.datasets')}</h2>
      {datasets.length === 0 ? (
        <p>{t('user.noDatasets')}</p>
      ) : (
        <ul class="results">
          {datasets.map((d) => (
            <li>
              <h3><a href={`/dataset/${encodeURIComponent(d.name)}`}>{d.title || d.name}</a></h3>
              {d.private ? <p class="meta">{t('dashboard.private')}</p> : null}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
