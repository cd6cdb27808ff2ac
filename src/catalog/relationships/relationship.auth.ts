import type { ActionContext } from '../../api/action-context';
import { allow, AuthResult, deny } from '../../api/action';
import { Visibility } from '../../auth/visibility';
import { visibilityOf } from '../datasets/dataset.auth';
import type { DatasetRow } from '../datasets/dataset.repository';

/** As in ckan/logic/auth: sysadmins never reach these (the dispatcher lets them through). */
const who = (ctx: ActionContext): string => ctx.user?.name ?? '';

const mayEditBoth = async (ctx: ActionContext, visibility: Visibility, a: DatasetRow, b: DatasetRow): Promise<boolean> =>
  (await visibility.canEdit(ctx, visibilityOf(a))) && (await visibility.canEdit(ctx, visibilityOf(b)));

/** package_relationship_create, and package_relationship_update through it: package_update on both datasets. */
export async function authRelationshipCreate(ctx: ActionContext, visibility: Visibility, subject: DatasetRow, object: DatasetRow): Promise<AuthResult> {
  return (await mayEditBoth(ctx, visibility, subject, object)) ? allow() : deny(`User ${who(ctx)} not authorized to edit these packages`);
}

/**
 * package_relationship_delete: whoever may create the relationship. CKAN compat: CKAN looks the relationship up first
 * (404 when there is none) and names its id in the refusal; here the refusal comes first and names no relationship,
 * so someone who may not edit both datasets cannot learn whether they are related.
 */
export async function authRelationshipDelete(ctx: ActionContext, visibility: Visibility, subject: DatasetRow, object: DatasetRow): Promise<AuthResult> {
  return (await mayEditBoth(ctx, visibility, subject, object)) ? allow() : deny(`User ${who(ctx)} not authorized to delete relationship`);
}

/** package_relationships_list: package_show on the dataset, and on the second one when named. */
export async function authRelationshipsList(ctx: ActionContext, visibility: Visibility, first: DatasetRow, second: DatasetRow | null): Promise<AuthResult> {
  const ok = (await visibility.canRead(ctx, visibilityOf(first))) && (!second || (await visibility.canRead(ctx, visibilityOf(second))));
  return ok ? allow() : deny(`User ${who(ctx)} not authorized to read these packages`);
}
