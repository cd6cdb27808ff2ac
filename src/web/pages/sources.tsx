import type { ComponentChildren } from 'preact';
import type { MessageKey } from '../i18n/de';
import { CsrfField, PageEnv } from './layout';
import { formatTime } from './live';

/** Field messages by form field (the action's field map, flattened to text in the page language). */
export type SourceMessages = Map<string, string[]>;

export const HARVEST_FREQUENCIES = ['MANUAL', 'HOURLY', 'DAILY', 'WEEKLY', 'BIWEEKLY', 'MONTHLY', 'ALWAYS'] as const;
export const SENSOR_TYPES = ['pegelonline', 'datex2', 'mqtt', 'push', 'sta'] as const;

export interface HarvestStats {
  added?: number;
  updated?: number;
  deleted?: number;
  errored?: number;
  'not modified'?: number;
}

/** harvest_job_show / harvest_job_list's dicts. */
export interface HarvestJob {
  id: string;
  status: string;
  created?: string | null;
  finished?: string | null;
  gather_finished?: string | null;
  stats?: HarvestStats;
  progress?: { done: number; total: number } | null;
  message?: string | null;
}

/** harvest_source_show / harvest_source_list's dicts (a dataset of type harvest plus the source's fields). */
export interface HarvestSource {
  id: string;
  name: string;
  title?: string;
  notes?: string;
  url: string;
  source_type: string;
  frequency: string;
  config?: string | null;
  active: boolean;
  private?: boolean;
  owner_org?: string | null;
  organization?: { name?: string; title?: string } | null;
  last_job_status?: HarvestJob | Record<string, never>;
}

export interface HarvestReport {
  status: string;
  stats: HarvestStats;
  gather_errors: { message: string }[];
  object_errors: Record<string, { guid: string; errors: { message: string }[] }>;
}

/** sensor_source_show's dict. */
export interface SensorSource {
  id: string;
  name: string;
  title: string;
  owner_org: string;
  type: string;
  config: Record<string, unknown>;
  state: string;
  poll_interval_seconds: number | null;
  next_run_at: string | null;
  last_run_at: string | null;
  last_success_at: string | null;
  last_error: { message?: string; code?: string; at?: string } | null;
  last_warnings: { message?: string; count?: number; warnings?: { message?: string; station?: string; stream?: string }[] } | null;
  counts: Record<string, unknown>;
  num_datasets: number;
  num_datastreams: number;
  run_job_id: string | null;
}

export interface OrgOption {
  id: string;
  name: string;
  title?: string;
}

const when = (env: PageEnv, v: string | null | undefined): string => (v ? formatTime(v, env.lang) : env.t('sources.never'));
const isJob = (j: HarvestSource['last_job_status']): j is HarvestJob => !!j && 'status' in j;
const statusText = (env: PageEnv, status: string): string => (['New', 'Running', 'Finished', 'Aborted'].includes(status) ? env.t(`harvest.status.${status}` as MessageKey) : status);
const typeText = (env: PageEnv, type: string): string => ((SENSOR_TYPES as readonly string[]).includes(type) ? env.t(`sensorSrc.type.${type}` as MessageKey) : type);

/** A notice after a form did something (`?done=run` on the page it redirected to). */
export function Notice({ env, done }: { env: PageEnv; done?: string }) {
  const keys: Record<string, MessageKey> = { run: 'sources.notice.run', pending: 'sources.notice.runPending', abort: 'sources.notice.abort', clear: 'sources.notice.clear', saved: 'sources.notice.saved' };
  const key = done ? keys[done] : undefined;
  return key ? <p class="notice" role="status">{env.t(key)}</p> : null;
}

/** A button that POSTs to `action` with the CSRF token (run now, abort): a form of its own, so it works without JavaScript. */
export function PostButton({ env, action, label, ariaLabel, secondary }: { env: PageEnv; action: string; label: string; ariaLabel?: string; secondary?: boolean }) {
  return (
    <form method="post" action={action} class="inline">
      <CsrfField env={env} />
      <button type="submit" class={secondary ? 'secondary' : undefined} aria-label={ariaLabel}>{label}</button>
    </form>
  );
}

/** A job's counts in words: "3 neu, 1 geändert, 0 entfernt, 0 Fehler". */
export function StatsText({ env, stats }: { env: PageEnv; stats?: HarvestStats }) {
  const s = stats ?? {};
  return <>{`${s.added ?? 0} ${env.t('harvest.added')}, ${s.updated ?? 0} ${env.t('harvest.updated')}, ${s.deleted ?? 0} ${env.t('harvest.deleted')}, ${s.errored ?? 0} ${env.t('harvest.errored')}`}</>;
}

export function HarvestListPage({ env, sources, mayCreate }: { env: PageEnv; sources: HarvestSource[]; mayCreate: boolean }) {
  const { t } = env;
  return (
    <>
      <h1>{t('harvest.title')}</h1>
      <p>{t('harvest.intro')}</p>
      {mayCreate ? <p><a class="button" href="/harvest/new">{t('harvest.new')}</a></p> : null}
      {sources.length === 0 ? (
        <p>{t('harvest.noSources')}</p>
      ) : (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t('harvest.source')}</th>
              <th scope="col">{t('sources.type')}</th>
              <th scope="col">{t('sources.url')}</th>
              <th scope="col">{t('sources.state')}</th>
              <th scope="col">{t('harvest.lastJob')}</th>
              <th scope="col">{t('harvest.finished')}</th>
              <th scope="col">{t('sources.counts')}</th>
            </tr>
          </thead>
          <tbody>
            {sources.map((s) => {
              const job = isJob(s.last_job_status) ? s.last_job_status : undefined;
              return (
                <tr>
                  <td><a href={`/harvest/${encodeURIComponent(s.name)}`}>{s.title || s.name}</a></td>
                  <td>{s.source_type}</td>
                  <td class="url">{s.url}</td>
                  <td>{t(s.active ? 'sources.state.active' : 'sources.state.inactive')}</td>
                  <td>{job ? statusText(env, job.status) : t('harvest.noJobs')}</td>
                  <td>{job?.finished ? formatTime(job.finished, env.lang) : t('sources.none')}</td>
                  <td>{job ? <StatsText env={env} stats={job.stats} /> : t('sources.none')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

function Dl({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="fields">
      {rows.map(([k, v]) => (
        <>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </>
      ))}
    </dl>
  );
}

/** One harvest source: its settings, recent jobs, the last job's report with its errors, and the buttons of its managers. */
export function HarvestSourcePage({ env, s, jobs, report, totalDatasets, mayManage, done }: {
  env: PageEnv; s: HarvestSource; jobs: HarvestJob[] | null; report: HarvestReport | null; totalDatasets: number; mayManage: boolean; done?: string;
}) {
  const { t } = env;
  const base = `/harvest`;
  const name = encodeURIComponent(s.name);
  const open = jobs?.find((j) => j.status === 'New' || j.status === 'Running');
  const objectErrors = report ? Object.values(report.object_errors) : [];
  return (
    <>
      <h1>{s.title || s.name}</h1>
      <Notice env={env} done={done} />
      {s.notes?.trim() ? <p>{s.notes}</p> : null}
      <Dl
        rows={[
          [t('sources.url'), <span class="url">{s.url}</span>],
          [t('sources.type'), s.source_type],
          [t('harvest.frequency'), (HARVEST_FREQUENCIES as readonly string[]).includes(s.frequency) ? t(`harvest.frequency.${s.frequency}` as MessageKey) : s.frequency],
          [t('sources.state'), t(s.active ? 'sources.state.active' : 'sources.state.inactive')],
          [t('sources.organization'), s.organization?.title || s.organization?.name || t('sources.none')],
          [t('harvest.datasets'), String(totalDatasets)],
          [t('sources.config'), s.config ? <code>{s.config}</code> : t('sources.none')],
        ]}
      />
      {mayManage ? (
        <div class="actions">
          <a class="button" href={`${base}/edit/${name}`}>{t('sources.edit')}</a>
          {open ? <PostButton env={env} action={`${base}/abort/${name}`} label={t('harvest.abort')} /> : <PostButton env={env} action={`${base}/refresh/${name}`} label={t('sources.runNow')} />}
          <a class="button secondary" href={`${base}/clear/${name}`}>{t('harvest.clear')}</a>
        </div>
      ) : null}
      <h2>{t('harvest.jobs')}</h2>
      {jobs === null ? (
        <p>{t('harvest.notManager')}</p>
      ) : jobs.length === 0 ? (
        <p>{t('harvest.noJobs')}</p>
      ) : (
        <table class="data" id="jobs">
          <thead>
            <tr>
              <th scope="col">{t('harvest.created')}</th>
              <th scope="col">{t('harvest.status')}</th>
              <th scope="col">{t('harvest.finished')}</th>
              <th scope="col">{t('harvest.added')}</th>
              <th scope="col">{t('harvest.updated')}</th>
              <th scope="col">{t('harvest.deleted')}</th>
              <th scope="col">{t('harvest.notModified')}</th>
              <th scope="col">{t('harvest.errored')}</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr>
                <td>{when(env, j.created)}</td>
                <td>
                  {statusText(env, j.status)}
                  {j.status === 'Running' && j.progress ? ` (${t('harvest.progress', { done: j.progress.done, total: j.progress.total })})` : ''}
                </td>
                <td>{j.finished ? formatTime(j.finished, env.lang) : t('sources.none')}</td>
                <td class="num">{j.stats?.added ?? 0}</td>
                <td class="num">{j.stats?.updated ?? 0}</td>
                <td class="num">{j.stats?.deleted ?? 0}</td>
                <td class="num">{j.stats?.['not modified'] ?? 0}</td>
                <td class="num">{j.stats?.errored ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report ? (
        <section aria-labelledby="report-title">
          <h2 id="report-title">{t('harvest.report')}</h2>
          <p>{statusText(env, report.status)}: <StatsText env={env} stats={report.stats} /></p>
          {report.gather_errors.length === 0 && objectErrors.length === 0 ? <p>{t('harvest.noErrors')}</p> : null}
          {report.gather_errors.length ? (
            <>
              <h3>{t('harvest.gatherErrors')}</h3>
              <ul>{report.gather_errors.map((e) => <li>{e.message}</li>)}</ul>
            </>
          ) : null}
          {objectErrors.length ? (
            <table class="data">
              <caption>{t('harvest.objectErrors')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('harvest.guid')}</th>
                  <th scope="col">{t('harvest.message')}</th>
                </tr>
              </thead>
              <tbody>
                {objectErrors.map((o) => (
                  <tr>
                    <td>{o.guid}</td>
                    <td>{o.errors.map((e) => e.message).join(' ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      ) : null}
    </>
  );
}

/** ckanext-harvest's "clear" asks first: this page is the question, its form (POST with the token) the answer. */
export function HarvestClearPage({ env, s }: { env: PageEnv; s: HarvestSource }) {
  const { t } = env;
  const name = encodeURIComponent(s.name);
  return (
    <>
      <h1>{t('harvest.clearTitle', { title: s.title || s.name })}</h1>
      <p>{t('harvest.clearText')}</p>
      <div class="actions">
        <PostButton env={env} action={`/harvest/clear/${name}`} label={t('harvest.clearConfirm')} />
        <a href={`/harvest/${name}`}>{t('harvest.cancel')}</a>
      </div>
    </>
  );
}

/** A field's messages, tied to the field by aria-describedby. */
function Errors({ id, messages }: { id: string; messages: SourceMessages }) {
  const list = messages.get(id);
  return list?.length ? <p class="field-error" id={`${id}-error`}>{list.join(' ')}</p> : null;
}

const described = (id: string, messages: SourceMessages, hint?: boolean): string | undefined =>
  [messages.has(id) ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;

function Field({ env, id, label, hint, messages, children }: { env: PageEnv; id: string; label: MessageKey; hint?: MessageKey; messages: SourceMessages; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>{env.t(label)}</label>
      {hint ? <p class="meta" id={`${id}-hint`}>{env.t(hint)}</p> : null}
      {children}
      <Errors id={id} messages={messages} />
    </div>
  );
}

const inv = (id: string, messages: SourceMessages): 'true' | undefined => (messages.has(id) ? 'true' : undefined);

/** What the form shows: the values as typed (or stored); a secret is never among them. */
export type SourceFormValues = Record<string, string>;

function Summary({ env, messages, known }: { env: PageEnv; messages: SourceMessages; known: string[] }) {
  if (!messages.size) return null;
  const other = [...messages.entries()].filter(([k]) => !known.includes(k));
  return (
    <div class="error-summary" role="alert">
      <p>{env.t('sources.hasErrors')}</p>
      {other.length ? <ul>{other.map(([, m]) => <li>{m.join(' ')}</li>)}</ul> : null}
    </div>
  );
}

function OrgSelect({ env, v, orgs, messages }: { env: PageEnv; v: string; orgs: OrgOption[]; messages: SourceMessages }) {
  return (
    <Field env={env} id="owner_org" label="sources.organization" messages={messages}>
      <select id="owner_org" name="owner_org" aria-invalid={inv('owner_org', messages)} aria-describedby={described('owner_org', messages)}>
        {orgs.map((o) => <option value={o.id} selected={v === o.id || v === o.name}>{o.title || o.name}</option>)}
      </select>
    </Field>
  );
}

function Text({ env, id, label, v, messages, hint, type = 'text', required }: { env: PageEnv; id: string; label: MessageKey; v: string; messages: SourceMessages; hint?: MessageKey; type?: string; required?: boolean }) {
  return (
    <Field env={env} id={id} label={label} hint={hint} messages={messages}>
      <input type={type} id={id} name={id} value={v} required={required} aria-invalid={inv(id, messages)} aria-describedby={described(id, messages, !!hint)} />
    </Field>
  );
}

function ConfigFields({ env, v, messages }: { env: PageEnv; v: SourceFormValues; messages: SourceMessages }) {
  return (
    <>
      <Field env={env} id="config" label="sources.config" hint="sources.configHint" messages={messages}>
        <textarea id="config" name="config" rows={8} class="code" aria-invalid={inv('config', messages)} aria-describedby={described('config', messages, true)}>{v.config ?? ''}</textarea>
      </Field>
      <Field env={env} id="secret" label="sources.secret" hint="sources.secretHint" messages={messages}>
        <input type="password" id="secret" name="secret" value="" autoComplete="new-password" aria-describedby={described('secret', messages, true)} />
      </Field>
    </>
  );
}

const HARVEST_FIELDS = ['title', 'name', 'url', 'source_type', 'frequency', 'owner_org', 'notes', 'config', 'secret', 'private', 'active'];

/** The harvest source form (new and edit): harvest_source_create / harvest_source_patch, errors beside their fields. */
export function HarvestFormPage({ env, action, v, types, orgs, messages, editing }: {
  env: PageEnv; action: string; v: SourceFormValues; types: { name: string; title?: string }[]; orgs: OrgOption[]; messages: SourceMessages; editing: boolean;
}) {
  const { t } = env;
  return (
    <>
      <h1>{t(editing ? 'harvest.editTitle' : 'harvest.newTitle')}</h1>
      <Summary env={env} messages={messages} known={HARVEST_FIELDS} />
      <form class="stack" method="post" action={action} novalidate>
        <CsrfField env={env} />
        <Text env={env} id="title" label="sources.title" v={v.title ?? ''} messages={messages} />
        <Text env={env} id="name" label="sources.name" hint="sources.nameHint" v={v.name ?? ''} messages={messages} required />
        <Text env={env} id="url" label="sources.url" type="url" v={v.url ?? ''} messages={messages} required />
        <Field env={env} id="source_type" label="sources.type" messages={messages}>
          <select id="source_type" name="source_type" aria-invalid={inv('source_type', messages)} aria-describedby={described('source_type', messages)}>
            {types.map((h) => <option value={h.name} selected={v.source_type === h.name}>{h.title || h.name}</option>)}
          </select>
        </Field>
        <Field env={env} id="frequency" label="harvest.frequency" messages={messages}>
          <select id="frequency" name="frequency" aria-invalid={inv('frequency', messages)} aria-describedby={described('frequency', messages)}>
            {HARVEST_FREQUENCIES.map((f) => <option value={f} selected={(v.frequency || 'MANUAL') === f}>{t(`harvest.frequency.${f}` as MessageKey)}</option>)}
          </select>
        </Field>
        <OrgSelect env={env} v={v.owner_org ?? ''} orgs={orgs} messages={messages} />
        <Field env={env} id="notes" label="harvest.notes" messages={messages}>
          <textarea id="notes" name="notes" rows={3} aria-invalid={inv('notes', messages)} aria-describedby={described('notes', messages)}>{v.notes ?? ''}</textarea>
        </Field>
        <ConfigFields env={env} v={v} messages={messages} />
        <div class="field check">
          <input type="checkbox" id="private" name="private" value="true" checked={v.private === 'true'} />
          <label for="private">{t('harvest.private')}</label>
        </div>
        {editing ? (
          <div class="field check">
            <input type="checkbox" id="active" name="active" value="true" checked={v.active !== 'false'} />
            <label for="active">{t('harvest.active')}</label>
          </div>
        ) : null}
        <div>
          <button type="submit">{t(editing ? 'sources.save' : 'sources.create')}</button>
        </div>
      </form>
    </>
  );
}

/** A source's counts as "key: n" pairs. */
function Counts({ counts }: { counts: Record<string, unknown> }) {
  const entries = Object.entries(counts ?? {}).filter(([, n]) => typeof n === 'number');
  return <>{entries.length ? entries.map(([k, n]) => `${k}: ${String(n)}`).join(', ') : '–'}</>;
}

export function SensorListPage({ env, sources, mayCreate }: { env: PageEnv; sources: SensorSource[]; mayCreate: boolean }) {
  const { t } = env;
  return (
    <>
      <h1>{t('sensorSrc.title')}</h1>
      <p>{t('sensorSrc.intro')}</p>
      {mayCreate ? <p><a class="button" href="/sensors/sources/new">{t('sensorSrc.new')}</a></p> : null}
      {sources.length === 0 ? (
        <p>{t('sensorSrc.noSources')}</p>
      ) : (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t('harvest.source')}</th>
              <th scope="col">{t('sources.type')}</th>
              <th scope="col">{t('sources.state')}</th>
              <th scope="col">{t('sources.lastRun')}</th>
              <th scope="col">{t('sources.lastError')}</th>
              <th scope="col">{t('sources.counts')}</th>
            </tr>
          </thead>
          <tbody>
            {sources.map((s) => (
              <tr>
                <td><a href={`/sensors/sources/${encodeURIComponent(s.name)}`}>{s.title || s.name}</a></td>
                <td>{typeText(env, s.type)}</td>
                <td>{t(s.state === 'paused' ? 'sources.state.paused' : 'sources.state.active')}</td>
                <td>{when(env, s.last_run_at)}</td>
                <td>{s.last_error?.message ?? t('sources.none')}</td>
                <td><Counts counts={s.counts} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function SensorSourcePage({ env, s, orgTitle, mayManage, done }: { env: PageEnv; s: SensorSource; orgTitle: string; mayManage: boolean; done?: string }) {
  const { t } = env;
  const name = encodeURIComponent(s.name);
  const warnings = s.last_warnings;
  return (
    <>
      <h1>{s.title || s.name}</h1>
      <Notice env={env} done={done} />
      <Dl
        rows={[
          [t('sources.type'), typeText(env, s.type)],
          [t('sources.state'), t(s.state === 'paused' ? 'sources.state.paused' : 'sources.state.active')],
          [t('sources.organization'), orgTitle],
          [t('sensorSrc.interval'), s.poll_interval_seconds ? t('sensorSrc.seconds', { n: s.poll_interval_seconds }) : t('sources.none')],
          [t('sources.lastRun'), when(env, s.last_run_at)],
          [t('sensorSrc.lastSuccess'), when(env, s.last_success_at)],
          [t('sensorSrc.nextRun'), s.next_run_at ? formatTime(s.next_run_at, env.lang) : t('sources.none')],
          [t('sources.lastError'), s.last_error ? `${s.last_error.message ?? ''}${s.last_error.at ? ` (${formatTime(s.last_error.at, env.lang)})` : ''}` : t('sources.none')],
          [t('sources.counts'), <Counts counts={s.counts} />],
          [t('sensorSrc.datasets'), String(s.num_datasets)],
          [t('sensorSrc.datastreams'), String(s.num_datastreams)],
          [t('sources.config'), <code>{JSON.stringify(s.config)}</code>],
        ]}
      />
      {s.run_job_id ? <p>{t('sensorSrc.running')}</p> : null}
      {mayManage ? (
        <div class="actions">
          <a class="button" href={`/sensors/sources/${name}/edit`}>{t('sources.edit')}</a>
          <PostButton env={env} action={`/sensors/sources/${name}/run`} label={t('sources.runNow')} />
        </div>
      ) : null}
      {warnings && (warnings.count ?? 0) > 0 ? (
        <section aria-labelledby="warnings-title">
          <h2 id="warnings-title">{t('sensorSrc.warnings')}</h2>
          {warnings.message ? <p>{warnings.message}</p> : null}
          <ul>{(warnings.warnings ?? []).map((w) => <li>{[w.station, w.stream].filter(Boolean).join(' / ')}{w.station || w.stream ? ': ' : ''}{w.message}</li>)}</ul>
        </section>
      ) : null}
    </>
  );
}

const SENSOR_FIELDS = ['title', 'name', 'type', 'owner_org', 'state', 'config', 'secret'];

/** The sensor source form (new and edit): sensor_source_create / sensor_source_update, errors beside their fields. */
export function SensorFormPage({ env, action, v, orgs, messages, editing }: { env: PageEnv; action: string; v: SourceFormValues; orgs: OrgOption[]; messages: SourceMessages; editing: boolean }) {
  const { t } = env;
  return (
    <>
      <h1>{t(editing ? 'sensorSrc.editTitle' : 'sensorSrc.newTitle')}</h1>
      <Summary env={env} messages={messages} known={SENSOR_FIELDS} />
      <form class="stack" method="post" action={action} novalidate>
        <CsrfField env={env} />
        <Text env={env} id="title" label="sources.title" v={v.title ?? ''} messages={messages} />
        <Text env={env} id="name" label="sources.name" hint="sources.nameHint" v={v.name ?? ''} messages={messages} required />
        {editing ? (
          <>
            <input type="hidden" name="type" value={v.type ?? ''} />
            <p><strong>{t('sources.type')}:</strong> {typeText(env, v.type ?? '')} <span class="meta">({t('sensorSrc.typeFixed')})</span></p>
            <Errors id="type" messages={messages} />
          </>
        ) : (
          <Field env={env} id="type" label="sources.type" messages={messages}>
            <select id="type" name="type" aria-invalid={inv('type', messages)} aria-describedby={described('type', messages)}>
              {SENSOR_TYPES.map((k) => <option value={k} selected={v.type === k}>{typeText(env, k)}</option>)}
            </select>
          </Field>
        )}
        <OrgSelect env={env} v={v.owner_org ?? ''} orgs={orgs} messages={messages} />
        <ConfigFields env={env} v={v} messages={messages} />
        <div class="field check">
          <input type="checkbox" id="paused" name="state" value="paused" checked={v.state === 'paused'} />
          <label for="paused">{t('sensorSrc.paused')}</label>
        </div>
        <div>
          <button type="submit">{t(editing ? 'sources.save' : 'sources.create')}</button>
        </div>
      </form>
    </>
  );
}
