import type { ActionContext } from '../../api/action-context';
import { allow, AuthResult, deny } from '../../api/action';
import { NotFound } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { DatasetAccess, Visibility } from '../../auth/visibility';
import { GroupRepository, GroupRow } from '../organizations/group.repository';
import { DatasetRepository, DatasetRow } from './dataset.repository';

/**
 * One auth rule per dataset action, as in ckan/logic/auth. Sysadmins never reach these (the
 * dispatcher lets them through); everyone else is judged on their role in the owning organization.
 */
const who = (ctx: ActionContext): string => ctx.user?.name ?? '';

/** Loads the dataset an action names, once per action run; unknown → 404. */
export function loadDataset(ctx: ActionContext, repo: DatasetRepository, idOrName: string, notFound = 'Dataset not found'): Promise<DatasetRow> {
  return ctx.memo(`dataset:${idOrName}`, async () => {
    const row = await repo.findRow(ctx.db, idOrName);
    if (!row) throw new NotFound(notFound);
    return row;
  });
}

/** The organization a dataset write names as owner_org, looked up once per action run (auth and handler share it). */
export function ownerOrganization(ctx: ActionContext, groups: GroupRepository, ref: string): Promise<GroupRow | null> {
  return ctx.memo(`owner-organization:${ref}`, () => groups.find(ctx.db, ref, true));
}

export const visibilityOf = (d: DatasetRow): DatasetAccess => ({
  id: d.id, ownerOrg: d.owner_org, isPrivate: d.private, state: d.state, creatorUserId: d.creator_user_id,
  accessLevel: d.access_level, sharedWith: d.shared_with, sharedEdit: d.shared_edit, readOnly: d.read_only,
});

/** package_show (and resource_show, downloads): the read rule of src/auth/visibility.ts. */
export async function authPackageShow(ctx: ActionContext, visibility: Visibility, id: string, access: DatasetAccess): Promise<AuthResult> {
  return (await visibility.canRead(ctx, access)) ? allow() : deny(`User ${who(ctx)} not authorized to read package ${id}`);
}

/** package_delete: as package_update, and (issue 14) only the owning organization, not an 'edit' share. */
export async function authPackageDelete(
  ctx: ActionContext, authz: Authz, visibility: Visibility, groups: GroupRepository, repo: DatasetRepository, d: DatasetRow,
): Promise<AuthResult> {
  const verdict = await authPackageUpdate(ctx, authz, visibility, groups, repo, d);
  if (!verdict.allowed) return verdict;
  return (await visibility.canEditAsOwner(ctx, visibilityOf(d))) ? allow() : deny(`User ${who(ctx)} not authorized to delete package ${d.id}`);
}

/** _check_group_auth: the caller may manage every group the dict adds (groups the dataset already has are fine). */
async function canManageGroups(ctx: ActionContext, authz: Authz, groups: GroupRepository, refs: string[], current: string[]): Promise<boolean> {
  if (!refs.length) return true;
  const found = await groups.findMany(ctx.db, refs);
  for (const ref of refs) {
    const g = found.find((x) => x.id === ref || x.name === ref);
    if (!g) throw new NotFound('Group was not found.');
    if (current.includes(g.id)) continue;
    if (!(await authz.can(ctx, g.id, 'manage_group'))) return false;
  }
  return true;
}

export const groupRefs = (groups: { id?: string; name?: string }[] | undefined): string[] =>
  (groups ?? []).map((g) => g.id || g.name).filter((r): r is string => !!r);

/** package_create */
export async function authPackageCreate(
  ctx: ActionContext, authz: Authz, groups: GroupRepository, input: { owner_org?: string; groups?: { id?: string; name?: string }[] },
): Promise<AuthResult> {
  if (!(await authz.canInSomeGroup(ctx, 'create_dataset'))) return deny(`User ${who(ctx)} not authorized to create packages`);
  if (!(await canManageGroups(ctx, authz, groups, groupRefs(input.groups), []))) return deny(`User ${who(ctx)} not authorized to edit these groups`);
  if (input.owner_org) {
    const org = await ownerOrganization(ctx, groups, input.owner_org);
    if (!org || !(await authz.can(ctx, org.id, 'create_dataset'))) return deny(`User ${who(ctx)} not authorized to add dataset to this organization`);
  }
  return allow();
}

/** package_update (also package_patch, package_delete, and the resource writes). */
export async function authPackageUpdate(
  ctx: ActionContext, authz: Authz, visibility: Visibility, groups: GroupRepository, repo: DatasetRepository, d: DatasetRow, groupsInput?: { id?: string; name?: string }[],
): Promise<AuthResult> {
  if (!(await visibility.canEdit(ctx, visibilityOf(d)))) return deny(`User ${who(ctx)} not authorized to edit package ${d.id}`);
  const refs = groupRefs(groupsInput);
  if (refs.length && !(await canManageGroups(ctx, authz, groups, refs, await repo.groupIds(ctx.db, d.id)))) {
    return deny(`User ${who(ctx)} not authorized to edit these groups`);
  }
  return allow();
}
