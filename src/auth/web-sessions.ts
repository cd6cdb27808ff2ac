import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Caller } from '../api/action-context';
import { APP_CONFIG, AppConfig } from '../config/env';
import { Credentials } from './credentials';
import { hashTokenSecret } from './tokens';
import { UserRepository } from './user.repository';

/** The cookie that carries a web login's opaque id. */
export const SESSION_COOKIE = 'odp_session';

/** A cookie's value from a Cookie header. */
export function cookieFrom(header: string | string[] | undefined, name: string): string | undefined {
  for (const part of (Array.isArray(header) ? header.join(';') : header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** The form token a session's pages carry: bound to the session's secret id, so only its holder's pages know it. */
export function sessionCsrfToken(secret: string): string {
  return createHmac('sha256', secret).update('csrf-v1').digest('base64url');
}

/**
 * Web logins (issue 17, the steward workspace). The password is checked by Credentials, THE password check the API's
 * user_update uses (argon2id, failures limited per account and per address by LoginThrottle). A login is a session:
 * 256 random bits in an HttpOnly cookie, stored only as their SHA-256 with the time it ends (WEB_SESSION_MINUTES),
 * so a database leak reveals no usable session. Which requests a session authenticates is Authenticator's decision.
 */
@Injectable()
export class WebSessions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly credentials: Credentials,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get minutes(): number {
    return this.config.WEB_SESSION_MINUTES;
  }

  /**
   * Checks `login` (name or e-mail) and `password`; on success starts a session and returns its secret id (for the
   * cookie). Null for a wrong login; throws TooManyRequests (429) while the account or address is locked.
   */
  async login(login: string, password: string, address: string | undefined, previous?: string): Promise<{ secret: string; name: string } | null> {
    const user = await this.credentials.check(this.dataSource.manager, login, password, address);
    if (!user) return null;
    // A new login never continues an old session (fixation): the one the browser held ends.
    await this.logout(previous);
    const secret = randomBytes(32).toString('base64url');
    await this.users.createSession(this.dataSource.manager, randomUUID(), user.id, hashTokenSecret(secret), this.config.WEB_SESSION_MINUTES);
    return { secret, name: user.name };
  }

  /** The caller a session's secret id names, while it lasts and its user is active; else null. */
  async caller(secret: string | undefined): Promise<Caller | null> {
    if (!secret || secret.length > 100) return null;
    const row = await this.users.callerBySessionHash(this.dataSource.manager, hashTokenSecret(secret));
    return row ? { id: row.id, name: row.name, sysadmin: row.sysadmin } : null;
  }

  async logout(secret: string | undefined): Promise<void> {
    if (secret && secret.length <= 100) await this.users.deleteSession(this.dataSource.manager, hashTokenSecret(secret));
  }
}
