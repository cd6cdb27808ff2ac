import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../api/action-context';
import { Authz } from './authz';
import { Collaborations } from './collaborations';

/**
 * THE rule who may read and who may edit a dataset. Every read path asks it here, in one of three forms that
 * interpret the same cases and so cannot disagree:
 *
 *  1. `mayRead` / `mayEdit` (and `Visibility.canRead` / `canEdit` for an action context): a predicate on one
 *     dataset (package_show, resource_show, downloads, DCAT's dataset endpoint, group `packages` lists);
 *  2. `readableSql` / `editableSql`: an SQL condition on the `package` table (package_list, autocompletes,
 *     tag_list/tag_show, organization and group counts and `packages`, user_show's datasets and counts);
 *  3. `readClauses`: the cases as data, which src/search turns into its query AST (package_search with its
 *     counts and facets, and all it serves: current_package_list_with_resources, the DCAT catalog).
 *
 * The cases are CKAN 2.11's permission labels (ckan/lib/plugins.py DefaultPermissionLabels): an active public
 * dataset is everyone's; a private, draft or deleted one belongs to the members of its organization (any role
 * that grants 'read') and, without an organization, to its creator. Sysadmins, and the site itself acting
 * (ignoreAuth), read everything. Editing (package_update) takes 'update_dataset' (editor, admin) in the owning
 * organization.
 *
 * Dataset collaborators (CKAN 2.9+, package_member; AUTH_ALLOW_DATASET_COLLABORATORS) are CKAN's collaborator-<dataset id>
 * labels turned round: the reader carries the ids of the datasets they collaborate on (any capacity reads, editor and
 * admin edit), and a clause admits those ids. Asked per action run, so adding or removing a collaborator takes effect
 * with the next request in every process, and no search document has to change with it.
 *
 * A case is a clause: conditions on the dataset's access fields that must all hold; a dataset is readable when
 * one of the clauses holds. A new access level (issue 14: "internal" datasets that named partner organizations
 * may read) is a new AccessField (its value in fieldValue, its column in COLUMNS, the same field in the search
 * documents) and one more clause in readClauses, e.g. access_level ∈ {internal} ∧ shared_with ∋ one of
 * r.readOrgIds; every read path follows, and test/e2e/visibility.e2e-spec.ts gets the new rows of its table.
 *
 * Access levels (issue 14) are such cases: `access_level` is 'public', 'internal', 'shared' or 'private', and
 * `private` stays access_level <> 'public' (so the public clause and CKAN's `capacity:public` need no change). An
 * active 'internal' dataset is read by every logged-in user who belongs to some organization of the platform
 * (Reader.inPlatformOrg); an active 'shared' one by the members of the organizations it is shared with
 * (dataset_share), and with an 'edit' share their editors and admins edit it. Shares count only while the level is
 * 'shared'. What only the owning organization may do with its dataset (change its access level, owner, state or
 * shares, delete it) asks ownerEditClauses.
 */

/** What decides who may read or edit a dataset. */
export interface DatasetAccess {
  id: string;
  ownerOrg: string | null;
  isPrivate: boolean;
  state: string;
  creatorUserId: string | null;
  /** Issue 14: 'public', 'internal', 'shared' or 'private' (see ACCESS_LEVELS). */
  accessLevel: string;
  /** Organizations the dataset is shared with, whatever the share's capacity. */
  sharedWith: readonly string[];
  /** Organizations it is shared with for editing (capacity 'edit'). */
  sharedEdit: readonly string[];
  /**
   * Kept by an outside process (issue 15: a harvest source, until harvest_dataset_detach): only sysadmins and the site
   * itself (the harvest runner, ignoreAuth) edit it. Reading is not affected. Absent: false.
   */
  readOnly?: boolean;
}

/** The access levels, from the most open. */
export const ACCESS_LEVELS = ['public', 'internal', 'shared', 'private'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** Who is asking, as the rule needs it (see Visibility.readerOf). */
export interface Reader {
  /** Sysadmins, and the site itself acting (ignoreAuth): every dataset. */
  all: boolean;
  userId: string | null;
  /** Organizations where the reader's role grants 'read' (member, editor, admin). */
  readOrgIds: readonly string[];
  /** Organizations where the reader's role grants 'update_dataset' (editor, admin). */
  editOrgIds: readonly string[];
  /** Datasets the reader collaborates on, any capacity (CKAN's collaborator-<dataset id> labels). */
  collaboratorOf: readonly string[];
  /** Datasets the reader may edit as a collaborator (capacity editor or admin). */
  editorOf: readonly string[];
  /** Issue 14: the reader belongs (any role) to some active organization of the platform: reads 'internal' datasets. */
  inPlatformOrg?: boolean;
}

/** Nobody in particular: what anyone may read (package_list and the DCAT catalog show only this). */
export const ANONYMOUS: Reader = Object.freeze({ all: false, userId: null, readOrgIds: [], editOrgIds: [], collaboratorOf: [], editorOf: [] });

/** The dataset fields the cases look at, with the form of their values. */
export type AccessField = 'state' | 'private' | 'owner_org' | 'creator_user_id' | 'id' | 'access_level' | 'shared_with' | 'shared_edit' | 'read_only';

/**
 * The field holds one of `oneOf`; null in the list: the field may be empty. A list-valued field (shared_with,
 * shared_edit) holds one of `oneOf` when one of its values does.
 */
export interface Condition {
  field: AccessField;
  oneOf: readonly (string | boolean | null)[];
}

/** Conditions that must all hold. */
export type Clause = readonly Condition[];

/** null: every dataset; else the clauses of which one must hold (none: no dataset). */
export type Clauses = readonly Clause[] | null;

const ACTIVE_PUBLIC: Clause = [
  { field: 'state', oneOf: ['active'] },
  { field: 'private', oneOf: [false] },
];

/**
 * Who may read: CKAN's permission labels, one clause each. CKAN compat: CKAN's package_show lets only those who
 * may edit read a draft, while its search labels let every member find it; here members read drafts everywhere.
 */
export function readClauses(r: Reader): Clauses {
  if (r.all) return null;
  const clauses: Clause[] = [ACTIVE_PUBLIC];
  // member-<org>: whoever holds 'read' in the owning organization, whatever the dataset's state or privacy.
  if (r.readOrgIds.length) clauses.push([{ field: 'owner_org', oneOf: r.readOrgIds }]);
  // creator-<user>: a dataset without an organization belongs to whoever created it.
  if (r.userId) clauses.push([{ field: 'owner_org', oneOf: [null] }, { field: 'creator_user_id', oneOf: [r.userId] }]);
  // collaborator-<dataset>: a collaborator in any capacity, whatever the dataset's state or privacy.
  if (r.collaboratorOf.length) clauses.push([{ field: 'id', oneOf: r.collaboratorOf }]);
  clauses.push(...accessLevelReadClauses(r));
  return clauses;
}

/** Issue 14: who reads an active 'internal' or 'shared' dataset besides its own organization. */
function accessLevelReadClauses(r: Reader): Clause[] {
  const out: Clause[] = [];
  if (r.inPlatformOrg) out.push([{ field: 'state', oneOf: ['active'] }, { field: 'access_level', oneOf: ['internal'] }]);
  if (r.readOrgIds.length) out.push([{ field: 'state', oneOf: ['active'] }, { field: 'access_level', oneOf: ['shared'] }, { field: 'shared_with', oneOf: r.readOrgIds }]);
  return out;
}

/** Every edit clause holds it: a read-only dataset is edited by those who edit everything (sysadmins, the site) only. */
const NOT_READ_ONLY: Condition = { field: 'read_only', oneOf: [false] };

/**
 * Who may edit (package_update, and with it patch, delete and the resource writes): 'update_dataset' in the
 * owning organization, or being the dataset's editor or admin collaborator; a read-only dataset (a harvested one) by
 * nobody but sysadmins and the site. CKAN compat: CKAN 2.11 lets any logged-in
 * user edit a dataset without an organization (with create_unowned_dataset, its default) or anyone who may create
 * datasets somewhere; here such a dataset (left behind by a purged organization) is edited by sysadmins (and its
 * editor collaborators) only.
 */
export function editClauses(r: Reader): Clauses {
  const own = ownerEditClauses(r);
  if (own === null || !r.editOrgIds.length) return own;
  // Issue 14: an 'edit' share lets the organization's editors and admins edit an active 'shared' dataset.
  return [...own, [NOT_READ_ONLY, { field: 'state', oneOf: ['active'] }, { field: 'access_level', oneOf: ['shared'] }, { field: 'shared_edit', oneOf: r.editOrgIds }]];
}

/**
 * What only the owning organization's editors and admins (and sysadmins) may do: change a dataset's access level,
 * private flag, owner, state or shares, and delete it. An 'edit' share does not reach these.
 */
export function ownerEditClauses(r: Reader): Clauses {
  if (r.all) return null;
  const clauses: Clause[] = r.editOrgIds.length ? [[NOT_READ_ONLY, { field: 'owner_org', oneOf: r.editOrgIds }]] : [];
  // CKAN's package_update: failing the organization check, an editor or admin collaborator of the dataset may edit it.
  if (r.editorOf.length) clauses.push([NOT_READ_ONLY, { field: 'id', oneOf: r.editorOf }]);
  return clauses;
}

function fieldValue(d: DatasetAccess, field: AccessField): string | boolean | null | readonly string[] {
  switch (field) {
    case 'state':
      return d.state;
    case 'private':
      return d.isPrivate;
    case 'owner_org':
      return d.ownerOrg;
    case 'creator_user_id':
      return d.creatorUserId;
    case 'id':
      return d.id;
    case 'access_level':
      return d.accessLevel;
    case 'shared_with':
      return d.sharedWith;
    case 'shared_edit':
      return d.sharedEdit;
    case 'read_only':
      return d.readOnly ?? false;
  }
}

function holds(c: Condition, d: DatasetAccess): boolean {
  const v = fieldValue(d, c.field);
  if (Array.isArray(v)) return v.some((x: string) => c.oneOf.includes(x));
  return c.oneOf.includes(v as string | boolean | null);
}

/** Form 1: whether the clauses admit one dataset. */
export function admits(clauses: Clauses, d: DatasetAccess): boolean {
  return clauses === null || clauses.some((clause) => clause.every((c) => holds(c, d)));
}

export const mayRead = (r: Reader, d: DatasetAccess): boolean => admits(readClauses(r), d);
const PUBLIC_CLAUSES = readClauses(ANONYMOUS);
export const mayEdit = (r: Reader, d: DatasetAccess): boolean => admits(editClauses(r), d);
export const mayEditAsOwner = (r: Reader, d: DatasetAccess): boolean => admits(ownerEditClauses(r), d);

/** Each field's column in `package` and the type its parameters are cast to. */
const COLUMNS: Record<Exclude<AccessField, ShareField>, { column: string; type: 'text' | 'uuid' | 'boolean' }> = {
  state: { column: 'state', type: 'text' },
  private: { column: 'private', type: 'boolean' },
  owner_org: { column: 'owner_org', type: 'uuid' },
  creator_user_id: { column: 'creator_user_id', type: 'uuid' },
  id: { column: 'id', type: 'uuid' },
  access_level: { column: 'access_level', type: 'text' },
  read_only: { column: 'read_only', type: 'boolean' },
};

/** Issue 14: the list-valued fields, read from dataset_share (which capacities each one counts). */
type ShareField = 'shared_with' | 'shared_edit';
const SHARE_CAPACITY: Record<ShareField, string> = { shared_with: '', shared_edit: ` AND s.capacity = 'edit'` };
const isShareField = (f: AccessField): f is ShareField => f in SHARE_CAPACITY;

/** A share field's condition: some share of the dataset (`a`: the package alias with its dot, or none) names one of the organizations. */
function shareConditionSql(field: ShareField, orgIds: readonly unknown[], params: unknown[], a: string): string {
  const ids = orgIds.filter((v) => v !== null);
  if (!ids.length) return 'FALSE';
  params.push(ids);
  return `EXISTS (SELECT 1 FROM dataset_share s WHERE s.package_id = ${a || 'package.'}id AND s.organization_id = ANY($${params.length}::uuid[])${SHARE_CAPACITY[field]})`;
}

/** States and access levels are our own words, written into the SQL so the planner can match indexes such as package_list_idx. */
const LITERAL_STATE = /^[a-z_]+$/;

function conditionSql(c: Condition, params: unknown[], a: string): string {
  if (isShareField(c.field)) return shareConditionSql(c.field, c.oneOf, params, a);
  const { column, type } = COLUMNS[c.field];
  const col = `${a}${column}`;
  const parts: string[] = [];
  if (c.oneOf.includes(null)) parts.push(`${col} IS NULL`);
  const values = c.oneOf.filter((v) => v !== null);
  if (type === 'boolean') {
    if (values.includes(true) && values.includes(false)) parts.push(`${col} IS NOT NULL`);
    else if (values.length) parts.push(values[0] ? col : `NOT ${col}`);
  } else if ((c.field === 'state' || c.field === 'access_level') && values.every((v) => typeof v === 'string' && LITERAL_STATE.test(v))) {
    if (values.length) parts.push(values.length === 1 ? `${col} = '${String(values[0])}'` : `${col} IN (${values.map((v) => `'${String(v)}'`).join(', ')})`);
  } else if (values.length) {
    params.push(values);
    parts.push(`${col} = ANY($${params.length}::${type}[])`);
  }
  if (!parts.length) return 'FALSE';
  return parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
}

/** Form 2: the clauses as an SQL condition on `package` (under `alias`, or none); pushes its values onto `params`. */
export function clausesSql(clauses: Clauses, params: unknown[], alias = ''): string {
  if (clauses === null) return 'TRUE';
  if (!clauses.length) return 'FALSE';
  const a = alias ? `${alias}.` : '';
  const ors = clauses.map((clause) => (clause.length ? clause.map((c) => conditionSql(c, params, a)).join(' AND ') : 'TRUE'));
  return ors.length === 1 ? `(${ors[0]})` : `(${ors.map((s) => `(${s})`).join(' OR ')})`;
}

export const readableSql = (r: Reader, params: unknown[], alias = ''): string => clausesSql(readClauses(r), params, alias);
export const editableSql = (r: Reader, params: unknown[], alias = ''): string => clausesSql(editClauses(r), params, alias);

/** The rule for an action's caller: loads their memberships (once per request) only when the answer needs them. */
@Injectable()
export class Visibility {
  constructor(private readonly authz: Authz, private readonly collaborations: Collaborations) {}

  async readerOf(ctx: ActionContext): Promise<Reader> {
    const reader = await this.memberReader(ctx);
    if (reader.all || !ctx.user) return reader;
    return { ...reader, collaboratorOf: await this.collaborations.readableIds(ctx), editorOf: await this.collaborations.editableIds(ctx) };
  }

  /**
   * readerOf without the caller's collaborations (no dataset ids). Collaborations only add clauses, so whatever this
   * reader may read or edit, the whole one may too: the one-dataset checks below ask for collaborations only when the
   * memberships do not already decide.
   */
  private async memberReader(ctx: ActionContext): Promise<Reader> {
    if (ctx.isSysadmin || ctx.ignoreAuth) return { all: true, userId: ctx.user?.id ?? null, readOrgIds: [], editOrgIds: [], collaboratorOf: [], editorOf: [] };
    if (!ctx.user) return ANONYMOUS;
    const readOrgIds = await this.authz.groupIdsWith(ctx, 'read');
    return {
      all: false,
      // A token restricted to an organization does not reach the datasets its owner created outside any organization.
      userId: ctx.user.token?.organizationId ? null : ctx.user.id,
      readOrgIds,
      editOrgIds: await this.authz.groupIdsWith(ctx, 'update_dataset'),
      collaboratorOf: [],
      editorOf: [],
      // Issue 14: 'internal' datasets are for members of the platform's organizations (of those in readOrgIds).
      inPlatformOrg: await this.authz.inSomeOrganization(ctx, readOrgIds),
    };
  }

  /** Form 1 for the caller: `rule` with the member reader first, with the whole reader only if that one says no. */
  private async decide(ctx: ActionContext, d: DatasetAccess, rule: (r: Reader, d: DatasetAccess) => boolean): Promise<boolean> {
    const members = await this.memberReader(ctx);
    if (rule(members, d)) return true;
    if (members.all || !ctx.user || !this.collaborations.enabled) return false;
    return rule(await this.readerOf(ctx), d);
  }

  /** Form 1 for the caller. What anyone may read is answered without asking for memberships. */
  async canRead(ctx: ActionContext, d: DatasetAccess): Promise<boolean> {
    return admits(PUBLIC_CLAUSES, d) || this.decide(ctx, d, mayRead);
  }

  async canEdit(ctx: ActionContext, d: DatasetAccess): Promise<boolean> {
    return this.decide(ctx, d, mayEdit);
  }

  /** Issue 14: the caller edits the dataset as its own organization (not through an 'edit' share). */
  async canEditAsOwner(ctx: ActionContext, d: DatasetAccess): Promise<boolean> {
    return this.decide(ctx, d, mayEditAsOwner);
  }
}
