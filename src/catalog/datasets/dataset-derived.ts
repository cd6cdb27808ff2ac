import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { DatasetChanges } from './dataset-changes';
import { DatasetDicts } from './dataset-dicts.service';
import { DatasetRepository } from './dataset.repository';

/**
 * Fields other parts compute of a dataset when it is written and package_show shows beside what the client wrote
 * (DCAT's metadata quality: `quality`), kept in package.derived so reading a dataset costs nothing more. The catalog
 * does not know what they mean; a client sending one back changes nothing (it is no column, extra or plugin data).
 */
@Injectable()
export class DatasetDerived {
  constructor(private readonly repo: DatasetRepository, private readonly changes: DatasetChanges, private readonly dicts: DatasetDicts) {}

  /**
   * Inside a write's transaction: sets field `key` of dataset `id`. When the value changed, its search document, cached
   * dicts and activity follow (DatasetChanges.derivedChanged); metadata_modified stays as the write left it.
   */
  async set(ctx: ActionContext, id: string, key: string, value: unknown): Promise<boolean> {
    const changed = await this.repo.setDerived(ctx.db, id, key, value);
    // The row the transaction holds takes the value in place: the audit trail's activity shows it without a second read.
    if (changed) await this.changes.derivedChanged(ctx, [id], !this.dicts.keepDerived(ctx, id, key, value));
    return changed;
  }
}
