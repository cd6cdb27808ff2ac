import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, defineAction } from '../../api/action';
import type { ActionContext } from '../../api/action-context';
import { Invalid, oneOf } from '../../api/ckan-schema';
import { NotFound, ValidationError } from '../../api/errors';
import { Visibility } from '../../auth/visibility';
import { DatasetChanges } from '../datasets/dataset-changes';
import { DatasetDicts } from '../datasets/dataset-dicts.service';
import { DatasetRepository, DatasetRow } from '../datasets/dataset.repository';
import { authRelationshipCreate, authRelationshipDelete, authRelationshipsList } from './relationship.auth';
import {
  ALL_RELATIONSHIP_TYPES, isRelationshipType, pyRepr, RelationshipCreateInput, RelationshipDeleteInput, RelationshipDict, RelationshipsListInput,
  RelationshipUpdateInput, reverseType, storedForm, toRelationshipDict,
} from './relationship.dto';
import { RelationshipRepository } from './relationship.repository';

const TYPES_HELP = ALL_RELATIONSHIP_TYPES.join(', ');

interface Pair {
  subject: DatasetRow;
  object: DatasetRow;
}

/** package_relationship_create, package_relationship_update, package_relationship_delete, package_relationships_list. */
@Injectable()
export class RelationshipActions implements ActionProvider {
  constructor(
    private readonly relationships: RelationshipRepository,
    private readonly datasets: DatasetRepository,
    private readonly dicts: DatasetDicts,
    private readonly visibility: Visibility,
    private readonly changes: DatasetChanges,
  ) {}

  /**
   * The two datasets a write names and its type, checked in CKAN's order (shared by auth and handler): the subject
   * and the object must exist (404), then the type must be one CKAN knows (409).
   */
  private pair(ctx: ActionContext, input: { subject: string; object: string; type: string }): Promise<Pair> {
    return ctx.memo(`relationship:${input.subject}\u0000${input.object}\u0000${input.type}`, async () => {
      const subject = await this.datasets.findRow(ctx.db, input.subject);
      if (!subject) throw new NotFound(`Subject package ${pyRepr(input.subject)} was not found.`);
      const object = await this.datasets.findRow(ctx.db, input.object);
      if (!object) throw new NotFound(`Object package ${pyRepr(input.object)} was not found.`);
      // CKAN compat: CKAN's update and delete do not check the type and fail with a server error on an unknown one.
      const type = oneOf(ALL_RELATIONSHIP_TYPES)(input.type, {});
      if (type instanceof Invalid) throw new ValidationError({ type: [type.message] });
      return { subject, object };
    });
  }

  /**
   * Locks both datasets for the write's transaction (in id order, so two writers never wait on each other), so
   * neither can be purged between the checks and the write; one gone meanwhile is the same 404 as before.
   */
  private async lock(ctx: ActionContext, p: Pair, input: { subject: string; object: string }): Promise<void> {
    for (const d of [p.subject, p.object].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      if (!(await this.datasets.findRow(ctx.db, d.id, { lock: true }))) {
        throw new NotFound(d === p.subject ? `Subject package ${pyRepr(input.subject)} was not found.` : `Object package ${pyRepr(input.object)} was not found.`);
      }
    }
  }

  /** Both datasets' dicts show their relationships: both change with any write of one. */
  private async changed(ctx: ActionContext, p: Pair): Promise<void> {
    await this.changes.changed(ctx, [p.subject.id, p.object.id]);
  }

  readonly relationshipCreate = defineAction({
    name: 'package_relationship_create',
    help: `Create a relationship between two datasets: "subject type object".

Params: subject (id or name), object (id or name), type (one of ${TYPES_HELP}), comment (optional).
Returns {subject, type, object, comment} with datasets by name, in the stored form: a reverse type is stored and answered
turned round ("a parent_of b" answers "b child_of a"). Creating an existing relationship again sets its comment.
Callers must be allowed to edit both datasets.`,
    sideEffectFree: false,
    anonymous: false,
    input: RelationshipCreateInput,
    auth: async (ctx, input) => {
      const p = await this.pair(ctx, input);
      return authRelationshipCreate(ctx, this.visibility, p.subject, p.object);
    },
    handler: async (ctx, input): Promise<RelationshipDict> => {
      const p = await this.pair(ctx, input);
      await this.lock(ctx, p, input);
      const s = storedForm(p.subject.id, input.type, p.object.id);
      const existing = await this.relationships.find(ctx.db, s.subject, s.object, s.type, { lock: true });
      if (!existing) {
        await this.relationships.insert(ctx.db, s.subject, s.object, s.type, input.comment ?? '');
      } else if (existing.state === 'active') {
        // As CKAN's _update_package_relationship: the comment given, or none.
        await this.relationships.update(ctx.db, existing.id, { comment: input.comment ?? '', state: 'active' });
      } else {
        // As CKAN's add_relationship: a deleted relationship comes back, keeping its comment unless a new one is given.
        await this.relationships.update(ctx.db, existing.id, { comment: input.comment || existing.comment, state: 'active' });
      }
      await this.changed(ctx, p);
      const row = await this.relationships.find(ctx.db, s.subject, s.object, s.type);
      return toRelationshipDict(row!);
    },
  });

  readonly relationshipUpdate = defineAction({
    name: 'package_relationship_update',
    help: `Update a relationship's comment (the only thing that changes).

Params: subject (id or name), object (id or name), type (one of ${TYPES_HELP}) name the relationship; comment (optional: none
clears it). Returns {subject, type, object, comment} in the stored form. 404 when there is no such relationship.
Callers must be allowed to edit both datasets.`,
    sideEffectFree: false,
    anonymous: false,
    input: RelationshipUpdateInput,
    auth: async (ctx, input) => {
      const p = await this.pair(ctx, input);
      return authRelationshipCreate(ctx, this.visibility, p.subject, p.object);
    },
    handler: async (ctx, input): Promise<RelationshipDict> => {
      const p = await this.pair(ctx, input);
      await this.lock(ctx, p, input);
      const s = storedForm(p.subject.id, input.type, p.object.id);
      const existing = await this.relationships.find(ctx.db, s.subject, s.object, s.type, { lock: true });
      if (!existing || existing.state !== 'active') throw new NotFound('This relationship between the packages was not found.');
      const comment = input.comment ?? '';
      if (comment !== existing.comment) {
        await this.relationships.update(ctx.db, existing.id, { comment, state: 'active' });
        await this.changed(ctx, p);
      }
      return toRelationshipDict({ ...existing, comment });
    },
  });

  readonly relationshipDelete = defineAction({
    name: 'package_relationship_delete',
    help: `Delete a relationship (it is kept as deleted: creating it again brings it back).

Params: subject (id or name), object (id or name), type (one of ${TYPES_HELP}). Returns null; 404 when there is no such
relationship. Callers must be allowed to edit both datasets.`,
    sideEffectFree: false,
    anonymous: false,
    input: RelationshipDeleteInput,
    auth: async (ctx, input) => {
      const p = await this.pair(ctx, input);
      return authRelationshipDelete(ctx, this.visibility, p.subject, p.object);
    },
    handler: async (ctx, input) => {
      const p = await this.pair(ctx, input);
      await this.lock(ctx, p, input);
      const s = storedForm(p.subject.id, input.type, p.object.id);
      const existing = await this.relationships.find(ctx.db, s.subject, s.object, s.type, { lock: true });
      // CKAN answers a bare "Not found" here.
      if (!existing || existing.state !== 'active') throw new NotFound();
      await this.relationships.update(ctx.db, existing.id, { comment: existing.comment, state: 'deleted' });
      await this.changed(ctx, p);
      return null;
    },
  });

  /** The datasets package_relationships_list names, in CKAN's order and wording (shared by auth and handler). */
  private listed(ctx: ActionContext, input: RelationshipsListInput): Promise<{ first: DatasetRow; second: DatasetRow | null }> {
    return ctx.memo(`relationships:${input.id}\u0000${input.id2 ?? ''}`, async () => {
      const first = await this.datasets.findRow(ctx.db, input.id);
      if (!first) throw new NotFound('First package named in request was not found.');
      let second: DatasetRow | null = null;
      if (input.id2) {
        second = await this.datasets.findRow(ctx.db, input.id2);
        if (!second) throw new NotFound('Second package named in address was not found.');
      }
      return { first, second };
    });
  }

  readonly relationshipsList = defineAction({
    name: 'package_relationships_list',
    help: `Return a dataset's relationships, seen from it: [{subject, type, object, comment}] with datasets by name, the dataset
as subject (its relationships as object turned round: "b child_of a" lists from a as "a parent_of b").

Params: id (id or name), id2 (id or name of a second dataset: only relationships with it, optional), rel (one type, optional;
"relationships" means all). 404 when rel is given and nothing matches. Callers must be allowed to read both datasets;
relationships with datasets they may not read are left out.`,
    sideEffectFree: true,
    anonymous: true,
    input: RelationshipsListInput,
    auth: async (ctx, input) => {
      const { first, second } = await this.listed(ctx, input);
      return authRelationshipsList(ctx, this.visibility, first, second);
    },
    handler: async (ctx, input): Promise<RelationshipDict[]> => {
      const { first, second } = await this.listed(ctx, input);
      const rel = input.rel && input.rel !== 'relationships' ? input.rel : null;
      const notFound = (): NotFound => new NotFound(`Relationship "${input.id} ${rel} ${input.id2 ?? 'None'}" not found.`);
      // CKAN compat: CKAN fails with a server error on an unknown type; nothing can match it.
      if (rel && !isRelationshipType(rel)) throw notFound();
      const rows = await this.relationships.listOf(ctx.db, first.id, second?.id ?? null, rel, rel ? reverseType(rel) : null);
      // CKAN compat: CKAN lists relationships with datasets the caller may not read; we leave them out.
      const others = rows.map((r) => (r.subject_package_id === first.id ? r.object_package_id : r.subject_package_id));
      const hidden = await this.dicts.unreadable(ctx, others.filter((id) => id !== first.id));
      const visible = rows.filter((_r, i) => !hidden.has(others[i]));
      if (rel && !visible.length) throw notFound();
      return visible.map((r) => toRelationshipDict(r, first.id));
    },
  });

  all = (): AnyAction[] => [this.relationshipCreate, this.relationshipUpdate, this.relationshipDelete, this.relationshipsList];
}
