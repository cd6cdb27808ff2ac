import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../api/action-context';
import { DatasetDicts } from '../catalog/datasets/dataset-dicts.service';
import { HarvestRepository, MirroredDataset } from './harvest.repository';

/** Per transaction: the datasets it wrote, mirrored once all of it is done. */
const WRITTEN = Symbol('harvest-mirror-written');

/**
 * harvest_dataset: what harvesting needs to know of the catalog datasets it follows (a source's dataset, a dataset a
 * current object holds), its state, organization and private flag, kept in harvest's own table so that its queries never
 * read the catalog's: which sources harvest_source_list lists and the scheduler queues (one query), total_datasets.
 * Learnt from the catalog's write hook (DatasetChanges.onWrite), whoever writes: harvest's own actions, the runner, a
 * client's package_delete or package_patch, organization changes. The copy is written just before the commit, once the
 * transaction has also written its harvest rows (harvest_source_create writes the dataset before its source row, the
 * runner a dataset before the object that holds it), from the dataset as the transaction left it. A purged dataset's
 * copy goes with it (foreign key).
 */
@Injectable()
export class HarvestDatasetMirror {
  constructor(private readonly repo: HarvestRepository, private readonly dicts: DatasetDicts) {}

  /** DatasetChanges.onWrite: datasets `ids` changed in this transaction. */
  async onWrite(ctx: ActionContext, ids: string[]): Promise<void> {
    const written = ctx.transactionLocal(WRITTEN, () => {
      const set = new Set<string>();
      ctx.beforeCommit(() => this.mirror(ctx, [...set]));
      return set;
    });
    if (!written) return this.mirror(ctx, ids);
    for (const id of ids) written.add(id);
  }

  private async mirror(ctx: ActionContext, ids: string[]): Promise<void> {
    const followed = ids.length ? await this.repo.followedDatasets(ctx.db, ids) : [];
    if (!followed.length) return;
    // The dicts the write and its other listeners (the audit trail) read too: read once per transaction, not again.
    const dicts = await this.dicts.writtenDicts(ctx, followed);
    await this.repo.mirrorDatasets(ctx.db, dicts.map((d): MirroredDataset => ({
      id: d.id, state: String(d.state), ownerOrg: (d.owner_org as string | null | undefined) ?? null, isPrivate: d.private === true,
    })));
  }
}
