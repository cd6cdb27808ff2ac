import { Inject, Injectable } from '@nestjs/common';
import { TooManyRequests } from '../api/errors';
import { AddressList, addressKey } from '../common/address-list';
import { APP_CONFIG, AppConfig } from '../config/env';

/** Failures counted in one window, from the first of them. */
interface Count {
  failures: number;
  startedAt: number;
}

/**
 * Failures per key in fixed windows, in this process's memory, holding at most `capacity` keys: when full, the
 * key not touched longest is forgotten (an attacker who floods it with names only clears counts, never blocks more).
 */
export class FailureCounter {
  private readonly counts = new Map<string, Count>();

  constructor(readonly limit: number, private readonly windowMs: number, private readonly capacity: number, private readonly now: () => number = Date.now) {}

  /** Milliseconds until `key` may try again, or 0 while it is under the limit. */
  blockedFor(key: string): number {
    if (this.limit === 0) return 0;
    const c = this.live(key);
    return c && c.failures >= this.limit ? c.startedAt + this.windowMs - this.now() : 0;
  }

  fail(key: string): void {
    if (this.limit === 0) return;
    const c = this.live(key) ?? { failures: 0, startedAt: this.now() };
    c.failures += 1;
    this.counts.delete(key);
    this.counts.set(key, c);
    if (this.counts.size > this.capacity) this.counts.delete(this.counts.keys().next().value!);
  }

  forget(key: string): void {
    this.counts.delete(key);
  }

  private live(key: string): Count | undefined {
    const c = this.counts.get(key);
    if (c && c.startedAt + this.windowMs <= this.now()) {
      this.counts.delete(key);
      return undefined;
    }
    return c;
  }
}

/** Keys each counter holds at most (about 100 bytes each). */
const CAPACITY = 50_000;

/**
 * Limits failed password checks, per account and per address, apart from the request rate limits: after
 * RATE_LIMIT_LOGIN_PER_ACCOUNT failures for one account (or RATE_LIMIT_LOGIN_PER_ADDRESS from one address) in
 * RATE_LIMIT_LOGIN_WINDOW_SECONDS, every password check for it is refused, right or wrong, until the window ends,
 * so guessing learns nothing more. A success clears the account's count. Counts live in this process only.
 * Addresses in RATE_LIMIT_EXEMPT_ADDRESSES are not counted per address (their accounts still are).
 */
@Injectable()
export class LoginThrottle {
  private readonly accounts: FailureCounter;
  private readonly addresses: FailureCounter;
  private readonly exempt: AddressList;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const windowMs = config.RATE_LIMIT_LOGIN_WINDOW_SECONDS * 1000;
    this.accounts = new FailureCounter(config.RATE_LIMIT_LOGIN_PER_ACCOUNT, windowMs, CAPACITY);
    this.addresses = new FailureCounter(config.RATE_LIMIT_LOGIN_PER_ADDRESS, windowMs, CAPACITY);
    this.exempt = new AddressList(config.RATE_LIMIT_EXEMPT_ADDRESSES);
  }

  private addressKey(address: string | undefined): string | undefined {
    return address && !this.exempt.has(address) ? addressKey(address) : undefined;
  }

  /** Throws TooManyRequests (429) while the account or the address has used up its failures. */
  assertMayTry(account: string, address: string | undefined): void {
    const byAccount = this.accounts.blockedFor(account);
    const addressKey = this.addressKey(address);
    const byAddress = addressKey ? this.addresses.blockedFor(addressKey) : 0;
    const wait = Math.max(byAccount, byAddress);
    if (wait <= 0) return;
    const seconds = Math.ceil(wait / 1000);
    const minutes = Math.ceil(seconds / 60);
    const who = byAccount >= byAddress ? 'for this account' : 'from this address';
    throw new TooManyRequests(`Too many failed password attempts ${who}; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`, seconds);
  }

  failed(account: string, address: string | undefined): void {
    this.accounts.fail(account);
    const addressKey = this.addressKey(address);
    if (addressKey) this.addresses.fail(addressKey);
  }

  succeeded(account: string): void {
    this.accounts.forget(account);
  }
}
