import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { DatasetAccess } from '../../auth/visibility';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { ChangedIds, DatasetChanges } from './dataset-changes';

/** What package_show needs without touching the database: who may read it, and its dict as JSON. */
export interface CachedDataset {
  id: string;
  name: string;
  visibility: DatasetAccess;
  /** The other datasets its relationships name: readers who may not read one of them get the dict without it. */
  related: readonly string[];
  /** The package_show dict (without plugin_data), serialised and UTF-8 encoded once. */
  utf8: Buffer;
  /** package_show's whole success envelope around the same bytes (`utf8` is a view into it). */
  response: Buffer;
}

/** Memory an entry takes: its bytes and the bookkeeping around them. */
const sizeOf = (e: CachedDataset): number => e.response.length + 200;

/**
 * Rendered package_show dicts, so reading a dataset costs no query. Correctness first:
 *  - every committed change evicts (DatasetChanges: this process's writes at commit, other
 *    processes' through PostgreSQL NOTIFY);
 *  - a load that overlaps an eviction is not stored (generation counter), so a reader never
 *    puts back a dict older than the write that evicted it;
 *  - while changes of other processes cannot be heard, nothing is served from memory.
 * Permission checks still run on every request against the cached visibility.
 */
@Injectable()
export class DatasetDictCache implements OnModuleInit {
  private readonly byId = new Map<string, CachedDataset>();
  private readonly idByName = new Map<string, string>();
  private bytes = 0;
  /** Placements so far, and when each entry was last placed at the most-recently-used end. */
  private placed = 0;
  private readonly placedAt = new WeakMap<CachedDataset, number>();
  private generation = 0;
  private readonly maxBytes: number;

  constructor(private readonly changes: DatasetChanges, @Inject(APP_CONFIG) config: AppConfig) {
    this.maxBytes = config.PACKAGE_CACHE_MB * 1024 * 1024;
  }

  private get usable(): boolean {
    return this.maxBytes > 0 && this.changes.live;
  }

  onModuleInit(): void {
    this.changes.onChange((ids) => this.evict(ids));
  }

  /** A stamp to take before loading from the database; `put` with a stale stamp stores nothing. */
  stamp(): number {
    return this.generation;
  }

  get(idOrName: string): CachedDataset | undefined {
    if (!this.usable) return undefined;
    const id = this.byId.has(idOrName) ? idOrName : this.idByName.get(idOrName);
    const entry = id ? this.byId.get(id) : undefined;
    // Most recently used last (Map keeps insertion order), approximately: an entry placed within the last
    // half-cache of placements stays where it is, which spares a Map delete and insert on most hits.
    if (entry && this.placed - (this.placedAt.get(entry) ?? 0) > this.byId.size / 2) {
      this.byId.delete(entry.id);
      this.byId.set(entry.id, entry);
      this.placedAt.set(entry, ++this.placed);
    }
    return entry;
  }

  put(entry: CachedDataset, stamp: number): void {
    if (!this.usable || stamp !== this.generation || sizeOf(entry) > this.maxBytes / 4) return;
    this.remove(entry.id);
    this.byId.set(entry.id, entry);
    this.placedAt.set(entry, ++this.placed);
    this.idByName.set(entry.name, entry.id);
    this.bytes += sizeOf(entry);
    for (const [id] of this.byId) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(id);
    }
  }

  evict(ids: ChangedIds): void {
    this.generation += 1;
    if (ids === 'all') {
      this.byId.clear();
      this.idByName.clear();
      this.bytes = 0;
      return;
    }
    for (const id of ids) this.remove(id);
  }

  private remove(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    if (this.idByName.get(entry.name) === id) this.idByName.delete(entry.name);
    this.bytes -= sizeOf(entry);
  }
}
