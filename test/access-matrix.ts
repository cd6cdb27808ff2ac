import type { TestUser } from './factories/factories';
import type { TestApp } from './test-app';

/**
 * The callers of issue 14's access matrices (test/e2e/visibility, sensor-visibility, edit-matrix) and the roles they
 * hold: one set of people, made the same way in every matrix, so the tables of who may read and who may edit speak of
 * the same callers. The tables themselves stay in the specs.
 */

export type CallerKey =
  | 'anonymous' | 'member' | 'editor' | 'admin' | 'parentadmin' | 'outsider' | 'collaborator' | 'editorcollaborator'
  | 'sharedreader' | 'sharededitor' | 'loner' | 'sysadmin';

export const CALLERS: Record<CallerKey, string> = {
  anonymous: 'an anonymous caller',
  member: 'a member of the owning organization',
  editor: 'an editor of the owning organization',
  admin: 'an admin of the owning organization',
  parentadmin: "an admin of the owning organization's parent (admin cascades)",
  outsider: 'an admin of another organization',
  collaborator: 'a member collaborator of each dataset (package_member; package_delete ends it, as in CKAN)',
  editorcollaborator: 'an editor collaborator of each dataset',
  sharedreader: 'a member of an organization with a read share',
  sharededitor: 'an editor of an organization with an edit share',
  loner: 'a logged-in user in no organization',
  sysadmin: 'a sysadmin',
};
export const CALLER_KEYS = Object.keys(CALLERS) as CallerKey[];

/** Who holds a role in the owning organization, directly or through its parent, and sysadmins. */
export const ORG_READERS: CallerKey[] = ['member', 'editor', 'admin', 'parentadmin', 'sysadmin'];
/** A dataset's collaborators read it too (CKAN's collaborator-<dataset id> label) while it is not deleted. */
export const COLLABORATORS: CallerKey[] = ['collaborator', 'editorcollaborator'];
export const ORG_READERS_AND_COLLABORATORS: CallerKey[] = [...ORG_READERS, ...COLLABORATORS];
/** Issue 14's internal level: everyone who belongs to some organization of the platform. */
export const PLATFORM: CallerKey[] = [...ORG_READERS, 'outsider', 'sharedreader', 'sharededitor'];
/** Who edits a dataset of the owning organization ('update_dataset' there, directly or cascaded), and sysadmins. */
export const ORG_EDITORS: CallerKey[] = ['editor', 'admin', 'parentadmin', 'sysadmin'];

/** The callers that are users of their own (the sysadmin is the test app's). */
type UserKey = Exclude<CallerKey, 'anonymous' | 'sysadmin'>;
type Org = Record<string, unknown> & { id: string; name: string };

/** The callers of one test app with their organizations, made once per spec in beforeAll. */
export class MatrixCallers {
  private constructor(
    private readonly t: TestApp,
    readonly users: Record<UserKey, TestUser>,
    /** The parent every owning organization is placed below. */
    readonly parent: Org,
    readonly readShare: Org,
    readonly editShare: Org,
  ) {}

  static async make(t: TestApp, prefix: string): Promise<MatrixCallers> {
    const users = {} as Record<UserKey, TestUser>;
    for (const k of CALLER_KEYS) if (k !== 'anonymous' && k !== 'sysadmin') users[k] = await t.factories.user();
    // The county above the owning organizations: its admin's role cascades to them (AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS).
    const parent = await t.factories.organization({ name: `${prefix}-parent`, members: [[users.parentadmin, 'admin']] });
    // The outsider holds the strongest role in another organization, which must not open this one.
    await t.factories.organization({ name: `${prefix}-other`, members: [[users.outsider, 'admin']] });
    const readShare = await t.factories.organization({ name: `${prefix}-read-share`, members: [[users.sharedreader, 'member']] });
    const editShare = await t.factories.organization({ name: `${prefix}-edit-share`, members: [[users.sharededitor, 'editor']] });
    return new MatrixCallers(t, users, parent, readShare, editShare);
  }

  userOf(caller: CallerKey): TestUser | null {
    return caller === 'anonymous' ? null : caller === 'sysadmin' ? this.t.sysadmin : this.users[caller];
  }

  /** An owning organization: member, editor and admin in it, below the parent. */
  ownOrg(name: string): Promise<Org> {
    const { member, editor, admin } = this.users;
    return this.t.factories.organization({ name, members: [[member, 'member'], [editor, 'editor'], [admin, 'admin']], groups: [{ name: this.parent.name }] });
  }

  /** Shares the dataset with the read and the edit share organizations. */
  async share(datasetId: string): Promise<void> {
    await this.t.call('dataset_share_create', { id: datasetId, organization_id: this.readShare.id });
    await this.t.call('dataset_share_create', { id: datasetId, organization_id: this.editShare.name, capacity: 'edit' });
  }

  /** Makes the collaborators the dataset's member and editor collaborators. */
  async collaborate(datasetId: string): Promise<void> {
    await this.t.call('package_collaborator_create', { id: datasetId, user_id: this.users.collaborator.id, capacity: 'member' });
    await this.t.call('package_collaborator_create', { id: datasetId, user_id: this.users.editorcollaborator.id, capacity: 'editor' });
  }
}

/** One access level as the write and sensor matrices hold it: THE TABLE of who reads, edits and owns such a dataset. */
export interface LevelCase {
  key: string;
  /** Says which dataset it is around a noun: `the ${before} ${noun}${after}`. */
  before: string;
  after?: string;
  level: 'public' | 'internal' | 'shared' | 'private';
  state: 'active' | 'draft';
  /** Shared with the read and the edit share organizations. */
  shares?: boolean;
  /** Who reads it, who edits its content, who decides what only its owner decides (access level, shares, deletion). */
  readers: CallerKey[];
  editors: CallerKey[];
  owners: CallerKey[];
}

/** CKAN's package_update: the organization's editors and admins (here also cascaded from the parent), editor collaborators. */
const OWNERS: CallerKey[] = [...ORG_EDITORS, 'editorcollaborator'];
export const LEVEL_CASES: LevelCase[] = [
  { key: 'public', before: 'public', level: 'public', state: 'active', readers: CALLER_KEYS, editors: OWNERS, owners: OWNERS },
  { key: 'internal', before: 'internal', level: 'internal', state: 'active', readers: [...PLATFORM, ...COLLABORATORS], editors: OWNERS, owners: OWNERS },
  // An edit share lets its editors edit the content while the dataset is active and shared.
  { key: 'shared', before: 'shared', level: 'shared', state: 'active', shares: true, readers: [...ORG_READERS_AND_COLLABORATORS, 'sharedreader', 'sharededitor'], editors: [...OWNERS, 'sharededitor'], owners: OWNERS },
  { key: 'shareddraft', before: 'draft shared', level: 'shared', state: 'draft', shares: true, readers: ORG_READERS_AND_COLLABORATORS, editors: OWNERS, owners: OWNERS },
  { key: 'private', before: 'private', level: 'private', state: 'active', readers: ORG_READERS_AND_COLLABORATORS, editors: OWNERS, owners: OWNERS },
  { key: 'sharesignored', before: 'private', after: ' with shares', level: 'private', state: 'active', shares: true, readers: ORG_READERS_AND_COLLABORATORS, editors: OWNERS, owners: OWNERS },
];

/** "the private dataset with shares", "the public gauge". */
export const labelOf = (c: LevelCase, noun: string): string => `the ${c.before} ${noun}${c.after ?? ''}`;

/** A per-spec memo: `once(key, fn)` runs fn the first time a key is asked and answers the same promise after (a caller's list, read once for every case). */
export function memoised(): <T>(key: string, fn: () => Promise<T>) => Promise<T> {
  const memo = new Map<string, Promise<unknown>>();
  return <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    if (!memo.has(key)) memo.set(key, fn());
    return memo.get(key) as Promise<T>;
  };
}
