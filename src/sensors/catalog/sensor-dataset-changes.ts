import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { DatasetDicts } from '../../catalog/datasets/dataset-dicts.service';
import { SensorThingRepository } from './sensor-thing.repository';

/**
 * What a dataset write means for the SensorThings entities behind sensor datasets (DatasetChanges.onWrite, inside the
 * writing transaction): a deleted or purged sensor dataset takes its Thing along (Locations, history, Datastreams, their
 * Sensors, observations, revisions, latest values and aggregates); a datastream resource removed from its dataset takes
 * its Datastream and observations. The DataStore drops the views of the removed resources in the same transaction
 * (DatastoreModule's dropOrphans). A later poll of the source makes the station's dataset again.
 */
@Injectable()
export class SensorDatasetChanges {
  constructor(private readonly things: SensorThingRepository, private readonly dicts: DatasetDicts) {}

  async onWrite(ctx: ActionContext, datasetIds: string[]): Promise<void> {
    const things = await this.things.ofPackages(ctx.db, datasetIds);
    for (const thing of things) {
      const d = await this.dicts.get(ctx, thing.package_id);
      if (!d || d.visibility.state === 'deleted') {
        await this.things.deleteThing(ctx.db, thing.id);
        continue;
      }
      const dict = JSON.parse(d.utf8.toString('utf8')) as { resources?: { id: string }[] };
      const live = new Set((dict.resources ?? []).map((r) => r.id));
      const gone = (await this.things.datastreams(ctx.db, thing.id)).filter((ds) => ds.resource_id && !live.has(ds.resource_id)).map((ds) => ds.id);
      await this.things.deleteDatastreams(ctx.db, gone);
      const keep = (id: string | null): string | null => (id && live.has(id) ? id : null);
      const resources = { latest: keep(thing.latest_resource_id), hourly: keep(thing.hourly_resource_id), daily: keep(thing.daily_resource_id) };
      if (resources.latest !== thing.latest_resource_id || resources.hourly !== thing.hourly_resource_id || resources.daily !== thing.daily_resource_id) {
        await this.things.setThingResources(ctx.db, thing.id, resources);
      }
    }
  }
}
