import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, defineAction } from '../api/action';
import { Field, ignoreEmpty, maxLength, naturalNumber, notMissing, unicodeSafe } from '../api/ckan-schema';
import { Visibility } from '../auth/visibility';
import { GroupRepository } from './organizations/group.repository';
import { ResourceRepository } from './resources/resource.repository';
import { TagSearchInput, tagSearchTerms } from './tags/tag.dto';
import { TagRepository } from './tags/tag.repository';
import { VocabularyRepository } from './tags/vocabulary.repository';

class AutocompleteInput {
  @Field(notMissing, unicodeSafe, maxLength(200)) q!: string;
  @Field(ignoreEmpty, naturalNumber) limit?: number;
}

/** `q` as a case-insensitive LIKE pattern for "contains q", its wildcards escaped. */
const like = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`;

/** The autocomplete actions a form's type-ahead calls: tags and formats of readable datasets, organizations and groups. */
@Injectable()
export class AutocompleteActions implements ActionProvider {
  constructor(
    private readonly tags: TagRepository,
    private readonly resources: ResourceRepository,
    private readonly groups: GroupRepository,
    private readonly vocabularies: VocabularyRepository,
    private readonly visibility: Visibility,
  ) {}

  readonly tagAutocomplete = defineAction({
    name: 'tag_autocomplete',
    help: `Return the names of tags containing every term, those starting with the first term first: free tags of datasets
you may read or, with vocabulary_id, that vocabulary's tags (as tag_search chooses them). Params: query (or q: a term or
a list of terms; none: []), vocabulary_id (id or name; unknown: []), fields (deprecated: {"tags": term} adds a term),
limit (default 10; CKAN compat: CKAN returns every match), offset.`,
    sideEffectFree: true,
    anonymous: true,
    input: TagSearchInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      const cleaned = tagSearchTerms(input);
      let vocabularyId: string | null = null;
      if (input.vocabulary_id) {
        const vocabulary = await this.vocabularies.find(ctx.db, input.vocabulary_id);
        if (!vocabulary) return [];
        vocabularyId = vocabulary.id;
      }
      if (!cleaned.length) return [];
      const reader = await this.visibility.readerOf(ctx);
      return this.tags.autocomplete(ctx.db, reader, cleaned, vocabularyId, { limit: input.limit ?? 10, offset: input.offset ?? 0 });
    },
  });

  readonly formatAutocomplete = defineAction({
    name: 'format_autocomplete',
    help: 'Return resource formats containing q, most used first, in lower case (as CKAN does). Params: q, limit (default 5).',
    sideEffectFree: true,
    anonymous: true,
    input: AutocompleteInput,
    auth: async () => allow(),
    handler: async (ctx, input) => this.resources.formatsLike(ctx.db, await this.visibility.readerOf(ctx), like(input.q), input.limit ?? 5),
  });

  private groupAutocomplete(kind: 'organization' | 'group'): AnyAction {
    return defineAction({
      name: `${kind}_autocomplete`,
      help: `Return ${kind}s whose name or title contains q: [{id, name, title}]. Params: q, limit (default 20).`,
      sideEffectFree: true,
      anonymous: true,
      input: AutocompleteInput,
      auth: async () => allow(),
      handler: async (ctx, input) => this.groups.autocomplete(ctx.db, kind === 'organization', like(input.q), input.limit ?? 20),
    });
  }

  all = (): AnyAction[] => [this.tagAutocomplete, this.formatAutocomplete, this.groupAutocomplete('organization'), this.groupAutocomplete('group')];
}
