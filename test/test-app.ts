import 'reflect-metadata';
import type { Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ActionContext, Caller } from '../src/api/action-context';
import { Dispatcher } from '../src/api/dispatcher';
import { WriteHooks } from '../src/api/write-hooks';
import { MeiliSearchBackend, MEILI_BACKEND } from '../src/search/meili/meili-search.backend';
import { PgSearchBackend } from '../src/search/pg/pg-search.backend';
import { AppConfig, loadConfig } from '../src/config/env';
import { createLogger } from '../src/common/logger';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../src/http';
import { Factories, TestUser } from './factories/factories';
import { createTestDatabase, dropTestDatabase } from './test-db';

export type As = TestUser | Caller | null;

const NO_RATE_LIMITS = { RATE_LIMIT_ANONYMOUS: '0', RATE_LIMIT_TOKEN: '0', RATE_LIMIT_LOGIN_PER_ACCOUNT: '0', RATE_LIMIT_LOGIN_PER_ADDRESS: '0' };

/** The test file's own database: its URL (for a second process) and the app's DataSource (for checks in SQL). */
export interface TestDatabase {
  readonly url: string;
  readonly dataSource: DataSource;
}

/**
 * The whole service on its own fresh database: HTTP for supertest (`t.http`) and the dispatcher for
 * integration tests (`t.call`). Every test file starts one and stops it in afterAll.
 */
export class TestApp {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly config: AppConfig,
    readonly db: TestDatabase,
    private readonly dbName: string,
    readonly sysadmin: TestUser,
    readonly factories: Factories,
    /** The app's own folder for uploaded files (removed at stop), unless the test named another store. */
    private readonly filesDir: string | null,
    /** Writes that committed, counted beside the audit trail (see `countCommittedWrites`). */
    private readonly writes: { committed: number; hooked: number },
  ) {}

  static async start(env: Record<string, string> = {}): Promise<TestApp> {
    const { name, url } = await createTestDatabase();
    const filesDir = env.STORAGE_PATH || env.STORAGE_S3_BUCKET ? null : await mkdtemp(join(tmpdir(), 'catalog-test-files-'));
    const config = loadConfig({
      SITE_URL: 'http://catalog.test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', MQTT_PORT: '0', ...(filesDir ? { STORAGE_PATH: filesDir } : {}),
      // Every request of a test file comes from one address: limits are off unless a test turns them on.
      ...NO_RATE_LIMITS, ...env, DATABASE_URL: url,
    });
    const logger = createLogger(config.LOG_LEVEL);
    // The template is migrated already (test/global-setup.ts): no migration check per test file.
    const app = await createHttpApp({ config, logger, database: { migrate: false, poolSize: 5, applicationName: 'catalog-test' } });
    const db: TestDatabase = { dataSource: app.get(DataSource), url };
    const dispatcher = app.get(Dispatcher);
    const writes = countCommittedWrites(dispatcher, app.get(WriteHooks));
    const factories = new Factories(dispatcher);
    const sysadmin = await factories.user({ name: 'sysadmin', sysadmin: true });
    const t = new TestApp(app, config, db, name, sysadmin, factories, filesDir, writes);
    factories.bind(t);
    return t;
  }

  get http(): Server {
    return this.app.getHttpServer();
  }

  get dispatcher(): Dispatcher {
    return this.app.get(Dispatcher);
  }

  /** The context of a caller: a test user, a raw caller, or null for anonymous. */
  context(as: As = this.sysadmin): ActionContext {
    // A TestUser's token is its secret (for HTTP); a Caller's is what an API token grants, kept.
    const caller = as && { id: as.id, name: as.name, sysadmin: as.sysadmin, ...(typeof as.token === 'object' ? { token: as.token } : {}) };
    return this.dispatcher.context(caller);
  }

  /** Waits until every committed change is searchable in every search backend. */
  async searchIndexed(): Promise<void> {
    await this.app.get(PgSearchBackend).flush();
    const meili = this.app.get<MeiliSearchBackend | undefined>(MEILI_BACKEND, { strict: false });
    if (meili) await meili.flush();
  }

  /** Runs an action through the dispatcher, as `as` (sysadmin by default). */
  call<T = unknown>(name: string, data: Record<string, unknown> = {}, opts: { as?: As } = {}): Promise<T> {
    return this.context('as' in opts ? opts.as : this.sysadmin).call<T>(name, data);
  }

  async stop(): Promise<void> {
    await this.app.close();
    // Once nothing runs any more: every write action that committed must have left its audit row. (More rows are
    // fine: some files run the CLI or a second server on the same database, whose writes this process did not count.)
    const recorded = await auditedWrites(this.db.url);
    await dropTestDatabase(this.dbName);
    if (recorded < this.writes.committed) {
      throw new Error(`the audit trail holds ${recorded} writes, but ${this.writes.committed} write actions committed`);
    }
    if (recorded < this.writes.hooked) {
      throw new Error(`the audit trail holds ${recorded} writes, but ${this.writes.hooked} writes (actions, SensorThings, MQTT, pushes, polls, loads) committed`);
    }
    if (this.filesDir) await rm(this.filesDir, { recursive: true, force: true });
  }
}

/**
 * Counts, beside the service, every write that committed, so `stop` can check the audit trail against it: the audit
 * trail records every write the test suite makes, in every test file.
 *  - `committed`: write actions the dispatcher ran (nested ones count once their outermost write commits), counted
 *    apart from the write hooks, so an action that skipped them shows;
 *  - `hooked`: every write that passed the write hooks, also those that run as no action (SensorThings requests, MQTT
 *    messages, raw HTTP sensor_push, polls, DataStore loads: WriteHooks.recordWrite), so such a write whose record
 *    the audit trail drops shows.
 * A write that neither runs as an action nor passes the hooks is not seen here (README, Audit trail).
 */
function countCommittedWrites(dispatcher: Dispatcher, hooks: WriteHooks): { committed: number; hooked: number } {
  const writes = { committed: 0, hooked: 0 };
  const run = dispatcher.run.bind(dispatcher);
  dispatcher.run = async (name, data, parent) => {
    const result = await run(name, data, parent);
    if (dispatcher.exists(name) && !dispatcher.isSideEffectFree(name)) parent.afterCommit(() => void (writes.committed += 1));
    return result;
  };
  const hooked = hooks.run.bind(hooks);
  hooks.run = async (ctx, event) => {
    await hooked(ctx, event);
    ctx.afterCommit(() => void (writes.hooked += 1));
  };
  return writes;
}

async function auditedWrites(url: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_write');
    return rows[0].n;
  } finally {
    await c.end();
  }
}
