import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, defineAction } from '../../api/action';
import type { ActionContext } from '../../api/action-context';
import { FieldErrors, NotFound, ValidationError } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { authSourceCreate, authSourceWrite, findOrg, loadSource } from './sensor-source.auth';
import { isPolled, parseSourceConfig, SourceType } from './sensor-source-config';
import { restoreSecrets } from './sensor-source-secrets';
import { SensorSourceCreateInput, SensorSourceIdInput, SensorSourcePatchInput, SensorSourceUpdateInput, SourceDict, toSourceDict } from './sensor-source.dto';
import { SensorSourceChanges } from './sensor-source-changes';
import { SensorSourceRepository, SourceRow, SourceValues } from './sensor-source.repository';

/** Seconds between polls when a polled source names none. */
const DEFAULT_POLL_SECONDS: Partial<Record<SourceType, number>> = { pegelonline: 900, datex2: 300, sta: 300 };

const CONFIG_HELP = `config by type, every type also: time_zone (IANA, e.g. Europe/Berlin: the zone of naive local times; without it
they are refused), sentinels (list of numbers meaning "no value", e.g. [-777, -999]), late_window_days, retention {raw_days,
hourly_days, daily_days}, poll_interval_seconds (>= 60; polled types only), license_id (of the datasets made), private (bool: the
datasets made start private), limits ({quantity: {min, max, max_per_hour}}: plausible ranges; outside: stored as invalid).
pegelonline: base_url (default the PEGELONLINE REST API v2), stations (uuids, numbers or names) and/or waters (e.g. ["RHEIN"]),
timeseries (subset of W, Q, WT, LT, ...), first_window (ISO duration a first poll reaches back, default P1D, at most P31D). datex2: url (MeasuredDataPublication), site_table_url, format (v3-xml, v3-json, v2-xml),
username, password. mqtt: url (broker; default the service's), topic (filter), payload (sta, flat, tts), topic_pattern (flat:
e.g. "kreis/pegel/{station}/{stream}"), devices (tts: [{device_id, station, fields: {decoded key: stream key}}]), qos (0 or 1),
username, password, protocol_version (with url: 4 or 5), shared_group (with url and 5: instances split the messages). push: format (json, csv), csv {separator, decimal_mark, date_format, time_zone, in_sequence}, json_shape (batch,
records, timeseries), mapping (record mapping: time, timeOfDay, station, values [{field, stream, unit|unitField|unitInName}]),
station and stream (timeseries shape), stations ([{key, name, coordinates, streams: [{key, name, quantity, unit,
interval_seconds}]}]), max_rows (default 10000); batches go to sensor_push.
sta: url (another SensorThings server to mirror), username, password.
Secrets (password, token, ...) are never shown: they read "********", and sending that back keeps the stored value.`;

/** sensor_source_create, sensor_source_update, sensor_source_patch, sensor_source_delete. */
@Injectable()
export class SensorSourceWriteActions implements ActionProvider {
  constructor(private readonly repo: SensorSourceRepository, private readonly authz: Authz, private readonly changes: SensorSourceChanges) {}

  /** The row's values from the input, checked (name free, organization active, type kept, config per type); field errors together. */
  private async values(ctx: ActionContext, input: SensorSourceCreateInput, existing: SourceRow | null): Promise<SourceValues> {
    const errors: FieldErrors = {};
    if (await this.repo.nameTaken(ctx.db, input.name, existing?.id)) errors.name = ['That name is already in use.'];
    const org = await findOrg(ctx, input.owner_org);
    if (!org || org.state !== 'active') errors.owner_org = ['Organization does not exist'];
    if (existing && existing.type !== input.type) errors.type = [`The type of a source cannot change (it is ${existing.type})`];
    let config: Record<string, unknown> = {};
    try {
      config = parseSourceConfig(input.type, restoreSecrets(input.config ?? {}, existing?.config)) as Record<string, unknown>;
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      Object.assign(errors, err.fields);
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
    const polled = isPolled(input.type, config);
    return {
      name: input.name,
      title: input.title ?? existing?.title ?? input.name,
      owner_org: org!.id,
      type: input.type,
      config,
      state: input.state ?? (existing?.state === 'paused' ? 'paused' : 'active'),
      poll_interval_seconds: polled ? ((config.poll_interval_seconds as number | undefined) ?? DEFAULT_POLL_SECONDS[input.type] ?? null) : null,
    };
  }

  private async show(ctx: ActionContext, id: string): Promise<SourceDict> {
    const row = await this.repo.find(ctx.db, id);
    if (!row) throw new NotFound('Sensor source not found');
    return toSourceDict(row);
  }

  private async locked(ctx: ActionContext, ref: string): Promise<SourceRow> {
    const row = await this.repo.find(ctx.db, ref, { lock: true });
    if (!row) throw new NotFound('Sensor source not found');
    return row;
  }

  readonly create = defineAction({
    name: 'sensor_source_create',
    help: `Create a sensor source of an organization: a feed that creates and updates the organization's sensor datasets
(one per station) and their live observations. Returns the source (sensor_source_show form).

Params: name (required, 2-100 of a-z 0-9 - _), title, owner_org (required, organization id or name), type (required: pegelonline,
datex2, mqtt, push, sta), state (active or paused, default active), config (dict, see below). A polled source is first polled
within a minute. ${CONFIG_HELP}
Who may call: editors and admins of the organization, sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: SensorSourceCreateInput,
    auth: (ctx, input) => authSourceCreate(ctx, this.authz, input.owner_org),
    handler: async (ctx, input) => {
      const id = await this.repo.insert(ctx.db, await this.values(ctx, input, null));
      await this.changes.changed(ctx, id);
      return this.show(ctx, id);
    },
  });

  readonly update = defineAction({
    name: 'sensor_source_update',
    help: `Replace a sensor source's settings. Params: id (id or name), then name, title, owner_org, type (cannot change), state and
config as for sensor_source_create; an omitted config becomes {} (secrets sent as "********" keep their stored value).
Its datasets stay. Returns the source. Who may call: editors and admins of the organization (and of a new one), sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: SensorSourceUpdateInput,
    auth: async (ctx, input) => authSourceWrite(ctx, this.authz, await loadSource(ctx, this.repo, input.id), 'update_dataset', input.owner_org),
    handler: async (ctx, input) => {
      const s = await this.locked(ctx, input.id);
      await this.repo.update(ctx.db, s.id, await this.values(ctx, input, s));
      await this.changes.changed(ctx, s.id);
      return this.show(ctx, s.id);
    },
  });

  readonly patch = defineAction({
    name: 'sensor_source_patch',
    help: `Change some settings of a sensor source. Params: id (id or name) and the keys to change (name, title, owner_org, state,
config); a given key replaces its value whole, config included. Returns the source. Who may call: as sensor_source_update.`,
    sideEffectFree: false,
    anonymous: false,
    input: SensorSourcePatchInput,
    auth: async (ctx, input) => authSourceWrite(ctx, this.authz, await loadSource(ctx, this.repo, input.id), 'update_dataset', input.owner_org),
    handler: async (ctx, input) => {
      const s = await this.locked(ctx, input.id);
      const merged: SensorSourceCreateInput = {
        name: input.name ?? s.name,
        title: input.title ?? s.title,
        owner_org: input.owner_org ?? s.owner_org,
        type: input.type ?? s.type,
        // The stored config is in clear: it goes back as it is, so nothing needs restoring.
        config: input.config ?? s.config,
        state: input.state ?? (s.state === 'paused' ? 'paused' : 'active'),
      };
      await this.repo.update(ctx.db, s.id, await this.values(ctx, merged, s));
      await this.changes.changed(ctx, s.id);
      return this.show(ctx, s.id);
    },
  });

  readonly delete = defineAction({
    name: 'sensor_source_delete',
    help: `Delete a sensor source: it is polled and fed no more. The datasets it made stay (as datasets without a source), with
their observations. Params: id (id or name). Returns null. Who may call: editors and admins of the organization, sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: SensorSourceIdInput,
    auth: async (ctx, input) => authSourceWrite(ctx, this.authz, await loadSource(ctx, this.repo, input.id), 'delete_dataset'),
    handler: async (ctx, input) => {
      const s = await this.locked(ctx, input.id);
      await this.repo.delete(ctx.db, s.id);
      await this.changes.changed(ctx, s.id);
      return null;
    },
  });

  all = (): AnyAction[] => [this.create, this.update, this.patch, this.delete];
}
