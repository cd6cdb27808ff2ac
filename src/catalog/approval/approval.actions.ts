import { Inject, Injectable } from '@nestjs/common';
import { ActionProvider, allow, AnyAction, AuthResult, defineAction, deny } from '../../api/action';
import type { ActionContext } from '../../api/action-context';
import { NotFound, ValidationError } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { Visibility } from '../../auth/visibility';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { DatasetChanges } from '../datasets/dataset-changes';
import { DatasetDicts } from '../datasets/dataset-dicts.service';
import { loadDataset, visibilityOf } from '../datasets/dataset.auth';
import { PackageDict, toPackageDict } from '../datasets/dataset.dict';
import { DatasetRepository, DatasetRow } from '../datasets/dataset.repository';
import { GroupRepository } from '../organizations/group.repository';
import { ApprovalGate } from './approval-gate';
import { APPROVAL_LIST_MAX, DatasetApprovalListInput, DatasetPublishInput, DatasetSendBackInput, DatasetSubmitInput, NOTE_MAX } from './approval.dto';
import { ApprovalRepository } from './approval.repository';

const who = (ctx: ActionContext): string => ctx.user?.name ?? '';

/**
 * dataset_submit, dataset_publish, dataset_send_back, dataset_approval_list (issue 14; CKAN has no approval workflow).
 * Each state change is a package_patch through the dispatcher, so its validation, checks, search refresh and audit
 * activity are package_patch's; the action adds the workflow record (who, when, the note) in the same transaction and
 * reports the dataset changed again, since its dict (`approval`) shows the record.
 * Approvers are the admins of the dataset's organization (also through the organization hierarchy) and sysadmins;
 * ApprovalGate holds the rule the workflow puts on every dataset write.
 */
@Injectable()
export class ApprovalActions implements ActionProvider {
  constructor(
    private readonly datasets: DatasetRepository,
    private readonly groups: GroupRepository,
    private readonly approvals: ApprovalRepository,
    private readonly gate: ApprovalGate,
    private readonly authz: Authz,
    private readonly visibility: Visibility,
    private readonly dicts: DatasetDicts,
    private readonly changes: DatasetChanges,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async mayApprove(ctx: ActionContext, id: string): Promise<AuthResult> {
    const d = await loadDataset(ctx, this.datasets, id, 'Dataset not found');
    return (await this.gate.mayApprove(ctx, d.owner_org))
      ? allow()
      : deny(`User ${who(ctx)} not authorized to approve package ${d.name}: only the admins of its organization publish or send back its datasets`);
  }

  private async locked(ctx: ActionContext, ref: string): Promise<DatasetRow> {
    const d = await this.datasets.findRow(ctx.db, ref, { lock: true });
    if (!d) throw new NotFound('Dataset not found');
    return d;
  }

  /** The dataset after the step, as package_show answers it (with its `approval`). */
  private async show(ctx: ActionContext, id: string): Promise<PackageDict> {
    const row = await this.datasets.loadDict(ctx.db, id);
    if (!row) throw new NotFound('Dataset not found');
    const [dict] = await this.dicts.forReader(ctx, [toPackageDict(row, this.config.SITE_URL)]);
    return dict;
  }

  readonly submit = defineAction({
    name: 'dataset_submit',
    scope: 'write',
    help: `Submit a draft dataset for approval: its state becomes "pending" until an admin of its organization publishes it
(dataset_publish) or sends it back (dataset_send_back). A pending dataset is never public. Params: id (id or name).
Submitting a pending dataset again changes nothing; a published or deleted one is refused (409). Returns the dataset
(package_show form, with "approval"). Who may call: whoever may edit the dataset and change its state (editors and admins of its
organization, its editor and admin collaborators, sysadmins).`,
    sideEffectFree: false,
    anonymous: false,
    input: DatasetSubmitInput,
    auth: async (ctx, input) => {
      const d = await loadDataset(ctx, this.datasets, input.id, 'Dataset not found');
      return (await this.visibility.canEditAsOwner(ctx, visibilityOf(d))) ? allow() : deny(`User ${who(ctx)} not authorized to submit package ${d.name}`);
    },
    handler: async (ctx, input) => {
      const d = await this.locked(ctx, input.id);
      if (d.state === 'active') throw new ValidationError({ state: ['The dataset is published already; only a draft can be submitted for approval'] });
      if (d.state === 'deleted') throw new ValidationError({ state: ['A deleted dataset cannot be submitted for approval'] });
      if (d.state !== 'pending') {
        await ctx.call('package_patch', { id: d.id, state: 'pending' });
        await this.approvals.record(ctx.db, d.id, { status: 'pending', by: ctx.user?.id ?? null });
        await this.changes.changed(ctx, d.id);
      }
      return this.show(ctx, d.id);
    },
  });

  readonly publish = defineAction({
    name: 'dataset_publish',
    scope: 'write',
    help: `Publish a draft or pending dataset: its state becomes "active", and with access_level "public" (the current level, or the
one given) anyone reads it, search finds it and the DCAT catalog lists it. Params: id (id or name), access_level (optional: "public",
"internal", "shared" or "private", set in the same step). A published or deleted dataset is refused (409). Returns the dataset
(package_show form). Who may call: admins of the dataset's organization (also through a parent organization), sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: DatasetPublishInput,
    auth: (ctx, input) => this.mayApprove(ctx, input.id),
    handler: async (ctx, input) => {
      const d = await this.locked(ctx, input.id);
      if (d.state === 'active') throw new ValidationError({ state: ['The dataset is published already'] });
      if (d.state === 'deleted') throw new ValidationError({ state: ['A deleted dataset cannot be published'] });
      await ctx.call('package_patch', { id: d.id, state: 'active', ...(input.access_level ? { access_level: input.access_level } : {}) });
      await this.approvals.record(ctx.db, d.id, { status: 'published', by: ctx.user?.id ?? null });
      await this.changes.changed(ctx, d.id);
      return this.show(ctx, d.id);
    },
  });

  readonly sendBack = defineAction({
    name: 'dataset_send_back',
    scope: 'write',
    help: `Send a pending dataset back to its editors: its state becomes "draft" and its "approval" shows status "sent_back" with the
note, who sent it back and when, until it is submitted again (the note stays visible then) and published. Params: id (id or name),
note (required, at most ${NOTE_MAX} characters). Only a pending dataset can be sent back (else 409). Returns the dataset (package_show form).
Who may call: admins of the dataset's organization (also through a parent organization), sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: DatasetSendBackInput,
    auth: (ctx, input) => this.mayApprove(ctx, input.id),
    handler: async (ctx, input) => {
      const d = await this.locked(ctx, input.id);
      if (d.state !== 'pending') throw new ValidationError({ state: [`Only a dataset pending approval can be sent back; its state is "${d.state}"`] });
      await ctx.call('package_patch', { id: d.id, state: 'draft' });
      await this.approvals.record(ctx.db, d.id, { status: 'sent_back', by: ctx.user?.id ?? null, note: input.note });
      await this.changes.changed(ctx, d.id);
      return this.show(ctx, d.id);
    },
  });

  readonly list = defineAction({
    name: 'dataset_approval_list',
    scope: 'read',
    help: `The datasets pending approval that the caller may publish or send back, the longest waiting first: those of the
organizations they are an admin of (also through a parent organization); all for sysadmins. Params: organization (optional, id or
name: only its datasets; 403 unless the caller approves there), limit (default 20, at most ${APPROVAL_LIST_MAX}), offset.
Returns {count, results} with the datasets in package_show form.`,
    sideEffectFree: true,
    anonymous: false,
    input: DatasetApprovalListInput,
    auth: async (ctx, input) => {
      if (!input.organization) return allow();
      const org = await this.organization(ctx, input.organization);
      return (await this.gate.mayApprove(ctx, org.id)) ? allow() : deny(`User ${who(ctx)} not authorized to approve the datasets of organization ${org.name}`);
    },
    handler: async (ctx, input) => {
      const orgIds = input.organization
        ? [(await this.organization(ctx, input.organization)).id]
        : ctx.isSysadmin || ctx.ignoreAuth ? null : await this.authz.groupIdsWith(ctx, 'admin');
      if (orgIds && !orgIds.length) return { count: 0, results: [] };
      const { count, ids } = await this.approvals.pending(ctx.db, orgIds, Math.min(input.limit, APPROVAL_LIST_MAX), input.offset);
      const rows = await this.datasets.loadDicts(ctx.db, ids);
      return { count, results: await this.dicts.forReader(ctx, rows.map((r) => toPackageDict(r, this.config.SITE_URL))) };
    },
  });

  private organization(ctx: ActionContext, ref: string): Promise<{ id: string; name: string }> {
    return ctx.memo(`approval-organization:${ref}`, async () => {
      const org = await this.groups.find(ctx.db, ref, true);
      if (!org || org.state !== 'active') throw new NotFound('Organization was not found.');
      return org;
    });
  }

  all = (): AnyAction[] => [this.submit, this.publish, this.sendBack, this.list];
}
