import { CsrfField, PageEnv } from './layout';
import type { Messages } from './members';

/** A token as api_token_list gives it (never its secret). */
export interface TokenDict {
  id: string;
  name: string;
  created_at?: string | null;
  last_access?: string | null;
  expires_at?: string | null;
  organization?: string | null;
}

/** A new token as api_token_create answers it: the secret, this once. */
export interface CreatedToken {
  name: string;
  token: string;
  expires_at?: string | null;
}

/** A CKAN timestamp (UTC, no zone) as "2026-12-06 14:20 UTC". */
function when(v: string | null | undefined): string | undefined {
  if (!v) return undefined;
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(d.getTime()) ? v : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function FieldErrors({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return <p class="field-error" id={`${id}-error`}>{messages.join(' ')}</p>;
}

/**
 * `/user/{name}/api-tokens` (CKAN 2.10's address): the caller's tokens with a revoke button each (a POST with the CSRF
 * token), the form for a new one, and, right after creating one, its secret, shown this once.
 */
export function TokensPage({ env, user, tokens, created, form, messages, maxDays, revoked }: {
  env: PageEnv; user: string; tokens: TokenDict[]; created?: CreatedToken; form: { name: string; expiresIn: string };
  messages: Messages; maxDays: number; revoked: boolean;
}) {
  const { t } = env;
  const base = `/user/${encodeURIComponent(user)}/api-tokens`;
  const invalid = (id: string): 'true' | undefined => (messages.has(id) ? 'true' : undefined);
  const describedBy = (id: string): string => [`${id}-hint`, messages.has(id) ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <>
      <h1>{t('tokens.title')}</h1>
      <p>{t('tokens.intro')}</p>
      {revoked ? <p class="notice" role="status">{t('tokens.revoked')}</p> : null}
      {created ? (
        <section class="new-token" aria-labelledby="new-token-title">
          <h2 id="new-token-title">{t('tokens.created.title')}</h2>
          <div class="field">
            <label for="new-token">{t('tokens.created.label', { name: created.name })}</label>
            <input type="text" id="new-token" value={created.token} readOnly autoComplete="off" spellcheck={false} aria-describedby="new-token-hint" />
            <p class="meta" id="new-token-hint">{t('tokens.created.hint')}</p>
          </div>
        </section>
      ) : null}
      {tokens.length === 0 ? (
        <p>{t('tokens.none')}</p>
      ) : (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t('tokens.name')}</th>
              <th scope="col">{t('tokens.created')}</th>
              <th scope="col">{t('tokens.lastUsed')}</th>
              <th scope="col">{t('tokens.expires')}</th>
              <th scope="col">{t('tokens.organization')}</th>
              <th scope="col"><span class="visually-hidden">{t('tokens.revoke')}</span></th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((tk) => (
              <tr>
                <td>{tk.name}</td>
                <td>{when(tk.created_at) ?? ''}</td>
                <td>{when(tk.last_access) ?? t('tokens.never')}</td>
                <td>{when(tk.expires_at) ?? t('tokens.noExpiry')}</td>
                <td>{tk.organization ?? t('tokens.all')}</td>
                <td>
                  <form method="post" action={`${base}/revoke`}>
                    <CsrfField env={env} />
                    <input type="hidden" name="token" value={tk.id} />
                    <button type="submit" aria-label={t('tokens.revokeLabel', { name: tk.name })}>{t('tokens.revoke')}</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 id="create-title">{t('tokens.createTitle')}</h2>
      {messages.size ? <p class="error-summary" role="alert">{t('tokens.hasErrors')}</p> : null}
      {messages.get('') ? <p class="error-summary">{messages.get('')!.join(' ')}</p> : null}
      <form class="stack" method="post" action={base} aria-labelledby="create-title">
        <CsrfField env={env} />
        <div class="field">
          <label for="name">{t('tokens.name')}</label>
          <p class="meta" id="name-hint">{t('tokens.nameHint')}</p>
          <input type="text" id="name" name="name" value={form.name} required maxLength={200} autoComplete="off" aria-invalid={invalid('name')} aria-describedby={describedBy('name')} />
          <FieldErrors id="name" messages={messages.get('name')} />
        </div>
        <div class="field">
          <label for="expires_in">{t('tokens.expiresIn')}</label>
          <p class="meta" id="expires_in-hint">{t('tokens.expiresInHint', { days: maxDays })}</p>
          <input type="number" id="expires_in" name="expires_in" value={form.expiresIn} min={1} max={maxDays} step={1} inputMode="numeric" aria-invalid={invalid('expires_in')} aria-describedby={describedBy('expires_in')} />
          <FieldErrors id="expires_in" messages={messages.get('expires_in')} />
        </div>
        <div>
          <button type="submit">{t('tokens.create')}</button>
        </div>
      </form>
    </>
  );
}
