import { createHash } from 'node:crypto';
import {
  booleanValidator, emailValidator, Field, ignore, ignoreEmpty, ignoreMissing, intValidator, Invalid, isoDate, maxLength, nameValidator, naturalNumber, notEmpty,
  notMissing, oneOf, Step, stripValue, unicodeSafe, uuidValidator,
} from '../api/ckan-schema';
import { isTokenScope, TOKEN_SCOPES, type TokenScope } from '../api/token-scope';
import { ckanTimestamp } from '../common/ckan-time';
import type { UserRow, TokenRow } from './user.repository';

/** user_password_validator: at least 8 characters (and at most 1000, so hashing stays cheap). */
const passwordValidator: Step = (v) => {
  if (v === undefined || v === null || v === '') return v;
  if (typeof v !== 'string') return new Invalid('Passwords must be strings');
  if (v.length < 8) return new Invalid('Your password must be 8 characters or longer');
  if (v.length > 1000) return new Invalid('Your password must be at most 1000 characters long');
  return v;
};

/** user_about_validator */
const aboutValidator: Step = (v) =>
  typeof v === 'string' && /https?:\/\//.test(v) ? new Invalid('Edit not allowed as it looks like spam. Please avoid links in your description.') : v;

/** default_user_schema */
export class UserCreateInput {
  @Field(ignoreEmpty, uuidValidator) id?: string;
  // name_validator before unicode_safe, as CKAN orders them: a number or boolean is "Names must be strings", not its text.
  @Field(notEmpty, nameValidator, unicodeSafe) name!: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(1000)) fullname?: string;
  @Field(passwordValidator) password?: string;
  /** Required for API callers; the CLI may create token-only accounts without one. */
  @Field(ignoreMissing, unicodeSafe, stripValue, maxLength(254), emailValidator) email?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(10_000), aboutValidator) about?: string;
  @Field(ignoreMissing, booleanValidator) sysadmin?: boolean;
  @Field(ignoreMissing, unicodeSafe, maxLength(8000)) image_url?: string;
  @Field(ignoreMissing, booleanValidator) with_apitoken?: boolean;
  @Field(ignore) created?: unknown;
  @Field(ignore) reset_key?: unknown;
  @Field(ignore) state?: unknown;
}

/**
 * default_update_user_schema: `id` names the user; name and password become optional. `state`, `sysadmin` and
 * `password_hash` count only from sysadmins (ignore_not_sysadmin, applied in the handler). CKAN compat:
 * `plugin_extras`, `image_upload` and `activity_streams_email_notifications` are not stored here and are ignored.
 */
export class UserUpdateInput extends UserCreateInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) override id!: string;
  @Field(ignoreMissing, nameValidator, unicodeSafe) override name!: string;
  @Field(ignoreMissing, oneOf(['active', 'pending', 'deleted'])) override state?: string;
  @Field(ignore) override with_apitoken?: boolean;
  /** user_password_validator: here null is not "missing" but a non-string ("Passwords must be strings"). */
  @Field((v) => (v === null ? new Invalid('Passwords must be strings') : v), passwordValidator) override password?: string;
  /** Sysadmins only (ignore_not_sysadmin, in the handler): an argon2 PHC string, stored as given (user import). */
  @Field(ignoreMissing, unicodeSafe, maxLength(1000)) password_hash?: string;
  /** CKAN compat: CKAN asks for it in its edit form; here the API asks non-sysadmins for it to change a password. */
  @Field(ignoreMissing, unicodeSafe, maxLength(1000)) old_password?: string;
}

/** user_patch: only `id` is required; the rest defaults to the stored values. */
export class UserPatchInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreMissing) name?: unknown;
  @Field(ignoreMissing) fullname?: unknown;
  @Field(ignoreMissing) password?: unknown;
  @Field(ignoreMissing) old_password?: unknown;
  @Field(ignoreMissing) password_hash?: unknown;
  @Field(ignoreMissing) email?: unknown;
  @Field(ignoreMissing) about?: unknown;
  @Field(ignoreMissing) sysadmin?: unknown;
  @Field(ignoreMissing) image_url?: unknown;
  @Field(ignoreMissing) state?: unknown;
}

export class UserDeleteInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
}

export class UserAutocompleteInput {
  @Field(notMissing, unicodeSafe, maxLength(200)) q!: string;
  @Field(ignoreEmpty, naturalNumber) limit = 20;
  @Field(ignoreMissing, booleanValidator) ignore_self = false;
}

export class UserShowInput {
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) id?: string;
  @Field(ignoreMissing, booleanValidator) include_datasets?: boolean;
  @Field(ignoreMissing, booleanValidator) include_num_followers?: boolean;
}

export class UserListInput {
  @Field(ignoreMissing, unicodeSafe, maxLength(200)) q?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(254)) email?: string;
  @Field(ignoreEmpty, unicodeSafe) order_by = 'display_name';
  @Field(ignoreMissing, booleanValidator) all_fields = true;
  @Field(ignoreMissing, booleanValidator) include_site_user?: boolean;
}

/** A token's scopes: a list, or one string of them separated by commas or spaces (forms, query strings). */
const scopesValidator: Step = (v) => {
  const list = typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v;
  if (!Array.isArray(list) || !list.length) return new Invalid(`Must be a list of scopes from ${TOKEN_SCOPES.join(', ')}`);
  const unknown = list.filter((x) => !isTokenScope(x));
  if (unknown.length) return new Invalid(`Unknown scope: ${unknown.map(String).join(', ')}; the scopes are ${TOKEN_SCOPES.join(', ')}`);
  return TOKEN_SCOPES.filter((s) => list.includes(s));
};

/** is_positive_integer (ckanext expire_api_token's expires_in and unit). */
const positiveInteger: Step = (v) => {
  const n = intValidator(v, {});
  if (n instanceof Invalid) return n;
  return typeof n === 'number' && n >= 1 ? n : new Invalid('Must be a positive integer');
};

/**
 * api_token_create: CKAN's user and name; CKAN's expire_api_token plugin's expires_in × unit (seconds); ours:
 * expires (ISO time), scopes, organization.
 */
export class TokenCreateInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) user!: string;
  @Field(notEmpty, unicodeSafe, maxLength(200)) name!: string;
  @Field(ignoreEmpty, positiveInteger) expires_in?: number;
  @Field(ignoreEmpty, positiveInteger) unit?: number;
  @Field(ignoreEmpty, isoDate) expires?: string;
  @Field(ignoreEmpty, scopesValidator) scopes?: TokenScope[];
  @Field(ignoreEmpty, unicodeSafe, maxLength(100)) organization?: string;
}

export class TokenListInput {
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) user_id?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) user?: string;
}

export class TokenRevokeInput {
  @Field(ignoreMissing, unicodeSafe, maxLength(512)) token?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) jti?: string;
}

/** user_dictize: never the password hash; the e-mail only for the user themself and sysadmins. */
export function toUserDict(u: UserRow, o: { numberCreatedPackages: number; showEmail: boolean; capacity?: string }): Record<string, unknown> {
  const email = (u.email ?? '').trim().toLowerCase();
  return {
    about: u.about,
    activity_streams_email_notifications: false,
    ...(o.capacity !== undefined ? { capacity: o.capacity } : {}),
    created: ckanTimestamp(u.created),
    display_name: u.fullname || u.name,
    ...(o.showEmail ? { email: u.email } : {}),
    email_hash: createHash('md5').update(email).digest('hex'),
    fullname: u.fullname,
    id: u.id,
    image_display_url: u.image_url,
    image_url: u.image_url,
    last_active: ckanTimestamp(u.last_active),
    name: u.name,
    number_created_packages: o.numberCreatedPackages,
    state: u.state,
    sysadmin: u.sysadmin,
  };
}

/** api_token_dictize, with what the token grants: never the secret or its hash. */
export function toTokenDict(t: TokenRow): Record<string, unknown> {
  return {
    created_at: ckanTimestamp(t.created_at),
    expires_at: ckanTimestamp(t.expires_at),
    id: t.id,
    last_access: ckanTimestamp(t.last_access),
    name: t.name,
    organization: t.organization_id ? (t.organization_name ?? t.organization_id) : null,
    organization_id: t.organization_id,
    scopes: t.scopes,
    user_id: t.user_id,
  };
}
