import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';

/** PostgreSQL channel on which committed dataset changes are announced to every process. */
export const CHANGE_CHANNEL = 'catalog_dataset_changes';

export type DatasetChangeListener = (ids: string[] | 'all') => void | Promise<void>;

/**
 * Tells interested parties (the package_show cache, later the search index) that datasets changed,
 * once the transaction that changed them has committed: in this process through listeners, in
 * every process through a NOTIFY that PostgreSQL delivers only if the transaction commits.
 */
@Injectable()
export class DatasetChanges {
  private readonly listeners: DatasetChangeListener[] = [];

  onChange(listener: DatasetChangeListener): void {
    this.listeners.push(listener);
  }

  /** Dataset `id` changed in this action's transaction. */
  async changed(ctx: ActionContext, id: string): Promise<void> {
    await ctx.db.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, id]);
    ctx.afterCommit(() => this.emit([id]));
  }

  /** Something every dataset dict may embed changed (an organization or group title, say). */
  async changedAll(ctx: ActionContext): Promise<void> {
    await ctx.db.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, '*']);
    ctx.afterCommit(() => this.emit('all'));
  }

  private async emit(ids: string[] | 'all'): Promise<void> {
    for (const l of this.listeners) await l(ids);
  }
}
