import { ClassConstructor } from 'class-transformer';
import type { ActionContext } from './action-context';
import type { TokenScope } from './token-scope';

export type AuthResult = { allowed: true } | { allowed: false; reason: string };
export const allow = (): AuthResult => ({ allowed: true });
export const deny = (reason: string): AuthResult => ({ allowed: false, reason });

/** One CKAN action: its public name, its input schema, who may call it, and what it does. */
export interface ActionDefinition<I extends object, O> {
  /** Public CKAN name: 'package_show'. */
  name: string;
  /** Served by help_show; documents params, defaults and who may call. */
  help: string;
  /** GET allowed; runs outside a write transaction. */
  sideEffectFree: boolean;
  /** Callable without a logged-in user (the auth rule may still refuse). */
  anonymous: boolean;
  /** true: sysadmins go through auth like everyone else. */
  checkSysadmins?: boolean;
  /**
   * The API token scope a caller needs to call this action from outside (see token-scope.ts); default: `read` for
   * side-effect-free actions, else `write`. Nested calls are part of the calling action and need no scope of their own.
   */
  scope?: TokenScope;
  /**
   * true: when PostgreSQL picks this action's transaction to end a deadlock (40P01), the whole action runs again (up to
   * 3 times). Only for actions whose input is plain data and whose effects are all in the transaction (purges, which
   * lock many rows of other tables while background writers may hold some of them).
   */
  retryOnDeadlock?: boolean;
  /**
   * A realistic call for the API description (/api, /api/3/openapi.json): the parameters its copyable example sends.
   * Default: an example made from the input schema's required parameters.
   */
  example?: Record<string, unknown>;
  /** Input class: shape and format checks only (class-validator), never a database lookup. */
  input: ClassConstructor<I>;
  auth(ctx: ActionContext, input: I): Promise<AuthResult>;
  handler(ctx: ActionContext, input: I): Promise<O>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAction = ActionDefinition<any, unknown>;

/** The token scope `action` needs. */
export function scopeOf(action: Pick<AnyAction, 'scope' | 'sideEffectFree'>): TokenScope {
  return action.scope ?? (action.sideEffectFree ? 'read' : 'write');
}

export function defineAction<I extends object, O>(def: ActionDefinition<I, O>): ActionDefinition<I, O> {
  return def;
}

/** A module's set of actions; its module registers them at start-up. */
export interface ActionProvider {
  all(): AnyAction[];
}

/** Input of actions that take no parameters (unknown keys are ignored, as CKAN does). */
export class NoInput {}
