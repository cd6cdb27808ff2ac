import { Inject, Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { helpUrl, successPrefix } from '../../api/ckan-envelope';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { CachedDataset, DatasetDictCache } from './dataset-dict.cache';
import { visibilityOf } from './dataset.auth';
import { toPackageDict } from './dataset.dict';
import { DatasetRepository } from './dataset.repository';

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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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
      for (const row of await this.repo.loadDicts(ctx.db, missing)) {
        const entry = this.entry(row);
        found.set(row.id, entry);
        if (cacheable) this.cache.put(entry, stamp);
      }
    }
    return ids.map((id) => found.get(id)).filter((e): e is CachedDataset => e !== undefined);
  }

  /** package_show's help URL: its envelope is built once around each cached dict. */
  readonly showHelp = helpUrl(this.config.SITE_URL, 'package_show');
  private readonly showPrefix = successPrefix(this.showHelp);

  private entry(row: Parameters<typeof toPackageDict>[0]): CachedDataset {
    const response = Buffer.from(`${this.showPrefix}${JSON.stringify(toPackageDict(row, this.config.SITE_URL))}}`);
    const utf8 = response.subarray(Buffer.byteLength(this.showPrefix), response.length - 1);
    return { id: row.id, name: row.name, visibility: visibilityOf(row), utf8, response };
  }
}
