import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActionContext } from '../api/action-context';
import { CkanError, ValidationError } from '../api/errors';
import { APP_CONFIG, AppConfig } from '../config/env';
import { fieldMessages } from './member-pages';
import type { PageEnv } from './pages/layout';
import type { Messages } from './pages/members';
import { CreatedToken, TokenDict, TokensPage } from './pages/tokens';
import { orForbidden, Page, PageError, WebPages } from './web-pages';

const DAY_SECONDS = 86_400;

/**
 * The caller's API tokens (issue 17) at CKAN 2.10's address `/user/{name}/api-tokens`: list, create, revoke, through
 * api_token_list, api_token_create and api_token_revoke. Whose tokens a caller may see or touch is those actions'
 * rule (only one's own): another user's page is their 403. A new token's secret is in the POST's answer only, never
 * in an address, and every answer of these pages is `Cache-Control: no-store`.
 */
@Injectable()
export class TokenPages {
  constructor(private readonly pages: WebPages, @Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private page(env: PageEnv, user: string, tokens: TokenDict[], extra: { created?: CreatedToken; form?: { name: string; expiresIn: string }; messages?: Messages; revoked?: boolean } = {}): Page {
    const messages = extra.messages ?? new Map();
    return {
      status: messages.size ? 409 : undefined,
      noStore: true,
      title: env.t('tokens.title'),
      body: (
        <TokensPage
          env={env} user={user} tokens={[...tokens].reverse()} created={extra.created} form={extra.form ?? { name: '', expiresIn: '' }}
          messages={messages} maxDays={this.config.API_TOKEN_MAX_DAYS} revoked={!!extra.revoked}
        />
      ),
    };
  }

  private list(ctx: ActionContext, user: string): Promise<TokenDict[]> {
    return orForbidden(ctx.call<TokenDict[]>('api_token_list', { user_id: user }));
  }

  /** GET the list and the form; POST creates a token and shows its secret on this one answer. */
  tokens(req: FastifyRequest, reply: FastifyReply, user: string): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env, query, form) => {
      if (!env.user) return { title: '', redirect: `/user/login?came_from=${encodeURIComponent(`/user/${user}/api-tokens`)}`, noStore: true };
      if (req.method !== 'POST') return this.page(env, user, await this.list(ctx, user), { revoked: query.revoked === '1' });
      const name = (form.get('name') ?? '').trim();
      const expiresIn = (form.get('expires_in') ?? '').trim();
      try {
        const created = await orForbidden(ctx.call<{ token: string; expires_at?: string }>('api_token_create', {
          user, name, ...(expiresIn ? { expires_in: expiresIn, unit: DAY_SECONDS } : {}),
        }));
        return this.page(env, user, await this.list(ctx, user), { created: { name, token: created.token, expires_at: created.expires_at } });
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        const messages = fieldMessages(err.fields, env.lang, ['name', 'expires_in'], (m) => this.ownMessage(env, m));
        return this.page(env, user, await this.list(ctx, user), { form: { name, expiresIn }, messages });
      }
    });
  }

  private ownMessage(env: PageEnv, m: string): { field: string; text: string } | undefined {
    if (m === 'Must be a positive integer' || m === 'Invalid integer') return { field: 'expires_in', text: env.t('tokens.mustBePositive') };
    if (/^A token may live at most \d+ days/.test(m)) return { field: 'expires_in', text: env.t('tokens.tooLong', { days: this.config.API_TOKEN_MAX_DAYS }) };
    return undefined;
  }

  /** POST `/user/{name}/api-tokens/revoke` with `token` (the ids, as CKAN's form): each through api_token_revoke, then the list. */
  revoke(req: FastifyRequest, reply: FastifyReply, user: string): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env, _query, form) => {
      if (!env.user) return { title: '', redirect: `/user/login?came_from=${encodeURIComponent(`/user/${user}/api-tokens`)}` };
      for (const jti of form.getAll('token')) {
        try {
          await ctx.call('api_token_revoke', { jti });
        } catch (err) {
          // CKAN ignores a token that is gone; here api_token_revoke refuses it as it refuses another's token: the 403 page.
          if (err instanceof CkanError && err.kind === 'not_found') continue;
          throw err instanceof CkanError && err.kind === 'not_authorized' ? new PageError(403) : err;
        }
      }
      return { title: '', redirect: `/user/${encodeURIComponent(user)}/api-tokens?revoked=1` };
    });
  }
}
