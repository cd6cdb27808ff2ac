import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { WriteHooks } from '../../api/write-hooks';
import { SensorCatalog, type StationSource, type SyncResult } from '../catalog/sensor-catalog.service';
import type { PolledSource } from '../catalog/sensor-poller';
import { IngestBatchRepository } from '../observations/ingest-batch.repository';
import { ObservationWriter, type WriteCounts } from '../observations/observation-writer';
import { ObservationUpdates } from '../live/observation-updates';
import type { IngestWarning, ReadingBatch, StationInfo } from '../readings';

/** What a poll stored, as PollResult counts. */
export interface StoredBatch {
  counts: Record<string, number>;
  warnings: IngestWarning[];
  /** The newest time stored or confirmed per `station/stream` (epoch ms), for the cursor. */
  newest: Map<string, number>;
}

export const sourceOf = (s: PolledSource): StationSource => ({ id: s.id, name: s.name, owner_org: s.owner_org, type: s.type, config: s.config as StationSource['config'] });

/**
 * The part every poller shares: stations made or updated through the catalog (each in its own transaction: a station's
 * dataset is there even when a later fetch fails), and one poll's readings resolved and written by the one writer in
 * ONE transaction with a batch of their own, so a poll stores all it fetched or nothing.
 */
@Injectable()
export class PollWriter {
  constructor(
    private readonly catalog: SensorCatalog,
    private readonly writer: ObservationWriter,
    private readonly batches: IngestBatchRepository,
    private readonly updates: ObservationUpdates,
    private readonly writeHooks: WriteHooks,
  ) {}

  async syncStations(ctx: ActionContext, source: PolledSource, stations: StationInfo[]): Promise<SyncResult[]> {
    const out: SyncResult[] = [];
    for (const station of stations) out.push(await this.catalog.syncStation(ctx, sourceOf(source), station));
    return out;
  }

  async store(ctx: ActionContext, source: PolledSource, batch: ReadingBatch): Promise<StoredBatch> {
    return ctx.forRun().transaction(async (tx) => {
      const { readings, warnings } = await this.writer.resolve(tx.db, source.id, batch);
      const batchId = await this.batches.open(tx.db, source.id);
      const result = await this.writer.write(tx.db, { sourceId: source.id, batchId, readings, returnIds: true });
      // SensorThings receive-updates: what this poll stored, on MQTT once it is committed.
      this.updates.afterCommit(tx, result.ids ?? []);
      const newest = new Map<string, number>();
      for (const r of readings) {
        const key = `${r.station}/${r.stream}`;
        if (r.time.getTime() > (newest.get(key) ?? -Infinity)) newest.set(key, r.time.getTime());
      }
      await this.batches.finish(tx.db, batchId, 200, null, result.counts);
      await this.writeHooks.recordWrite(tx, 'sensor_poll', { source: source.id, ...countsOf(result.counts) }, { id: source.id });
      return { counts: countsOf(result.counts), warnings: [...warnings, ...result.warnings], newest };
    });
  }
}

/** The writer's counts under the names a source shows (`readings`, `stored`, ...). */
export function countsOf(c: WriteCounts): Record<string, number> {
  return {
    readings: c.received, stored: c.inserted, unchanged: c.unchanged, revised: c.revised, missing: c.missing, invalid: c.invalid,
    late_refused: c.late_refused, duplicates: c.duplicates,
  };
}
