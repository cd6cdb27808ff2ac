import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { ActionProvider, AnyAction, allow, defineAction, deny } from '../../api/action';
import { NotFound } from '../../api/errors';
import { Visibility } from '../../auth/visibility';
import { DatasetDicts } from '../../catalog/datasets/dataset-dicts.service';
import type { CachedDataset } from '../../catalog/datasets/dataset-dict.cache';
import { SensorDatasetIdInput } from './sensor-source.dto';
import { SensorThingRepository } from './sensor-thing.repository';

/** What the observations of a sensor dataset cover (sensor_dataset_period); DCAT publishes it as dcterms:temporal. */
export interface SensorDatasetPeriod {
  id: string;
  /** The first observation's phenomenon time (ISO 8601, UTC), null while the dataset has none. */
  start: string | null;
  /** Always null: a live dataset has no end. */
  end: null;
}

/** sensor_dataset_period. */
@Injectable()
export class SensorDatasetReadActions implements ActionProvider {
  constructor(private readonly things: SensorThingRepository, private readonly dicts: DatasetDicts, private readonly visibility: Visibility) {}

  private async load(ctx: ActionContext, id: string): Promise<CachedDataset> {
    const d = await this.dicts.get(ctx, id);
    if (!d) throw new NotFound('Dataset not found');
    return d;
  }

  readonly period = defineAction({
    name: 'sensor_dataset_period',
    help: `Return the time a sensor dataset's observations cover: {id, start, end}, start the phenomenon time of its first
observation over all its datastreams (ISO 8601, UTC) or null while it has none (also for a dataset that is no sensor
dataset), end always null, as the dataset is live. Params: id (id or name of the dataset). Who may call: whoever may read
the dataset (package_show's rule).`,
    sideEffectFree: true,
    anonymous: true,
    input: SensorDatasetIdInput,
    auth: async (ctx, { id }) => {
      const d = await this.load(ctx, id);
      return (await this.visibility.canRead(ctx, d.visibility)) ? allow() : deny(`User ${ctx.user?.name ?? ''} not authorized to read package ${d.id}`);
    },
    handler: async (ctx, { id }): Promise<SensorDatasetPeriod> => {
      const d = await this.load(ctx, id);
      return { id: d.id, start: await this.things.firstObservationAt(ctx.db, d.id), end: null };
    },
  });

  all = (): AnyAction[] => [this.period];
}
