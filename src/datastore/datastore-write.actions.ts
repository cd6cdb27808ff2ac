import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ActionProvider, AnyAction, allow, defineAction } from '../api/action';
import type { ActionContext } from '../api/action-context';
import { ValidationError } from '../api/errors';
import { APP_CONFIG, AppConfig } from '../config/env';
import { DatastoreResources, ResourceRef } from './datastore-resources.service';
import { DatastoreViews } from './datastore-views';
import { DatastoreWriter } from './datastore-writer.service';
import { DatastoreCreateInput, DatastoreDeleteInput, DatastoreRecordsDeleteInput, DatastoreUpsertInput } from './datastore.dto';

/** Drops keys whose value is undefined, so results echo only what was given or defaulted. */
const defined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** datastore_create, datastore_upsert, datastore_delete, datastore_records_delete (ckanext/datastore/logic/action.py). */
@Injectable()
export class DatastoreWriteActions implements ActionProvider {
  constructor(
    private readonly resources: DatastoreResources,
    private readonly writer: DatastoreWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly views: DatastoreViews,
  ) {}

  /** The resource a write names, for the right to edit its dataset (404 when there is none). */
  private async mayEditResource(ctx: ActionContext, id: string) {
    const r = await this.resources.get(ctx, id);
    return this.resources.mayEdit(ctx, r.package_id, id);
  }

  readonly datastoreCreate = defineAction({
    name: 'datastore_create',
    scope: 'datastore',
    help: `Add a table to the DataStore, or add fields, records and indexes to an existing one; returns the input without records.

Params: resource_id (an existing resource), or resource (a resource dict with package_id: a new resource of url_type "datastore"
is created); force (write to a resource that is not a DataStore resource, default false); fields (list of {id, type, info}: types
text, int/int4, int2, bigint/int8, float4, float8, numeric, bool, date, time, timestamp, timestamptz, interval, uuid, json, jsonb and
arrays such as _text or int4[]; a missing type is guessed from the first record; info is the data dictionary entry, e.g. label, notes,
type_override); records (list of dicts, inserted); primary_key and indexes (list or comma-separated string; replacing earlier
ones); delete_fields (drop existing fields not listed, default false); calculate_record_count (default false).
Field names may not be empty, start with "_", contain '"' or surrounding spaces, or exceed 63 bytes.
Sets datastore_active on the resource. Who may call: whoever may edit the resource's dataset.`,
    sideEffectFree: false,
    anonymous: false,
    input: DatastoreCreateInput,
    auth: async (ctx, input) => {
      if (input.resource && typeof input.resource.package_id === 'string') return this.resources.mayEdit(ctx, input.resource.package_id, '');
      if (input.resource_id) return this.mayEditResource(ctx, await this.existingResourceId(ctx, input.resource_id));
      return allow();
    },
    handler: async (ctx, input) => {
      if (input.resource && input.resource_id) throw new ValidationError({ resource: ['resource cannot be used with resource_id'] });
      if (!input.resource && !input.resource_id) throw new ValidationError({ resource_id: ['resource_id or resource required'] });
      let resource: ResourceRef;
      if (input.resource) {
        // CKAN compat: CKAN hands a resource with a url to the DataPusher; the loader (xloader_submit) comes next here.
        if ('url' in input.resource) throw new ValidationError({ resource: ['The datapusher has to be enabled.'] });
        // As CKAN shows it: the resource's url is its dump (CKAN sets it on every resource_show of a datastore resource).
        const id = typeof input.resource.id === 'string' && input.resource.id ? input.resource.id : randomUUID();
        const url = `${this.config.SITE_URL.replace(/\/+$/, '')}/datastore/dump/${encodeURIComponent(id)}`;
        resource = await ctx.call<ResourceRef>('resource_create', { ...input.resource, id, url, url_type: 'datastore' });
      } else {
        resource = await this.resources.get(ctx, await this.existingResourceId(ctx, input.resource_id!));
        await this.views.refuseWrite(ctx, resource.id);
        if (!input.force) this.resources.checkReadOnly(resource);
      }
      const fields = await this.writer.create(ctx, resource, input);
      await this.resources.setActive(ctx, resource, true);
      return defined({
        resource_id: resource.id,
        fields: input.fields === undefined ? undefined : fields.map((f) => defined({ id: f.id, type: f.type, info: f.info })),
        primary_key: input.primary_key,
        indexes: input.indexes,
        method: 'insert',
        delete_fields: input.delete_fields,
        calculate_record_count: input.calculate_record_count,
        resource: input.resource ? resource : undefined,
      });
    },
  });

  /** resource_id_exists: a missing resource is a field error of datastore_create, as in CKAN's schema. */
  private async existingResourceId(ctx: ActionContext, id: string): Promise<string> {
    const r = await this.resources.find(ctx, id);
    if (!r) throw new ValidationError({ resource_id: ['Not found: Resource'] });
    return r.id;
  }

  readonly datastoreUpsert = defineAction({
    name: 'datastore_upsert',
    scope: 'datastore',
    help: `Add or change records of a DataStore table; returns the input.

Params: resource_id (or id); records (list of dicts); method: upsert (default: update the row with the same primary_key or _id,
else insert), insert, or update (every record must match a row); dry_run (check everything, store nothing; default false);
force (write to a resource that is not a DataStore resource); calculate_record_count (default false).
Who may call: whoever may edit the resource's dataset.`,
    sideEffectFree: false,
    anonymous: false,
    input: DatastoreUpsertInput,
    auth: (ctx, input) => this.mayEditResource(ctx, input.resource_id),
    handler: async (ctx, input) => {
      const resource = await this.resources.get(ctx, input.resource_id);
      await this.views.refuseWrite(ctx, resource.id);
      if (!input.force) this.resources.checkReadOnly(resource);
      const table = await this.writer.existing(ctx, resource.id);
      await this.writer.upsert(ctx, table, input);
      return defined({
        resource_id: input.resource_id,
        method: input.method,
        records: input.records,
        dry_run: input.dry_run,
        calculate_record_count: input.calculate_record_count,
      });
    },
  });

  private async delete(ctx: ActionContext, input: DatastoreDeleteInput): Promise<Record<string, unknown>> {
    const resource = await this.resources.get(ctx, input.resource_id);
    await this.views.refuseWrite(ctx, resource.id);
    if (!input.force) this.resources.checkReadOnly(resource);
    await this.writer.existing(ctx, resource.id);
    if (input.filters) {
      await this.writer.deleteRows(ctx, resource.id, input.filters);
      if (input.calculate_record_count) await this.writer.analyze(ctx, resource.id);
    } else {
      await this.writer.dropTable(ctx, resource.id);
      await this.resources.setActive(ctx, resource, false);
    }
    return defined({ resource_id: input.resource_id, filters: input.filters, calculate_record_count: input.calculate_record_count });
  }

  readonly datastoreDelete = defineAction({
    name: 'datastore_delete',
    scope: 'datastore',
    help: `Delete a DataStore table, or the records matching filters; returns the input.

Params: resource_id (or id); filters (dict of field: value or list of values; without it the whole table is dropped and
datastore_active becomes false); force (write to a resource that is not a DataStore resource); calculate_record_count.
Who may call: whoever may edit the resource's dataset.`,
    sideEffectFree: false,
    anonymous: false,
    input: DatastoreDeleteInput,
    auth: (ctx, input) => this.mayEditResource(ctx, input.resource_id),
    handler: (ctx, input) => this.delete(ctx, input),
  });

  readonly datastoreRecordsDelete = defineAction({
    name: 'datastore_records_delete',
    scope: 'datastore',
    help: `Delete the records matching filters, never the table; returns the input.

Params: resource_id (or id); filters (required; {} deletes every record); force; calculate_record_count.
Who may call: whoever may edit the resource's dataset.`,
    // filters {} would delete every row: the example names one.
    example: { resource_id: '3f1e9c2a-5b7d-4e8f-9a0b-1c2d3e4f5a6b', filters: { Messstelle: 'Köln' } },
    sideEffectFree: false,
    anonymous: false,
    input: DatastoreRecordsDeleteInput,
    auth: (ctx, input) => this.mayEditResource(ctx, input.resource_id),
    handler: (ctx, input) => this.delete(ctx, input),
  });

  all = (): AnyAction[] => [this.datastoreCreate, this.datastoreUpsert, this.datastoreDelete, this.datastoreRecordsDelete];
}
