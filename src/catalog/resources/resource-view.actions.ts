import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ActionProvider, AnyAction, allow, AuthResult, defineAction, deny } from '../../api/action';
import type { ActionContext } from '../../api/action-context';
import { Invalid, uuidValidator } from '../../api/ckan-schema';
import { FieldErrors, NotFound, ValidationError } from '../../api/errors';
import { Visibility } from '../../auth/visibility';
import { visibilityOf } from '../datasets/dataset.auth';
import { DatasetRepository, DatasetRow } from '../datasets/dataset.repository';
import {
  PackageDefaultViewsInput, ResourceDefaultViewsInput, ResourceViewClearInput, ResourceViewCreateInput, ResourceViewDict, ResourceViewIdInput, ResourceViewReorderInput, ResourceViewUpdateInput,
  toResourceViewDict, VIEW_TYPES, viewConfig,
} from './resource-view.dto';
import { ResourceViewRepository, ResourceViewRow } from './resource-view.repository';
import { ResourceRepository, ResourceRow } from './resource.repository';

const who = (ctx: ActionContext): string => ctx.user?.name ?? '';
const VIEW_TYPE_NAMES = Object.keys(VIEW_TYPES).join(', ');

/**
 * resource_view_create, _show, _update, _delete, _list, _reorder, _clear. CKAN's logic/auth: writing a view needs the
 * right to edit its resource's dataset (resource_update), reading one the right to read it (resource_show).
 */
@Injectable()
export class ResourceViewActions implements ActionProvider {
  constructor(
    private readonly views: ResourceViewRepository,
    private readonly resources: ResourceRepository,
    private readonly datasets: DatasetRepository,
    private readonly visibility: Visibility,
  ) {}

  /** The resource and its dataset, loaded once per run; null when either is gone. */
  private resource(ctx: ActionContext, id: string): Promise<{ resource: ResourceRow; dataset: DatasetRow } | null> {
    return ctx.memo(`resource-view-target:${id}`, async () => {
      const resource = await this.resources.find(ctx.db, id);
      const dataset = resource && (await this.datasets.findRow(ctx.db, resource.package_id));
      return resource && dataset ? { resource, dataset } : null;
    });
  }

  /** The view with its resource and dataset; unknown → 404. */
  private async view(ctx: ActionContext, id: string): Promise<{ view: ResourceViewRow; dataset: DatasetRow }> {
    const view = await ctx.memo(`resource_view:${id}`, () => this.views.find(ctx.db, id));
    const target = view && (await this.resource(ctx, view.resource_id));
    if (!view || !target) throw new NotFound('Resource view not found');
    return { view, dataset: target.dataset };
  }

  private async mayRead(ctx: ActionContext, d: DatasetRow, what: string): Promise<AuthResult> {
    return (await this.visibility.canRead(ctx, visibilityOf(d))) ? allow() : deny(`User ${who(ctx)} not authorized to read ${what}`);
  }

  private async mayEdit(ctx: ActionContext, d: DatasetRow, what: string): Promise<AuthResult> {
    return (await this.visibility.canEdit(ctx, visibilityOf(d))) ? allow() : deny(`User ${who(ctx)} not authorized to edit ${what}`);
  }

  private async reload(ctx: ActionContext, id: string, packageId: string): Promise<ResourceViewDict> {
    const row = await this.views.find(ctx.db, id);
    if (!row) throw new NotFound('Resource view not found');
    return toResourceViewDict(row, packageId);
  }

  /** CKAN's `id` rules on create: sysadmins only (empty_if_not_sysadmin), a UUID, not taken by another view. */
  private async chosenId(ctx: ActionContext, id: string, errors: FieldErrors): Promise<string> {
    if (!(ctx.isSysadmin || ctx.ignoreAuth)) errors.id = ['The input field id was not expected.'];
    else if (uuidValidator(id, {}) instanceof Invalid) errors.id = ['Invalid id provided'];
    else if (await this.views.find(ctx.db, id.toLowerCase())) errors.id = ['ResourceView id already exists'];
    return id.toLowerCase();
  }

  readonly resourceViewCreate = defineAction({
    name: 'resource_view_create',
    help: `Add a view to a resource and return it; it goes after the resource's other views.

Params: resource_id (required), title (required), description, view_type (required: ${VIEW_TYPE_NAMES}), id (sysadmins only, a
UUID), and the view type's own settings, stored in the view's config and returned as top-level keys: image_url (image_view);
page_url (webpage_view); responsive, ellipsis_length, date_format, show_fields, filterable, filter_fields and filter_values (lists
of the same length, a string is a list of one; returned also paired as filters: {field: [values]}) (datatables_view).
Other keys are refused.
Who may call: whoever may edit the resource's dataset (editors and admins of its organization, sysadmins).`,
    sideEffectFree: false,
    anonymous: false,
    input: ResourceViewCreateInput,
    auth: async (ctx, input) => {
      const target = await this.resource(ctx, input.resource_id);
      if (!target) throw new ValidationError({ resource_id: ['Not found: Resource'] });
      return this.mayEdit(ctx, target.dataset, `resource ${input.resource_id}`);
    },
    handler: async (ctx, input) => {
      const target = await this.resource(ctx, input.resource_id);
      if (!target) throw new ValidationError({ resource_id: ['Not found: Resource'] });
      const { config, errors = {} } = viewConfig(input.view_type, input as unknown as Record<string, unknown>);
      const id = input.id === undefined ? randomUUID() : await this.chosenId(ctx, input.id, errors);
      if (Object.keys(errors).length) throw new ValidationError(errors);
      // Views of one resource are numbered under its lock, so two creates never share a position.
      await this.resources.find(ctx.db, target.resource.id, { lock: true });
      await this.views.insert(ctx.db, id, target.resource.id, input.view_type, { title: input.title, description: input.description ?? null, config });
      return this.reload(ctx, id, target.dataset.id);
    },
  });

  readonly resourceViewShow = defineAction({
    name: 'resource_view_show',
    help: 'Return a resource view. Params: id (the view id). Readable by whoever may read the resource\'s dataset (403 otherwise).',
    sideEffectFree: true,
    anonymous: true,
    input: ResourceViewIdInput,
    auth: async (ctx, { id }) => this.mayRead(ctx, (await this.view(ctx, id)).dataset, `resource view ${id}`),
    handler: async (ctx, { id }) => {
      const { view, dataset } = await this.view(ctx, id);
      return toResourceViewDict(view, dataset.id);
    },
  });

  readonly resourceViewList = defineAction({
    name: 'resource_view_list',
    help: 'Return the views of a resource in their order. Params: id (the resource id). Readable as resource_show.',
    sideEffectFree: true,
    anonymous: true,
    input: ResourceViewIdInput,
    auth: async (ctx, { id }) => {
      const target = await this.resource(ctx, id);
      if (!target) throw new NotFound('Resource was not found.');
      return this.mayRead(ctx, target.dataset, `resource ${id}`);
    },
    handler: async (ctx, { id }) => {
      const target = await this.resource(ctx, id);
      if (!target) throw new NotFound('Resource was not found.');
      return (await this.views.listForResource(ctx.db, id)).map((v) => toResourceViewDict(v, target.dataset.id));
    },
  });

  readonly resourceViewUpdate = defineAction({
    name: 'resource_view_update',
    help: `Replace a resource view's title and settings (omitted settings are removed, an omitted title or description is kept); its view type and resource stay.
Params: id, title, description, and the view type's settings as in resource_view_create. Returns the view.
Who may call: as resource_view_create.`,
    sideEffectFree: false,
    anonymous: false,
    input: ResourceViewUpdateInput,
    auth: async (ctx, input) => this.mayEdit(ctx, (await this.view(ctx, input.id)).dataset, `resource view ${input.id}`),
    handler: async (ctx, input) => {
      const { view, dataset } = await this.view(ctx, input.id);
      const { config, errors } = viewConfig(view.view_type, input as unknown as Record<string, unknown>);
      if (errors) throw new ValidationError(errors);
      // resource_view_dict_save: a key not sent keeps its column, while the config is replaced as a whole.
      await this.views.update(ctx.db, view.id, { title: input.title ?? view.title, description: input.description ?? view.description, config });
      return this.reload(ctx, view.id, dataset.id);
    },
  });

  readonly resourceViewDelete = defineAction({
    name: 'resource_view_delete',
    help: 'Delete a resource view. Params: id. Returns null. Who may call: as resource_view_create.',
    sideEffectFree: false,
    anonymous: false,
    input: ResourceViewIdInput,
    auth: async (ctx, { id }) => this.mayEdit(ctx, (await this.view(ctx, id)).dataset, `resource view ${id}`),
    handler: async (ctx, { id }) => {
      const { view } = await this.view(ctx, id);
      await this.views.delete(ctx.db, view.id);
      return null;
    },
  });

  readonly resourceViewReorder = defineAction({
    name: 'resource_view_reorder',
    help: `Reorder the views of a resource. Params: id (the resource id), order (list of view ids; views not named follow in their
current order). Returns {id, order} with every view id in the new order. Who may call: as resource_view_create.`,
    sideEffectFree: false,
    anonymous: false,
    input: ResourceViewReorderInput,
    auth: async (ctx, { id }) => {
      const target = await this.resource(ctx, id);
      if (!target) throw new NotFound('Resource was not found.');
      return this.mayEdit(ctx, target.dataset, `resource ${id}`);
    },
    handler: async (ctx, { id, order }) => {
      await this.resources.find(ctx.db, id, { lock: true });
      const existing = (await this.views.listForResource(ctx.db, id)).map((v) => v.id);
      const unknown = order.find((v) => !existing.includes(v));
      if (unknown !== undefined) throw new ValidationError({ order: [`View ${unknown} does not exist`] });
      const newOrder = [...order, ...existing.filter((v) => !order.includes(v))];
      await this.views.setOrder(ctx.db, id, newOrder);
      return { id, order: newOrder };
    },
  });

  readonly resourceViewClear = defineAction({
    name: 'resource_view_clear',
    scope: 'admin',
    help: 'Delete every resource view of the site, or only those of the given types. Params: view_types (list). Returns null. Who may call: sysadmins.',
    sideEffectFree: false,
    anonymous: false,
    input: ResourceViewClearInput,
    // CKAN's logic/auth answers {'success': False}: only sysadmins, who skip auth, get through.
    auth: async () => deny('Only sysadmins may clear resource views'),
    handler: async (ctx, { view_types }) => {
      await this.views.clear(ctx.db, view_types?.length ? view_types : null);
      return null;
    },
  });

  readonly resourceDefaultViews = defineAction({
    name: 'resource_create_default_resource_views',
    help: `Create the default views (image_view for png, jpeg, jpg and gif resources; datatables_view for DataStore resources) a
resource lacks, and return the views created. Params: resource (dict with the resource's id; the stored resource is
examined), package (ignored), create_datastore_views (default false: no datatables_view). Who may call: as resource_view_create.`,
    sideEffectFree: false,
    anonymous: false,
    input: ResourceDefaultViewsInput,
    auth: async (ctx, { resource }) => {
      const target = await this.resource(ctx, resource.id);
      if (!target) throw new NotFound('Resource was not found.');
      return this.mayEdit(ctx, target.dataset, `resource ${resource.id}`);
    },
    handler: async (ctx, input) => {
      const target = await this.resource(ctx, input.resource.id);
      if (!target) throw new NotFound('Resource was not found.');
      const rows = await this.views.addDefaultViews(ctx.db, [target.dataset.id], { resourceId: target.resource.id, datastoreViews: input.create_datastore_views ?? false, again: true });
      return rows.map((v) => toResourceViewDict(v, target.dataset.id));
    },
  });

  readonly packageDefaultViews = defineAction({
    name: 'package_create_default_resource_views',
    help: `Create the default views every resource of a dataset lacks (see resource_create_default_resource_views) and return the
views created. Params: package (dict with the dataset's id or name), create_datastore_views (default false). Who may call: whoever
may edit the dataset.`,
    sideEffectFree: false,
    anonymous: false,
    input: PackageDefaultViewsInput,
    auth: async (ctx, input) => {
      const d = await this.datasets.findRow(ctx.db, input.package.id);
      if (!d) throw new NotFound('Dataset not found');
      return this.mayEdit(ctx, d, `package ${input.package.id}`);
    },
    handler: async (ctx, input) => {
      const d = await this.datasets.findRow(ctx.db, input.package.id);
      if (!d) throw new NotFound('Dataset not found');
      const rows = await this.views.addDefaultViews(ctx.db, [d.id], { datastoreViews: input.create_datastore_views ?? false, again: true });
      return rows.map((v) => toResourceViewDict(v, d.id));
    },
  });

  all = (): AnyAction[] => [
    this.resourceDefaultViews, this.packageDefaultViews,
    this.resourceViewCreate, this.resourceViewShow, this.resourceViewList, this.resourceViewUpdate, this.resourceViewDelete, this.resourceViewReorder,
    this.resourceViewClear,
  ];
}
