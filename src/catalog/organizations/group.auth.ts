import type { ActionContext } from '../../api/action-context';
import { allow, AuthResult, deny } from '../../api/action';
import { NotFound } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { Visibility } from '../../auth/visibility';
import { visibilityOf } from '../datasets/dataset.auth';
import { DatasetRepository } from '../datasets/dataset.repository';
import { GroupRepository, GroupRow } from './group.repository';

export type GroupKind = 'organization' | 'group';

const who = (ctx: ActionContext): string => ctx.user?.name ?? '';

/** The organization or group an action names, once per run. CKAN answers an unknown one with 404. */
export function loadGroup(ctx: ActionContext, repo: GroupRepository, kind: GroupKind, idOrName: string, notFound = ''): Promise<GroupRow> {
  return ctx.memo(`group:${kind}:${idOrName}`, async () => {
    const g = await repo.find(ctx.db, idOrName, kind === 'organization');
    if (!g) throw new NotFound(notFound);
    return g;
  });
}

/** organization_create / group_create: any logged-in user when the site allows it (sysadmins always). */
export function authGroupCreate(ctx: ActionContext, kind: GroupKind, allowedForUsers: boolean): AuthResult {
  return ctx.user && allowedForUsers ? allow() : deny(`User ${who(ctx)} not authorized to create ${kind}s`);
}

/**
 * The datasets a group_create/group_update/group_patch `packages` list adds to a group: the caller must
 * be allowed to edit each one (package_update's rule: editor or admin of its organization). Datasets the
 * group already holds need nothing, nor does taking one out (the group's own admin right, already checked).
 * CKAN compat: CKAN 2.11 checks nothing about the datasets here (group_dict_save adds any existing one) and
 * its member_create asks only for manage_group on the group, so anyone could create a group and put any
 * organization's dataset in it, changing its metadata_modified and the dcat:theme it is published with.
 * Unknown or unreadable datasets are left to the handler, which answers "Not found: Dataset" (409).
 */
export async function authGroupPackages(
  ctx: ActionContext, visibility: Visibility, datasets: DatasetRepository, packages: { id?: string; name?: string }[] | undefined, current: readonly string[],
): Promise<AuthResult> {
  const refs = (packages ?? []).map((p) => p.id || p.name).filter((r): r is string => !!r);
  for (const row of (await datasets.findRows(ctx.db, refs)).values()) {
    if (current.includes(row.id)) continue;
    if (!(await visibility.canRead(ctx, visibilityOf(row)))) continue;
    if (!(await visibility.canEdit(ctx, visibilityOf(row)))) return deny(`User ${who(ctx)} not authorized to edit package ${row.id}`);
  }
  return allow();
}

/**
 * Who may place an organization in the hierarchy (organization_create/update/patch with `groups` or `cascade_roles`).
 * A parent's roles may reach down into the organization (cascade_roles), so moving it needs the consent of both
 * sides: an admin of the current parent (to take it away) and of the new one (to take it in), each directly or through
 * the hierarchy, besides the organization's own admin right that the write already needs. Letting more roles cascade
 * than now (cascade_roles beyond the current list) gives people rights in other organizations and takes a sysadmin;
 * narrowing it is the organization's admins' call. CKAN compat: CKAN asks nothing of the parent at all.
 * Unknown parents are left to the handler, which answers 409.
 */
export async function authHierarchy(
  ctx: ActionContext, authz: Authz, repo: GroupRepository, g: GroupRow | null, input: { groups?: { id?: string; name?: string }[]; cascade_roles?: string[] },
  cascading: string[],
): Promise<AuthResult> {
  if (input.cascade_roles?.some((r) => !cascading.includes(r))) {
    return deny(`User ${who(ctx)} not authorized to let more roles cascade to sub-organizations (sysadmins only)`);
  }
  if (!input.groups || input.groups.length !== 1 && input.groups.length !== 0) return allow();
  const ref = input.groups[0]?.id || input.groups[0]?.name || '';
  const parent = ref ? await repo.find(ctx.db, ref, true) : null;
  if (ref && (!parent || parent.state !== 'active')) return allow();
  if ((parent?.id ?? null) === (g?.parent_id ?? null)) return allow();
  if (g?.parent_id && !(await authz.can(ctx, g.parent_id, 'admin'))) {
    return deny(`User ${who(ctx)} not authorized to take organization ${g.name} out of its parent organization`);
  }
  if (parent && !(await authz.can(ctx, parent.id, 'admin'))) return deny(`User ${who(ctx)} not authorized to place an organization below ${parent.name}`);
  return allow();
}

/** organization_show / group_show: an active one is public; otherwise members only. */
export async function authGroupShow(ctx: ActionContext, authz: Authz, g: GroupRow): Promise<AuthResult> {
  if (g.state === 'active') return allow();
  return (await authz.can(ctx, g.id, 'read')) ? allow() : deny(`User ${who(ctx)} not authorized to read group ${g.id}`);
}

/** organization_update / group_update: admins of it. */
export async function authGroupUpdate(ctx: ActionContext, authz: Authz, kind: GroupKind, g: GroupRow): Promise<AuthResult> {
  return (await authz.can(ctx, g.id, 'update')) ? allow() : deny(`User ${who(ctx)} not authorized to edit ${kind} ${g.id}`);
}

/** organization_delete / group_delete: admins of it. */
export async function authGroupDelete(ctx: ActionContext, authz: Authz, kind: GroupKind, g: GroupRow): Promise<AuthResult> {
  return (await authz.can(ctx, g.id, 'delete')) ? allow() : deny(`User ${who(ctx)} not authorized to delete ${kind} ${g.id}`);
}

/** *_member_create / *_member_delete: admins of it (the "membership" permission). */
export async function authMembership(ctx: ActionContext, authz: Authz, g: GroupRow): Promise<AuthResult> {
  return (await authz.can(ctx, g.id, 'membership')) ? allow() : deny(`User ${who(ctx)} not authorized to add members`);
}
