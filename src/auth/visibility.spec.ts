import type { ActionContext } from '../api/action-context';
import { Authz } from './authz';
import { Collaborations } from './collaborations';
import type { AppConfig } from '../config/env';
import { MembershipRepository } from './membership.repository';
import { ANONYMOUS, DatasetAccess, readableSql, Visibility } from './visibility';

/** A context whose memberships (and collaborations, by dataset id) are given: the rule needs no database to be judged. */
function ctxWith(
  user: { id: string; sysadmin?: boolean } | null, memberships: Record<string, string> = {}, asked = { count: 0 }, collaborations: Record<string, string> = {},
): ActionContext {
  return {
    user: user && { id: user.id, name: user.id, sysadmin: user.sysadmin ?? false },
    isSysadmin: user?.sysadmin ?? false,
    ignoreAuth: false,
    memo: async <T>(key: string, load: () => Promise<T>) => (key.startsWith('collaborations:') ? (new Map(Object.entries(collaborations)) as T) : load()),
    memberships: async () => {
      asked.count++;
      return new Map(Object.entries(memberships));
    },
  } as unknown as ActionContext;
}

/** Memberships without a database: ids starting with `org-` are organizations, the others groups. */
class KnownOrganizations extends MembershipRepository {
  override anyOrganization(_db: unknown, groupIds: readonly string[]): Promise<boolean> {
    return Promise.resolve(groupIds.some((id) => id.startsWith('org-')));
  }
}

describe('who may read and edit a dataset (src/auth/visibility.ts)', () => {
  const config = { AUTH_ALLOW_DATASET_COLLABORATORS: true, AUTH_ALLOW_ADMIN_COLLABORATORS: false } as AppConfig;
  const visibility = new Visibility(new Authz(new KnownOrganizations()), new Collaborations(config, new MembershipRepository()));
  const priv: DatasetAccess = { id: 'd-1', ownerOrg: 'org-a', isPrivate: true, state: 'active', creatorUserId: 'u-1', accessLevel: 'private', sharedWith: [], sharedEdit: [] };

  it('lets everyone read an active public dataset, without looking up memberships', async () => {
    const asked = { count: 0 };
    expect(await visibility.canRead(ctxWith({ id: 'u-5' }, {}, asked), { ...priv, isPrivate: false, accessLevel: 'public' })).toBe(true);
    expect(await visibility.canRead(ctxWith(null), { ...priv, isPrivate: false, accessLevel: 'public' })).toBe(true);
    expect(asked.count).toBe(0);
  });

  it('lets only members of the owning organization and sysadmins read private, draft and deleted ones', async () => {
    expect(await visibility.canRead(ctxWith(null), priv)).toBe(false);
    expect(await visibility.canRead(ctxWith({ id: 'u-2' }, { 'org-b': 'admin' }), priv)).toBe(false);
    expect(await visibility.canRead(ctxWith({ id: 'u-3' }, { 'org-a': 'member' }), priv)).toBe(true);
    expect(await visibility.canRead(ctxWith({ id: 'u-3' }, { 'org-a': 'member' }), { ...priv, isPrivate: false, accessLevel: 'public', state: 'deleted' })).toBe(true);
    expect(await visibility.canRead(ctxWith({ id: 'u-3' }, { 'org-a': 'member' }), { ...priv, isPrivate: false, accessLevel: 'public', state: 'draft' })).toBe(true);
    expect(await visibility.canRead(ctxWith({ id: 'u-9', sysadmin: true }), priv)).toBe(true);
  });

  it('keeps a harvested dataset read-only for its organization\'s editors and admins (issue 15), not for sysadmins, and readable as before', async () => {
    const harvested: DatasetAccess = { ...priv, readOnly: true };
    expect(await visibility.canEdit(ctxWith({ id: 'u-3' }, { 'org-a': 'editor' }), priv)).toBe(true);
    expect(await visibility.canEdit(ctxWith({ id: 'u-3' }, { 'org-a': 'editor' }), harvested)).toBe(false);
    expect(await visibility.canEditAsOwner(ctxWith({ id: 'u-4' }, { 'org-a': 'admin' }), harvested)).toBe(false);
    expect(await visibility.canEdit(ctxWith({ id: 'u-9', sysadmin: true }), harvested)).toBe(true);
    expect(await visibility.canRead(ctxWith({ id: 'u-3' }, { 'org-a': 'member' }), harvested)).toBe(true);
  });

  it('does not let the creator of a dataset in an organization read it after leaving that organization', async () => {
    expect(await visibility.canRead(ctxWith({ id: 'u-1' }), priv)).toBe(false);
  });

  it('lets the creator read a draft or deleted dataset without an organization, and nobody else but sysadmins', async () => {
    const draft: DatasetAccess = { id: 'd-2', ownerOrg: null, isPrivate: false, state: 'draft', creatorUserId: 'u-1', accessLevel: 'public', sharedWith: [], sharedEdit: [] };
    expect(await visibility.canRead(ctxWith({ id: 'u-1' }), draft)).toBe(true);
    expect(await visibility.canRead(ctxWith({ id: 'u-1' }), { ...draft, state: 'deleted' })).toBe(true);
    expect(await visibility.canRead(ctxWith({ id: 'u-2' }, { 'org-a': 'admin' }), draft)).toBe(false);
    expect(await visibility.canRead(ctxWith(null), draft)).toBe(false);
    expect(await visibility.canRead(ctxWith({ id: 'u-9', sysadmin: true }), draft)).toBe(true);
  });

  it('lets editors and admins of the owning organization edit, not members', async () => {
    expect(await visibility.canEdit(ctxWith({ id: 'u-3' }, { 'org-a': 'member' }), priv)).toBe(false);
    expect(await visibility.canEdit(ctxWith({ id: 'u-3' }, { 'org-a': 'editor' }), priv)).toBe(true);
    expect(await visibility.canEdit(ctxWith({ id: 'u-3' }, { 'org-a': 'admin' }), priv)).toBe(true);
    expect(await visibility.canEdit(ctxWith({ id: 'u-3' }, { 'org-b': 'admin' }), priv)).toBe(false);
    expect(await visibility.canEdit(ctxWith(null), { ...priv, isPrivate: false, accessLevel: 'public' })).toBe(false);
  });

  it('lets only sysadmins edit a dataset without an organization, not even its creator', async () => {
    const orphan: DatasetAccess = { id: 'd-3', ownerOrg: null, isPrivate: false, state: 'active', creatorUserId: 'u-1', accessLevel: 'public', sharedWith: [], sharedEdit: [] };
    expect(await visibility.canEdit(ctxWith({ id: 'u-1' }, { 'org-a': 'admin' }), orphan)).toBe(false);
    expect(await visibility.canEdit(ctxWith({ id: 'u-9', sysadmin: true }), orphan)).toBe(true);
  });

  it('writes what anyone may read as literal SQL, so package_list can use its index', () => {
    const params: unknown[] = [];
    expect(readableSql(ANONYMOUS, params, 'p')).toBe(`(p.state = 'active' AND NOT p.private)`);
    expect(params).toEqual([]);
  });

  it('passes a reader\'s organizations and id to SQL as parameters', () => {
    const params: unknown[] = ['first'];
    const sql = readableSql({ all: false, userId: 'u-1', readOrgIds: ['org-a'], editOrgIds: [], collaboratorOf: [], editorOf: [] }, params);
    expect(sql).toBe(
      `((state = 'active' AND NOT private) OR (owner_org = ANY($2::uuid[])) OR (owner_org IS NULL AND creator_user_id = ANY($3::uuid[])) OR ` +
        `(state = 'active' AND access_level = 'shared' AND EXISTS (SELECT 1 FROM dataset_share s WHERE s.package_id = package.id AND s.organization_id = ANY($4::uuid[]))))`,
    );
    expect(params).toEqual(['first', ['org-a'], ['u-1'], ['org-a']]);
  });

  describe('access levels (issue 14)', () => {
    const internal: DatasetAccess = { ...priv, accessLevel: 'internal' };
    const shared: DatasetAccess = { ...priv, accessLevel: 'shared', sharedWith: ['org-b', 'org-c'], sharedEdit: ['org-c'] };

    it('lets every member of some organization read an active internal dataset, not a group member, a user in no organization or anonymous', async () => {
      expect(await visibility.canRead(ctxWith({ id: 'u-2' }, { 'org-z': 'member' }), internal)).toBe(true);
      expect(await visibility.canRead(ctxWith({ id: 'u-2' }, { 'grp-1': 'admin' }), internal)).toBe(false);
      expect(await visibility.canRead(ctxWith({ id: 'u-2' }), internal)).toBe(false);
      expect(await visibility.canRead(ctxWith(null), internal)).toBe(false);
      expect(await visibility.canRead(ctxWith({ id: 'u-2' }, { 'org-z': 'admin' }), { ...internal, state: 'draft' })).toBe(false);
      expect(await visibility.canEdit(ctxWith({ id: 'u-2' }, { 'org-z': 'admin' }), internal)).toBe(false);
    });

    it('lets members of the organizations a shared dataset is shared with read it, and editors of an edit share edit it', async () => {
      expect(await visibility.canRead(ctxWith({ id: 'u-2' }, { 'org-b': 'member' }), shared)).toBe(true);
      expect(await visibility.canRead(ctxWith({ id: 'u-2' }, { 'org-z': 'admin' }), shared)).toBe(false);
      expect(await visibility.canEdit(ctxWith({ id: 'u-2' }, { 'org-b': 'editor' }), shared)).toBe(false);
      expect(await visibility.canEdit(ctxWith({ id: 'u-2' }, { 'org-c': 'member' }), shared)).toBe(false);
      expect(await visibility.canEdit(ctxWith({ id: 'u-2' }, { 'org-c': 'editor' }), shared)).toBe(true);
      expect(await visibility.canEditAsOwner(ctxWith({ id: 'u-2' }, { 'org-c': 'admin' }), shared)).toBe(false);
      expect(await visibility.canEditAsOwner(ctxWith({ id: 'u-2' }, { 'org-a': 'editor' }), shared)).toBe(true);
    });

    it('ignores shares while the dataset is not shared, and of a draft', async () => {
      expect(await visibility.canRead(ctxWith({ id: 'u-2' }, { 'org-b': 'member' }), { ...shared, accessLevel: 'private' })).toBe(false);
      expect(await visibility.canEdit(ctxWith({ id: 'u-2' }, { 'org-c': 'editor' }), { ...shared, accessLevel: 'internal' })).toBe(false);
      expect(await visibility.canRead(ctxWith({ id: 'u-2' }, { 'org-b': 'member' }), { ...shared, state: 'draft' })).toBe(false);
    });

    it('asks dataset_share in SQL for the shared clause', () => {
      const params: unknown[] = [];
      const sql = readableSql({ all: false, userId: 'u-1', readOrgIds: ['org-b'], editOrgIds: [], collaboratorOf: [], editorOf: [], inPlatformOrg: true }, params, 'p');
      expect(sql).toContain(`(p.state = 'active' AND p.access_level = 'internal')`);
      expect(sql).toContain(`(p.state = 'active' AND p.access_level = 'shared' AND EXISTS (SELECT 1 FROM dataset_share s WHERE s.package_id = p.id AND s.organization_id = ANY($3::uuid[])))`);
      expect(params).toEqual([['org-b'], ['u-1'], ['org-b']]);
    });
  });

  it('lets a collaborator of any capacity read the dataset, whatever its state, and only editors and admins edit it', async () => {
    for (const capacity of ['member', 'editor', 'admin']) {
      const ctx = ctxWith({ id: 'u-7' }, {}, undefined, { 'd-1': capacity });
      expect(await visibility.canRead(ctx, priv)).toBe(true);
      expect(await visibility.canRead(ctx, { ...priv, state: 'draft' })).toBe(true);
      expect(await visibility.canEdit(ctx, priv)).toBe(capacity !== 'member');
    }
    expect(await visibility.canRead(ctxWith({ id: 'u-7' }, {}, undefined, { 'd-9': 'admin' }), priv)).toBe(false);
  });

  it('gives collaborators nothing while AUTH_ALLOW_DATASET_COLLABORATORS is off', async () => {
    const off = new Visibility(new Authz(new MembershipRepository()), new Collaborations({ ...config, AUTH_ALLOW_DATASET_COLLABORATORS: false }, new MembershipRepository()));
    const ctx = ctxWith({ id: 'u-7' }, {}, undefined, { 'd-1': 'editor' });
    expect(await off.canRead(ctx, priv)).toBe(false);
    expect(await off.canEdit(ctx, priv)).toBe(false);
  });

  it('passes the datasets a reader collaborates on to SQL as ids', () => {
    const params: unknown[] = [];
    const sql = readableSql({ all: false, userId: 'u-1', readOrgIds: [], editOrgIds: [], collaboratorOf: ['d-1'], editorOf: [] }, params);
    expect(sql).toBe(`((state = 'active' AND NOT private) OR (owner_org IS NULL AND creator_user_id = ANY($1::uuid[])) OR (id = ANY($2::uuid[])))`);
    expect(params).toEqual([['u-1'], ['d-1']]);
  });
});
