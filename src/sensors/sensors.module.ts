import { Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { ActionRegistry } from '../api/action-registry';
import { EndpointDocs } from '../api/endpoint-docs';
import { STA_ENDPOINT_PATHS, STA_ENDPOINT_TAG } from './sta/sta.api-docs';
import { AuthModule } from '../auth/auth.module';
import { LiveTokens } from '../auth/live-tokens';
import { CatalogModule } from '../catalog/catalog.module';
import { DatasetChanges } from '../catalog/datasets/dataset-changes';
import { DatastoreModule } from '../datastore/datastore.module';
import { JobsModule } from '../jobs/jobs.module';
import { StaModule } from './sta/sta.module';
import { SensorCatalog } from './catalog/sensor-catalog.service';
import { SensorDatasetChanges } from './catalog/sensor-dataset-changes';
import { SensorPollJob } from './catalog/sensor-poll.job';
import { SensorPollers } from './catalog/sensor-poller';
import { SensorDatasetReadActions } from './catalog/sensor-dataset-read.actions';
import { SensorSourceReadActions } from './catalog/sensor-source-read.actions';
import { SensorSourceRunActions } from './catalog/sensor-source-run.actions';
import { SensorSourceWriteActions } from './catalog/sensor-source-write.actions';
import { SensorSourceRepository } from './catalog/sensor-source.repository';
import { SensorThingRepository } from './catalog/sensor-thing.repository';
import { ObservationsModule } from './observations/observations.module';
import { MqttModule } from './mqtt/mqtt.module';
import { MqttIngest } from './mqtt/mqtt-ingest';
import { SensorSourceChanges } from './catalog/sensor-source-changes';
import { LiveRepository } from './live/live.repository';
import { MqttSources } from './live/mqtt-sources';
import { EntityUpdates } from './live/entity-updates';
import { ObservationUpdates } from './live/observation-updates';
import { StaCreateObservations } from './live/sta-create-observations';
import { StaMqttCreate } from './live/sta-mqtt-create';
import { StaObservations } from './live/sta-observations';
import { StaWriteController } from './live/sta-write.controller';
import { StaLocationLinks, StaWriteRepository } from './live/sta-write.repository';
import { StaCreator } from './live/sta-create.service';
import { StaPermissions } from './live/sta-permissions';
import { StaWriter } from './live/sta-write.service';

/**
 * Live sensor datasets (issue 12): a station or detector site is a dataset of `type: "sensor"` and a SensorThings
 * Thing; each measured quantity a Datastream and a DataStore-active resource of it. Parts:
 *  - observations/: the one writer of readings (units, sentinels, plausibility, duplicates, revisions, latest),
 *    partitions, aggregates and retention;
 *  - catalog/: sensor datasets and sources (`sensor_source_*`), Things and Datastreams kept in step with them, and
 *    the read-only DataStore views of their observations; the poll jobs and the registry of pollers;
 *  - ingest/: adapters that only parse and map (PEGELONLINE, DATEX II, MQTT payloads, HTTP push);
 *  - sta/: the SensorThings API v1.1 (query language, reads);
 *  - live/: SensorThings writes (Create-Update-Delete, CreateObservations, MQTT create), MQTT "receive updates" of
 *    Observations (ObservationUpdates, for every path that writes them) and of the other entities written over HTTP
 *    (EntityUpdates), and the subscriptions of `mqtt` sources.
 * Its tables are in migrations 1795800000000-Sensors and 1795830000000-SensorCatalog.
 */
@Module({
  imports: [CatalogModule, AuthModule, JobsModule, DatastoreModule, StaModule, ObservationsModule, MqttModule],
  providers: [
    SensorSourceRepository, SensorThingRepository, SensorCatalog, SensorPollers, SensorPollJob, SensorDatasetChanges,
    SensorSourceReadActions, SensorSourceWriteActions, SensorSourceRunActions, SensorSourceChanges, SensorDatasetReadActions,
    LiveRepository, StaWriteRepository, StaLocationLinks, StaObservations, ObservationUpdates, StaPermissions, StaCreator, StaWriter, StaCreateObservations, StaMqttCreate, MqttSources,
    EntityUpdates,
  ],
  controllers: [StaWriteController],
  exports: [SensorCatalog, SensorPollers, SensorSourceRepository, ObservationsModule, MqttModule, ObservationUpdates],
})
export class SensorsModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly registry: ActionRegistry,
    private readonly endpoints: EndpointDocs,
    private readonly changes: DatasetChanges,
    private readonly datasetChanges: SensorDatasetChanges,
    private readonly pollJob: SensorPollJob,
    private readonly sourceReads: SensorSourceReadActions,
    private readonly datasetReads: SensorDatasetReadActions,
    private readonly sourceWrites: SensorSourceWriteActions,
    private readonly sourceRuns: SensorSourceRunActions,
    private readonly sourceChanges: SensorSourceChanges,
    private readonly staMqttCreate: StaMqttCreate,
    private readonly mqttSources: MqttSources,
    private readonly mqtt: MqttIngest,
    private readonly liveTokens: LiveTokens,
  ) {}

  onModuleInit(): void {
    this.endpoints.register(STA_ENDPOINT_TAG, STA_ENDPOINT_PATHS);
    this.registry.register([...this.sourceReads.all(), ...this.datasetReads.all(), ...this.sourceWrites.all(), ...this.sourceRuns.all()]);
    this.changes.onWrite((ctx, ids) => this.datasetChanges.onWrite(ctx, ids));
    this.pollJob.register();
    this.staMqttCreate.register();
    // The own broker's clients may publish with an API token (scope `ingest`) as their password.
    this.mqtt.useTokens(this.liveTokens);
    this.sourceChanges.onChange(() => this.mqttSources.refresh());
  }

  /** The mqtt sources' topics, once the database is up. */
  onApplicationBootstrap(): Promise<void> {
    return this.mqttSources.refresh();
  }
}
