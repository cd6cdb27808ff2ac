import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ActionProvider, AnyAction, allow, AuthResult, defineAction, deny } from '../../api/action';
import type { ActionContext } from '../../api/action-context';
import { parseInput } from '../../api/ckan-schema';
import { NotFound, ValidationError } from '../../api/errors';
import { Visibility } from '../../auth/visibility';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { DatasetWriteChecks } from '../datasets/dataset-write-checks';
import { DatasetDicts } from '../datasets/dataset-dicts.service';
import { DatasetChanges } from '../datasets/dataset-changes';
import { visibilityOf, authPackageShow } from '../datasets/dataset.auth';
import { ResourceDict, toPackageDict, toResourceDict } from '../datasets/dataset.dict';
import { DATASET_LIST_MAX } from '../datasets/dataset.dto';
import { DatasetRepository, DatasetRow } from '../datasets/dataset.repository';
import { resourceValues } from '../datasets/dataset-writer.service';
import { ResourceCreateInput, ResourceIdInput, ResourceUpdateInput } from './resource.dto';
import { formatForMimetype, guessFormatFromUrl } from './resource-formats';
import { ResourceFiles } from './resource-files.service';
import { ResourceRepository, ResourceRow, ResourceValues } from './resource.repository';
import { UploadedFile } from './uploaded-file';

const who = (ctx: ActionContext): string => ctx.user?.name ?? '';

/** resource_show, resource_create, resource_update, resource_patch, resource_delete; links and uploaded files. */
@Injectable()
export class ResourceActions implements ActionProvider {
  constructor(
    private readonly resources: ResourceRepository,
    private readonly datasets: DatasetRepository,
    private readonly visibility: Visibility,
    private readonly changes: DatasetChanges,
    private readonly files: ResourceFiles,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly checks: DatasetWriteChecks,
    private readonly dicts: DatasetDicts,
  ) {}

  /** The resource as written, with what the write checks add (DCAT-AP.de findings when validation warns; enforce throws, rolling back). */
  private async checked(ctx: ActionContext, datasetId: string, result: ResourceDict, requested?: string): Promise<ResourceDict> {
    const row = await this.dicts.writtenRow(ctx, datasetId);
    if (!row) return result;
    const dict = toPackageDict(row, this.config.SITE_URL) as unknown as Record<string, unknown>;
    return { ...result, ...(await this.checks.run(ctx, { dict, resourceId: result.id, requested })) } as ResourceDict;
  }

  /** What an uploaded file sets on its resource (CKAN's ResourceUpload), its stored key filed for publishing. */
  private async takeUpload(ctx: ActionContext, resourceId: string, upload: UploadedFile, values: ResourceValues): Promise<void> {
    values.url = upload.filename;
    values.url_type = 'upload';
    values.size = upload.size;
    values.mimetype = upload.mimetype;
    values.hash = upload.sha256;
    values.last_modified = new Date().toISOString();
    if (!values.format) values.format = guessFormatFromUrl(upload.filename) ?? formatForMimetype(upload.mimetype) ?? values.format;
    values.upload_key = await this.files.publish(ctx, resourceId, upload);
  }

  /** The resource and its dataset, loaded once per run. Unknown → 404. */
  private target(ctx: ActionContext, id: string, notFound = ''): Promise<{ resource: ResourceRow; dataset: DatasetRow }> {
    return ctx.memo(`resource:${id}`, async () => {
      const resource = await this.resources.find(ctx.db, id);
      const dataset = resource && (await this.datasets.findRow(ctx.db, resource.package_id));
      if (!resource || !dataset) throw new NotFound(notFound);
      return { resource, dataset };
    });
  }

  private async canEdit(ctx: ActionContext, d: DatasetRow, message: string): Promise<AuthResult> {
    return (await this.visibility.canEdit(ctx, visibilityOf(d))) ? allow() : deny(message);
  }

  private dict(r: ResourceRow): ResourceDict {
    return toResourceDict(r, this.config.SITE_URL);
  }

  private async reload(ctx: ActionContext, id: string): Promise<ResourceDict> {
    const r = await this.resources.find(ctx.db, id);
    if (!r) throw new NotFound('Resource was not found.');
    return this.dict(r);
  }

  readonly resourceShow = defineAction({
    name: 'resource_show',
    help: 'Return a resource. Params: id (the resource id). Readable by whoever may read its dataset (403 otherwise).',
    sideEffectFree: true,
    anonymous: true,
    input: ResourceIdInput,
    auth: async (ctx, { id }) => {
      const { dataset } = await this.target(ctx, id);
      const verdict = await authPackageShow(ctx, this.visibility, dataset.id, visibilityOf(dataset));
      return verdict.allowed ? verdict : deny(`User ${who(ctx)} not authorized to read resource ${id}`);
    },
    handler: async (ctx, { id }) => this.dict((await this.target(ctx, id)).resource),
  });

  readonly resourceCreate = defineAction({
    name: 'resource_create',
    help: `Add a resource to a dataset and return it.

Params: package_id (required, dataset id or name), url (default ""), name, description, format (guessed from the URL when empty),
hash, mimetype, mimetype_inner, resource_type, size, cache_url, created, last_modified, cache_last_updated, and any further keys,
which are kept and returned as they are. Who may call: editors and admins of the dataset's organization, the dataset's editor and admin collaborators, sysadmins.`,
    example: {
      package_id: 'pegelstaende-rhein-koeln',
      name: 'Wasserstände 2026 (CSV)',
      description: 'Wasserstand in cm über Pegelnullpunkt, ein Wert je 15 Minuten.',
      url: 'https://daten.stadt-koeln.example/pegel/rhein-koeln-2026.csv',
      format: 'CSV',
    },
    sideEffectFree: false,
    anonymous: false,
    input: ResourceCreateInput,
    auth: async (ctx, input) => {
      const d = await this.datasets.findRow(ctx.db, input.package_id);
      if (!d) throw new NotFound();
      return this.canEdit(ctx, d, `User ${who(ctx)} not authorized to create resources on dataset ${input.package_id}`);
    },
    handler: async (ctx, input) => {
      const d = await this.datasets.findRow(ctx.db, input.package_id, { lock: true });
      if (!d) throw new NotFound();
      if (input.id) {
        const taken = await this.resources.idsOfOtherDatasets(ctx.db, [input.id], null);
        if (taken.size) throw new ValidationError({ id: ['Resource id already exists.'] });
      }
      const id = input.id?.toLowerCase() ?? randomUUID();
      const position = (await this.resources.listForDataset(ctx.db, d.id)).length;
      // The cap package_create and package_update hold, so a dataset can always be written back as it was read.
      if (position >= DATASET_LIST_MAX) throw new ValidationError({ resources: [`At most ${DATASET_LIST_MAX} resources`] });
      const values = resourceValues({ ...input, id: undefined } as ResourceCreateInput);
      if (input.upload) await this.takeUpload(ctx, id, input.upload, values);
      await this.resources.insert(ctx.db, id, d.id, position, values);
      await this.datasets.touch(ctx.db, d.id);
      await this.changes.changed(ctx, d.id);
      return this.checked(ctx, d.id, await this.reload(ctx, id), input.dcat_validation);
    },
  });

  readonly resourceUpdate = defineAction({
    name: 'resource_update',
    help: `Replace a resource. Params: id, then the resource fields. Omitted url, description, resource_type, mimetype and mimetype_inner
are cleared, other omitted fields kept, extra keys replaced. Returns the resource. Who may call: as resource_create.`,
    sideEffectFree: false,
    anonymous: false,
    input: ResourceUpdateInput,
    auth: async (ctx, input) => {
      const { dataset } = await this.target(ctx, input.id, 'Resource was not found.');
      return this.canEdit(ctx, dataset, `User ${who(ctx)} not authorized to edit resource ${input.id}`);
    },
    handler: async (ctx, input) => this.replace(ctx, input),
  });

  readonly resourcePatch = defineAction({
    name: 'resource_patch',
    help: 'Change some fields of a resource. Params: id and the fields to change; everything else is kept. Who may call: as resource_create.',
    sideEffectFree: false,
    anonymous: false,
    input: ResourceUpdateInput,
    auth: async (ctx, input) => {
      const { dataset } = await this.target(ctx, input.id, 'Resource was not found.');
      return this.canEdit(ctx, dataset, `User ${who(ctx)} not authorized to edit resource ${input.id}`);
    },
    handler: async (ctx, input) => {
      const { resource } = await this.target(ctx, input.id, 'Resource was not found.');
      const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
      return this.replace(ctx, parseInput(ResourceUpdateInput, { ...this.dict(resource), ...given }));
    },
  });

  readonly resourceDelete = defineAction({
    name: 'resource_delete',
    help: 'Remove a resource from its dataset; the others are renumbered. Params: id. Returns null. Who may call: as resource_create.',
    sideEffectFree: false,
    anonymous: false,
    input: ResourceIdInput,
    auth: async (ctx, { id }) => {
      const { dataset } = await this.target(ctx, id);
      return this.canEdit(ctx, dataset, `User ${who(ctx)} not authorized to delete resource ${id}`);
    },
    handler: async (ctx, { id }) => {
      const { dataset } = await this.target(ctx, id);
      await this.datasets.findRow(ctx.db, dataset.id, { lock: true });
      await this.resources.deleteMany(ctx.db, [id]);
      await this.resources.renumber(ctx.db, dataset.id);
      this.files.settle(ctx); // an uploaded file goes with its resource
      await this.datasets.touch(ctx.db, dataset.id);
      await this.changes.changed(ctx, dataset.id);
      return null;
    },
  });

  private async replace(ctx: ActionContext, input: ResourceUpdateInput): Promise<ResourceDict> {
    const { dataset } = await this.target(ctx, input.id, 'Resource was not found.');
    await this.datasets.findRow(ctx.db, dataset.id, { lock: true });
    const current = await this.resources.find(ctx.db, input.id, { lock: true });
    if (!current) throw new NotFound('Resource was not found.');
    const values = resourceValues(input, current);
    if (input.upload) await this.takeUpload(ctx, current.id, input.upload, values);
    // A replaced or cleared file is removed once this commits.
    if (current.upload_key) this.files.settle(ctx);
    // The DataStore flag survives a replace that does not mention it (CKAN keeps datastore_active).
    if (current.extras.datastore_active !== undefined && values.extras && !('datastore_active' in values.extras)) {
      values.extras.datastore_active = current.extras.datastore_active;
    }
    await this.resources.update(ctx.db, current.id, current.position, values);
    await this.datasets.touch(ctx.db, dataset.id);
    await this.changes.changed(ctx, dataset.id);
    return this.checked(ctx, dataset.id, await this.reload(ctx, current.id), input.dcat_validation);
  }

  all = (): AnyAction[] => [this.resourceShow, this.resourceCreate, this.resourceUpdate, this.resourcePatch, this.resourceDelete];
}
