import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { ActionContext } from '../api/action-context';
import { Dispatcher } from '../api/dispatcher';
import { AppModule } from '../app.module';
import { AppConfig } from '../config/env';
import type { Logger } from '../common/logger';
import { openDatabase } from '../database/database-connection';
import { ENTITIES } from '../entities';

/** What every CLI command gets: configuration, a stderr logger, stdout for answers, and the database. */
export class CliRuntime {
  constructor(readonly config: AppConfig, readonly log: Logger) {}

  out(text: string): void {
    process.stdout.write(`${text}\n`);
  }

  err(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  /**
   * Runs fn with a context that acts as the site itself (auth skipped), through the same dispatcher
   * and actions as the HTTP API; migrations are applied first, as the server does. The catalog must
   * exist already: a CLI started with other settings than the server's must not make a second one.
   */
  async withActions<T>(fn: (ctx: ActionContext) => Promise<T>): Promise<T> {
    return this.withApp((app) => fn(app.get(Dispatcher).context(null, { ignoreAuth: true, log: this.log })));
  }

  /** The service without HTTP, on the same database as the server. */
  async withApp<T>(fn: (app: INestApplicationContext) => Promise<T>): Promise<T> {
    const database = { migrate: true, existingCatalog: true, poolSize: 4, applicationName: 'catalog-cli' };
    // A command enqueues jobs (its writes file them) but runs none, and neither runs nor joins MQTT: that is the servers' work.
    const config = { ...this.config, JOBS_WORKER: false, MQTT_URL: 'off' };
    const app = await NestFactory.createApplicationContext(AppModule.register({ config, logger: this.log, database }), { logger: false, abortOnError: false });
    try {
      return await fn(app);
    } finally {
      await app.close();
    }
  }

  /** The database alone; `existingCatalog`: refuse to create one (every command but those that build the schema). */
  async withDatabase<T>(opts: { migrate: boolean; existingCatalog: boolean }, fn: (ds: DataSource) => Promise<T>): Promise<T> {
    const db = await openDatabase(this.config, this.log, ENTITIES, { ...opts, poolSize: 4, applicationName: 'catalog-cli' });
    try {
      return await fn(db.dataSource);
    } finally {
      await db.close();
    }
  }
}
