import type { ActionContext } from '../../api/action-context';
import { Authz } from '../../auth/authz';
import { Collaborations } from '../../auth/collaborations';
import { MembershipRepository } from '../../auth/membership.repository';
import type { AppConfig } from '../../config/env';
import type { DatasetRow } from '../datasets/dataset.repository';
import { authCollaboratorCreate, authCollaboratorListForUser } from './collaborator.auth';

/** A caller whose roles (by organization) and collaborations (by dataset) are given: no database needed. */
function caller(id: string, roles: Record<string, string> = {}, collaborations: Record<string, string> = {}): ActionContext {
  return {
    user: { id, name: `name-${id}`, sysadmin: false },
    isSysadmin: false,
    ignoreAuth: false,
    memberships: async () => new Map(Object.entries(roles)),
    memo: async () => new Map(Object.entries(collaborations)),
  } as unknown as ActionContext;
}

const dataset = { id: 'd-1', owner_org: 'org-a' } as DatasetRow;
const rules = (admins: boolean): [Authz, Collaborations] => {
  const config = { AUTH_ALLOW_DATASET_COLLABORATORS: true, AUTH_ALLOW_ADMIN_COLLABORATORS: admins } as AppConfig;
  return [new Authz(new MembershipRepository()), new Collaborations(config, new MembershipRepository())];
};

describe('who may manage a dataset\'s collaborators (ckan/authz.py can_manage_collaborators)', () => {
  it('admins of the owning organization only, among its roles', async () => {
    const [authz, collaborations] = rules(false);
    const verdict = async (roles: Record<string, string>) => (await authCollaboratorCreate(caller('u', roles), authz, collaborations, dataset)).allowed;
    expect(await verdict({ 'org-a': 'admin' })).toBe(true);
    expect(await verdict({ 'org-a': 'editor' })).toBe(false);
    expect(await verdict({ 'org-a': 'member' })).toBe(false);
    expect(await verdict({ 'org-b': 'admin' })).toBe(false);
  });

  it('admin collaborators only while AUTH_ALLOW_ADMIN_COLLABORATORS is on; editor collaborators never', async () => {
    const asAdmin = caller('u', {}, { 'd-1': 'admin' });
    const asEditor = caller('u', {}, { 'd-1': 'editor' });
    const [authzOn, on] = rules(true);
    const [authzOff, off] = rules(false);
    expect((await authCollaboratorCreate(asAdmin, authzOn, on, dataset)).allowed).toBe(true);
    expect((await authCollaboratorCreate(asEditor, authzOn, on, dataset)).allowed).toBe(false);
    const refused = await authCollaboratorCreate(asAdmin, authzOff, off, dataset);
    expect(refused).toEqual({ allowed: false, reason: 'User name-u not authorized to add collaborators to this dataset' });
  });

  it('lets a user list their own collaborations, by name or id, and nobody else\'s', () => {
    const me = caller('u-1');
    expect(authCollaboratorListForUser(me, 'u-1').allowed).toBe(true);
    expect(authCollaboratorListForUser(me, 'name-u-1').allowed).toBe(true);
    expect(authCollaboratorListForUser(me, 'u-2').allowed).toBe(false);
  });
});
