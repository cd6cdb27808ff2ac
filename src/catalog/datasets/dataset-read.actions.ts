import { Inject, Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, defineAction } from '../../api/action';
import type { ActionContext } from '../../api/action-context';
import { NotFound, ValidationError } from '../../api/errors';
import { Visibility } from '../../auth/visibility';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { RawJson } from '../../api/raw-json';
import { CachedDataset } from './dataset-dict.cache';
import { DatasetDicts } from './dataset-dicts.service';
import { authPackageShow } from './dataset.auth';
import { toPackageDict } from './dataset.dict';
import { AutocompleteInput, CurrentPackageListInput, PackageListInput, PackageShowInput } from './dataset.dto';
import { DatasetRepository } from './dataset.repository';

function showId(input: PackageShowInput): string {
  const id = input.id || input.name_or_id;
  if (!id) throw new ValidationError({ name_or_id: ['Missing value'] });
  return id;
}

/** package_show, package_list, current_package_list_with_resources, package_autocomplete. */
@Injectable()
export class DatasetReadActions implements ActionProvider {
  constructor(
    private readonly repo: DatasetRepository,
    private readonly visibility: Visibility,
    private readonly dicts: DatasetDicts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The dataset an action names with its rendered dict, once per run (auth and handler share it). */
  private loadShow(ctx: ActionContext, idOrName: string): Promise<CachedDataset> {
    return ctx.memo(`show:${idOrName}`, async () => {
      const entry = await this.dicts.get(ctx, idOrName);
      // CKAN's package_show answers a bare "Not found" for an unknown dataset.
      if (!entry) throw new NotFound();
      return entry;
    });
  }

  readonly packageShow = defineAction({
    name: 'package_show',
    help: `Return the metadata of a dataset and its resources.

Params: id (string, the id or name of the dataset), include_plugin_data (bool, sysadmins only).
Anyone may read an active public dataset; private, draft, pending and deleted ones only members of the owning organization (its creator, when it has none),
its collaborators and sysadmins (403 for others). In an organization with approval_required (or after the dataset went through the workflow), "approval"
tells {status, note, by, at, submitted_by, submitted_at}. "quality": the metadata quality the dataset's last write scored (issue 16; README,
"Metadata quality"): {score, max, rating, dimensions, indicators}.`,
    example: { id: 'pegelstaende-rhein-koeln' },
    sideEffectFree: true,
    anonymous: true,
    input: PackageShowInput,
    auth: async (ctx, input) => {
      const entry = await this.loadShow(ctx, showId(input));
      return authPackageShow(ctx, this.visibility, entry.id, entry.visibility);
    },
    handler: async (ctx, input) => {
      const entry = await this.loadShow(ctx, showId(input));
      if (input.include_plugin_data && ctx.isSysadmin) {
        const row = await this.repo.loadDict(ctx.db, entry.id);
        if (!row) throw new NotFound();
        return toPackageDict(row, this.config.SITE_URL, { includePluginData: true });
      }
      const [bytes] = await this.dicts.bytesFor(ctx, [entry]);
      return bytes === entry.utf8 ? new RawJson(entry.utf8, { help: this.dicts.showHelp, bytes: entry.response }) : new RawJson(bytes);
    },
  });

  readonly packageList = defineAction({
    name: 'package_list',
    help: `Return the names of the site's active public datasets, sorted by name.

Params: limit (int, optional), offset (int, optional). Private, draft and deleted datasets are never listed, even for sysadmins.`,
    sideEffectFree: true,
    anonymous: true,
    input: PackageListInput,
    auth: async () => allow(),
    handler: (ctx, input) => this.repo.listPublicNames(ctx.db, input.limit || undefined, input.offset),
  });

  readonly currentPackageListWithResources = defineAction({
    name: 'current_package_list_with_resources',
    help: `Return the site's datasets with their resources, most recently modified first.

Params: limit (int, default 10), offset (int, default 0), page (int, deprecated: use offset).
Private datasets are included for sysadmins only.`,
    sideEffectFree: true,
    anonymous: true,
    input: CurrentPackageListInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      const limit = input.limit || 10;
      let offset = input.offset ?? 0;
      if (input.offset === undefined && input.page !== undefined) offset = input.limit ? (Math.max(input.page, 1) - 1) * input.limit : 0;
      // As CKAN: a package_search for everything, private datasets only for sysadmins.
      const found = await ctx.call<{ results: unknown[] }>('package_search', { q: '', rows: limit, start: offset, include_private: ctx.isSysadmin });
      return found.results;
    },
  });

  readonly packageAutocomplete = defineAction({
    name: 'package_autocomplete',
    help: `Return datasets whose name or title contains q (prefix matches first).

Params: q (string, required), limit (int, default 10). Result items: name, title, match_field ("name" or "title"), match_displayed.
Only active datasets the caller may read.`,
    sideEffectFree: true,
    anonymous: true,
    input: AutocompleteInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      const rows = await this.repo.autocomplete(ctx.db, input.q, Math.min(input.limit, 100), await this.visibility.readerOf(ctx));
      const q = input.q.toLowerCase();
      return rows.map((p) =>
        p.name.includes(q)
          ? { name: p.name, title: p.title, match_field: 'name', match_displayed: p.name }
          : { name: p.name, title: p.title, match_field: 'title', match_displayed: `${p.title} (${p.name})` },
      );
    },
  });

  all = (): AnyAction[] => [this.packageShow, this.packageList, this.currentPackageListWithResources, this.packageAutocomplete];
}
