import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Dispatcher } from './api/dispatcher';
import { ensureSysadminFromEnv } from './auth/bootstrap-sysadmin';
import { UserRepository } from './auth/user.repository';
import { AppConfig, ConfigError, loadConfig } from './config/env';
import { createLogger, isReadableLog } from './common/logger';
import { portUnavailable } from './common/port-check';
import { Database } from './database/database.module';
import { createHttpApp } from './http';
import { MqttIngest } from './sensors/mqtt/mqtt-ingest';
import { ownBrokerPortProblem } from './sensors/mqtt/mqtt-settings';

/** An error a person can act on from its message alone: printed as one line, without a stack. */
class StartError extends Error {}

async function bootstrap(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  // Before the database is initialised and migrated: a busy port is the commonest reason a start fails.
  const busy = await portUnavailable(config.PORT, config.HOST);
  if (busy) throw new StartError(busy);
  const mqttBusy = await ownBrokerPortProblem(config);
  if (mqttBusy) throw new StartError(mqttBusy);
  const log = createLogger(config.LOG_LEVEL, 1, config.LOG_FORMAT);
  // The database (embedded unless DATABASE_URL is set) starts and migrates inside the app's DatabaseModule.
  const app = await createHttpApp({ config, logger: log, database: { migrate: true } });
  try {
    const database = app.get(Database);
    await ensureSysadminFromEnv(app.get(Dispatcher), app.get(UserRepository), config, log);
    try {
      await app.listen({ port: config.PORT, host: config.HOST });
    } catch (err) {
      // Taken between our check and now.
      const message = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? await portUnavailable(config.PORT, config.HOST) : undefined;
      throw message ? new StartError(message) : err;
    }
    // SIGTERM/SIGINT: stop taking requests, let running ones finish, close the pool, stop the embedded
    // database, and flush the (asynchronous) log before exiting, so its last lines are never lost.
    const shutdown = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'shutting down');
      void app
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
    if (isReadableLog(config.LOG_FORMAT)) process.stdout.write(readySummary(config, database, app.get(MqttIngest)));
  } catch (err) {
    await app.close();
    throw err;
  }
}

/** What a person at a terminal needs after `npm start`: where the catalog answers and where its data lives. */
function readySummary(config: AppConfig, database: Database, mqtt: MqttIngest): string {
  const db = database.embedded
    ? `embedded PostgreSQL on 127.0.0.1:${database.embedded.port}, data in ${resolve(config.DATA_DIR, 'pg')}`
    : `PostgreSQL at ${redactedUrl(database.url)} (DATABASE_URL)`;
  const files = config.STORAGE_S3_BUCKET ? `S3 bucket ${config.STORAGE_S3_BUCKET}${config.STORAGE_S3_ENDPOINT ? ` at ${config.STORAGE_S3_ENDPOINT}` : ''}` : resolve(config.STORAGE_PATH);
  const search = config.MEILI_URL ? `Meilisearch at ${config.MEILI_URL} for free text, PostgreSQL for the rest` : config.SEARCH_IN_MEMORY ? 'in memory, from PostgreSQL' : 'PostgreSQL';
  return [
    '',
    `  Catalog ready at ${config.SITE_URL}  (listening on ${config.HOST}:${config.PORT})`,
    `  CKAN API     ${config.SITE_URL}/api/3/action/status_show`,
    `  DCAT-AP.de   ${config.SITE_URL}/catalog.ttl`,
    `  Database     ${db}`,
    `  Uploads      ${files}`,
    `  Search       ${search}`,
    `  MQTT         ${mqttLine(mqtt)}`,
    `  A sysadmin:  ${cliPrefix(config)}npm run --silent cli -- user add NAME --sysadmin   (prints its API token)`,
    '  Stop with Ctrl-C.',
    '',
    '',
  ].join('\n');
}

/** Where sensors publish and SensorThings clients receive updates. */
function mqttLine(mqtt: MqttIngest): string {
  const s = mqtt.settings;
  if (s.mode === 'own') return `built-in broker on mqtt://${s.host}:${mqtt.brokerPort} (MQTT 3.1.1)`;
  if (s.mode === 'external') return `${redactedUrl(s.url)} as ${s.clientId} (MQTT ${s.protocolVersion === 5 ? '5' : '3.1.1'})`;
  return 'off';
}

/** The CLI must find the same database: repeat a DATA_DIR that is not the default. */
function cliPrefix(config: AppConfig): string {
  return !config.DATABASE_URL && resolve(config.DATA_DIR) !== resolve('./data') ? `DATA_DIR=${resolve(config.DATA_DIR)} ` : '';
}

function redactedUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

bootstrap().catch((err: unknown) => {
  const message = err instanceof ConfigError || err instanceof StartError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
