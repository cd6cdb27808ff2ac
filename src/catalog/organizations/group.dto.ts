import {
  booleanValidator, Field, ignore, ignoreEmpty, ignoreMissing, Invalid, listIfString, listOfStrings, maxItems, maxLength, nameValidator, NestedList,
  naturalNumber, notEmpty, notMissing, Step, unicodeSafe, uuidValidator, documented,
} from '../../api/ckan-schema';
import { ckanTimestamp } from '../../common/ckan-time';
import { ROLES } from '../../auth/authz';
import type { GroupRow } from './group.repository';

const text = (max = 1000): Step[] => [ignoreMissing, unicodeSafe, maxLength(max)];

const TRUE_WORDS = ['true', 'yes', 't', 'y', '1', 'on'];
const FALSE_WORDS = ['false', 'no', 'f', 'n', '0', 'off'];

/**
 * A yes/no setting that must say so: true/false (or the words CKAN's asbool knows); anything else is a field error.
 * CKAN compat: CKAN's boolean_validator reads junk as false; a switch that guards publishing must not flip silently.
 */
export const strictBoolean: Step = (v) => {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string' && TRUE_WORDS.includes(v.trim().toLowerCase())) return true;
  if (typeof v === 'string' && FALSE_WORDS.includes(v.trim().toLowerCase())) return false;
  return new Invalid('Must be true or false');
};

/**
 * Longest list of extras, users and packages in one organization or group write, and of names in
 * organization_list/group_list (CKAN compat: CKAN has no bound on the lists; group_show lists at most
 * 1000 datasets, so a client writing back what it read stays within it).
 */
export const GROUP_LIST_MAX = 1000;

/** role_exists */
export const roleExists: Step = documented((v) => (typeof v === 'string' && (ROLES as readonly string[]).includes(v) ? v : new Invalid('role does not exist.')), {
  schema: { type: 'string', enum: [...ROLES] },
});

export class GroupExtraInput {
  @Field(notEmpty, unicodeSafe, maxLength(1000)) key!: string;
  @Field(notMissing) value!: unknown;
  @Field(ignoreMissing, booleanValidator) deleted?: boolean;
}

export class GroupUserInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) name!: string;
  @Field(ignoreMissing, unicodeSafe, roleExists) capacity?: string;
}

/** An organization's parent in `groups` (ckanext-hierarchy's form sends groups__0__name); CKAN's capacity is accepted and not kept. */
export class GroupParentInput {
  @Field(...text(100)) id?: string;
  @Field(...text(100)) name?: string;
  @Field(...text(100)) capacity?: string;
}

/** cascade_roles: a list of roles (or one string of them separated by commas); each must be admin, editor or member. */
const rolesList: Step = (v) => {
  if (!Array.isArray(v)) return new Invalid('Not a list');
  for (const r of v) if (typeof r !== 'string' || !(ROLES as readonly string[]).includes(r)) return new Invalid(`Role ${String(r)} does not exist`);
  return v;
};

export class GroupPackageInput {
  @Field(...text(100)) id?: string;
  @Field(...text(100)) name?: string;
}

/** default_create_group_schema */
export class GroupCreateInput {
  @Field(ignoreEmpty, uuidValidator) id?: string;
  @Field(notEmpty, unicodeSafe, nameValidator) name!: string;
  @Field(...text()) title?: string;
  @Field(...text(100_000)) description?: string;
  @Field(...text(8000)) image_url?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) type?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(20)) state?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(20)) approval_status?: string;
  @NestedList(GroupExtraInput, { before: [maxItems(GROUP_LIST_MAX, 'extras')] }) extras?: GroupExtraInput[];
  @NestedList(GroupUserInput, { before: [maxItems(GROUP_LIST_MAX, 'users')] }) users?: GroupUserInput[];
  @NestedList(GroupPackageInput, { before: [maxItems(GROUP_LIST_MAX, 'packages')] }) packages?: GroupPackageInput[];
  @Field(ignore) created?: unknown;
  @Field(ignore) is_organization?: unknown;
  /** An organization's parent: at most one item; [] (or a name of '') makes it top-level. Groups ignore it, as before. */
  @NestedList(GroupParentInput, { before: [maxItems(GROUP_LIST_MAX, 'groups')] }) groups?: GroupParentInput[];
  /** Organizations: the roles held in it that also apply in its sub-organizations. */
  @Field(ignoreMissing, listIfString, maxItems(ROLES.length * 3, 'roles'), rolesList) cascade_roles?: string[];
  /** Organizations (issue 14): editors submit datasets and only admins publish them. Ignored for groups. */
  @Field(ignoreMissing, strictBoolean) approval_required?: boolean;
  @Field(ignore) tags?: unknown;
}

/** default_update_group_schema: `id` names the group; `name` may change. */
export class GroupUpdateInput extends GroupCreateInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) override id!: string;
  @Field(ignoreMissing, notEmpty, unicodeSafe, nameValidator) override name!: string;
}

export class GroupShowInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreMissing, booleanValidator) include_datasets = false;
  @Field(ignoreMissing, booleanValidator) include_dataset_count = true;
  @Field(ignoreMissing, booleanValidator) include_extras = true;
  @Field(ignoreMissing, booleanValidator) include_users = true;
  @Field(ignoreMissing, booleanValidator) include_groups = true;
  @Field(ignoreMissing, booleanValidator) include_tags = true;
  @Field(ignoreMissing, booleanValidator) include_followers = true;
  @Field(ignoreMissing, booleanValidator) include_member_count = false;
}

export class GroupListInput {
  @Field(ignoreEmpty, unicodeSafe, maxLength(200)) sort?: string;
  @Field(ignoreEmpty, unicodeSafe, maxLength(200)) order_by?: string;
  @Field(ignoreEmpty, naturalNumber) limit?: number;
  @Field(ignoreEmpty, naturalNumber) offset?: number;
  @Field(ignoreMissing, unicodeSafe, maxLength(200)) q?: string;
  @Field(ignoreMissing, listIfString, maxItems(GROUP_LIST_MAX, 'organizations'), listOfStrings) organizations?: string[];
  @Field(ignoreMissing, listIfString, maxItems(GROUP_LIST_MAX, 'groups'), listOfStrings) groups?: string[];
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) type?: string;
  @Field(ignoreMissing, booleanValidator) all_fields = false;
  @Field(ignoreMissing, booleanValidator) include_dataset_count = true;
  @Field(ignoreMissing, booleanValidator) include_extras = false;
  @Field(ignoreMissing, booleanValidator) include_tags = false;
  @Field(ignoreMissing, booleanValidator) include_groups = false;
  @Field(ignoreMissing, booleanValidator) include_users = false;
}

export class MemberCreateInput {
  @Field(notMissing, notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(notMissing, notEmpty, unicodeSafe, maxLength(100)) username!: string;
  @Field(notMissing, unicodeSafe, roleExists) role!: string;
}

export class MemberDeleteInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) username?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) user_id?: string;
}

/** member_list */
export class MemberListInput {
  @Field(notMissing, notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreEmpty, unicodeSafe, maxLength(100)) object_type?: string;
  @Field(ignoreEmpty, unicodeSafe, maxLength(100)) capacity?: string;
}

/** member_delete (CKAN's _get_or_bust: each key is required). */
export class MemberObjectInput {
  @Field(notMissing, notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(notMissing, notEmpty, unicodeSafe, maxLength(100)) object!: string;
  @Field(notMissing, notEmpty, unicodeSafe, maxLength(100)) object_type!: string;
}

/** member_create */
export class MemberObjectCreateInput {
  @Field(notMissing, notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(notMissing, notEmpty, unicodeSafe, maxLength(100)) object!: string;
  @Field(notMissing, notEmpty, unicodeSafe, maxLength(100)) object_type!: string;
  @Field(notMissing, notEmpty, unicodeSafe, maxLength(100)) capacity!: string;
}

export class ListForUserInput {
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) id?: string;
  @Field(ignoreEmpty, unicodeSafe, maxLength(50)) permission = 'manage_group';
  @Field(ignoreMissing, booleanValidator) include_dataset_count = false;
}

export class GroupListAuthzInput {
  @Field(ignoreMissing, booleanValidator) am_member = false;
  @Field(ignoreMissing, booleanValidator) available_only = false;
  @Field(ignoreMissing, booleanValidator) include_dataset_count = false;
  @Field(ignoreMissing, booleanValidator) include_member_count = false;
}

export class MemberRolesInput {
  @Field(ignoreEmpty, unicodeSafe) group_type = 'organization';
}

/** group_dictize; optional parts appear only when asked for. */
export function toGroupDict(
  g: GroupRow,
  parts: {
    packageCount?: number;
    extras?: boolean;
    users?: Record<string, unknown>[];
    tags?: boolean;
    groups?: boolean;
    packages?: unknown[];
    capacity?: string;
    memberCount?: number;
    followers?: number;
  },
): Record<string, unknown> {
  const dict: Record<string, unknown> = {
    approval_status: g.approval_status,
    ...(parts.capacity !== undefined ? { capacity: parts.capacity } : {}),
    created: ckanTimestamp(g.created),
    description: g.description,
    display_name: g.title || g.name,
    id: g.id,
    image_display_url: g.image_url,
    image_url: g.image_url,
    is_organization: g.is_organization,
    name: g.name,
    state: g.state,
    title: g.title,
    type: g.type,
  };
  if (g.is_organization) dict.approval_required = g.approval_required ?? false;
  if (parts.followers !== undefined) dict.num_followers = parts.followers;
  if (parts.packageCount !== undefined) dict.package_count = parts.packageCount;
  if (parts.memberCount !== undefined) dict.member_count = parts.memberCount;
  if (parts.extras) {
    dict.extras = Object.keys(g.extras ?? {})
      .sort()
      .map((key) => ({ group_id: g.id, key, state: 'active', value: g.extras[key] }));
  }
  if (parts.tags) dict.tags = [];
  if (parts.groups) dict.groups = [];
  if (parts.users) dict.users = parts.users;
  if (parts.packages) dict.packages = parts.packages;
  return dict;
}
