import { Injectable } from '@nestjs/common';
import { allow, AuthResult, deny } from '../api/action';
import type { ActionContext } from '../api/action-context';
import { Dispatcher } from '../api/dispatcher';
import { NotAuthorized, NotFound } from '../api/errors';
import { HarvestRepository, HarvestSourceRow } from './harvest.repository';

/**
 * Who may do what with a harvest source, as ckanext-harvest's auth functions say: a source is a dataset, so reading it
 * is package_show's rule and managing it (update, jobs, reports, detaching its datasets) is package_update's, both
 * asked of the catalog through the dispatcher (its one visibility rule), never decided here.
 */
@Injectable()
export class HarvestAccess {
  constructor(private readonly dispatcher: Dispatcher, private readonly repo: HarvestRepository) {}

  /** The source by id or name (a dataset of type `harvest` with its harvest_source row), or 404. */
  async source(ctx: ActionContext, ref: string): Promise<{ row: HarvestSourceRow; pkg: Record<string, unknown> }> {
    const site = ctx.withIgnoreAuth();
    const pkg = await site.call<Record<string, unknown>>('package_show', { id: ref }).catch((err) => {
      throw err instanceof NotFound ? new NotFound('Harvest source not found') : err;
    });
    const row = pkg.type === 'harvest' ? await this.repo.source(ctx.db, pkg.id as string) : null;
    if (!row) throw new NotFound('Harvest source not found');
    return { row, pkg };
  }

  private async verdict(check: Promise<void>, reason: string): Promise<AuthResult> {
    try {
      await check;
      return allow();
    } catch (err) {
      if (err instanceof NotAuthorized) return deny(reason);
      throw err;
    }
  }

  async mayRead(ctx: ActionContext, ref: string): Promise<AuthResult> {
    const { row } = await this.source(ctx, ref);
    return this.verdict(this.dispatcher.authorize('package_show', { id: row.id }, ctx), `User ${ctx.user?.name ?? ''} not authorized to read harvest source ${row.id}`);
  }

  async mayManage(ctx: ActionContext, ref: string): Promise<AuthResult> {
    const { row } = await this.source(ctx, ref);
    return this.verdict(this.dispatcher.authorize('package_update', { id: row.id }, ctx), `User ${ctx.user?.name ?? ''} not authorized to manage harvest source ${row.id}`);
  }

  async mayCreate(ctx: ActionContext, input: { name: string; owner_org?: string }): Promise<AuthResult> {
    return this.verdict(
      this.dispatcher.authorize('package_create', { name: input.name, type: 'harvest', ...(input.owner_org ? { owner_org: input.owner_org } : {}) }, ctx),
      `User ${ctx.user?.name ?? ''} not authorized to create harvest sources`,
    );
  }

  /** The job's source's managers. */
  async mayManageJob(ctx: ActionContext, jobId: string): Promise<AuthResult> {
    const job = await this.repo.job(ctx.db, jobId);
    if (!job) throw new NotFound('Harvest job not found');
    return this.mayManage(ctx, job.source_id);
  }
}
