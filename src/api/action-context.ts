import { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../common/logger';
import { RawJson } from './raw-json';
import type { TokenGrant } from './token-scope';

/** The logged-in caller of an action. */
export interface Caller {
  id: string;
  name: string;
  sysadmin: boolean;
  /** Set when the caller came with an API token: its scopes and organization restriction. */
  token?: TokenGrant;
}

export type DataDict = Record<string, unknown>;

/** What a nested `ctx.call` goes through: the one dispatcher. */
export interface ActionRunner {
  run(name: string, data: DataDict, ctx: ActionContext): Promise<unknown>;
}

/** Facts about the HTTP request, when there is one (links built from the request URL, logs). */
export interface RequestInfo {
  method: string;
  path: string;
  requestId?: string;
  /** Who is calling, as far as HTTP tells (address and user agent): keys a paging client's cursors. */
  client?: string;
  /** The caller's address (the socket's, or a trusted proxy's X-Forwarded-For): counts failed password checks. */
  address?: string;
}

type Hook = () => Promise<void> | void;

interface TransactionScope {
  /** Last work inside the transaction, after the outermost function returned (a failure rolls it all back). */
  readonly beforeCommit: Hook[];
  readonly afterCommit: Hook[];
  readonly onRollback: Hook[];
  /** State that parts of the service keep for the length of one transaction, by their own key. */
  readonly locals: Map<symbol, unknown>;
}

/** Per-request state shared by every context derived from the same root. */
interface RequestScope {
  memberships?: Promise<Map<string, string>>;
}

interface State {
  readonly runner: ActionRunner;
  readonly dataSource: DataSource;
  readonly user: Caller | null;
  readonly db: EntityManager;
  readonly ignoreAuth: boolean;
  readonly log: Logger;
  readonly request?: RequestInfo;
  readonly tx?: TransactionScope;
  readonly scope: RequestScope;
  readonly memo: Map<string, Promise<unknown>>;
  /** An entry point (an action called from outside, a route) has admitted the caller's token scope; nested calls are its own work. */
  readonly entered: boolean;
}

/**
 * Immutable context of one action run: who calls, which database handle (pool or transaction),
 * and whether auth is skipped. Derive new contexts with the `with*` methods; nested calls go
 * through `call`, the full pipeline, in the same transaction.
 */
export class ActionContext {
  private constructor(private readonly s: State) {}

  static root(init: { runner: ActionRunner; dataSource: DataSource; user: Caller | null; log: Logger; request?: RequestInfo; ignoreAuth?: boolean; entered?: boolean }): ActionContext {
    return new ActionContext({
      runner: init.runner,
      dataSource: init.dataSource,
      user: init.user,
      db: init.dataSource.manager,
      ignoreAuth: init.ignoreAuth ?? false,
      log: init.log,
      request: init.request,
      scope: {},
      memo: new Map(),
      entered: init.entered ?? false,
    });
  }

  get user(): Caller | null {
    return this.s.user;
  }
  get db(): EntityManager {
    return this.s.db;
  }
  get ignoreAuth(): boolean {
    return this.s.ignoreAuth;
  }
  get log(): Logger {
    return this.s.log;
  }
  get request(): RequestInfo | undefined {
    return this.s.request;
  }
  get inTransaction(): boolean {
    return this.s.tx !== undefined;
  }
  get isSysadmin(): boolean {
    return this.s.user?.sysadmin === true;
  }
  /** True inside an action (and on routes that checked the token's scope): nested calls do not check scopes again. */
  get entered(): boolean {
    return this.s.entered;
  }

  /** Runs another action through the dispatcher, with this caller and in this transaction. */
  async call<T = unknown>(name: string, data: DataDict = {}): Promise<T> {
    const result = await this.s.runner.run(name, data, this);
    return (result instanceof RawJson ? result.parse() : result) as T;
  }

  withIgnoreAuth(): ActionContext {
    return new ActionContext({ ...this.s, ignoreAuth: true });
  }

  withUser(user: Caller | null): ActionContext {
    return new ActionContext({ ...this.s, user, scope: {}, memo: new Map() });
  }

  /** A fresh memo for one action run, so auth and handler can share what they loaded. */
  forRun(): ActionContext {
    return new ActionContext({ ...this.s, memo: new Map(), entered: true });
  }

  /** Runs fn in a transaction (or in the current one); commit hooks run after the outermost commit. */
  async transaction<T>(fn: (ctx: ActionContext) => Promise<T>): Promise<T> {
    if (this.s.tx) return fn(this);
    const tx: TransactionScope = { beforeCommit: [], afterCommit: [], onRollback: [], locals: new Map() };
    let result: T;
    try {
      result = await this.s.dataSource.transaction(async (em) => {
        const value = await fn(new ActionContext({ ...this.s, db: em, tx }));
        // A hook may add another one; each runs once.
        for (let i = 0; i < tx.beforeCommit.length; i += 1) await tx.beforeCommit[i]();
        return value;
      });
    } catch (err) {
      for (const hook of tx.onRollback) await this.runHook(hook, 'rollback');
      throw err;
    }
    for (const hook of tx.afterCommit) await this.runHook(hook, 'commit');
    return result;
  }

  /**
   * Work that belongs to the transaction but must see all of it: it runs inside, after the outermost function has
   * returned and before the commit; if it fails, the transaction rolls back. Outside a transaction: false, not run.
   */
  beforeCommit(hook: Hook): boolean {
    if (!this.s.tx) return false;
    this.s.tx.beforeCommit.push(hook);
    return true;
  }

  /** Work that must happen only once the data is committed (moving files into place, cache eviction). */
  afterCommit(hook: Hook): void {
    if (this.s.tx) this.s.tx.afterCommit.push(hook);
    else void this.runHook(hook, 'commit');
  }

  /** Clean-up when the transaction fails (removing temporary files). */
  onRollback(hook: Hook): void {
    this.s.tx?.onRollback.push(hook);
  }

  /**
   * State kept for the rest of the current transaction under `key` (created by `init` on first use), e.g. what the
   * audit trail collects from nested writes until the outermost one ends; undefined outside a transaction.
   */
  transactionLocal<T>(key: symbol, init: () => T): T | undefined {
    if (!this.s.tx) return undefined;
    if (!this.s.tx.locals.has(key)) this.s.tx.locals.set(key, init());
    return this.s.tx.locals.get(key) as T;
  }

  /** Memoizes a load for the rest of this action run. */
  memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.s.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.s.memo.set(key, p);
    }
    return p;
  }

  /** The caller's capacities by group id, loaded once per request. */
  memberships(load: () => Promise<Map<string, string>>): Promise<Map<string, string>> {
    this.s.scope.memberships ??= load();
    return this.s.scope.memberships;
  }

  /** Forget cached memberships after changing them. */
  forgetMemberships(): void {
    this.s.scope.memberships = undefined;
  }

  private async runHook(hook: Hook, phase: string): Promise<void> {
    try {
      await hook();
    } catch (err) {
      this.s.log.error({ err, phase }, 'transaction hook failed');
    }
  }
}
