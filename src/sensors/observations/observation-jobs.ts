import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobQueue } from '../../jobs/job-queue';
import { AGGREGATE_JOB, AggregateService } from './aggregates';
import { PARTITIONS_JOB, PartitionManager } from './partitions';
import { RETENTION_JOB, RetentionService } from './retention';

/**
 * The observations' upkeep as jobs on the project's queue (one process of all runs each tick): partitions for the
 * coming months daily, aggregates every ten minutes, retention nightly.
 */
@Injectable()
export class ObservationJobs implements OnModuleInit {
  constructor(
    private readonly jobs: JobQueue,
    private readonly partitions: PartitionManager,
    private readonly aggregates: AggregateService,
    private readonly retention: RetentionService,
  ) {}

  onModuleInit(): void {
    this.jobs.register(PARTITIONS_JOB, { retry: { limit: 3, delaySeconds: 60 }, handler: () => this.partitions.ensureAhead() });
    this.jobs.schedule(PARTITIONS_JOB, '11 0 * * *');
    this.jobs.register(AGGREGATE_JOB, { retry: { limit: 2, delaySeconds: 60 }, timeoutSeconds: 30 * 60, handler: () => this.aggregates.run() });
    this.jobs.schedule(AGGREGATE_JOB, '*/10 * * * *');
    this.jobs.register(RETENTION_JOB, { retry: { limit: 2, delaySeconds: 300 }, timeoutSeconds: 2 * 60 * 60, handler: () => this.retention.run() });
    this.jobs.schedule(RETENTION_JOB, '41 2 * * *');
  }
}
