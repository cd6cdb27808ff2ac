import { Inject, Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, defineAction, deny } from '../../api/action';
import type { ActionContext } from '../../api/action-context';
import { Field, ignoreMissing, maxLength, nameValidator, notEmpty, parseInput, unicodeSafe } from '../../api/ckan-schema';
import { NotFound, ValidationError } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { Visibility } from '../../auth/visibility';
import { DatasetWriteChecks } from './dataset-write-checks';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { GroupRepository } from '../organizations/group.repository';
import { ResourceFiles } from '../resources/resource-files.service';
import { DatasetWriter } from './dataset-writer.service';
import { authPackageCreate, authPackageDelete, authPackageUpdate, loadDataset } from './dataset.auth';
import { PackageDict, toPackageDict } from './dataset.dict';
import { IdInput, PackageCreateInput, PackageUpdateInput } from './dataset.dto';
import { DatasetRepository, DatasetRow } from './dataset.repository';
import { DatasetChanges } from './dataset-changes';
import { DatasetDicts } from './dataset-dicts.service';
import { RelationshipRepository } from '../relationships/relationship.repository';

/**
 * package_patch: `id` is required, the rest optional. It extends the create schema directly:
 * class-validator keeps a grandparent's rule for a field the parent overrode, so schemas inherit one level only.
 */
export class PackagePatchInput extends PackageCreateInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) override id!: string;
  @Field(ignoreMissing, unicodeSafe, nameValidator) override name!: string;
}

function updateTarget(input: PackageUpdateInput): string {
  const ref = input.id || input.name;
  if (!ref) throw new ValidationError({ id: ['Missing value'] });
  return ref;
}

/** package_create, package_update, package_patch, package_delete, dataset_purge. */
@Injectable()
export class DatasetWriteActions implements ActionProvider {
  constructor(
    private readonly repo: DatasetRepository,
    private readonly groups: GroupRepository,
    private readonly writer: DatasetWriter,
    private readonly authz: Authz,
    private readonly visibility: Visibility,
    private readonly changes: DatasetChanges,
    private readonly files: ResourceFiles,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly checks: DatasetWriteChecks,
    private readonly dicts: DatasetDicts,
    private readonly relationships: RelationshipRepository,
  ) {}

  /** The dataset as written, with what the write checks add (DCAT-AP.de findings when validation warns; enforce throws inside the transaction). */
  private async showChecked(ctx: ActionContext, id: string, requested?: string): Promise<PackageDict> {
    const dict = await this.show(ctx, id, true);
    return { ...dict, ...(await this.checks.run(ctx, { dict: dict as unknown as Record<string, unknown>, requested })) } as PackageDict;
  }

  /** `written`: after the write reported the dataset changed, when its row is read once for the listeners, the answer and the audit. */
  private async show(ctx: ActionContext, id: string, written = false): Promise<PackageDict> {
    const row = written ? await this.dicts.writtenRow(ctx, id) : await this.repo.loadDict(ctx.db, id);
    if (!row) throw new NotFound();
    const [dict] = await this.dicts.forReader(ctx, [toPackageDict(row, this.config.SITE_URL, { includePluginData: ctx.isSysadmin })]);
    return dict;
  }

  /** The dataset locked for this transaction, so concurrent writers apply one after the other. */
  private async locked(ctx: ActionContext, ref: string, notFound?: string): Promise<DatasetRow> {
    const row = await this.repo.findRow(ctx.db, ref, { lock: true });
    if (!row) throw new NotFound(notFound);
    return row;
  }

  readonly packageCreate = defineAction({
    name: 'package_create',
    help: `Create a dataset and return it (package_show form).

Params: name (required, 2-100 of a-z 0-9 - _), owner_org (required, organization id or name), title, notes, url, version, author, author_email,
maintainer, maintainer_email, license_id, private (bool), access_level ("public", "internal", "shared" or "private"; private is
true for every level but public; private alone: true keeps a level that is not public or gives "private", false gives "public";
both must agree, else 409), state ("active", "draft" or "pending"; in an organization with approval_required an editor's dataset
without a state is "pending" and only admins make it "active", see dataset_publish), type, tags ([{name, vocabulary_id?}]: a vocabulary tag must exist in its vocabulary) or tag_string ("a,b"),
extras ([{key, value}]), groups ([{name}] or [{id}]), resources (list of resource dicts). Sysadmins may also set id (a UUID),
metadata_created, metadata_modified, plugin_data and read_only (not CKAN's: true lets only sysadmins edit the dataset, as the harvest
runner marks what it harvests; kept when omitted by package_update and package_patch; not shown). dcat_validation (off, warn, enforce) chooses the DCAT-AP.de check
of this write; under warn the result carries the findings as dcat_validation.
Who may call: editors and admins of the owning organization, the dataset's editor and admin collaborators, sysadmins.`,
    example: {
      name: 'pegelstaende-rhein-koeln',
      title: 'Pegelstände Rhein in Köln',
      notes: 'Wasserstände des Rheins am Pegel Köln, alle 15 Minuten gemessen.',
      owner_org: 'stadt-koeln',
      license_id: 'http://dcat-ap.de/def/licenses/dl-by-de/2.0',
      maintainer: 'Umweltamt der Stadt Köln',
      maintainer_email: 'umweltamt@stadt-koeln.example',
      tags: [{ name: 'Hochwasser' }, { name: 'Pegel' }],
      resources: [{ name: 'Wasserstände (CSV)', url: 'https://daten.stadt-koeln.example/pegel/rhein-koeln.csv', format: 'CSV' }],
    },
    sideEffectFree: false,
    anonymous: false,
    input: PackageCreateInput,
    auth: (ctx, input) => authPackageCreate(ctx, this.authz, this.groups, input),
    handler: async (ctx, input) => {
      const id = await this.writer.create(ctx, input);
      await this.changes.changed(ctx, id);
      return this.showChecked(ctx, id, input.dcat_validation);
    },
  });

  readonly packageUpdate = defineAction({
    name: 'package_update',
    help: `Replace a dataset. Params: id or name, then the complete dataset as for package_create.

Omitted title, notes, url, version, author(_email), maintainer(_email) and license_id are cleared; omitted resources, tags, extras
and groups become empty; private, access_level and owner_org are kept when omitted. Only the owning organization's editors and
admins (and the dataset's editor and admin collaborators) change access_level, private or owner_org (an organization with an edit
share may not). Resources sent with their id keep it. Returns the dataset.
Who may call: editors and admins of the owning organization, the dataset's editor and admin collaborators, editors and admins of an
organization with an edit share, sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: PackageUpdateInput,
    auth: async (ctx, input) => {
      const d = await loadDataset(ctx, this.repo, updateTarget(input), 'Package was not found.');
      return authPackageUpdate(ctx, this.authz, this.visibility, this.groups, this.repo, d, input.groups);
    },
    handler: async (ctx, input) => {
      const d = await this.locked(ctx, updateTarget(input), 'Package was not found.');
      await this.writer.update(ctx, d, input);
      await this.changes.changed(ctx, d.id);
      return this.showChecked(ctx, d.id, input.dcat_validation);
    },
  });

  readonly packagePatch = defineAction({
    name: 'package_patch',
    help: `Change some fields of a dataset. Params: id (id or name) and the fields to change.

The given top-level keys replace the current values; everything else is kept (private or access_level alone derives the other). A list (resources, tags, extras, groups)
is replaced whole. Returns the dataset. Who may call: as package_update.`,
    sideEffectFree: false,
    anonymous: false,
    input: PackagePatchInput,
    auth: async (ctx, input) => {
      const d = await loadDataset(ctx, this.repo, input.id, 'Package was not found.');
      return authPackageUpdate(ctx, this.authz, this.visibility, this.groups, this.repo, d, input.groups);
    },
    handler: async (ctx, input) => {
      const d = await this.locked(ctx, input.id, 'Package was not found.');
      const current = await this.show(ctx, d.id);
      const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
      // Issue 14: a patch of one of private and access_level derives the other (resolveAccessLevel) instead of
      // contradicting the current one; sent together they must agree.
      const base: Record<string, unknown> = { ...current };
      if ('private' in given && !('access_level' in given)) delete base.access_level;
      if ('access_level' in given && !('private' in given)) delete base.private;
      const patched = parseInput(PackageUpdateInput, { ...base, ...given, id: d.id });
      await this.writer.update(ctx, d, patched);
      await this.changes.changed(ctx, d.id);
      return this.showChecked(ctx, d.id, input.dcat_validation);
    },
  });

  readonly packageDelete = defineAction({
    name: 'package_delete',
    help: `Delete a dataset: its state becomes "deleted", it leaves its groups, lists and search, and its name is free again.
Members of its organization can still read it; its collaborators are removed (as in CKAN). Params: id (id or name). Returns null.
Who may call: editors and admins of the owning organization (not those of an organization with an edit share), the dataset's editor
and admin collaborators, sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: IdInput,
    auth: async (ctx, input) => authPackageDelete(ctx, this.authz, this.visibility, this.groups, this.repo, await loadDataset(ctx, this.repo, input.id, '')),
    handler: async (ctx, input) => {
      const d = await this.locked(ctx, input.id);
      await this.repo.softDelete(ctx.db, d.id);
      await this.changes.changed(ctx, d.id);
      return null;
    },
  });

  readonly datasetPurge = defineAction({
    name: 'dataset_purge',
    scope: 'admin',
    help: 'Remove a dataset and everything that belongs to it for good. Params: id (id or name). Returns null. Sysadmins only.',
    sideEffectFree: false,
    anonymous: false,
    retryOnDeadlock: true,
    input: IdInput,
    auth: async () => deny(''),
    handler: async (ctx, input) => {
      const d = await this.locked(ctx, input.id, 'Dataset was not found');
      // Its relationships go with it (as in CKAN), so the datasets on their other ends change too.
      const related = await this.relationships.relatedIds(ctx.db, d.id);
      await this.repo.purge(ctx.db, d.id);
      await this.changes.changed(ctx, [d.id, ...related]);
      this.files.settle(ctx); // the uploaded files go with it
      return null;
    },
  });

  all = (): AnyAction[] => [this.packageCreate, this.packageUpdate, this.packagePatch, this.packageDelete, this.datasetPurge];
}
