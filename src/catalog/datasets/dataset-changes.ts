import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ActionContext } from '../../api/action-context';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { Database } from '../../database/database.module';
import { ChannelListener, notify } from '../../database/notifications';
import { DatasetRepository } from './dataset.repository';

/** PostgreSQL channel on which committed dataset changes are announced to every process. */
export const CHANGE_CHANNEL = 'catalog_dataset_changes';
/** More ids than this in one change are announced as "everything changed". */
const MAX_IDS_PER_NOTICE = 150;

export type ChangedIds = string[] | 'all';

/** How often each dataset has been reported changed in the current transaction (see DatasetChanges.generation). */
const GENERATIONS = Symbol('dataset-change-generations');
export type WriteListener = (ctx: ActionContext, ids: string[]) => Promise<void>;
export type ChangeListener = (ids: ChangedIds) => void | Promise<void>;

/**
 * How the rest of the service learns that datasets changed.
 *  - Write listeners run inside the writing transaction (the search index follows every write atomically).
 *  - Change listeners run once the change is committed: for this process's writes right after the commit
 *    (before the response goes out), for other processes' writes when PostgreSQL delivers the NOTIFY sent
 *    inside their transaction. While the LISTEN connection is down, `live` is false and everything that
 *    caches must not serve from memory; when it comes back, listeners hear "all changed".
 */
@Injectable()
export class DatasetChanges implements OnModuleInit, OnApplicationShutdown {
  private readonly writeListeners: WriteListener[] = [];
  private readonly derivedListeners: WriteListener[] = [];
  private readonly changeListeners: ChangeListener[] = [];
  private readonly instance = randomUUID();
  private listener?: ChannelListener;

  constructor(private readonly database: Database, private readonly datasets: DatasetRepository, @Inject(LOGGER) private readonly log: Logger) {}

  /** True while committed changes of every process are being heard; while false, caches serve from the database. */
  get live(): boolean {
    return this.listener?.live ?? false;
  }

  onWrite(listener: WriteListener): void {
    this.writeListeners.push(listener);
  }

  /** Told, inside the writing transaction, when only a dataset's derived fields changed after its write (DatasetDerived). */
  onDerived(listener: WriteListener): void {
    this.derivedListeners.push(listener);
  }

  onChange(listener: ChangeListener): void {
    this.changeListeners.push(listener);
  }

  // Module init runs once every provider is built, so the database has started and its URL is known.
  async onModuleInit(): Promise<void> {
    this.listener = new ChannelListener(
      { url: this.database.url, channel: CHANGE_CHANNEL, applicationName: 'catalog-change-listener', log: this.log },
      {
        notify: (payload) => {
          const [from, rest] = payload.split('|', 2);
          if (from !== this.instance) void this.emit(rest === '*' ? 'all' : rest.split(','));
        },
        // Changes committed while nobody listened are unknown: caches start over.
        resync: () => this.emit('all'),
      },
    );
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.close();
  }

  /**
   * Datasets `ids` changed in this action's transaction. Every write to what a dataset's dict holds reports it here
   * after writing (the search index, the dict caches and the activity stream follow from it), so what is read of a
   * dataset after its latest report in a transaction stays what the transaction holds until the next report.
   */
  async changed(ctx: ActionContext, ids: string | string[]): Promise<void> {
    const list = [...new Set(Array.isArray(ids) ? ids : [ids])];
    if (!list.length) return;
    const generations = ctx.transactionLocal(GENERATIONS, () => new Map<string, number>());
    if (generations) for (const id of list) generations.set(id, (generations.get(id) ?? 0) + 1);
    for (const l of this.writeListeners) await l(ctx, list);
    // Delivered by PostgreSQL only if this transaction commits.
    const payload = list.length <= MAX_IDS_PER_NOTICE ? list.join(',') : '*';
    await notify(ctx.db, CHANGE_CHANNEL, `${this.instance}|${payload}`);
    ctx.afterCommit(() => this.emit(list));
  }

  /**
   * Datasets `ids`, already reported changed in this transaction, had only their derived fields (package.derived) set
   * since: the derived listeners follow (the search document's columns that come from them). The notice and the
   * after-commit listeners of the earlier report cover the commit, so the write listeners do not run twice; what the
   * transaction holds of them is kept current by the caller (DatasetDicts.keepDerived) or, with `reread`, read again
   * (a new generation). A dataset not reported yet is reported in full.
   */
  async derivedChanged(ctx: ActionContext, ids: string[], reread: boolean): Promise<void> {
    const generations = ctx.transactionLocal(GENERATIONS, () => new Map<string, number>());
    if (!generations || ids.some((id) => !generations.get(id))) return this.changed(ctx, ids);
    if (reread) for (const id of ids) generations.set(id, generations.get(id)! + 1);
    for (const l of this.derivedListeners) await l(ctx, ids);
  }

  /**
   * How many times dataset `id` has been reported changed in the current transaction: 0 before its first report (and
   * outside a transaction). What was read of it at one generation holds while the generation stays the same.
   */
  generation(ctx: ActionContext, id: string): number {
    return ctx.transactionLocal(GENERATIONS, () => new Map<string, number>())?.get(id) ?? 0;
  }

  /**
   * The datasets an organization or group lends something to (its name and title, its state): the ones
   * it owns and the ones in it. Take them before and after a group write and report both as changed.
   */
  async datasetsOf(ctx: ActionContext, groupId: string): Promise<string[]> {
    return this.datasets.idsOwnedByOrIn(ctx.db, groupId);
  }

  private async emit(ids: ChangedIds): Promise<void> {
    for (const l of this.changeListeners) {
      try {
        await l(ids);
      } catch (err) {
        this.log.error({ err }, 'a dataset change listener failed');
      }
    }
  }
}
