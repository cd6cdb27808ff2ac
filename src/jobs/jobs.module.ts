import { Module } from '@nestjs/common';
import type { Logger } from '../common/logger';
import { LOGGER } from '../common/logger.provider';
import { APP_CONFIG, AppConfig } from '../config/env';
import { DataSource } from 'typeorm';
import { Database } from '../database/database.module';
import { JobQueue } from './job-queue';

/**
 * The job queue, for the modules that register or enqueue work. At shutdown its workers stop (running jobs
 * finish) in beforeApplicationShutdown, while the database and the HTTP server still run; its pool closes
 * when the database asks, before PostgreSQL stops (Database.closeBefore).
 */
@Module({
  providers: [
    {
      provide: JobQueue,
      // DataSource: built only once the database has started and migrated (pg-boss's schema comes from a migration).
      inject: [APP_CONFIG, Database, DataSource, LOGGER],
      useFactory: (config: AppConfig, database: Database, _ready: DataSource, log: Logger) => {
        const queue = new JobQueue(
          {
            url: database.url,
            worker: config.JOBS_WORKER,
            concurrency: config.JOBS_CONCURRENCY,
            pollIntervalMs: config.JOBS_POLL_INTERVAL_MS,
            shutdownTimeoutMs: config.JOBS_SHUTDOWN_TIMEOUT_MS,
          },
          log.child({ component: 'jobs' }),
        );
        database.closeBefore(() => queue.stop());
        return queue;
      },
    },
  ],
  exports: [JobQueue],
})
export class JobsModule {}
