import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { hashPassword, verifyPassword } from './passwords';
import { UserRepository, UserRow } from './user.repository';

/** Compared against when no account matches, so an unknown login costs as long as a wrong password. */
let decoyHash: Promise<string> | undefined;

/**
 * THE password check: user_update's old_password and the web login both ask here. CKAN's ckan_authenticator:
 * a login is the user name or e-mail address; only active accounts with a password may log in.
 */
@Injectable()
export class Credentials {
  constructor(private readonly users: UserRepository) {}

  /** Does `password` open this account? False for accounts without a password (token-only) and for inactive ones. */
  async matches(user: Pick<UserRow, 'password_hash' | 'state'>, password: string): Promise<boolean> {
    if (!user.password_hash || user.state !== 'active') return false;
    return verifyPassword(user.password_hash, password);
  }

  /** The active user `login` (name or e-mail) and `password` identify, or null. */
  async check(db: EntityManager, login: string, password: string): Promise<UserRow | null> {
    const user = (await this.users.find(db, login)) ?? (await this.users.findByEmail(db, login));
    if (!user || !user.password_hash) {
      await verifyPassword(await (decoyHash ??= hashPassword('decoy password')), password);
      return null;
    }
    return (await this.matches(user, password)) ? user : null;
  }
}
