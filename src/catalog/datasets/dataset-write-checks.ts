import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';

/** A dataset as a write left it, inside the writing transaction. */
export interface WrittenDataset {
  /** CKAN's package dict as package_show will answer it. */
  dict: Record<string, unknown>;
  /** Set for resource_create/update/patch: the resource the call wrote. */
  resourceId?: string;
  /** The check the caller asked for (`dcat_validation`: off, warn, enforce), unchecked. */
  requested?: string;
}

/** Refuses the write by throwing (the transaction rolls back), or returns fields to add to the action's answer. */
export type WriteCheck = (ctx: ActionContext, written: WrittenDataset) => Promise<Record<string, unknown> | undefined>;

/**
 * How other parts check what the catalog writes without the catalog knowing them: DCAT-AP.de validation
 * registers here (and the DataStore's and harvesting's checks will), and every dataset and resource write runs them.
 */
@Injectable()
export class DatasetWriteChecks {
  private readonly checks: WriteCheck[] = [];

  register(check: WriteCheck): void {
    this.checks.push(check);
  }

  /** Runs every check in order; the fields they return are added to the answer. */
  async run(ctx: ActionContext, written: WrittenDataset): Promise<Record<string, unknown>> {
    let extra: Record<string, unknown> = {};
    for (const check of this.checks) extra = { ...extra, ...(await check(ctx, written)) };
    return extra;
  }
}
