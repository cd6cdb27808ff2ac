import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, defineAction, deny, NoInput } from '../../api/action';
import type { ActionContext } from '../../api/action-context';
import { NotFound, ValidationError } from '../../api/errors';
import { DatasetChanges } from '../datasets/dataset-changes';
import { toVocabularyDict, VocabularyCreateInput, VocabularyIdInput, VocabularyUpdateInput } from './vocabulary.dto';
import { VocabularyRepository, VocabularyRow } from './vocabulary.repository';

const NAME_IN_USE = 'That vocabulary name is already in use.';
/** CKAN's vocabulary auth functions answer no to everyone but sysadmins, whom the dispatcher lets through. */
const sysadminsOnly = async (): Promise<ReturnType<typeof deny>> => deny('');

/** vocabulary_list, vocabulary_show, vocabulary_create, vocabulary_update, vocabulary_delete */
@Injectable()
export class VocabularyActions implements ActionProvider {
  constructor(private readonly vocabularies: VocabularyRepository, private readonly changes: DatasetChanges) {}

  readonly vocabularyList = defineAction({
    name: 'vocabulary_list',
    help: 'Return every tag vocabulary with its tags ({id, name, tags}). No params; anyone may call it, as in CKAN.',
    sideEffectFree: true,
    anonymous: true,
    input: NoInput,
    auth: async () => allow(),
    handler: async (ctx) => {
      const list = await this.vocabularies.list(ctx.db);
      const tags = await this.vocabularies.tagsOf(ctx.db, list.map((v) => v.id));
      return list.map((v) => toVocabularyDict(v, tags));
    },
  });

  readonly vocabularyShow = defineAction({
    name: 'vocabulary_show',
    help: 'Return a tag vocabulary with its tags. Params: id (id or name). Anyone may call it, as in CKAN.',
    sideEffectFree: true,
    anonymous: true,
    input: VocabularyIdInput,
    auth: async () => allow(),
    handler: async (ctx, { id }) => this.dict(ctx, await this.get(ctx, id)),
  });

  readonly vocabularyCreate = defineAction({
    name: 'vocabulary_create',
    scope: 'admin',
    help: 'Create a tag vocabulary. Params: name (2 to 100 characters, unique), tags ([{name}], optional). Sysadmins only.',
    sideEffectFree: false,
    anonymous: false,
    input: VocabularyCreateInput,
    auth: sysadminsOnly,
    handler: async (ctx, input) => {
      if (await this.vocabularies.nameTaken(ctx.db, input.name)) throw new ValidationError({ name: [NAME_IN_USE] });
      const id = await this.vocabularies.insert(ctx.db, input.name);
      await this.vocabularies.setTags(ctx.db, id, (input.tags ?? []).map((t) => t.name));
      return this.dict(ctx, { id, name: input.name });
    },
  });

  readonly vocabularyUpdate = defineAction({
    name: 'vocabulary_update',
    scope: 'admin',
    help: `Update a tag vocabulary. Params: id (id or name), name (optional), tags ([{name}], optional: replaces the tags;
tags that stay keep their datasets, removed ones leave theirs). Sysadmins only.`,
    sideEffectFree: false,
    anonymous: false,
    input: VocabularyUpdateInput,
    auth: sysadminsOnly,
    handler: async (ctx, input) => {
      const vocabulary = await this.get(ctx, input.id);
      // CKAN compat: CKAN refuses a vocabulary's own name sent back unchanged as "in use"; we accept it.
      if (input.name !== undefined && (await this.vocabularies.nameTaken(ctx.db, input.name, vocabulary.id))) {
        throw new ValidationError({ name: [NAME_IN_USE] });
      }
      const renamed = input.name !== undefined && input.name !== vocabulary.name;
      // Renamed: every dataset with one of its tags changes, as search knows them by `vocab_<vocabulary name>`.
      const changed = renamed || input.tags ? await this.vocabularies.datasetIdsLosing(ctx.db, vocabulary.id, renamed ? undefined : input.tags?.map((t) => t.name)) : [];
      if (renamed) await this.vocabularies.rename(ctx.db, vocabulary.id, input.name!);
      if (input.tags) await this.vocabularies.setTags(ctx.db, vocabulary.id, input.tags.map((t) => t.name));
      await this.changes.changed(ctx, changed);
      return this.dict(ctx, { id: vocabulary.id, name: input.name ?? vocabulary.name });
    },
  });

  readonly vocabularyDelete = defineAction({
    name: 'vocabulary_delete',
    scope: 'admin',
    help: 'Delete a tag vocabulary, its tags and their place in datasets. Params: id (id or name). Sysadmins only.',
    sideEffectFree: false,
    anonymous: false,
    input: VocabularyIdInput,
    auth: sysadminsOnly,
    handler: async (ctx, { id }) => {
      const vocabulary = await this.get(ctx, id);
      const losing = await this.vocabularies.datasetIdsLosing(ctx.db, vocabulary.id);
      await this.vocabularies.delete(ctx.db, vocabulary.id);
      await this.changes.changed(ctx, losing);
      return null;
    },
  });

  private async get(ctx: ActionContext, id: string): Promise<VocabularyRow> {
    const vocabulary = await this.vocabularies.find(ctx.db, id);
    if (!vocabulary) throw new NotFound(`Could not find vocabulary "${id}"`);
    return vocabulary;
  }

  private async dict(ctx: ActionContext, v: VocabularyRow): Promise<ReturnType<typeof toVocabularyDict>> {
    return toVocabularyDict(v, await this.vocabularies.tagsOf(ctx.db, [v.id]));
  }

  all = (): AnyAction[] => [this.vocabularyList, this.vocabularyShow, this.vocabularyCreate, this.vocabularyUpdate, this.vocabularyDelete];
}
