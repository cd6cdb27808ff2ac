import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ActionProvider, AnyAction, allow, defineAction, deny } from '../api/action';
import type { ActionContext } from '../api/action-context';
import { NotFound, ValidationError } from '../api/errors';
import { hashTokenSecret, newTokenSecret } from './tokens';
import { TokenCreateInput, TokenListInput, TokenRevokeInput, toTokenDict } from './user.dto';
import { TokenRow, UserRepository } from './user.repository';

/** api_token_create, api_token_list, api_token_revoke */
@Injectable()
export class TokenActions implements ActionProvider {
  constructor(private readonly users: UserRepository) {}

  /** The token `token` or `jti` names, once per run; null when there is none (auth then refuses without telling which). */
  private target(ctx: ActionContext, input: TokenRevokeInput): Promise<TokenRow | null> {
    return ctx.memo('token', async () => {
      if (input.jti) return this.users.tokenById(ctx.db, input.jti);
      if (!input.token) throw new ValidationError({ token: ['Missing value'] });
      return this.users.tokenBySecretHash(ctx.db, hashTokenSecret(input.token));
    });
  }

  readonly apiTokenCreate = defineAction({
    name: 'api_token_create',
    help: `Create an API token for a user. Params: user (id or name), name (a label for the token).
Returns {"token": "<secret>"}: the secret is shown only this once; the service keeps only its hash.
Who may call: the user themself; sysadmins for anyone.`,
    sideEffectFree: false,
    anonymous: false,
    input: TokenCreateInput,
    auth: async (ctx, input) => {
      const user = await this.users.find(ctx.db, input.user);
      if (!user) throw new NotFound('User not found');
      return user.id === ctx.user?.id ? allow() : deny('');
    },
    handler: async (ctx, input) => {
      const user = await this.users.find(ctx.db, input.user);
      if (!user || user.state === 'deleted') throw new NotFound('User not found');
      const secret = newTokenSecret();
      await this.users.insertToken(ctx.db, { id: randomUUID(), userId: user.id, name: input.name, secretHash: hashTokenSecret(secret) });
      return { token: secret };
    },
  });

  readonly apiTokenList = defineAction({
    name: 'api_token_list',
    help: 'List the API tokens of a user (never their secrets). Params: user_id (id or name; "user" is accepted too). Only for one\'s own tokens.',
    sideEffectFree: true,
    anonymous: false,
    input: TokenListInput,
    auth: async (ctx, input) => {
      const ref = input.user_id ?? input.user;
      if (!ref) throw new ValidationError({ user_id: ['Missing value'] });
      const user = await this.users.find(ctx.db, ref);
      return user && user.id === ctx.user?.id ? allow() : deny('');
    },
    handler: async (ctx, input) => {
      const ref = input.user_id ?? input.user;
      if (!ref) throw new ValidationError({ user_id: ['Missing value'] });
      const user = await this.users.find(ctx.db, ref);
      if (!user) throw new NotFound('User not found');
      return (await this.users.tokens(ctx.db, user.id)).map(toTokenDict);
    },
  });

  readonly apiTokenRevoke = defineAction({
    name: 'api_token_revoke',
    help: `Revoke an API token; requests carrying it then run as anonymous. Params: token (the secret) or jti (the token id).
Returns null. Who may call: the token's owner; sysadmins for any token.`,
    sideEffectFree: false,
    anonymous: false,
    input: TokenRevokeInput,
    auth: async (ctx, input) => {
      const token = await this.target(ctx, input);
      return token && token.user_id === ctx.user?.id ? allow() : deny('');
    },
    handler: async (ctx, input) => {
      const token = await this.target(ctx, input);
      if (token) await this.users.deleteToken(ctx.db, token.id);
      return null;
    },
  });

  all = (): AnyAction[] => [this.apiTokenCreate, this.apiTokenList, this.apiTokenRevoke];
}
