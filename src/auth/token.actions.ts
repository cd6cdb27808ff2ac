import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ActionProvider, AnyAction, allow, defineAction, deny } from '../api/action';
import type { ActionContext } from '../api/action-context';
import { NotAuthorized, NotFound, ValidationError } from '../api/errors';
import { TOKEN_SCOPES, type TokenScope } from '../api/token-scope';
import { ckanTimestamp } from '../common/ckan-time';
import { APP_CONFIG, AppConfig } from '../config/env';
import { defaultCascadeRoles } from './authz';
import { LiveTokens } from './live-tokens';
import { MembershipRepository } from './membership.repository';
import { hashTokenSecret, newTokenSecret } from './tokens';
import { TokenCreateInput, TokenListInput, TokenRevokeInput, toTokenDict } from './user.dto';
import { TokenRow, UserRepository, type UserRow } from './user.repository';

const DAY_MS = 86_400_000;

/** What a new token grants. */
interface Grant {
  scopes: TokenScope[];
  organization: { id: string; name: string } | null;
  expiresAt: Date;
}

/** api_token_create, api_token_list, api_token_revoke */
@Injectable()
export class TokenActions implements ActionProvider {
  constructor(
    private readonly users: UserRepository,
    private readonly memberships: MembershipRepository,
    private readonly live: LiveTokens,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** When a new token ends: `expires`, or CKAN's `expires_in` × `unit` seconds, or API_TOKEN_MAX_DAYS from now; never later than that. */
  private expiry(input: TokenCreateInput): Date {
    const now = Date.now();
    const maxDays = this.config.API_TOKEN_MAX_DAYS;
    if (input.expires !== undefined && (input.expires_in !== undefined || input.unit !== undefined)) {
      throw new ValidationError({ expires: ['Give either expires or expires_in with unit, not both'] });
    }
    if ((input.expires_in === undefined) !== (input.unit === undefined)) {
      throw new ValidationError(input.expires_in === undefined ? { expires_in: ['Missing value'] } : { unit: ['Missing value'] });
    }
    let expiresAt: Date;
    if (input.expires !== undefined) {
      expiresAt = new Date(input.expires.replace(' ', 'T'));
      if (expiresAt.getTime() <= now) throw new ValidationError({ expires: ['Must be in the future'] });
    } else if (input.expires_in !== undefined && input.unit !== undefined) {
      // Capped just past the limit, so an absurd product still reads as "too long", not as an invalid date.
      expiresAt = new Date(now + Math.min(input.expires_in * input.unit, (maxDays + 1) * 86_400) * 1000);
    } else {
      expiresAt = new Date(now + maxDays * DAY_MS);
    }
    if (expiresAt.getTime() > now + maxDays * DAY_MS) {
      throw new ValidationError({ [input.expires !== undefined ? 'expires' : 'expires_in']: [`A token may live at most ${maxDays} days (API_TOKEN_MAX_DAYS)`] });
    }
    return expiresAt;
  }

  /**
   * The scopes, organization and expiry of a new token for `user`, checked. A token that creates a token passes on no
   * more than it holds: its scopes at most, its organization, its expiry at the latest.
   */
  private async grant(ctx: ActionContext, user: UserRow, input: TokenCreateInput): Promise<Grant> {
    const parent = ctx.ignoreAuth ? undefined : ctx.user?.token;
    const scopes = input.scopes ?? [...(parent?.scopes ?? TOKEN_SCOPES)];

    let expiresAt = this.expiry(input);

    let organization: Grant['organization'] = null;
    if (input.organization !== undefined) {
      organization = await this.memberships.findOrganization(ctx.db, input.organization);
      if (!organization) throw new ValidationError({ organization: ['Organization not found'] });
      if (!user.sysadmin && !(await this.memberships.rolesOf(ctx.db, user.id, defaultCascadeRoles(this.config))).has(organization.id)) {
        throw new ValidationError({ organization: [`User ${user.name} is not a member of this organization`] });
      }
    }

    if (parent) {
      const extra = scopes.filter((x) => !parent.scopes.includes(x));
      if (extra.length) throw new NotAuthorized(`a token cannot create a token with scopes it lacks itself: ${extra.join(', ')}`);
      if (parent.organizationId) {
        if (organization && organization.id !== parent.organizationId) throw new NotAuthorized('a token restricted to an organization cannot create a token for another one');
        organization ??= await this.memberships.findOrganization(ctx.db, parent.organizationId);
        if (!organization) throw new NotAuthorized('the organization this token is restricted to no longer exists');
      }
      if (parent.expiresAt && expiresAt.getTime() > Date.parse(parent.expiresAt)) {
        if (input.expires !== undefined || input.expires_in !== undefined) throw new NotAuthorized('a token cannot create a token that outlives it');
        expiresAt = new Date(parent.expiresAt);
      }
    }
    return { scopes, organization, expiresAt };
  }

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
    scope: 'admin',
    help: `Create an API token for a user. Params: user (id or name), name (a label for the token);
scopes (list, or a string separated by commas: ${TOKEN_SCOPES.join(', ')}; default all, or those of the token making the call);
organization (id or name of an organization the user belongs to: the token then acts only within it; public data stays readable);
expires_in and unit (CKAN's expire_api_token: lifetime = expires_in × unit seconds, e.g. unit 86400 for days) or expires (ISO time);
default and longest lifetime: API_TOKEN_MAX_DAYS days (180 unless configured; longer answers 409).
Returns {"token": "<secret>", "id", "expires_at", "scopes", "organization"}: the secret is shown only this once; the service keeps only its hash.
Who may call: the user themself; sysadmins for anyone. A token may create tokens with no more scopes, no other organization and no later expiry than its own.`,
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
      const grant = await this.grant(ctx, user, input);
      const secret = newTokenSecret();
      const id = randomUUID();
      await this.users.insertToken(ctx.db, {
        id, userId: user.id, name: input.name, secretHash: hashTokenSecret(secret), scopes: grant.scopes, organizationId: grant.organization?.id ?? null, expiresAt: grant.expiresAt,
      });
      // CKAN compat: CKAN returns {token} alone; the other keys tell a client what the token grants.
      return { token: secret, id, expires_at: ckanTimestamp(grant.expiresAt), scopes: grant.scopes, organization: grant.organization?.name ?? null };
    },
  });

  readonly apiTokenList = defineAction({
    name: 'api_token_list',
    scope: 'admin',
    help: `List the API tokens of a user, oldest first, never their secrets: id, name, user_id, created_at, last_access, expires_at
(null: a token from before tokens expired), scopes, organization (name) and organization_id (null: not restricted).
Params: user_id (id or name; "user" is accepted too). Only for one's own tokens (sysadmins: anyone's).`,
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
    scope: 'admin',
    help: `Revoke an API token; requests carrying it then run as anonymous, and MQTT publishers logged in with it can publish no more, in every process at once. Params: token (the secret) or jti (the token id).
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
      if (!token) return null;
      await this.users.deleteToken(ctx.db, token.id);
      // Connections holding it (MQTT publishers) stop with their next message, in every process.
      await this.live.changed(ctx, 'token', token.id);
      return null;
    },
  });

  all = (): AnyAction[] => [this.apiTokenCreate, this.apiTokenList, this.apiTokenRevoke];
}
