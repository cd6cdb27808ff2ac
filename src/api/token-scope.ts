import { NotAuthorized } from './errors';

/**
 * What an API token may be used for. Every entry point (an action, a SensorThings write, a download) needs one
 * scope; a caller without a token (the CLI, jobs, sessions) has them all. The scope only opens the door: the
 * action's own auth rule still decides with the owner's rights.
 *  - read: side-effect-free actions, downloads, DCAT, SensorThings reads;
 *  - write: catalog writes (datasets, resources, organizations, groups, members, follows);
 *  - datastore: DataStore writes and loads (datastore_create/upsert/delete, xloader_submit);
 *  - harvest: harvest_* actions;
 *  - ingest: sensor_push, SensorThings writes;
 *  - admin: managing users, tokens and site settings, and sysadmin-only actions.
 */
export const TOKEN_SCOPES = ['read', 'write', 'datastore', 'harvest', 'ingest', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export function isTokenScope(v: unknown): v is TokenScope {
  return typeof v === 'string' && (TOKEN_SCOPES as readonly string[]).includes(v);
}

/** What the API token a request carries grants, next to its owner's rights. */
export interface TokenGrant {
  /** The token's id (`jti`). */
  id: string;
  scopes: readonly TokenScope[];
  /**
   * Set: the token acts only within this organization. Its owner's memberships count there alone (src/auth's Authz
   * loads them so), and a sysadmin owner is an admin of that organization, no more; public data stays readable anywhere.
   */
  organizationId: string | null;
  /** The owner is a sysadmin (the caller's `sysadmin` is false when an organization restricts the token). */
  ownerIsSysadmin: boolean;
  /** ISO time the token stops working; null for tokens made before expiry existed. */
  expiresAt: string | null;
}

/** A caller as far as scopes go (Caller in action-context.ts, which imports this file). */
type Bearer = { token?: TokenGrant } | null;

/** Whether the caller may use an entry point that needs `scope`: always without a token. */
export function hasScope(caller: Bearer, scope: TokenScope): boolean {
  return !caller?.token || caller.token.scopes.includes(scope);
}

/** 403 naming the missing scope, for whatever entry point `what` names (an action, "SensorThings writes"). */
export function requireScope(caller: Bearer, scope: TokenScope, what: string): void {
  if (!hasScope(caller, scope)) {
    throw new NotAuthorized(`the API token lacks the scope "${scope}", which ${what} needs (its scopes: ${caller!.token!.scopes.join(', ') || 'none'})`);
  }
}
