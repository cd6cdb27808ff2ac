import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Caller } from '../api/action-context';
import { CallerResolver } from '../api/caller-resolver';
import { isTokenScope } from '../api/token-scope';
import { ckanTimestamp } from '../common/ckan-time';
import type { Logger } from '../common/logger';
import { LOGGER } from '../common/logger.provider';
import { UserRepository } from './user.repository';
import { hashTokenSecret, tokenFromHeaders } from './tokens';
import { cookieFrom, SESSION_COOKIE, WebSessions } from './web-sessions';

/** Whom a valid token names: the caller, and the token itself (rate limits count per token). */
export interface TokenIdentity {
  caller: Caller;
  tokenId: string;
}

type Headers = Record<string, string | string[] | undefined>;

/**
 * Turns a request's API token into a caller. An unknown, revoked, expired or malformed token is not an
 * error: the request runs as anonymous, as in CKAN (public reads work, the rest answers 403). Nothing is
 * cached: every request asks the database, so a revocation is in force at once in every process.
 */
@Injectable()
export class Authenticator implements CallerResolver {
  /** One lookup per request: the rate limit asks first, the route then asks again with the same headers object. */
  private readonly perRequest = new WeakMap<Headers, Promise<TokenIdentity | null>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly sessions: WebSessions,
  ) {}

  /** The API's caller: an API token only. A session cookie is never read here, so no other site can make a browser call the API as its user (CSRF). */
  async fromHeaders(headers: Headers): Promise<Caller | null> {
    return (await this.identify(headers))?.caller ?? null;
  }

  /**
   * A web page's caller: an API token as for the API, else the web login's session cookie (WebSessions). Only the
   * portal's pages ask here; their forms that change something carry a CSRF token bound to the session.
   */
  async fromPageHeaders(headers: Headers): Promise<Caller | null> {
    const byToken = await this.fromHeaders(headers);
    if (byToken) return byToken;
    return this.sessions.caller(cookieFrom(headers.cookie, SESSION_COOKIE));
  }

  /** The caller and token a request's headers name, or null (no token, or not a valid one). */
  identify(headers: Headers): Promise<TokenIdentity | null> {
    let found = this.perRequest.get(headers);
    if (!found) {
      const token = tokenFromHeaders(headers);
      found = token ? this.lookup(token) : Promise.resolve(null);
      this.perRequest.set(headers, found);
    }
    return found;
  }

  async fromToken(token: string): Promise<Caller | null> {
    return (await this.lookup(token))?.caller ?? null;
  }

  private lookup(token: string): Promise<TokenIdentity | null> {
    if (token.length > 512) return Promise.resolve(null);
    return this.fromTokenHash(hashTokenSecret(token));
  }

  /**
   * The caller and token a token's hash names, asked of the database now: null when the token is unknown, revoked or
   * expired or its owner is not active. For holders that keep the hash, not the secret (LiveTokens).
   */
  async fromTokenHash(hash: Buffer): Promise<TokenIdentity | null> {
    const row = await this.users.callerByTokenHash(this.dataSource.manager, hash);
    if (!row) return null;
    if (row.stale) {
      // last_access is informational: record it at most once a minute, off the request's path.
      this.users
        .recordTokenUse(this.dataSource.manager, row.token_id)
        .catch((err: unknown) => this.log.warn({ err }, 'could not record token use'));
    }
    const organizationId = row.organization_id;
    const expiresAt = row.expires_at === null ? null : new Date(`${ckanTimestamp(row.expires_at)}Z`).toISOString();
    const caller: Caller = {
      id: row.id,
      name: row.name,
      // An organization restriction narrows a sysadmin to an admin of that organization (Authz.memberships).
      sysadmin: row.sysadmin && !organizationId,
      token: { id: row.token_id, scopes: row.scopes.filter(isTokenScope), organizationId, ownerIsSysadmin: row.sysadmin, expiresAt },
    };
    return { caller, tokenId: row.token_id };
  }
}
