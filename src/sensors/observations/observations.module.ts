import { Module } from '@nestjs/common';
import { JobsModule } from '../../jobs/jobs.module';
import { AggregateRepository } from './aggregate.repository';
import { AggregateService } from './aggregates';
import { IngestBatchRepository } from './ingest-batch.repository';
import { ObservationJobs } from './observation-jobs';
import { ObservationWriter } from './observation-writer';
import { ObservationRepository } from './observation.repository';
import { PartitionRepository } from './partition.repository';
import { PartitionManager } from './partitions';
import { RetentionService } from './retention';

/**
 * The one writer of observations (ObservationWriter), idempotent batches (IngestBatchRepository), and the upkeep:
 * partitions, aggregates, retention, as jobs. Adapters, SensorThings writes and pushes use the exports.
 */
@Module({
  imports: [JobsModule],
  providers: [ObservationRepository, PartitionRepository, AggregateRepository, ObservationWriter, IngestBatchRepository, PartitionManager, AggregateService, RetentionService, ObservationJobs],
  exports: [ObservationWriter, ObservationRepository, IngestBatchRepository, PartitionManager, AggregateService, RetentionService],
})
export class ObservationsModule {}
