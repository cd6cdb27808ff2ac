import { choices, EXTRA_FIELDS, ExtraField, FieldMessages, FORM_FIELDS, FormState, regionChoices } from '../dataset-form';
import type { MessageKey } from '../i18n/de';
import { CsrfField, PageEnv } from './layout';

export interface FormOptions {
  orgs: { id: string; name: string; title?: string }[];
  licenses: { id: string; title?: string }[];
}

/** A field's error messages, tied to the field by aria-describedby. */
function Errors({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return <p class="field-error" id={`${id}-error`}>{messages.join(' ')}</p>;
}

const describedBy = (id: string, messages: FieldMessages, hint?: boolean): string | undefined =>
  [messages.has(id) ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;

function TextField({ env, id, label, value, messages, type = 'text', required, hint }: { env: PageEnv; id: string; label: MessageKey; value: string; messages: FieldMessages; type?: string; required?: boolean; hint?: MessageKey }) {
  return (
    <div class="field">
      <label for={id}>{env.t(label)}</label>
      {hint ? <p class="meta" id={`${id}-hint`}>{env.t(hint)}</p> : null}
      <input type={type} id={id} name={id} value={value} required={required} aria-invalid={messages.has(id) ? 'true' : undefined} aria-describedby={describedBy(id, messages, !!hint)} />
      <Errors id={id} messages={messages.get(id)} />
    </div>
  );
}

function ExtraInput({ env, f, s, messages }: { env: PageEnv; f: ExtraField; s: FormState; messages: FieldMessages }) {
  const values = s.values[f.key] ?? [];
  const id = f.key;
  const invalid = messages.has(id) ? 'true' : undefined;
  if (typeof f.kind === 'object') {
    const opts = choices(f.kind.vocab, env.lang);
    // A stored value outside the vocabulary stays selectable, so saving never drops what a client wrote.
    for (const v of values) if (v && !opts.some((o) => o.value === v)) opts.unshift({ value: v, label: v });
    return (
      <div class="field">
        <label for={id}>{env.t(f.label)}</label>
        {f.kind.many ? <p class="meta" id={`${id}-hint`}>{env.t('form.multiHint')}</p> : null}
        <select id={id} name={id} multiple={f.kind.many} size={f.kind.many ? 6 : undefined} aria-invalid={invalid} aria-describedby={describedBy(id, messages, f.kind.many)}>
          {f.kind.many ? null : <option value="">{env.t('form.none')}</option>}
          {opts.map((o) => <option value={o.value} selected={values.includes(o.value)}>{o.label}</option>)}
        </select>
        <Errors id={id} messages={messages.get(id)} />
      </div>
    );
  }
  if (f.kind === 'regions') {
    // One input per key and one empty for the next: each suggests the Länder (a native datalist, no JavaScript), and
    // any other key (a district's, a municipality's) may be typed. Saving with the empty one filled adds another.
    const rows = [...values, ''];
    return (
      <div class="field">
        <label for={id}>{env.t(f.label)}</label>
        {f.hint ? <p class="meta" id={`${id}-hint`}>{env.t(f.hint)}</p> : null}
        {rows.map((v, i) => (
          <>
            {i > 0 ? <label class="visually-hidden" for={`${id}-${i + 1}`}>{`${env.t(f.label)} ${i + 1}`}</label> : null}
            <input type="text" id={i === 0 ? id : `${id}-${i + 1}`} name={id} value={v} list={`${id}-choices`} aria-invalid={invalid} aria-describedby={describedBy(id, messages, !!f.hint)} />
          </>
        ))}
        <datalist id={`${id}-choices`}>
          {regionChoices().map((o) => <option value={o.value}>{o.label}</option>)}
        </datalist>
        <Errors id={id} messages={messages.get(id)} />
      </div>
    );
  }
  if (f.kind === 'textarea' || f.kind === 'lines') {
    return (
      <div class="field">
        <label for={id}>{env.t(f.label)}</label>
        {f.hint ? <p class="meta" id={`${id}-hint`}>{env.t(f.hint)}</p> : null}
        <textarea id={id} name={id} rows={f.kind === 'lines' ? 2 : 5} aria-invalid={invalid} aria-describedby={describedBy(id, messages, !!f.hint)}>{f.kind === 'lines' ? values.join('\n') : values[0] ?? ''}</textarea>
        <Errors id={id} messages={messages.get(id)} />
      </div>
    );
  }
  return <TextField env={env} id={id} label={f.label} value={values[0] ?? ''} messages={messages} type={f.kind} hint={f.hint} />;
}

/**
 * The dataset form (create and edit): every field labelled, errors beside their field (aria-invalid, aria-describedby)
 * and in a summary at the top, what the user typed kept. Resource rows grow by a submit button: no JavaScript needed.
 */
export function DatasetFormPage({ env, action, s, opts, messages, summary, editing, extraRows = 0 }: { env: PageEnv; action: string; s: FormState; opts: FormOptions; messages: FieldMessages; summary?: MessageKey; editing: boolean; extraRows?: number }) {
  const { t } = env;
  const v = (k: string): string => s.values[k]?.[0] ?? '';
  const rows = [...s.resources];
  for (let i = 0; i < Math.max(extraRows, rows.length === 0 ? 1 : 0); i++) rows.push({ url: '', name: '', format: '' });
  const other = [...messages.entries()].filter(([k]) => !FORM_FIELDS.has(k) && !k.startsWith('resources-'));
  const licenses = [...opts.licenses];
  if (v('license_id') && !licenses.some((l) => l.id === v('license_id'))) licenses.unshift({ id: v('license_id'), title: v('license_id') });
  return (
    <>
      <h1>{t(editing ? 'form.editTitle' : 'form.newTitle')}</h1>
      {summary ? (
        <div class="error-summary" role="alert">
          <p>{t(summary)}</p>
          {other.length ? <ul>{other.map(([k, m]) => <li>{k === '_' ? '' : `${k}: `}{m.join(' ')}</li>)}</ul> : null}
        </div>
      ) : null}
      <form class="stack wide" method="post" action={action}>
        <CsrfField env={env} />
        <fieldset>
          <legend>{t('form.basics')}</legend>
          <TextField env={env} id="title" label="form.title" value={v('title')} messages={messages} required />
          <TextField env={env} id="name" label="form.name" value={v('name')} messages={messages} required hint="form.nameHint" />
          <div class="field">
            <label for="notes">{t('field.description')}</label>
            <textarea id="notes" name="notes" rows={6} aria-invalid={messages.has('notes') ? 'true' : undefined} aria-describedby={describedBy('notes', messages)}>{v('notes')}</textarea>
            <Errors id="notes" messages={messages.get('notes')} />
          </div>
          <div class="field">
            <label for="owner_org">{t('field.organization')}</label>
            <select id="owner_org" name="owner_org" required aria-invalid={messages.has('owner_org') ? 'true' : undefined} aria-describedby={describedBy('owner_org', messages)}>
              {opts.orgs.map((o) => <option value={o.id} selected={v('owner_org') === o.id || v('owner_org') === o.name}>{o.title || o.name}</option>)}
            </select>
            <Errors id="owner_org" messages={messages.get('owner_org')} />
          </div>
          <div class="field">
            <label for="private">{t('form.visibility')}</label>
            <select id="private" name="private">
              <option value="false" selected={v('private') !== 'true'}>{t('dashboard.public')}</option>
              <option value="true" selected={v('private') === 'true'}>{t('dashboard.private')}</option>
            </select>
          </div>
          <TextField env={env} id="tags" label="form.tags" value={v('tags')} messages={messages} hint="form.tagsHint" />
          <div class="field">
            <label for="license_id">{t('field.license')}</label>
            <select id="license_id" name="license_id" aria-invalid={messages.has('license_id') ? 'true' : undefined} aria-describedby={describedBy('license_id', messages)}>
              <option value="">{t('form.none')}</option>
              {licenses.map((l) => <option value={l.id} selected={v('license_id') === l.id}>{l.title || l.id}</option>)}
            </select>
            <Errors id="license_id" messages={messages.get('license_id')} />
          </div>
          <TextField env={env} id="url" label="field.landingPage" value={v('url')} messages={messages} type="url" />
          <TextField env={env} id="version" label="field.version" value={v('version')} messages={messages} />
        </fieldset>
        <fieldset>
          <legend>{t('form.dcat')}</legend>
          {EXTRA_FIELDS.map((f) => <ExtraInput env={env} f={f} s={s} messages={messages} />)}
        </fieldset>
        <fieldset>
          <legend>{t('form.resources')}</legend>
          <input type="hidden" name="resource_rows" value={String(rows.length)} />
          {rows.map((r, i) => (
            <fieldset class="row">
              <legend>{t('form.resourceRow', { n: i + 1 })}</legend>
              {r.id ? <input type="hidden" name={`resources-${i}-id`} value={r.id} /> : null}
              <TextField env={env} id={`resources-${i}-url`} label="field.url" value={r.url} messages={messages} type="url" />
              <TextField env={env} id={`resources-${i}-name`} label="form.resourceName" value={r.name} messages={messages} />
              <TextField env={env} id={`resources-${i}-format`} label="field.format" value={r.format} messages={messages} />
            </fieldset>
          ))}
          <button type="submit" name="add_row" value="1" class="secondary">{t('form.addRow')}</button>
        </fieldset>
        <div>
          <button type="submit">{t(editing ? 'form.save' : 'form.create')}</button>
        </div>
      </form>
    </>
  );
}
