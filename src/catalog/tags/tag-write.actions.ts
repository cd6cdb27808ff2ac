import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, defineAction, deny } from '../../api/action';
import { NotFound, ValidationError } from '../../api/errors';
import { DatasetChanges } from '../datasets/dataset-changes';
import { TagCreateInput, TagDeleteInput } from './tag.dto';
import { TagRepository } from './tag.repository';
import { toTagDict } from './vocabulary.dto';
import { VocabularyRepository } from './vocabulary.repository';

/** tag_create, tag_delete: CKAN's auth functions answer no to everyone but sysadmins, whom the dispatcher lets through. */
@Injectable()
export class TagWriteActions implements ActionProvider {
  constructor(
    private readonly tags: TagRepository,
    private readonly vocabularies: VocabularyRepository,
    private readonly changes: DatasetChanges,
  ) {}

  readonly tagCreate = defineAction({
    name: 'tag_create',
    scope: 'admin',
    help: `Add a tag to a vocabulary (free tags come with the datasets carrying them). Params: name, vocabulary_id (the
vocabulary's id). Sysadmins only.`,
    sideEffectFree: false,
    anonymous: false,
    input: TagCreateInput,
    auth: async () => deny(''),
    handler: async (ctx, input) => {
      const vocabulary = await this.vocabularies.findById(ctx.db, input.vocabulary_id);
      if (!vocabulary) throw new ValidationError({ vocabulary_id: ['Tag vocabulary was not found.'] });
      const tag = await this.vocabularies.addTag(ctx.db, vocabulary.id, input.name);
      if (!tag) throw new ValidationError({ name: [`Tag ${input.name} already belongs to vocabulary ${vocabulary.name}`] });
      return { ...toTagDict(tag), packages: [] };
    },
  });

  readonly tagDelete = defineAction({
    name: 'tag_delete',
    scope: 'admin',
    help: `Delete a tag and remove it from every dataset. Params: id (tag id or name), vocabulary_id (id or name of its
vocabulary; without it a name means a free tag). Sysadmins only.`,
    sideEffectFree: false,
    anonymous: false,
    input: TagDeleteInput,
    auth: async () => deny(''),
    handler: async (ctx, input) => {
      let vocabularyId: string | null = null;
      if (input.vocabulary_id) {
        const vocabulary = await this.vocabularies.find(ctx.db, input.vocabulary_id);
        if (!vocabulary) throw new NotFound(`Could not find tag "${input.id}"`);
        vocabularyId = vocabulary.id;
      }
      const tag = await this.tags.find(ctx.db, input.id, vocabularyId);
      if (!tag) throw new NotFound(`Could not find tag "${input.id}"`);
      await this.changes.changed(ctx, await this.tags.delete(ctx.db, tag.id));
      return null;
    },
  });

  all = (): AnyAction[] => [this.tagCreate, this.tagDelete];
}
