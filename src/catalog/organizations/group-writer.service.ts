import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ActionContext } from '../../api/action-context';
import { FieldErrors, ValidationError } from '../../api/errors';
import { Visibility } from '../../auth/visibility';
import { UserRepository } from '../../auth/user.repository';
import { visibilityOf } from '../datasets/dataset.auth';
import { DatasetRepository } from '../datasets/dataset.repository';
import { GroupKind } from './group.auth';
import { GroupCreateInput, GroupExtraInput } from './group.dto';
import { GroupRepository, GroupRow, GroupValues } from './group.repository';
import { OrganizationHierarchy } from './hierarchy.service';

/**
 * The writes organization_create/update/patch and group_create/update/patch share, with CKAN's
 * messages. CKAN compat: an update that omits `users` (or a group's `packages`) keeps them;
 * CKAN would silently remove every member, which no steward expects.
 */
@Injectable()
export class GroupWriter {
  constructor(
    private readonly groups: GroupRepository,
    private readonly users: UserRepository,
    private readonly datasets: DatasetRepository,
    private readonly visibility: Visibility,
    private readonly hierarchy: OrganizationHierarchy,
  ) {}

  async create(ctx: ActionContext, kind: GroupKind, input: GroupCreateInput): Promise<string> {
    const errors: FieldErrors = {};
    const privileged = ctx.isSysadmin || ctx.ignoreAuth;
    let id: string = randomUUID();
    if (input.id !== undefined) {
      if (!privileged) errors.id = ['The input field id was not expected.'];
      else if (await this.groups.idExists(ctx.db, input.id)) errors.id = ['Id already exists'];
      else id = input.id.toLowerCase();
    }
    if (await this.groups.nameTaken(ctx.db, input.name)) errors.name = ['Group name already exists in database'];
    const members = await this.memberIds(ctx, input, errors);
    const packageIds = kind === 'group' ? await this.packageIds(ctx, input, errors) : undefined;
    const extras = this.extras(input.extras, {}, errors);
    // Only organizations form a hierarchy; a group's `groups` and `cascade_roles` are ignored, as before.
    const hierarchy = kind === 'organization' ? await this.hierarchy.check(ctx, null, input, errors) : {};
    if (Object.keys(errors).length) throw new ValidationError(errors);

    await this.groups.insert(ctx.db, id, {
      name: input.name,
      title: input.title ?? '',
      description: input.description ?? '',
      image_url: input.image_url ?? '',
      type: input.type ?? kind,
      is_organization: kind === 'organization',
      approval_status: input.approval_status ?? 'approved',
      state: privileged && input.state ? input.state : 'active',
      extras,
      // Issue 14: groups have no approval workflow; the field is ignored for them.
      approval_required: kind === 'organization' && (input.approval_required ?? false),
    });
    for (const m of members ?? []) await this.groups.setMember(ctx.db, id, m.id, m.capacity);
    // The creator becomes an admin of what they create.
    if (ctx.user) await this.groups.setMember(ctx.db, id, ctx.user.id, 'admin');
    if (packageIds) await this.setPackages(ctx, id, packageIds);
    await this.hierarchy.apply(ctx, id, hierarchy);
    ctx.forgetMemberships();
    return id;
  }

  async update(ctx: ActionContext, kind: GroupKind, g: GroupRow, input: GroupCreateInput): Promise<void> {
    const errors: FieldErrors = {};
    if (input.name !== undefined && input.name !== g.name && (await this.groups.nameTaken(ctx.db, input.name, g.id))) {
      errors.name = ['Group name already exists in database'];
    }
    const members = await this.memberIds(ctx, input, errors);
    const packageIds = kind === 'group' ? await this.packageIds(ctx, input, errors) : undefined;
    const extras = input.extras?.length ? this.extras(input.extras, g.extras, errors) : g.extras;
    const hierarchy = kind === 'organization' ? await this.hierarchy.check(ctx, g, input, errors) : {};
    if (Object.keys(errors).length) throw new ValidationError(errors);

    const privileged = ctx.isSysadmin || ctx.ignoreAuth;
    const values: GroupValues = {
      name: input.name ?? g.name,
      title: input.title ?? g.title,
      description: input.description ?? g.description,
      image_url: input.image_url ?? g.image_url,
      type: g.type,
      is_organization: g.is_organization,
      approval_status: input.approval_status ?? g.approval_status,
      state: privileged && input.state ? input.state : g.state,
      extras,
      // Turning it on or off changes no dataset: what is published stays published, what is pending stays pending.
      approval_required: kind === 'organization' ? (input.approval_required ?? g.approval_required) : false,
    };
    await this.groups.update(ctx.db, g.id, values);
    if (members) {
      const keep = new Set(members.map((m) => m.id));
      for (const existing of await this.groups.members(ctx.db, g.id)) {
        // An admin editing the member list never locks themselves out.
        if (!keep.has(existing.id) && existing.id !== ctx.user?.id) await this.groups.removeMember(ctx.db, g.id, existing.id);
      }
      for (const m of members) await this.groups.setMember(ctx.db, g.id, m.id, m.capacity);
      ctx.forgetMemberships();
    }
    if (packageIds) await this.setPackages(ctx, g.id, packageIds);
    await this.hierarchy.apply(ctx, g.id, hierarchy);
  }

  private extras(list: GroupExtraInput[] | undefined, current: Record<string, string>, errors: FieldErrors): Record<string, string> {
    if (!list) return current;
    const out: Record<string, string> = {};
    for (const e of list) {
      if (e.deleted) continue;
      if (e.value === null) continue;
      const v = typeof e.value === 'string' ? e.value : JSON.stringify(e.value);
      if (v.length > 100_000) errors.extras = ['Must be a maximum of 100000 characters long'];
      out[e.key] = v;
    }
    return out;
  }

  /** Users named in `users`, with their capacity (default "member"). Unknown users are an error, not skipped. */
  private async memberIds(ctx: ActionContext, input: GroupCreateInput, errors: FieldErrors): Promise<{ id: string; capacity: string }[] | undefined> {
    if (!input.users) return undefined;
    const out: { id: string; capacity: string }[] = [];
    const unknown: string[] = [];
    for (const u of input.users) {
      const row = await this.users.find(ctx.db, u.name);
      if (!row || row.state === 'deleted') unknown.push(`User ${u.name} does not exist.`);
      else if (!out.some((m) => m.id === row.id)) out.push({ id: row.id, capacity: u.capacity ?? 'member' });
    }
    if (unknown.length) errors.users = unknown;
    return out;
  }

  /** Datasets named in a group's `packages`: they must exist and be readable by the caller. */
  private async packageIds(ctx: ActionContext, input: GroupCreateInput, errors: FieldErrors): Promise<string[] | undefined> {
    if (!input.packages) return undefined;
    const ids: string[] = [];
    const found = await this.datasets.findRows(ctx.db, input.packages.map((p) => p.id || p.name).filter((r): r is string => !!r));
    for (const p of input.packages) {
      const ref = p.id || p.name;
      const row = ref ? found.get(ref) : undefined;
      const readable = row && (await this.visibility.canRead(ctx, visibilityOf(row)));
      if (!row || !readable || row.state !== 'active') errors.packages = ['Not found: Dataset'];
      else if (!ids.includes(row.id)) ids.push(row.id);
    }
    return ids;
  }

  /** Makes the group hold exactly `packageIds`; datasets that join or leave get a new metadata_modified. */
  private async setPackages(ctx: ActionContext, groupId: string, packageIds: string[]): Promise<void> {
    await this.groups.setPackages(ctx.db, groupId, packageIds);
  }
}
