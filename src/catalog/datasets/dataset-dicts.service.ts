import { Inject, Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { helpUrl, successPrefix } from '../../api/ckan-envelope';
import { Visibility } from '../../auth/visibility';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { DatasetChanges } from './dataset-changes';
import { CachedDataset, DatasetDictCache } from './dataset-dict.cache';
import { visibilityOf } from './dataset.auth';
import { PackageDict, relatedDatasetIds, relatedIdsOfDict, toPackageDict, withoutRelationshipsTo } from './dataset.dict';
import { DatasetDictRow, DatasetRepository } from './dataset.repository';

/** Per transaction: the dict rows of the datasets it wrote, as read after their latest change (see DatasetDicts.written). */
const WRITTEN = Symbol('dataset-dicts-written');
/** At most this many rows are kept per transaction: a write to a whole organization's datasets reads them as before. */
const WRITTEN_KEPT_MAX = 100;
interface WrittenRow {
  generation: number;
  row: DatasetDictRow;
}

/**
 * Rendered package dicts by id or name, from the cache when it can be trusted, else from the
 * database in one query (and then cached). Inside a write transaction the cache is bypassed both
 * ways: the transaction may see its own uncommitted changes, the cache may not.
 */
@Injectable()
export class DatasetDicts {
  constructor(
    private readonly repo: DatasetRepository,
    private readonly cache: DatasetDictCache,
    private readonly visibility: Visibility,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly changes: DatasetChanges,
  ) {}

  /**
   * The dict row of dataset `id` as its write left it, for what reads a dataset after the write reported it changed
   * (DatasetChanges.changed) in the same transaction: the write listeners, the write's answer and its checks, the
   * activity the audit trail records before the commit. Each write reports its dataset after writing it, so a row read
   * after the latest report is what the transaction holds until the next one: it is read once per report and shared.
   * Before the first report (or outside a transaction) it is read from the database every time.
   */
  async writtenRow(ctx: ActionContext, id: string): Promise<DatasetDictRow | null> {
    return (await this.written(ctx, id))[0]?.row ?? null;
  }

  /**
   * writtenRow of each of `ids` (those that exist, in the order given) as package_show shows it to the site itself:
   * without plugin data, with every relationship. A new object each call, for the caller to keep or change.
   */
  async writtenDicts(ctx: ActionContext, ids: string[]): Promise<PackageDict[]> {
    return (await this.written(ctx, ids)).map((w) => toPackageDict(w.row, this.config.SITE_URL));
  }

  private async written(ctx: ActionContext, ids: string | string[]): Promise<WrittenRow[]> {
    const list = typeof ids === 'string' ? [ids] : ids;
    const rows = ctx.transactionLocal(WRITTEN, () => new Map<string, WrittenRow>());
    const found = new Map<string, WrittenRow>();
    const missing: string[] = [];
    for (const id of list) {
      const held = rows?.get(id);
      if (held && held.generation > 0 && held.generation === this.changes.generation(ctx, id)) found.set(id, held);
      else missing.push(id);
    }
    if (missing.length) {
      const loaded = missing.length === 1 ? [await this.repo.loadDict(ctx.db, missing[0])].filter((r) => r !== null) : await this.repo.loadDicts(ctx.db, missing);
      for (const row of loaded) {
        const w: WrittenRow = { generation: this.changes.generation(ctx, row.id), row };
        found.set(row.id, w);
        if (w.generation > 0 && rows && (rows.has(row.id) || rows.size < WRITTEN_KEPT_MAX)) rows.set(row.id, w);
      }
    }
    return list.map((id) => found.get(id)).filter((w): w is WrittenRow => w !== undefined);
  }

  /**
   * After a write set derived field `key` of dataset `id` (DatasetDerived): the row this transaction holds of it takes
   * the value too, so what reads it next (the audit trail's activity) sees it without reading the dataset again.
   * False when the transaction holds no current row of it (then it is read again, as after any change).
   */
  keepDerived(ctx: ActionContext, id: string, key: string, value: unknown): boolean {
    const held = ctx.transactionLocal(WRITTEN, () => new Map<string, WrittenRow>())?.get(id);
    if (!held || held.generation === 0 || held.generation !== this.changes.generation(ctx, id)) return false;
    held.row = { ...held.row, derived: { ...(held.row.derived ?? {}), [key]: value } };
    return true;
  }

  /** One dataset by id or name; undefined when there is none. */
  async get(ctx: ActionContext, idOrName: string): Promise<CachedDataset | undefined> {
    const cacheable = !ctx.inTransaction;
    const hit = cacheable ? this.cache.get(idOrName) : undefined;
    if (hit) return hit;
    const stamp = this.cache.stamp();
    const row = await this.repo.loadDictByIdOrName(ctx.db, idOrName);
    if (!row) return undefined;
    const entry = this.entry(row);
    if (cacheable) this.cache.put(entry, stamp);
    return entry;
  }

  /** Many datasets by id, in the order given; ids that no longer exist are left out. */
  async getMany(ctx: ActionContext, ids: string[]): Promise<CachedDataset[]> {
    const cacheable = !ctx.inTransaction;
    const found = new Map<string, CachedDataset>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = cacheable ? this.cache.get(id) : undefined;
      if (hit) found.set(id, hit);
      else missing.push(id);
    }
    if (missing.length) {
      const stamp = this.cache.stamp();
      // One id (a write's own dataset, as the DataStore's write listener asks) by the by-id statement: its generic plan
      // is reused, while the list form is planned afresh on every call (its generic plan costs more than a custom one).
      const rows = missing.length === 1 ? [await this.repo.loadDict(ctx.db, missing[0])].filter((r) => r !== null) : await this.repo.loadDicts(ctx.db, missing);
      for (const row of rows) {
        const entry = this.entry(row);
        found.set(row.id, entry);
        if (cacheable) this.cache.put(entry, stamp);
      }
    }
    return ids.map((id) => found.get(id)).filter((e): e is CachedDataset => e !== undefined);
  }

  /**
   * Of `ids`, the datasets the caller may not read. A dict names the datasets it has relationships with, and the
   * cached dict is everyone's: every path that hands a dict out leaves out the relationships naming one of these
   * (CKAN compat: CKAN shows them all, private or not).
   */
  async unreadable(ctx: ActionContext, ids: readonly string[]): Promise<Set<string>> {
    const hidden = new Set<string>();
    if (!ids.length || ctx.isSysadmin || ctx.ignoreAuth) return hidden;
    const rows = await this.repo.findRows(ctx.db, [...new Set(ids)]);
    for (const id of ids) {
      const row = rows.get(id);
      // A dataset gone meanwhile (purged) names nothing anyone may read.
      if (!row || !(await this.visibility.canRead(ctx, visibilityOf(row)))) hidden.add(id);
    }
    return hidden;
  }

  /** Each entry's dict as JSON bytes for the caller: the cached bytes unless a relationship must be left out. */
  async bytesFor(ctx: ActionContext, entries: readonly CachedDataset[]): Promise<Buffer[]> {
    const hidden = await this.unreadable(ctx, entries.flatMap((e) => e.related));
    return entries.map((e) => {
      if (!e.related.some((id) => hidden.has(id))) return e.utf8;
      const dict = JSON.parse(e.utf8.toString('utf8')) as Record<string, unknown>;
      return Buffer.from(JSON.stringify(withoutRelationshipsTo(dict, hidden)));
    });
  }

  /** Rendered dicts for the caller: without the relationships that name a dataset they may not read. */
  async forReader<T extends Record<string, unknown>>(ctx: ActionContext, dicts: readonly T[]): Promise<T[]> {
    const hidden = await this.unreadable(ctx, dicts.flatMap((d) => relatedIdsOfDict(d)));
    return dicts.map((d) => withoutRelationshipsTo(d, hidden));
  }

  /** package_show's help URL: its envelope is built once around each cached dict. */
  readonly showHelp = helpUrl(this.config.SITE_URL, 'package_show');
  private readonly showPrefix = successPrefix(this.showHelp);

  private entry(row: Parameters<typeof toPackageDict>[0]): CachedDataset {
    const response = Buffer.from(`${this.showPrefix}${JSON.stringify(toPackageDict(row, this.config.SITE_URL))}}`);
    const utf8 = response.subarray(Buffer.byteLength(this.showPrefix), response.length - 1);
    return { id: row.id, name: row.name, visibility: visibilityOf(row), related: relatedDatasetIds(row), utf8, response };
  }
}
