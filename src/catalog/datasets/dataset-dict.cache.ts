import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { DATABASE } from '../../core.module';
import type { DatabaseConnection } from '../../database/database-connection';
import type { DatasetVisibility } from '../../auth/authz';
import type { EnvelopeHolder } from '../../api/raw-json';
import { CHANGE_CHANNEL, DatasetChanges } from './dataset-changes';

/** What package_show needs without touching the database: who may read it, and its dict as JSON. */
export interface CachedDataset extends EnvelopeHolder {
  id: string;
  name: string;
  visibility: DatasetVisibility;
  /** The package_show dict, serialised once (without plugin_data). */
  json: string;
}

/** Memory an entry takes: the JSON text (one byte per character for Latin-1 text) and, once served, its UTF-8 envelope. */
const sizeOf = (e: CachedDataset): number => e.json.length * 2;

/**
 * Rendered package_show dicts, so reading a dataset costs no query. Correctness first:
 *  - every write evicts on commit in this process (DatasetChanges), and sends a PostgreSQL
 *    NOTIFY inside its transaction, so other processes evict when it commits;
 *  - a load that overlaps an eviction is not stored (generation counter), so a reader never
 *    puts back a dict older than the write that evicted it;
 *  - if the LISTEN connection drops, notifications may have been missed: everything is evicted.
 * Permission checks still run on every request against the cached visibility.
 */
@Injectable()
export class DatasetDictCache implements OnModuleInit, OnApplicationShutdown {
  private readonly byId = new Map<string, CachedDataset>();
  private readonly idByName = new Map<string, string>();
  private bytes = 0;
  private generation = 0;
  private listener?: Client;
  private listening = false;
  private closed = false;
  private readonly maxBytes: number;

  constructor(
    private readonly changes: DatasetChanges,
    @Inject(DATABASE) private readonly database: DatabaseConnection,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.maxBytes = config.PACKAGE_CACHE_MB * 1024 * 1024;
  }

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  async onModuleInit(): Promise<void> {
    this.changes.onChange((ids) => this.evict(ids));
    if (this.enabled) await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.listening = false;
    const l = this.listener;
    this.listener = undefined;
    l?.removeAllListeners();
    await l?.end().catch(() => undefined);
  }

  /** A stamp to take before loading from the database; `put` with a stale stamp stores nothing. */
  stamp(): number {
    return this.generation;
  }

  get(idOrName: string): CachedDataset | undefined {
    if (!this.listening) return undefined;
    const id = this.byId.has(idOrName) ? idOrName : this.idByName.get(idOrName);
    const entry = id ? this.byId.get(id) : undefined;
    if (entry) {
      // Most recently used last: Map keeps insertion order.
      this.byId.delete(entry.id);
      this.byId.set(entry.id, entry);
    }
    return entry;
  }

  put(entry: CachedDataset, stamp: number): void {
    if (!this.listening || stamp !== this.generation || sizeOf(entry) > this.maxBytes / 4) return;
    this.remove(entry.id);
    this.byId.set(entry.id, entry);
    this.idByName.set(entry.name, entry.id);
    this.bytes += sizeOf(entry);
    for (const [id] of this.byId) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(id);
    }
  }

  evict(ids: string[] | 'all'): void {
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

  /** Serves from the cache only while listening: a missed notification could otherwise leave a stale dict. */
  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.database.url, application_name: 'catalog-cache-listener' });
    let live = true;
    const lost = (err?: unknown): void => {
      if (!live) return;
      live = false;
      this.listening = false;
      this.evict('all');
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.log.warn({ err }, 'dataset cache is not listening for changes; serving from the database until it reconnects');
      setTimeout(() => void this.listen(), 1000).unref();
    };
    client.on('notification', (n) => {
      if (n.channel === CHANGE_CHANNEL) this.evict(n.payload === '*' || !n.payload ? 'all' : n.payload.split(','));
    });
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      if (this.closed) return void client.end().catch(() => undefined);
      this.listener = client;
      // Changes committed while we were not listening are unknown: start from empty.
      this.evict('all');
      this.listening = true;
    } catch (err) {
      lost(err);
    }
  }
}
