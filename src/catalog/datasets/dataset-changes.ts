import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';

export type DatasetChangeListener = (ids: string[] | 'all') => void | Promise<void>;

/**
 * Tells interested parties (the package_show cache, later the search index) that datasets changed,
 * once the transaction that changed them has committed.
 */
@Injectable()
export class DatasetChanges {
  private readonly listeners: DatasetChangeListener[] = [];

  onChange(listener: DatasetChangeListener): void {
    this.listeners.push(listener);
  }

  /** Dataset `id` changed in this action's transaction. */
  changed(ctx: ActionContext, id: string): void {
    ctx.afterCommit(() => this.emit([id]));
  }

  /** Something every dataset dict may embed changed (an organization or group title, say). */
  changedAll(ctx: ActionContext): void {
    ctx.afterCommit(() => this.emit('all'));
  }

  private async emit(ids: string[] | 'all'): Promise<void> {
    for (const l of this.listeners) await l(ids);
  }
}
