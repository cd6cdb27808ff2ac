import { Inject, Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, defineAction } from '../../api/action';
import { NotFound } from '../../api/errors';
import { Visibility } from '../../auth/visibility';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { toPackageDict } from '../datasets/dataset.dict';
import { DatasetRepository } from '../datasets/dataset.repository';
import { TagListInput, TagShowInput } from './tag.dto';
import { TagRepository } from './tag.repository';

/** tag_list, tag_show */
@Injectable()
export class TagActions implements ActionProvider {
  constructor(
    private readonly tags: TagRepository,
    private readonly datasets: DatasetRepository,
    private readonly visibility: Visibility,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  readonly tagList = defineAction({
    name: 'tag_list',
    help: `Return the site's free tags. Params: query (or q: substring to match), vocabulary_id (no vocabularies exist: []),
all_fields (bool: dicts instead of names). CKAN compat: only tags of datasets the caller may read are listed, so private
datasets' tags do not leak.`,
    sideEffectFree: true,
    anonymous: true,
    input: TagListInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      if (input.vocabulary_id) return [];
      const rows = await this.tags.list(ctx.db, await this.visibility.readerOf(ctx), (input.query ?? input.q)?.trim() || undefined);
      return input.all_fields ? rows.map((t) => ({ display_name: t.name, id: t.id, name: t.name, vocabulary_id: null })) : rows.map((t) => t.name);
    },
  });

  readonly tagShow = defineAction({
    name: 'tag_show',
    help: `Return a tag. Params: id (tag id or name), include_datasets (bool: the active public datasets carrying it, up to 1000).
CKAN compat: a tag only datasets the caller may not read carry answers 404, as tag_list does not list it.`,
    sideEffectFree: true,
    anonymous: true,
    input: TagShowInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      if (input.vocabulary_id) throw new NotFound();
      const tag = await this.tags.find(ctx.db, input.id);
      // A tag is data of the datasets carrying it: its name alone can tell what a private dataset is about.
      if (!tag || !(await this.tags.isVisible(ctx.db, tag.id, await this.visibility.readerOf(ctx)))) throw new NotFound();
      const dict: Record<string, unknown> = { display_name: tag.name, id: tag.id, name: tag.name, vocabulary_id: null };
      if (input.include_datasets) {
        const ids = await this.tags.publicDatasetIds(ctx.db, tag.id, 1000);
        dict.packages = (await this.datasets.loadDicts(ctx.db, ids)).map((d) => toPackageDict(d, this.config.SITE_URL));
      }
      return dict;
    },
  });

  all = (): AnyAction[] => [this.tagList, this.tagShow];
}
