import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from '../common/logger';
import { LOGGER } from '../common/logger.provider';
import { ActionContext, ActionRunner, Caller, DataDict, RequestInfo } from './action-context';
import { scopeOf, type AnyAction } from './action';
import { ActionRegistry } from './action-registry';
import { parseInput } from './ckan-schema';
import { ConstraintErrors } from './constraint-errors';
import { BadRequest, NotAuthorized } from './errors';
import { requireScope, type TokenScope } from './token-scope';
import { WriteHooks } from './write-hooks';

/**
 * The one path every action takes, from HTTP, the CLI, harvesters or a nested `ctx.call`:
 * resolve → require a user → validate input → authorize → run (writes in one transaction).
 */
@Injectable()
export class Dispatcher implements ActionRunner {
  constructor(
    private readonly registry: ActionRegistry,
    private readonly dataSource: DataSource,
    private readonly constraints: ConstraintErrors,
    private readonly writeHooks: WriteHooks,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /**
   * A fresh context for a caller (null: anonymous). Each action called with it checks the caller's token scope; a
   * route that is no action names its own `scope` here (403 NotAuthorized when the token lacks it), and the actions
   * it calls then run as its own work.
   */
  context(user: Caller | null, opts: { log?: Logger; request?: RequestInfo; ignoreAuth?: boolean; scope?: TokenScope; what?: string } = {}): ActionContext {
    if (opts.scope) requireScope(user, opts.scope, opts.what ?? 'this request');
    return ActionContext.root({
      runner: this, dataSource: this.dataSource, user, log: opts.log ?? this.log, request: opts.request, ignoreAuth: opts.ignoreAuth, entered: opts.scope !== undefined,
    });
  }

  async run(name: string, data: DataDict, parent: ActionContext): Promise<unknown> {
    const { action, input } = this.resolve(name, data, parent);
    const exec = async (ctx: ActionContext): Promise<unknown> => {
      await this.authorizeInput(action, ctx, input);
      return action.handler(ctx, input);
    };
    // Every write passes its hooks (the audit trail) inside its transaction, after the handler succeeded.
    const write = (outermost: boolean) => async (ctx: ActionContext): Promise<unknown> => {
      const result = await exec(ctx);
      await this.writeHooks.run(ctx, { action: name, data, input, result, outermost });
      return result;
    };
    const ctx = parent.forRun();
    try {
      if (action.sideEffectFree) return await exec(ctx);
      if (ctx.inTransaction) return await write(false)(ctx);
      for (let attempt = 1; ; attempt++) {
        try {
          // A new attempt starts from a fresh memo: nothing the rolled-back one loaded is trusted.
          return await (attempt === 1 ? ctx : parent.forRun()).transaction(write(true));
        } catch (err) {
          const code = (err as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (err as { code?: string }).code;
          if (!action.retryOnDeadlock || attempt >= 3 || code !== '40P01') throw err;
          this.log.warn({ action: name, attempt }, `${name} was chosen to end a deadlock; running it again`);
        }
      }
    } catch (err) {
      throw this.constraints.toValidationError(err) ?? err;
    }
  }

  /**
   * The checks of `run` without running: the caller, the input's shape and the action's auth rule.
   * Used before storing an uploaded file, so a caller who may not write there stores nothing.
   */
  async authorize(name: string, data: DataDict, parent: ActionContext): Promise<void> {
    const { action, input } = this.resolve(name, data, parent);
    await this.authorizeInput(action, parent.forRun(), input);
  }

  /** The action by name, the caller required unless it is anonymous, and the validated input. */
  private resolve(name: string, data: DataDict, parent: ActionContext): { action: AnyAction; input: unknown } {
    const action = this.registry.get(name);
    if (!action) throw new BadRequest(`Action name not known: ${name}`);
    if (!action.anonymous && !parent.user && !parent.ignoreAuth) {
      throw new NotAuthorized(`Action ${name} requires an authenticated user`);
    }
    // The one place an API token's scope is checked for actions: where a caller enters, not for an action's own nested calls.
    if (!parent.entered) requireScope(parent.user, scopeOf(action), `the action ${name}`);
    // CKAN compat: CKAN authorizes most actions before validating; we validate the shape first so auth rules get typed input.
    return { action, input: parseInput(action.input, data) };
  }

  /** The action's auth rule: the one place a permission is decided (sysadmins pass unless the action checks them too). */
  private async authorizeInput(action: AnyAction, ctx: ActionContext, input: unknown): Promise<void> {
    if (ctx.ignoreAuth || (ctx.isSysadmin && !action.checkSysadmins)) return;
    const verdict = await action.auth(ctx, input);
    if (!verdict.allowed) throw new NotAuthorized(verdict.reason);
  }

  /** Whether `name` may be called with GET. */
  isSideEffectFree(name: string): boolean {
    return this.registry.get(name)?.sideEffectFree ?? false;
  }

  exists(name: string): boolean {
    return this.registry.get(name) !== undefined;
  }
}
