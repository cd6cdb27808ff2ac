import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CatalogModule } from '../catalog/catalog.module';
import { DatastoreModule } from '../datastore/datastore.module';
import { JobsModule } from '../jobs/jobs.module';
import { MqttModule } from './mqtt/mqtt.module';

/**
 * Live sensor datasets (issue 12): a station or detector site is a dataset of `type: "sensor"` and a SensorThings
 * Thing; each measured quantity a Datastream and a DataStore-active resource of it. Parts:
 *  - observations/: the one writer of readings (units, sentinels, plausibility, duplicates, revisions, latest),
 *    partitions, aggregates and retention;
 *  - catalog/: sensor datasets and sources (`sensor_source_*`), Things and Datastreams kept in step with them, and
 *    the read-only DataStore views of their observations;
 *  - ingest/: adapters that only parse and map (PEGELONLINE, DATEX II, MQTT payloads, HTTP push);
 *  - sta/: the SensorThings API v1.1 (query language, reads, writes, MQTT).
 * Its tables are in migration 1795800000000-Sensors.
 */
@Module({
  imports: [CatalogModule, AuthModule, JobsModule, DatastoreModule, MqttModule],
  providers: [],
})
export class SensorsModule {}
