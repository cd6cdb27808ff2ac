import type { ActionContext } from '../api/action-context';
import { Authz, roleAllows } from './authz';

/** A context whose memberships are given: auth rules need no database to be judged. */
function ctxWith(user: { id: string; sysadmin?: boolean } | null, memberships: Record<string, string> = {}): ActionContext {
  return {
    user: user && { id: user.id, name: user.id, sysadmin: user.sysadmin ?? false },
    isSysadmin: user?.sysadmin ?? false,
    memberships: async () => new Map(Object.entries(memberships)),
  } as unknown as ActionContext;
}

describe('CKAN roles', () => {
  it.each([
    ['admin', 'membership', true], ['admin', 'update', true], ['admin', 'create_dataset', true],
    ['editor', 'create_dataset', true], ['editor', 'update_dataset', true], ['editor', 'read', true], ['editor', 'membership', false], ['editor', 'update', false],
    ['member', 'read', true], ['member', 'manage_group', true], ['member', 'create_dataset', false],
    ['king', 'read', false],
  ] as const)('%s may %s: %s', (role, permission, allowed) => {
    expect(roleAllows(role, permission)).toBe(allowed);
  });
});

describe('dataset read visibility (permission labels)', () => {
  const authz = new Authz();
  const priv = { ownerOrg: 'org-a', isPrivate: true, state: 'active', creatorUserId: 'u-1' };

  it('lets everyone read an active public dataset', async () => {
    expect(await authz.canReadDataset(ctxWith(null), { ...priv, isPrivate: false })).toBe(true);
  });

  it('lets only members of the owning organization and sysadmins read private, draft and deleted ones', async () => {
    expect(await authz.canReadDataset(ctxWith(null), priv)).toBe(false);
    expect(await authz.canReadDataset(ctxWith({ id: 'u-2' }, { 'org-b': 'admin' }), priv)).toBe(false);
    expect(await authz.canReadDataset(ctxWith({ id: 'u-3' }, { 'org-a': 'member' }), priv)).toBe(true);
    expect(await authz.canReadDataset(ctxWith({ id: 'u-3' }, { 'org-a': 'member' }), { ...priv, isPrivate: false, state: 'deleted' })).toBe(true);
    expect(await authz.canReadDataset(ctxWith({ id: 'u-9', sysadmin: true }), priv)).toBe(true);
  });

  it('lets the creator read a draft without an organization', async () => {
    const draft = { ownerOrg: null, isPrivate: false, state: 'draft', creatorUserId: 'u-1' };
    expect(await authz.canReadDataset(ctxWith({ id: 'u-1' }), draft)).toBe(true);
    expect(await authz.canReadDataset(ctxWith({ id: 'u-2' }), draft)).toBe(false);
  });
});
