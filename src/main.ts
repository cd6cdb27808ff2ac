import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Dispatcher } from './api/dispatcher';
import { ensureSysadminFromEnv } from './auth/bootstrap-sysadmin';
import { ConfigError, loadConfig } from './config/env';
import { createLogger } from './common/logger';
import { openDatabase } from './database/database-connection';
import { createHttpApp } from './http';

async function bootstrap(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config, log, { migrate: true });
  try {
    const app = await createHttpApp({ config, logger: log, database });
    await ensureSysadminFromEnv(app.get(Dispatcher), config, log);
    await app.listen({ port: config.PORT, host: config.HOST });
    // SIGTERM/SIGINT: stop taking requests, let running ones finish, close the pool, stop the embedded
    // database, and flush the (asynchronous) log before exiting, so its last lines are never lost.
    const shutdown = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'shutting down');
      app
        .close()
        .then(() => 0, (err: unknown) => (log.error({ err }, 'shutdown failed'), 1))
        .then((code) => {
          log.info('catalog stopped');
          log.flush(() => process.exit(code));
        });
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
    log.info({ url: config.SITE_URL, port: config.PORT, database: database.embedded ? 'embedded' : 'external' }, 'catalog ready');
  } catch (err) {
    await database.close();
    throw err;
  }
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
