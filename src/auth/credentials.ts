import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { LoginThrottle } from './login-throttle';
import { hashPassword, verifyPassword } from './passwords';
import { UserRepository, UserRow } from './user.repository';

/** Compared against when no account matches, so an unknown login costs as long as a wrong password. */
let decoyHash: Promise<string> | undefined;

/**
 * THE password check: user_update's old_password and the web login both ask here. CKAN's ckan_authenticator:
 * a login is the user name or e-mail address; only active accounts with a password may log in. Failed checks are
 * limited per account and per address (LoginThrottle): over the limit, every check throws TooManyRequests (429).
 */
@Injectable()
export class Credentials {
  constructor(private readonly users: UserRepository, private readonly throttle: LoginThrottle) {}

  /**
   * Does `password` open this account? False for accounts without a password (token-only) and for inactive ones.
   * `address`: where the attempt comes from (the request's), counted besides the account.
   */
  async matches(user: Pick<UserRow, 'id' | 'password_hash' | 'state'>, password: string, address?: string): Promise<boolean> {
    this.throttle.assertMayTry(user.id, address);
    const ok = await this.verify(user, password);
    if (ok) this.throttle.succeeded(user.id);
    else this.throttle.failed(user.id, address);
    return ok;
  }

  /** The active user `login` (name or e-mail) and `password` identify, or null. */
  async check(db: EntityManager, login: string, password: string, address?: string): Promise<UserRow | null> {
    const user = (await this.users.find(db, login)) ?? (await this.users.findByEmail(db, login));
    if (!user || !user.password_hash) {
      // Unknown logins are counted too, under the name tried, so a lock says nothing about whether an account exists.
      const key = user?.id ?? `login:${login.trim().toLowerCase()}`;
      this.throttle.assertMayTry(key, address);
      await verifyPassword(await (decoyHash ??= hashPassword('decoy password')), password);
      this.throttle.failed(key, address);
      return null;
    }
    return (await this.matches(user, password, address)) ? user : null;
  }

  private async verify(user: Pick<UserRow, 'password_hash' | 'state'>, password: string): Promise<boolean> {
    if (!user.password_hash || user.state !== 'active') return false;
    return verifyPassword(user.password_hash, password);
  }
}
