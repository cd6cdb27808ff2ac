import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { FieldErrors } from '../../api/errors';
import { Authz, ROLES } from '../../auth/authz';
import { HIERARCHY_MAX_DEPTH } from '../../auth/membership.repository';
import { GroupParentInput } from './group.dto';
import { GroupRepository, GroupRow } from './group.repository';
import { HierarchyRepository, TreeRow } from './hierarchy.repository';

/** A node of group_tree / group_tree_section (ckanext-hierarchy's GroupTreeNode). */
export interface TreeNode {
  id: string;
  name: string;
  title: string;
  highlighted: boolean;
  children: TreeNode[];
}

/** What an organization write asks of the hierarchy: undefined keeps the current value. */
export interface HierarchyChange {
  parentId?: string | null;
  cascadeRoles?: string[];
}

/** The parent a `groups` list names: its first item's id or name; '' (the form's "None - top level") or [] is none. */
export const parentRef = (groups: GroupParentInput[]): string => groups[0]?.id || groups[0]?.name || '';

const byTitle = (a: { title: string; name: string }, b: { title: string; name: string }): number =>
  a.title < b.title ? -1 : a.title > b.title ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/**
 * The organization hierarchy (ckanext-hierarchy): checking and storing an organization's parent and cascade_roles,
 * and the trees group_tree and group_tree_section answer. Which roles reach down the tree is applied where roles are
 * loaded (MembershipRepository.rolesOf), so every permission and read path follows it.
 */
@Injectable()
export class OrganizationHierarchy {
  constructor(private readonly tree: HierarchyRepository, private readonly groups: GroupRepository, private readonly authz: Authz) {}

  /** The roles that reach from `g` into its sub-organizations: its own cascade_roles, else the site's default. */
  cascadeRolesOf(g: Pick<GroupRow, 'cascade_roles'>): string[] {
    return g.cascade_roles ?? this.authz.cascadeByDefault;
  }

  /**
   * The change an organization_create/update/patch asks for, checked: one parent at most, an active organization,
   * not the organization itself nor one below it, and no tree deeper than HIERARCHY_MAX_DEPTH levels. Problems go
   * into `errors` (409, CKAN's field map).
   */
  async check(
    ctx: ActionContext, g: GroupRow | null, input: { groups?: GroupParentInput[]; cascade_roles?: string[] }, errors: FieldErrors,
  ): Promise<HierarchyChange> {
    const change: HierarchyChange = {};
    if (input.cascade_roles) change.cascadeRoles = ROLES.filter((r) => input.cascade_roles!.includes(r));
    if (!input.groups) return change;
    if (input.groups.length > 1) {
      errors.groups = ['An organization can have only one parent organization'];
      return change;
    }
    const ref = parentRef(input.groups);
    if (!ref) {
      if (g?.parent_id) change.parentId = null;
      return change;
    }
    const parent = await this.groups.find(ctx.db, ref);
    if (!parent || parent.state !== 'active') errors.groups = [`Parent organization ${ref} does not exist`];
    else if (!parent.is_organization) errors.groups = ['The parent of an organization must be an organization'];
    if (!parent || errors.groups || parent.id === g?.parent_id) return change;
    await this.tree.lock(ctx.db);
    const below = g ? await this.tree.descendants(ctx.db, g.id) : [];
    if (parent.id === g?.id || below.some((d) => d.id === parent.id)) {
      errors.groups = ['An organization cannot be placed below itself or one of its sub-organizations'];
      return change;
    }
    const levels = (await this.tree.ancestors(ctx.db, parent.id)).length + 2 + Math.max(0, ...below.map((d) => d.depth));
    if (levels > HIERARCHY_MAX_DEPTH) errors.groups = [`The organization tree would be deeper than ${HIERARCHY_MAX_DEPTH} levels`];
    else change.parentId = parent.id;
    return change;
  }

  /**
   * Takes the hierarchy's lock for a write that may move an organization, before the write locks its row: the new
   * parent's foreign key check waits for a row another move has locked, so taking the two the other way round would
   * deadlock two concurrent moves.
   */
  async lockTree(ctx: ActionContext): Promise<void> {
    await this.tree.lock(ctx.db);
  }

  /** Stores a checked change; the caller's roles are loaded afresh afterwards, as they may reach further or less far. */
  async apply(ctx: ActionContext, id: string, change: HierarchyChange): Promise<void> {
    if (change.parentId !== undefined) await this.tree.setParent(ctx.db, id, change.parentId);
    if (change.cascadeRoles) await this.tree.setCascadeRoles(ctx.db, id, change.cascadeRoles);
    if (change.parentId !== undefined || change.cascadeRoles) ctx.forgetMemberships();
  }

  /** Deleting an organization: its children become top-level, and it leaves its parent. */
  async unlink(ctx: ActionContext, id: string): Promise<void> {
    await this.tree.clearLinks(ctx.db, id);
    ctx.forgetMemberships();
  }

  /** organization_show's `parent` and `children` (active ones, by title). */
  async parentAndChildren(ctx: ActionContext, g: GroupRow): Promise<{ parent: Record<string, unknown> | null; children: Record<string, unknown>[] }> {
    const parent = g.parent_id ? (await this.tree.ancestors(ctx.db, g.id))[0] : undefined;
    const brief = (r: TreeRow): Record<string, unknown> => ({ id: r.id, name: r.name, title: r.title, display_name: r.title || r.name });
    return { parent: parent ? brief(parent) : null, children: (await this.tree.children(ctx.db, g.id)).map(brief) };
  }

  /** group_tree: every top-level organization or group of `type` with everything below it. */
  async wholeTree(ctx: ActionContext, type: string): Promise<TreeNode[]> {
    const rows = await this.tree.allOfType(ctx.db, type);
    const ids = new Set(rows.map((r) => r.id));
    return rows.filter((r) => !r.parent_id || !ids.has(r.parent_id)).map((r) => this.branch(rows, r, undefined));
  }

  /**
   * group_tree_section: the branch holding `g`, from its top-level ancestor down (from `g` itself without
   * includeParents), `g` highlighted; without includeSiblings only the path from the top down to `g`'s branch.
   */
  async section(ctx: ActionContext, g: GroupRow, includeParents: boolean, includeSiblings: boolean): Promise<TreeNode> {
    const rows = await this.tree.allOfType(ctx.db, g.type);
    const self = rows.find((r) => r.id === g.id) ?? { id: g.id, name: g.name, title: g.title, parent_id: null };
    const path = includeParents ? (await this.tree.ancestors(ctx.db, g.id)).filter((a) => rows.some((r) => r.id === a.id)).reverse() : [];
    if (!path.length || includeSiblings) return this.branch(rows, path[0] ?? self, g.id);
    const top = path.map((r) => ({ id: r.id, name: r.name, title: r.title, highlighted: false, children: [] as TreeNode[] }));
    top.forEach((node, i) => node.children.push(top[i + 1] ?? this.branch(rows, self, g.id)));
    return top[0];
  }

  private branch(rows: TreeRow[], root: TreeRow, highlight: string | undefined, depth = 0): TreeNode {
    const children = depth >= HIERARCHY_MAX_DEPTH ? [] : rows.filter((r) => r.parent_id === root.id).sort(byTitle);
    return {
      id: root.id,
      name: root.name,
      title: root.title,
      highlighted: root.id === highlight,
      children: children.map((c) => this.branch(rows, c, highlight, depth + 1)),
    };
  }
}
