import { Module } from '@nestjs/common';
import type { Logger } from '../common/logger';
import { LOGGER } from '../common/logger.provider';
import { APP_CONFIG, AppConfig } from '../config/env';
import { DataSource } from 'typeorm';
import { Database } from '../database/database.module';
import { JobQueue } from './job-queue';

/**
 * The job queue, for the modules that register or enqueue work. Not global on purpose: Nest shuts
 * imported modules down after their importers, so the queue stops (letting running jobs finish) after
 * the modules that feed it, and before the global core module closes the database.
 */
@Module({
  providers: [
    {
      provide: JobQueue,
      // DataSource: built only once the database has started and migrated (pg-boss's schema comes from a migration).
      inject: [APP_CONFIG, Database, DataSource, LOGGER],
      useFactory: (config: AppConfig, database: Database, _ready: DataSource, log: Logger) =>
        new JobQueue(
          {
            url: database.url,
            worker: config.JOBS_WORKER,
            concurrency: config.JOBS_CONCURRENCY,
            pollIntervalMs: config.JOBS_POLL_INTERVAL_MS,
            shutdownTimeoutMs: config.JOBS_SHUTDOWN_TIMEOUT_MS,
          },
          log.child({ component: 'jobs' }),
        ),
    },
  ],
  exports: [JobQueue],
})
export class JobsModule {}
