import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, defineAction } from '../../api/action';
import { booleanValidator, Field, ignoreEmpty, ignoreMissing, maxLength, notEmpty, notMissing, unicodeSafe } from '../../api/ckan-schema';
import { NotFound, ValidationError } from '../../api/errors';
import { GroupRepository } from './group.repository';
import { OrganizationHierarchy } from './hierarchy.service';

export class GroupTreeInput {
  @Field(ignoreEmpty, unicodeSafe, maxLength(100)) type = 'group';
}

export class GroupTreeSectionInput {
  @Field(notMissing, notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreEmpty, unicodeSafe, maxLength(100)) type?: string;
  @Field(ignoreMissing, booleanValidator) include_parents = true;
  @Field(ignoreMissing, booleanValidator) include_siblings = true;
}

const NODE = '{id, name, title, highlighted, children: [nodes, by title]}';

/**
 * ckanext-hierarchy's group_tree and group_tree_section. Organizations and groups are public, so anyone may call
 * them; a node carries no dataset counts, so nothing private can show. CKAN compat: CKAN answers with deleted
 * organizations too when named in group_tree_section; here only active ones take part (a deleted one: 404).
 */
@Injectable()
export class HierarchyActions implements ActionProvider {
  constructor(private readonly hierarchy: OrganizationHierarchy, private readonly groups: GroupRepository) {}

  readonly groupTree = defineAction({
    name: 'group_tree',
    help: `Return the whole hierarchy of organizations or groups: the top-level ones (by title), each a node ${NODE}.
Params: type (default "group", as CKAN; "organization" for the organization tree). Groups have no parents here, so their tree is flat.`,
    sideEffectFree: true,
    anonymous: true,
    input: GroupTreeInput,
    auth: async () => allow(),
    handler: (ctx, input) => this.hierarchy.wholeTree(ctx, input.type),
  });

  readonly groupTreeSection = defineAction({
    name: 'group_tree_section',
    help: `Return the part of the hierarchy that holds one organization or group: the node of its top-level ancestor with everything below it,
the named one "highlighted". A node is ${NODE}.
Params: id (id or name), type (default "group", as CKAN; it must match the named one's type, else 409), include_parents (default true;
false: start at the named one), include_siblings (default true; false: only the path from the top down to the named one's branch).`,
    sideEffectFree: true,
    anonymous: true,
    input: GroupTreeSectionInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      const g = await this.groups.find(ctx.db, input.id);
      if (!g || g.state !== 'active') throw new NotFound();
      const type = input.type ?? 'group';
      if (g.type !== type) {
        throw new ValidationError({ message: `Group type is "${g.type}" not "${type}" that ${input.type ? 'was specified' : 'is filtered by default'}` });
      }
      return this.hierarchy.section(ctx, g, input.include_parents, input.include_siblings);
    },
  });

  all = (): AnyAction[] => [this.groupTree, this.groupTreeSection];
}
