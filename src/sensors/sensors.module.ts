import { Module, OnModuleInit } from '@nestjs/common';
import { ActionRegistry } from '../api/action-registry';
import { AuthModule } from '../auth/auth.module';
import { CatalogModule } from '../catalog/catalog.module';
import { DatasetChanges } from '../catalog/datasets/dataset-changes';
import { DatastoreModule } from '../datastore/datastore.module';
import { JobsModule } from '../jobs/jobs.module';
import { StaModule } from './sta/sta.module';
import { SensorCatalog } from './catalog/sensor-catalog.service';
import { SensorDatasetChanges } from './catalog/sensor-dataset-changes';
import { SensorPollJob } from './catalog/sensor-poll.job';
import { SensorPollers } from './catalog/sensor-poller';
import { SensorSourceReadActions } from './catalog/sensor-source-read.actions';
import { SensorSourceRunActions } from './catalog/sensor-source-run.actions';
import { SensorSourceWriteActions } from './catalog/sensor-source-write.actions';
import { SensorSourceRepository } from './catalog/sensor-source.repository';
import { SensorThingRepository } from './catalog/sensor-thing.repository';
import { ObservationsModule } from './observations/observations.module';
import { MqttModule } from './mqtt/mqtt.module';

/**
 * Live sensor datasets (issue 12): a station or detector site is a dataset of `type: "sensor"` and a SensorThings
 * Thing; each measured quantity a Datastream and a DataStore-active resource of it. Parts:
 *  - observations/: the one writer of readings (units, sentinels, plausibility, duplicates, revisions, latest),
 *    partitions, aggregates and retention;
 *  - catalog/: sensor datasets and sources (`sensor_source_*`), Things and Datastreams kept in step with them, and
 *    the read-only DataStore views of their observations; the poll jobs and the registry of pollers;
 *  - ingest/: adapters that only parse and map (PEGELONLINE, DATEX II, MQTT payloads, HTTP push);
 *  - sta/: the SensorThings API v1.1 (query language, reads, writes, MQTT).
 * Its tables are in migrations 1795800000000-Sensors and 1795830000000-SensorCatalog.
 */
@Module({
  imports: [CatalogModule, AuthModule, JobsModule, DatastoreModule, StaModule, ObservationsModule, MqttModule],
  providers: [
    SensorSourceRepository, SensorThingRepository, SensorCatalog, SensorPollers, SensorPollJob, SensorDatasetChanges,
    SensorSourceReadActions, SensorSourceWriteActions, SensorSourceRunActions,
  ],
  exports: [SensorCatalog, SensorPollers, SensorSourceRepository, ObservationsModule, MqttModule],
})
export class SensorsModule implements OnModuleInit {
  constructor(
    private readonly registry: ActionRegistry,
    private readonly changes: DatasetChanges,
    private readonly datasetChanges: SensorDatasetChanges,
    private readonly pollJob: SensorPollJob,
    private readonly sourceReads: SensorSourceReadActions,
    private readonly sourceWrites: SensorSourceWriteActions,
    private readonly sourceRuns: SensorSourceRunActions,
  ) {}

  onModuleInit(): void {
    this.registry.register([...this.sourceReads.all(), ...this.sourceWrites.all(), ...this.sourceRuns.all()]);
    this.changes.onWrite((ctx, ids) => this.datasetChanges.onWrite(ctx, ids));
    this.pollJob.register();
  }
}
