import type { ActionContext } from '../../api/action-context';
import { allow, AuthResult, deny } from '../../api/action';
import { NotFound } from '../../api/errors';
import { Authz, Permission } from '../../auth/authz';
import { SensorSourceRepository, SourceRow } from './sensor-source.repository';

/**
 * Who may do what with a sensor source, decided on the caller's role in the source's organization (src/auth/authz.ts):
 *  - read (show, list): the organization's members (any role that grants 'read') and sysadmins. A source's settings
 *    may hold credentials, and its errors name internal hosts, so it is not public even when its datasets are;
 *  - create: CKAN's package_create rule for that organization ('create_dataset': editors, admins), as a source creates
 *    datasets there; update, patch and run: 'update_dataset'; delete: 'delete_dataset'. Moving a source to another
 *    organization needs 'create_dataset' there too.
 * Sysadmins never reach these rules (the dispatcher lets them through).
 */

/** An organization as the rules need it. */
export interface OrgRef {
  id: string;
  name: string;
  state: string;
}

const who = (ctx: ActionContext): string => ctx.user?.name ?? '';

/** The organization by id or name (organization_show as the site), or null; once per action run. */
export function findOrg(ctx: ActionContext, ref: string): Promise<OrgRef | null> {
  return ctx.memo(`sensor-org:${ref}`, async () => {
    try {
      const org = await ctx.withIgnoreAuth().call<OrgRef & { is_organization?: boolean }>('organization_show', {
        id: ref, include_dataset_count: false, include_followers: false,
      });
      return org.is_organization === false ? null : { id: org.id, name: org.name, state: org.state };
    } catch (err) {
      if (err instanceof NotFound) return null;
      throw err;
    }
  });
}

/** The source an action names, once per action run; unknown → 404. */
export function loadSource(ctx: ActionContext, repo: SensorSourceRepository, idOrName: string): Promise<SourceRow> {
  return ctx.memo(`sensor-source:${idOrName}`, async () => {
    const row = await repo.find(ctx.db, idOrName);
    if (!row) throw new NotFound('Sensor source not found');
    return row;
  });
}

/** sensor_source_show */
export async function authSourceRead(ctx: ActionContext, authz: Authz, s: SourceRow): Promise<AuthResult> {
  return (await authz.can(ctx, s.owner_org, 'read')) ? allow() : deny(`User ${who(ctx)} not authorized to read sensor source ${s.id}`);
}

/** sensor_source_create: 'create_dataset' in the organization named. */
export async function authSourceCreate(ctx: ActionContext, authz: Authz, ownerOrg: string): Promise<AuthResult> {
  const org = await findOrg(ctx, ownerOrg);
  return org && (await authz.can(ctx, org.id, 'create_dataset'))
    ? allow()
    : deny(`User ${who(ctx)} not authorized to add sensor sources to this organization`);
}

/** sensor_source_update/patch/run (update_dataset), sensor_source_delete (delete_dataset); a move needs create_dataset in the new organization. */
export async function authSourceWrite(ctx: ActionContext, authz: Authz, s: Pick<SourceRow, 'id' | 'owner_org'>, permission: Permission, newOrg?: string): Promise<AuthResult> {
  if (!(await authz.can(ctx, s.owner_org, permission))) return deny(`User ${who(ctx)} not authorized to edit sensor source ${s.id}`);
  if (newOrg !== undefined) {
    const org = await findOrg(ctx, newOrg);
    if (org && org.id !== s.owner_org && !(await authz.can(ctx, org.id, 'create_dataset'))) {
      return deny(`User ${who(ctx)} not authorized to add sensor sources to this organization`);
    }
  }
  return allow();
}
