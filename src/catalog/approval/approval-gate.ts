import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { NotAuthorized } from '../../api/errors';
import { Authz } from '../../auth/authz';
import type { DatasetRow, DatasetValues } from '../datasets/dataset.repository';
import { GroupRepository } from '../organizations/group.repository';
import { ApprovalRepository } from './approval.repository';

const who = (ctx: ActionContext): string => ctx.user?.name ?? '';

/**
 * The approval workflow's rule on every dataset write (issue 14), asked by DatasetWriter for package_create, _update,
 * _patch and _revise alike. In an organization with `approval_required`, its approvers (its admins, also those whose
 * admin role reaches it from a parent organization, and sysadmins) publish; everyone else who may edit the dataset
 * (its editors, editor and admin collaborators, editors through an 'edit' share) is an editor for the workflow:
 *  - an editor's new dataset without a state awaits approval ('pending'); an explicit 'active' is refused;
 *  - an editor may not make a dataset active that is not (nor move an active one into such an organization);
 *  - an editor may keep editing a published dataset but not make it public when it is not.
 * A dataset that is not active is never public whatever its access level (src/auth/visibility.ts), so 'draft' and
 * 'pending' with access_level 'public' are stored as the client wrote them. Who may read or edit does not change here.
 */
@Injectable()
export class ApprovalGate {
  constructor(private readonly groups: GroupRepository, private readonly authz: Authz, private readonly approvals: ApprovalRepository) {}

  /** Whether the owning organization requires approval; asked once per action run (the check and the record share it). */
  async required(ctx: ActionContext, orgId: string | null): Promise<boolean> {
    if (!orgId) return false;
    return ctx.memo(`approval-required:${orgId}`, async () => (await this.groups.find(ctx.db, orgId, true))?.approval_required === true);
  }

  /** The writer has the organization's row at hand already: the question above costs no query then. */
  knowOrganization(ctx: ActionContext, org: { id: string; approval_required: boolean }): void {
    void ctx.memo(`approval-required:${org.id}`, () => Promise.resolve(org.approval_required === true));
  }

  /** An approver of the organization's datasets: its admins (the hierarchy's included), sysadmins, the site itself. */
  async mayApprove(ctx: ActionContext, orgId: string | null): Promise<boolean> {
    if (ctx.ignoreAuth || ctx.isSysadmin) return true;
    return this.authz.can(ctx, orgId, 'admin');
  }

  /** Whether the rule applies to this caller: the organization requires approval and the caller is no approver of it. */
  private async gated(ctx: ActionContext, orgId: string | null): Promise<boolean> {
    return (await this.required(ctx, orgId)) && !(await this.mayApprove(ctx, orgId));
  }

  /**
   * package_create: the state to store. An editor's dataset without a state waits for approval (CKAN's default 'active'
   * is the workflow's to fill in); 'draft' and 'pending' are theirs to choose, 'active' is not.
   */
  async stateOnCreate(ctx: ActionContext, values: DatasetValues, stateGiven: boolean): Promise<string> {
    if (values.state === 'deleted' || !(await this.gated(ctx, values.owner_org))) return values.state;
    if (!stateGiven) return 'pending';
    if (values.state === 'active') throw this.publishRefused(ctx, values.name);
    return values.state;
  }

  /** package_update and what builds on it: refuses what only an approver may do. */
  async checkUpdate(ctx: ActionContext, existing: DatasetRow, values: DatasetValues): Promise<void> {
    if (values.state !== 'active' || !(await this.gated(ctx, values.owner_org))) return;
    if (existing.state !== 'active' || existing.owner_org !== values.owner_org) throw this.publishRefused(ctx, existing.name);
    if (values.access_level === 'public' && existing.access_level !== 'public') {
      throw new NotAuthorized(
        `User ${who(ctx)} not authorized to make package ${existing.name} public: only an admin can make a dataset public in an organization that requires approval`,
      );
    }
  }

  /**
   * Keeps the workflow record in step with a write that changed the dataset's state (`before`: null for a new dataset):
   * in organizations that require approval, and for datasets that have a record already.
   */
  async recordWrite(ctx: ActionContext, id: string, before: string | null, values: DatasetValues): Promise<void> {
    if (before === values.state || values.state === 'deleted') return;
    if (!(await this.required(ctx, values.owner_org)) && (before === null || !(await this.approvals.exists(ctx.db, id)))) return;
    const by = ctx.user?.id ?? null;
    if (values.state === 'pending') await this.approvals.record(ctx.db, id, { status: 'pending', by });
    else if (values.state === 'active') await this.approvals.record(ctx.db, id, { status: 'published', by });
    else await this.approvals.record(ctx.db, id, { status: 'draft' });
  }

  private publishRefused(ctx: ActionContext, name: string): NotAuthorized {
    return new NotAuthorized(
      `User ${who(ctx)} not authorized to publish package ${name}: its organization requires an approver (one of its admins) to publish datasets; ` +
        `submit it with state "pending" (or dataset_submit) instead`,
    );
  }
}
