import { DataSource } from 'typeorm';
import { AppConfig } from '../config/env';
import type { Logger } from '../common/logger';
import { openDatabase } from '../database/database-connection';

/** What every CLI command gets: configuration, a stderr logger, stdout for answers, and the database. */
export class CliRuntime {
  constructor(readonly config: AppConfig, readonly log: Logger) {}

  out(text: string): void {
    process.stdout.write(`${text}\n`);
  }

  err(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  async withDatabase<T>(opts: { migrate: boolean }, fn: (ds: DataSource) => Promise<T>): Promise<T> {
    const db = await openDatabase(this.config, this.log, { migrate: opts.migrate, poolSize: 4, applicationName: 'catalog-cli' });
    try {
      return await fn(db.dataSource);
    } finally {
      await db.close();
    }
  }
}
