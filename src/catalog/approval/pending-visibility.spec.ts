import { ANONYMOUS, DatasetAccess, editClauses, admits, mayRead, Reader, readableSql } from '../../auth/visibility';

/**
 * The approval workflow adds no case to the one visibility rule: a dataset 'pending' approval is not active, so it is
 * never public and, like a draft, belongs to its organization's members and its collaborators only. These cases hold
 * that, whatever access level the editor stored on it.
 */
describe('a pending dataset under the one visibility rule (src/auth/visibility.ts)', () => {
  const pending = (o: Partial<DatasetAccess> = {}): DatasetAccess => ({
    id: 'd-1', ownerOrg: 'org-a', isPrivate: false, state: 'pending', creatorUserId: 'u-1', accessLevel: 'public', sharedWith: ['org-b'], sharedEdit: ['org-b'], ...o,
  });
  const reader = (o: Partial<Reader>): Reader => ({ ...ANONYMOUS, userId: 'u-9', ...o });

  it('is not public even with access_level public', () => {
    expect(mayRead(ANONYMOUS, pending())).toBe(false);
    expect(readableSql(ANONYMOUS, [])).toContain(`state = 'active'`);
  });

  it("is read by the owning organization's members and by the dataset's collaborators", () => {
    expect(mayRead(reader({ readOrgIds: ['org-a'] }), pending())).toBe(true);
    expect(mayRead(reader({ collaboratorOf: ['d-1'] }), pending())).toBe(true);
  });

  it('is read by no platform member as internal and by no organization it is shared with', () => {
    expect(mayRead(reader({ readOrgIds: ['org-c'], inPlatformOrg: true }), pending({ accessLevel: 'internal' }))).toBe(false);
    expect(mayRead(reader({ readOrgIds: ['org-b'] }), pending({ accessLevel: 'shared' }))).toBe(false);
  });

  it('is edited through an edit share only once published', () => {
    const partner = reader({ readOrgIds: ['org-b'], editOrgIds: ['org-b'] });
    expect(admits(editClauses(partner), pending({ accessLevel: 'shared' }))).toBe(false);
    expect(admits(editClauses(partner), pending({ accessLevel: 'shared', state: 'active' }))).toBe(true);
  });
});
