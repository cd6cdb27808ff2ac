import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ActionContext, Caller } from '../api/action-context';
import type { Logger } from '../common/logger';
import { LOGGER } from '../common/logger.provider';
import { Database } from '../database/database.module';
import { ChannelListener, notify } from '../database/notifications';
import { Authenticator } from './authenticator';
import { hashTokenSecret } from './tokens';

/** PostgreSQL channel on which committed changes of tokens (`token|<id>`) and their owners (`user|<id>`) are announced. */
export const TOKEN_CHANNEL = 'api_token_changes';

/**
 * An API token a long-lived connection (an MQTT publisher) logged in with, held for as long as it stays connected.
 * Only the secret's hash is kept, as in the database.
 */
export class HeldToken {
  /** Something about the token or its owner changed since `caller` was read: read it again before trusting it. */
  stale = false;
  /** Counts the changes heard, so a lookup that ran while one arrived does not clear it. */
  changes = 0;
  /** Revoked, expired or its owner gone: it never works again. */
  ended = false;

  constructor(readonly hash: Buffer, readonly tokenId: string, public caller: Caller) {}
}

/**
 * API tokens held by long-lived connections, whose every message must stop working the moment the token does
 * ("revocation works at once, in every process", issue 14) without a database query per message. HTTP requests do
 * not need this: each one looks its token up (Authenticator).
 *
 * A held token's caller is kept in memory and trusted while (a) it has not expired, (b) nothing about the token or
 * its owner changed: api_token_revoke and user_update/patch/delete announce the change (`changed`) on
 * TOKEN_CHANNEL inside their transaction, so PostgreSQL tells every process when they commit (and this process
 * right after its own commit), and (c) the LISTEN connection is up. Otherwise `current` asks the database again: a
 * revoked token, an expired one or a deleted owner then end it for good; a changed owner (no longer a sysadmin) is
 * read anew. A change heard is checked at once too, and a token that ended tells `onEnded`'s listeners (the MQTT
 * broker closes its connections).
 */
@Injectable()
export class LiveTokens implements OnApplicationShutdown {
  private readonly held = new Set<HeldToken>();
  private listener?: ChannelListener;
  private readonly endListeners: ((held: HeldToken) => void)[] = [];

  constructor(private readonly database: Database, private readonly authenticator: Authenticator, @Inject(LOGGER) private readonly log: Logger) {}

  /**
   * Listens from the first login on: a process that never holds a token (the CLI, a worker, an external broker)
   * keeps no connection for it. Started before the first lookup, so no change committed after it goes unheard.
   */
  private listen(): Promise<void> {
    if (this.listener) return Promise.resolve();
    this.listener = new ChannelListener(
      { url: this.database.url, channel: TOKEN_CHANNEL, applicationName: 'catalog-token-listener', log: this.log },
      {
        notify: (payload) => {
          const [kind, id] = payload.split('|', 2);
          if (kind === 'token' || kind === 'user') this.mark(kind, id);
        },
        // Changes made while nobody listened are unknown: every held token is read again.
        resync: () => this.mark(null, null),
      },
    );
    return this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.close();
  }

  /** Logs in with a token's secret: the held token, or null when it is unknown, revoked or expired (or its owner inactive). */
  async hold(secret: string): Promise<HeldToken | null> {
    if (secret.length > 512) return null;
    await this.listen();
    const hash = hashTokenSecret(secret);
    const found = await this.authenticator.fromTokenHash(hash);
    if (!found) return null;
    const held = new HeldToken(hash, found.tokenId, found.caller);
    this.held.add(held);
    return held;
  }

  /**
   * Calls `listener` when a held token is found to work no more after a change was heard (revoked, its owner deleted
   * or deactivated), so its connection can be closed at once rather than at its next message.
   */
  onEnded(listener: (held: HeldToken) => void): void {
    this.endListeners.push(listener);
  }

  /** The connection ended: the token is no longer watched for it. */
  release(held: HeldToken): void {
    this.held.delete(held);
  }

  /**
   * Whom the held token stands for now, or null once it no longer works (then never again). From memory unless
   * something changed or changes may go unheard; then one database query.
   */
  async current(held: HeldToken): Promise<Caller | null> {
    if (held.ended) return null;
    const expiresAt = held.caller.token?.expiresAt;
    if (expiresAt && Date.parse(expiresAt) <= Date.now()) return this.end(held);
    if (!held.stale && this.listener?.live) return held.caller;
    const seen = held.changes;
    const found = await this.authenticator.fromTokenHash(held.hash);
    if (!found || found.tokenId !== held.tokenId) return this.end(held);
    held.caller = found.caller;
    if (held.changes === seen) held.stale = false;
    return held.caller;
  }

  /**
   * Announces, inside the writing transaction, that token `id` (kind 'token') or the tokens of user `id` (kind 'user')
   * changed: every process reads them again once the transaction commits.
   */
  async changed(ctx: ActionContext, kind: 'token' | 'user', id: string): Promise<void> {
    // Delivered by PostgreSQL only if the transaction commits; this process marks its own at once after the commit.
    await notify(ctx.db, TOKEN_CHANNEL, `${kind}|${id}`);
    ctx.afterCommit(() => this.mark(kind, id));
  }

  private end(held: HeldToken): null {
    held.ended = true;
    this.held.delete(held);
    return null;
  }

  /** Marks the held tokens a change concerns (null: all) to be read again, and reads them again now. */
  private mark(kind: 'token' | 'user' | null, id: string | null): void {
    for (const h of this.held) {
      if (kind === null || (kind === 'token' && h.tokenId === id) || (kind === 'user' && h.caller.id === id)) {
        h.stale = true;
        h.changes += 1;
        void this.recheck(h);
      }
    }
  }

  /** Reads a held token again; one that works no more is reported to the listeners. */
  private async recheck(held: HeldToken): Promise<void> {
    try {
      if (await this.current(held)) return;
    } catch (err) {
      // Still stale: the next use asks again.
      return this.log.warn({ err, token: held.tokenId }, 'could not check a held API token again');
    }
    for (const l of this.endListeners) l(held);
  }
}
