import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { ActionContext } from '../../api/action-context';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { DATABASE } from '../../core.module';
import type { DatabaseConnection } from '../../database/database-connection';
import { preparedQuery } from '../../database/prepared';

/** PostgreSQL channel on which committed dataset changes are announced to every process. */
export const CHANGE_CHANNEL = 'catalog_dataset_changes';
/** More ids than this in one change are announced as "everything changed". */
const MAX_IDS_PER_NOTICE = 150;

export type ChangedIds = string[] | 'all';
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
  private readonly changeListeners: ChangeListener[] = [];
  private readonly instance = randomUUID();
  private listener?: Client;
  private closed = false;
  private _live = false;

  constructor(@Inject(DATABASE) private readonly database: DatabaseConnection, @Inject(LOGGER) private readonly log: Logger) {}

  /** True while committed changes of every process are being heard. */
  get live(): boolean {
    return this._live;
  }

  onWrite(listener: WriteListener): void {
    this.writeListeners.push(listener);
  }

  onChange(listener: ChangeListener): void {
    this.changeListeners.push(listener);
  }

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this._live = false;
    const l = this.listener;
    this.listener = undefined;
    l?.removeAllListeners();
    l?.on('error', () => undefined);
    await l?.end().catch(() => undefined);
  }

  /** Datasets `ids` changed in this action's transaction. */
  async changed(ctx: ActionContext, ids: string | string[]): Promise<void> {
    const list = [...new Set(Array.isArray(ids) ? ids : [ids])];
    if (!list.length) return;
    for (const l of this.writeListeners) await l(ctx, list);
    // Delivered by PostgreSQL only if this transaction commits.
    const payload = list.length <= MAX_IDS_PER_NOTICE ? list.join(',') : '*';
    await preparedQuery(ctx.db, 'dataset-changes-notify', 'SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, `${this.instance}|${payload}`]);
    ctx.afterCommit(() => this.emit(list));
  }

  /**
   * The datasets an organization or group lends something to (its name and title, its state): the ones
   * it owns and the ones in it. Take them before and after a group write and report both as changed.
   */
  async datasetsOf(ctx: ActionContext, groupId: string): Promise<string[]> {
    const rows: { id: string }[] = await ctx.db.query(
      `SELECT id FROM package WHERE owner_org = $1 UNION SELECT package_id FROM package_group WHERE group_id = $1`,
      [groupId],
    );
    return rows.map((r) => r.id);
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

  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.database.url, application_name: 'catalog-change-listener' });
    let open = true;
    const lost = (err?: unknown): void => {
      if (!open) return;
      open = false;
      this._live = false;
      void this.emit('all');
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.log.warn({ err }, 'not hearing dataset changes of other processes; caches serve from the database until reconnected');
      setTimeout(() => void this.listen(), 1000).unref();
    };
    client.on('notification', (n) => {
      if (n.channel !== CHANGE_CHANNEL || !n.payload) return;
      const [from, rest] = n.payload.split('|', 2);
      if (from === this.instance) return;
      void this.emit(rest === '*' ? 'all' : rest.split(','));
    });
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      if (this.closed) return void client.end().catch(() => undefined);
      this.listener = client;
      // Changes committed while nobody listened are unknown: start over.
      await this.emit('all');
      this._live = true;
    } catch (err) {
      lost(err);
    }
  }
}
