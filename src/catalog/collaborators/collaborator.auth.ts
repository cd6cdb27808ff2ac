import type { ActionContext } from '../../api/action-context';
import { allow, AuthResult, deny } from '../../api/action';
import { Authz } from '../../auth/authz';
import { Collaborations } from '../../auth/collaborations';
import type { DatasetRow } from '../datasets/dataset.repository';

/**
 * ckan/authz.py can_manage_collaborators: admins of the owning organization ('membership') and, with
 * AUTH_ALLOW_ADMIN_COLLABORATORS, the dataset's admin collaborators. Sysadmins never reach this (the dispatcher lets
 * them through). CKAN compat: CKAN also lets the creator of a dataset without an organization manage its
 * collaborators; here such a dataset is managed by sysadmins only, as it is edited by them only (src/auth/visibility.ts).
 */
async function canManage(ctx: ActionContext, authz: Authz, collaborations: Collaborations, d: DatasetRow): Promise<boolean> {
  return (await authz.can(ctx, d.owner_org, 'membership')) || (await collaborations.managesCollaborators(ctx, d.id));
}

const who = (ctx: ActionContext): string => ctx.user?.name ?? '';

/** package_collaborator_create */
export async function authCollaboratorCreate(ctx: ActionContext, authz: Authz, collaborations: Collaborations, d: DatasetRow): Promise<AuthResult> {
  return (await canManage(ctx, authz, collaborations, d)) ? allow() : deny(`User ${who(ctx)} not authorized to add collaborators to this dataset`);
}

/** package_collaborator_delete */
export async function authCollaboratorDelete(ctx: ActionContext, authz: Authz, collaborations: Collaborations, d: DatasetRow): Promise<AuthResult> {
  return (await canManage(ctx, authz, collaborations, d)) ? allow() : deny(`User ${who(ctx)} not authorized to remove collaborators from this dataset`);
}

/** package_collaborator_list */
export async function authCollaboratorList(ctx: ActionContext, authz: Authz, collaborations: Collaborations, d: DatasetRow): Promise<AuthResult> {
  return (await canManage(ctx, authz, collaborations, d)) ? allow() : deny(`User ${who(ctx)} not authorized to list collaborators from this dataset`);
}

/** package_collaborator_list_for_user: only the user themselves (by name or id). */
export function authCollaboratorListForUser(ctx: ActionContext, id: string): AuthResult {
  return ctx.user && (id === ctx.user.name || id === ctx.user.id) ? allow() : deny(`User ${who(ctx)} not authorized to list the datasets of user ${id}`);
}
