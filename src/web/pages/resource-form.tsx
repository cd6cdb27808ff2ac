import type { ComponentChildren } from 'preact';
import type { MessageKey } from '../i18n/de';
import { CsrfField, PageEnv } from './layout';

/** A form field's messages, by field name (`_` for those the form has no field for). */
export type ResourceMessages = Map<string, string[]>;

/** What the resource form shows in its fields. */
export interface ResourceFormValues {
  name: string;
  description: string;
  format: string;
  url: string;
}

/** xloader_status's answer, as the page reads it. */
export interface LoaderStatus {
  status: 'pending' | 'running' | 'complete' | 'error';
  last_updated?: string;
  created?: string;
  error?: { message: string; line?: number } | null;
  task_info?: { logs?: { timestamp?: string; level?: string; message: string; lineno?: number }[] };
}

/** Bytes in words (MB, GB), for the file field's hint and the "too large" message. */
export function sizeInWords(env: PageEnv, bytes: number): string {
  const locale = env.lang === 'en' ? 'en-GB' : 'de-DE';
  const [value, unit] = bytes >= 1024 ** 3 ? [bytes / 1024 ** 3, 'GB'] : bytes >= 1024 ** 2 ? [bytes / 1024 ** 2, 'MB'] : [bytes / 1024, 'KB'];
  return `${value.toLocaleString(locale, { maximumFractionDigits: 1 })} ${unit}`;
}

/** An instant with date and time in Berlin's zone. */
export function formatInstant(value: string | undefined, env: PageEnv): string {
  if (!value) return '';
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(env.lang === 'en' ? 'en-GB' : 'de-DE', { dateStyle: 'long', timeStyle: 'medium', timeZone: 'Europe/Berlin' }).format(d);
}

function Errors({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return <p class="field-error" id={`${id}-error`}>{messages.join(' ')}</p>;
}

const describedBy = (key: string, messages: ResourceMessages, hint: boolean): string | undefined =>
  [messages.has(key) ? `resource-${key}-error` : '', hint ? `resource-${key}-hint` : ''].filter(Boolean).join(' ') || undefined;

function Field({ env, id, label, hint, messages, children }: { env: PageEnv; id: string; label: MessageKey; hint?: string; messages: ResourceMessages; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={`resource-${id}`}>{env.t(label)}</label>
      {hint ? <p class="meta" id={`resource-${id}-hint`}>{hint}</p> : null}
      {children}
      <Errors id={`resource-${id}`} messages={messages.get(id)} />
    </div>
  );
}

/**
 * The resource form (new and edit): a multipart POST that works without JavaScript; the upload island sends the same
 * form with XMLHttpRequest and fills the progress bar. The CSRF token comes first, so it is checked before a file is
 * stored. Errors stand beside their field (aria-invalid, aria-describedby) and in a summary at the top.
 */
export function ResourceFormPage({ env, action, dataset, values, currentFile, messages, summary, maxBytes, deleteAction, cancelHref }: {
  env: PageEnv; action: string; dataset: { name: string; title?: string | null }; values: ResourceFormValues;
  /** The uploaded file's name when the resource has one (edit). */
  currentFile?: string;
  messages: ResourceMessages; summary: boolean; maxBytes: number;
  /** Where the delete button posts (edit only). */
  deleteAction?: string;
  cancelHref: string;
}) {
  const { t } = env;
  const attrs = (id: string, hint: boolean) => ({ id: `resource-${id}`, name: id, 'aria-invalid': messages.has(id) ? ('true' as const) : undefined, 'aria-describedby': describedBy(id, messages, hint) });
  const other = messages.get('_');
  return (
    <>
      <h1>{t(deleteAction ? 'upload.editTitle' : 'upload.newTitle')}</h1>
      <p>{t('upload.intro', { title: dataset.title || dataset.name })}</p>
      {summary ? (
        <div class="error-summary" role="alert" tabIndex={-1}>
          <p>{t('upload.hasErrors')}</p>
          {other?.length ? <ul>{other.map((m) => <li>{m}</li>)}</ul> : null}
        </div>
      ) : null}
      <form class="resource-form" method="post" action={action} enctype="multipart/form-data" data-upload-form>
        <CsrfField env={env} />
        <Field env={env} id="name" label="upload.name" messages={messages}>
          <input type="text" value={values.name} {...attrs('name', false)} />
        </Field>
        <Field env={env} id="description" label="upload.description" hint={t('upload.descriptionHint')} messages={messages}>
          <textarea rows={5} {...attrs('description', true)}>{values.description}</textarea>
        </Field>
        <Field env={env} id="format" label="upload.format" hint={t('upload.formatHint')} messages={messages}>
          <input type="text" value={values.format} {...attrs('format', true)} />
        </Field>
        <Field env={env} id="upload" label={currentFile ? 'upload.replaceFile' : 'upload.file'} hint={[currentFile ? t('upload.currentFile', { file: currentFile }) : '', t('upload.fileHint', { size: sizeInWords(env, maxBytes) })].filter(Boolean).join(' ')} messages={messages}>
          <input type="file" {...attrs('upload', true)} />
        </Field>
        <Field env={env} id="url" label="upload.url" hint={currentFile ? t('upload.urlReplacesFile') : t('upload.urlHint')} messages={messages}>
          <input type="text" inputMode="url" value={values.url} {...attrs('url', true)} />
        </Field>
        <div class="upload-progress" hidden data-upload-progress>
          <label for="upload-progress-bar">{t('upload.progressLabel')}</label>
          <progress id="upload-progress-bar" max={100} value={0} data-text-template={t('upload.progressText', { percent: '{percent}' })} data-text-done={t('upload.progressDone')} data-text-failed={t('upload.failed')} />
          <p class="meta" aria-live="polite" data-upload-status />
        </div>
        <p class="form-actions">
          <button type="submit">{t(deleteAction ? 'upload.save' : 'upload.create')}</button> <a href={cancelHref}>{t('upload.cancel')}</a>
        </p>
      </form>
      {deleteAction ? (
        <form class="danger-zone" method="post" action={deleteAction}>
          <CsrfField env={env} />
          <p class="meta" id="delete-hint">{t('upload.deleteHint')}</p>
          <button type="submit" class="danger" aria-describedby="delete-hint">{t('upload.delete')}</button>
        </form>
      ) : null}
    </>
  );
}

/**
 * The loader's state for those who may edit: state, last run, rows loaded, the error; "load again" (a POST with the
 * CSRF token). While a load waits or runs, the loader island refreshes the state in place; without JavaScript the
 * refresh link does it.
 */
export function LoaderSection({ env, status, rows, submitAction, refreshHref }: { env: PageEnv; status: LoaderStatus; rows?: number; submitAction: string; refreshHref: string }) {
  const { t } = env;
  const busy = status.status === 'pending' || status.status === 'running';
  const errorText = status.error ? (status.error.line ? t('loader.errorLine', { message: status.error.message, line: status.error.line }) : status.error.message) : undefined;
  const logs = status.task_info?.logs ?? [];
  return (
    <section id="loader" class="loader" aria-labelledby="loader-title" data-loader={busy ? 'busy' : 'done'}>
      <h2 id="loader-title">{t('loader.title')}</h2>
      <div data-loader-live aria-live="polite">
        <dl class="fields">
          <dt>{t('loader.status')}</dt>
          <dd><span class={`loader-state loader-${status.status}`} data-loader-state={status.status}>{t(`loader.status.${status.status}` as MessageKey)}</span></dd>
          <dt>{t('loader.lastRun')}</dt>
          <dd>{formatInstant(status.last_updated ?? status.created, env)}</dd>
          {rows !== undefined ? <><dt>{t('loader.rows')}</dt><dd data-loader-rows>{rows.toLocaleString(env.lang === 'en' ? 'en-GB' : 'de-DE')}</dd></> : null}
          {errorText ? <><dt>{t('loader.error')}</dt><dd class="field-error">{errorText}</dd></> : null}
        </dl>
        {busy ? <p class="meta">{t('loader.autoRefresh')} <a href={refreshHref}>{t('loader.refresh')}</a></p> : null}
      </div>
      {logs.length ? (
        <details>
          <summary>{t('loader.log')}</summary>
          <ul class="loader-log">{logs.map((l) => <li>{l.level ? `${l.level}: ` : ''}{l.message}</li>)}</ul>
        </details>
      ) : null}
      <form method="post" action={submitAction}>
        <CsrfField env={env} />
        <button type="submit" disabled={busy}>{t('loader.submit')}</button>
      </form>
    </section>
  );
}

/** The dataset's and resource's edit links for those who may edit. */
export function StewardLinks({ env, links }: { env: PageEnv; links: { href: string; label: MessageKey }[] }) {
  if (!links.length) return null;
  return (
    <nav class="steward-links" aria-label={env.t('dataset.stewardActions')}>
      <ul>{links.map((l) => <li><a class="button" href={l.href}>{env.t(l.label)}</a></li>)}</ul>
    </nav>
  );
}
