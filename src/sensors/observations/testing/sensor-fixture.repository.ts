import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createLogger } from '../../../common/logger';
import { createDataSource } from '../../../database/data-source';
import type { QuantityKey } from '../../readings';
import { AggregateRepository } from '../aggregate.repository';
import { AggregateService } from '../aggregates';
import { IngestBatchRepository } from '../ingest-batch.repository';
import { ObservationWriter } from '../observation-writer';
import { ObservationRepository, type DatastreamRef } from '../observation.repository';
import { PartitionRepository } from '../partition.repository';
import { PartitionManager } from '../partitions';
import { RetentionService } from '../retention';

/**
 * Test and bench set-up, not used by the service. The observations part put together on a database without Nest, for its DB tests and the bench: the services as the
 * module wires them, and SQL that makes a source, a Thing and Datastreams (the catalog part makes them in the service).
 */
export interface ObservationKit {
  ds: DataSource;
  repo: ObservationRepository;
  writer: ObservationWriter;
  partitions: PartitionManager;
  aggregates: AggregateService;
  retention: RetentionService;
  batches: IngestBatchRepository;
}

export async function observationKit(url: string, poolSize = 4): Promise<ObservationKit> {
  const ds = createDataSource({ url, entities: [], poolSize });
  await ds.initialize();
  const log = createLogger('silent');
  const repo = new ObservationRepository();
  const partitions = new PartitionManager(ds, new PartitionRepository(), log);
  const aggregateRepo = new AggregateRepository();
  const aggregates = new AggregateService(ds, aggregateRepo);
  return {
    ds, repo, partitions, aggregates,
    writer: new ObservationWriter(repo, partitions),
    retention: new RetentionService(ds, aggregates, partitions, aggregateRepo),
    batches: new IngestBatchRepository(),
  };
}

/** A source of type `push` with `config`; answers its id. */
export async function makeSource(ds: DataSource, config: object = {}): Promise<string> {
  const rows: { id: string }[] = await ds.query(
    `INSERT INTO sensor_source (name, owner_org, type, config) VALUES ($1, $2, 'push', $3::jsonb) RETURNING id`,
    [`source-${randomUUID()}`, randomUUID(), JSON.stringify(config)],
  );
  return rows[0].id;
}

export interface StreamSpec {
  key: string;
  quantity: QuantityKey;
  unit: string;
  intervalSeconds?: number;
  properties?: object;
}

/** A Thing (station `station` of `sourceId`, or of no source) with one Datastream per spec; answers them by key. */
export async function makeStation(ds: DataSource, sourceId: string | null, station: string, streams: StreamSpec[]): Promise<Record<string, DatastreamRef>> {
  const [thing]: { id: number }[] = await ds.query(
    `INSERT INTO sensor_thing (package_id, source_id, source_key, name) VALUES ($1, $2, $3, $3) RETURNING id`,
    [randomUUID(), sourceId, station],
  );
  const [sensor]: { id: number }[] = await ds.query(`INSERT INTO sensor_sensor (name) VALUES ('sensor') RETURNING id`);
  const out: Record<string, DatastreamRef> = {};
  for (const s of streams) {
    const [prop]: { id: number }[] = await ds.query(`INSERT INTO sensor_observed_property (name) VALUES ($1) RETURNING id`, [s.quantity]);
    const [row]: { id: number }[] = await ds.query(
      `INSERT INTO sensor_datastream (thing_id, sensor_id, observed_property_id, source_key, name, unit_of_measurement, quantity, interval_seconds, properties)
       VALUES ($1, $2, $3, $4, $4, $5::jsonb, $6, $7, $8::jsonb) RETURNING id`,
      [thing.id, sensor.id, prop.id, s.key, JSON.stringify({ name: s.unit, symbol: s.unit, definition: '' }), s.quantity, s.intervalSeconds ?? null, s.properties ? JSON.stringify(s.properties) : null],
    );
    out[s.key] = (await new ObservationRepository().datastreams(ds.manager, [Number(row.id)])).get(Number(row.id))!;
  }
  return out;
}
