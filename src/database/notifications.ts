import type { EntityManager } from 'typeorm';
import { preparedQuery } from './prepared';
import { Client } from 'pg';
import type { Logger } from '../common/logger';

const CHANNEL_NAME = /^[a-z_][a-z0-9_]*$/;

export interface ChannelHandlers {
  /** A notification on the channel, with its payload. */
  notify(payload: string): void;
  /**
   * Whatever was sent while nobody listened is unknown: everything may have changed. Called when the
   * connection is lost and again once listening has resumed (before `live` turns true).
   */
  resync(): void | Promise<void>;
}

export interface ChannelOptions {
  url: string;
  channel: string;
  /** Names the connection in pg_stat_activity. */
  applicationName: string;
  log: Logger;
  /** Pause before connecting again after a loss. */
  reconnectDelayMs?: number;
}

/**
 * A dedicated LISTEN connection to one PostgreSQL channel, kept open: NOTIFY is delivered only to
 * connections listening at commit time, so a pooled connection will not do. While it is down, `live`
 * is false and the handlers hear "everything may have changed"; it reconnects by itself.
 */
export class ChannelListener {
  private client?: Client;
  private closed = false;
  private isLive = false;
  private retry?: NodeJS.Timeout;

  constructor(private readonly opts: ChannelOptions, private readonly handlers: ChannelHandlers) {
    if (!CHANNEL_NAME.test(opts.channel)) throw new Error(`not a channel name: ${opts.channel}`);
  }

  /** True while every notification sent on the channel is being heard. */
  get live(): boolean {
    return this.isLive;
  }

  /** The first attempt; if it fails, the listener keeps trying in the background (and is not live meanwhile). */
  start(): Promise<void> {
    return this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.isLive = false;
    clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    c?.removeAllListeners();
    c?.on('error', () => undefined);
    await c?.end().catch(() => undefined);
  }

  private async resync(): Promise<void> {
    try {
      await this.handlers.resync();
    } catch (err) {
      this.opts.log.error({ err, channel: this.opts.channel }, 'a listener failed to start over');
    }
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const { channel, log } = this.opts;
    const client = new Client({ connectionString: this.opts.url, application_name: this.opts.applicationName });
    let open = true;
    const lost = (err?: unknown): void => {
      if (!open) return;
      open = false;
      this.isLive = false;
      if (this.client === client) this.client = undefined;
      void this.resync();
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      if (this.closed) return;
      log.warn({ err, channel }, `not hearing notifications on ${channel}; reconnecting`);
      // Connection upkeep, not background work: a timer for the pause before the next attempt, not a job.
      this.retry = setTimeout(() => void this.connect(), this.opts.reconnectDelayMs ?? 1000);
      this.retry.unref();
    };
    client.on('notification', (n) => {
      if (n.channel === channel && n.payload !== undefined) this.handlers.notify(n.payload);
    });
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      if (this.closed) {
        open = false;
        return void client.end().catch(() => undefined);
      }
      this.client = client;
      await this.resync();
      if (open) this.isLive = true;
    } catch (err) {
      lost(err);
    }
  }
}

/** Sends `payload` on `channel` when the transaction `db` runs in commits (at once outside one). */
export async function notify(db: EntityManager, channel: string, payload: string): Promise<void> {
  // Prepared: every dataset write sends one.
  await preparedQuery(db, 'notify', 'SELECT pg_notify($1, $2)', [channel, payload]);
}
