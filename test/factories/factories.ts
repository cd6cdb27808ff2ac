import type { Dispatcher } from '../../src/api/dispatcher';
import type { TestApp } from '../test-app';

export interface TestUser {
  id: string;
  name: string;
  sysadmin: boolean;
  /** An API token of the user, for HTTP tests. */
  token: string;
}

type Dict = Record<string, unknown> & { id: string; name: string };

/**
 * Test data made through the actions themselves, so it passes the same validation as a client's.
 * Names come from a counter, so tests never collide.
 */
export class Factories {
  private n = 0;
  private t?: TestApp;

  constructor(private readonly dispatcher: Dispatcher) {}

  bind(t: TestApp): void {
    this.t = t;
  }

  private next(prefix: string): string {
    this.n += 1;
    return `${prefix}-${this.n}`;
  }

  private internal() {
    return this.dispatcher.context(null, { ignoreAuth: true });
  }

  async user(o: { name?: string; sysadmin?: boolean; email?: string; password?: string; fullname?: string } = {}): Promise<TestUser> {
    const name = o.name ?? this.next('user');
    const u = await this.internal().call<{ id: string; token: string }>('user_create', {
      name,
      email: o.email ?? `${name}@example.org`,
      password: o.password ?? 'correct horse battery',
      sysadmin: o.sysadmin ?? false,
      fullname: o.fullname,
      with_apitoken: true,
    });
    return { id: u.id, name, sysadmin: o.sysadmin ?? false, token: u.token };
  }

  /** An organization created by the sysadmin; `members` get their roles in it. */
  async organization(o: Record<string, unknown> & { members?: [TestUser, 'admin' | 'editor' | 'member'][] } = {}): Promise<Dict> {
    const { members, ...fields } = o;
    const org = await this.t!.call<Dict>('organization_create', { name: this.next('org'), title: 'Gemeinde', ...fields });
    for (const [user, role] of members ?? []) await this.t!.call('organization_member_create', { id: org.id, username: user.name, role });
    return org;
  }

  async group(o: Record<string, unknown> & { members?: [TestUser, 'admin' | 'member'][] } = {}): Promise<Dict> {
    const { members, ...fields } = o;
    const g = await this.t!.call<Dict>('group_create', { name: this.next('group'), ...fields });
    for (const [user, role] of members ?? []) await this.t!.call('group_member_create', { id: g.id, username: user.name, role });
    return g;
  }

  /** A dataset in `owner_org`, created by `as` (default: the sysadmin). */
  async dataset(o: Record<string, unknown> & { owner_org: string }, as?: TestUser): Promise<Dict & { resources: Dict[] }> {
    return this.t!.call('package_create', { name: this.next('dataset'), title: 'Pegelstände', ...o }, as ? { as } : {});
  }
}
