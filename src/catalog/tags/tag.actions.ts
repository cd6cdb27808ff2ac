import { Inject, Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, defineAction } from '../../api/action';
import { NotFound } from '../../api/errors';
import { Visibility } from '../../auth/visibility';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { DatasetDicts } from '../datasets/dataset-dicts.service';
import { toPackageDict } from '../datasets/dataset.dict';
import { DatasetRepository } from '../datasets/dataset.repository';
import { TagListInput, TagSearchInput, tagSearchTerms, TagShowInput } from './tag.dto';
import { TagRepository } from './tag.repository';
import { toTagDict } from './vocabulary.dto';
import { VocabularyRepository } from './vocabulary.repository';

/** tag_list, tag_show, tag_search */
@Injectable()
export class TagActions implements ActionProvider {
  constructor(
    private readonly tags: TagRepository,
    private readonly vocabularies: VocabularyRepository,
    private readonly datasets: DatasetRepository,
    private readonly visibility: Visibility,
    private readonly datasetDicts: DatasetDicts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  readonly tagList = defineAction({
    name: 'tag_list',
    help: `Return the site's free tags, or a vocabulary's tags. Params: query (or q: substring to match), vocabulary_id (id or
name of a vocabulary: its tags; unknown: 404, or [] with a query, as in CKAN), all_fields (bool: dicts instead of names). CKAN compat: only free tags of
datasets the caller may read are listed, so private datasets' tags do not leak; a vocabulary's tags are all listed.`,
    sideEffectFree: true,
    anonymous: true,
    input: TagListInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      const q = (input.query ?? input.q)?.trim() || undefined;
      let rows;
      if (input.vocabulary_id) {
        const vocabulary = await this.vocabularies.find(ctx.db, input.vocabulary_id);
        // As CKAN: with a query tag_list searches (an unknown vocabulary finds nothing), without it lists (404).
        if (!vocabulary && q) return [];
        if (!vocabulary) throw new NotFound(`could not find vocabulary '${input.vocabulary_id}'`);
        rows = (await this.tags.search(ctx.db, await this.visibility.readerOf(ctx), q ? [q] : [], vocabulary.id, {})).rows;
      } else {
        rows = await this.tags.list(ctx.db, await this.visibility.readerOf(ctx), q);
      }
      return input.all_fields ? rows.map(toTagDict) : rows.map((t) => t.name);
    },
  });

  readonly tagShow = defineAction({
    name: 'tag_show',
    help: `Return a tag. Params: id (tag id or name), vocabulary_id (id or name of the vocabulary the named tag is in; without
it a name means a free tag), include_datasets (bool: the active public datasets carrying it, up to 1000).
CKAN compat: a free tag only datasets the caller may not read carry answers 404, as tag_list does not list it.`,
    sideEffectFree: true,
    anonymous: true,
    input: TagShowInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      let vocabularyId: string | null = null;
      if (input.vocabulary_id) {
        const vocabulary = await this.vocabularies.find(ctx.db, input.vocabulary_id);
        if (!vocabulary) throw new NotFound();
        vocabularyId = vocabulary.id;
      }
      const tag = await this.tags.find(ctx.db, input.id, vocabularyId);
      // A free tag is data of the datasets carrying it: its name alone can tell what a private dataset is about.
      // A vocabulary's tags are the sysadmin's published list, there with or without datasets.
      if (!tag) throw new NotFound();
      if (tag.vocabulary_id === null && !(await this.tags.isVisible(ctx.db, tag.id, await this.visibility.readerOf(ctx)))) throw new NotFound();
      const dict: Record<string, unknown> = { ...toTagDict(tag) };
      if (input.include_datasets) {
        const ids = await this.tags.publicDatasetIds(ctx.db, tag.id, 1000);
        dict.packages = await this.datasetDicts.forReader(ctx, (await this.datasets.loadDicts(ctx.db, ids)).map((d) => toPackageDict(d, this.config.SITE_URL)));
      }
      return dict;
    },
  });

  readonly tagSearch = defineAction({
    name: 'tag_search',
    help: `Return the tags whose names contain every term, case-insensitive: {count, results: [{id, name, vocabulary_id,
display_name}]}, by name. Params: query (or q: a term or a list of terms; none: no results), fields (deprecated:
{"tags": term} adds a term), vocabulary_id (id or name: that vocabulary's tags; unknown: no results; absent: free tags),
limit, offset. CKAN compat: free tags only of datasets the caller may read, so private datasets' tags do not leak.`,
    sideEffectFree: true,
    anonymous: true,
    input: TagSearchInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      const cleaned = tagSearchTerms(input);
      let vocabularyId: string | null = null;
      if (input.vocabulary_id) {
        const vocabulary = await this.vocabularies.find(ctx.db, input.vocabulary_id);
        if (!vocabulary) return { count: 0, results: [] };
        vocabularyId = vocabulary.id;
      }
      if (!cleaned.length) return { count: 0, results: [] };
      const { count, rows } = await this.tags.search(ctx.db, await this.visibility.readerOf(ctx), cleaned, vocabularyId, input);
      return { count, results: rows.map(toTagDict) };
    },
  });

  all = (): AnyAction[] => [this.tagList, this.tagShow, this.tagSearch];
}
