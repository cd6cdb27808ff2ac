import { Injectable } from '@nestjs/common';
import type { ActionContext, DataDict } from './action-context';

/** One write action that has just succeeded, still inside its transaction. */
export interface WriteEvent {
  /** The CKAN action name: 'package_update'. */
  action: string;
  /** The data dict as the caller sent it (before validation). */
  data: DataDict;
  /** The validated input. */
  input: unknown;
  /** What the handler returned (RawJson already parsed by the hook's reader if it needs it). */
  result: unknown;
  /** true for the action that opened the transaction; false for actions it called (`ctx.call`). */
  outermost: boolean;
}

export type WriteHook = (ctx: ActionContext, event: WriteEvent) => Promise<void>;

/**
 * What the dispatcher runs after every successful write action, inside the write's transaction and before its commit,
 * so what a hook writes (the audit trail) exists exactly when the write does. A hook that throws fails the write.
 * Nested actions run their hooks first; the outermost action's hooks run last.
 */
@Injectable()
export class WriteHooks {
  private readonly hooks: WriteHook[] = [];

  register(hook: WriteHook): void {
    this.hooks.push(hook);
  }

  async run(ctx: ActionContext, event: WriteEvent): Promise<void> {
    for (const hook of this.hooks) await hook(ctx, event);
  }

  /**
   * A write that does not run as an action (SensorThings requests, MQTT messages, raw HTTP pushes) passes the same
   * hooks itself, inside its own transaction `tx`, under a name of its own and with a summary of what it wrote.
   */
  recordWrite(tx: ActionContext, action: string, summary: DataDict, result: unknown = null): Promise<void> {
    return this.run(tx, { action, data: summary, input: summary, result, outermost: true });
  }
}
