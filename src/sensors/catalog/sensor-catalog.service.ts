import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ActionContext } from '../../api/action-context';
import { NotAuthorized, NotFound, ValidationError } from '../../api/errors';
import { Visibility } from '../../auth/visibility';
import { DatasetDicts } from '../../catalog/datasets/dataset-dicts.service';
import { mungeName } from '../../common/munge';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { DatastoreViews } from '../../datastore/datastore-views';
import type { GeoPoint, StationInfo, StreamInfo } from '../readings';
import { changed, datastreamDescription, datastreamName, desiredDataset, liveResources, streamOf } from './sensor-dataset.dict';
import { conversionFor } from '../observations/units';
import { namePrefix, QUANTITIES, unitOfMeasurement } from './sensor-quantities';
import { DatastreamRow, SensorThingRepository, ThingRow } from './sensor-thing.repository';

/** The source a station belongs to, as syncStation needs it. */
export interface StationSource {
  id: string;
  name: string;
  title?: string;
  owner_org: string;
  type?: string;
  config?: { license_id?: string; private?: boolean };
}

/** What a sync made or found: the dataset, the Thing and the Datastream of each stream key. */
export interface SyncResult {
  packageId: string;
  packageName: string;
  thingId: number;
  /** Datastream ids by the stream's key. */
  datastreams: Record<string, number>;
  /** true when the dataset was created by this call. */
  created: boolean;
}

/** A Thing created through SensorThings (POST /Things). */
export interface StaThingInput {
  name: string;
  description?: string;
  /** `organization` (name or id) names the owning organization; otherwise the caller's only one. */
  properties?: Record<string, unknown>;
  location?: GeoPoint;
  streams?: StreamInfo[];
}

type Dict = Record<string, unknown>;

/** The data dictionary of a datastream view's `result_json` (the migration 1795880000000 gives older views the same). */
const RESULT_JSON_INFO = { label: 'Wert (kein Zahlenwert)', notes: 'Ergebnis, das keine Zahl ist (Text, Wahrheitswert oder Objekt), als JSON; leer, wenn result eine Zahl ist' };

const isUniqueName = async (ctx: ActionContext, name: string): Promise<boolean> => {
  try {
    const d = await ctx.withIgnoreAuth().call<{ state: string }>('package_show', { id: name });
    return d.state === 'deleted';
  } catch (err) {
    if (err instanceof NotFound) return true;
    throw err;
  }
};

/**
 * Sensor datasets kept in step with what sources say about their stations, through the catalog's actions (package_create,
 * package_patch: the same validation, permissions, search index, DCAT checks and activity as any client's write), and
 * the SensorThings entities behind them (Thing, Location with its history, Sensor, ObservedProperty, Datastreams), each
 * datastream a resource whose DataStore table is a read-only view of its observations, with one resource of the latest
 * values and two of hourly and daily aggregates per dataset.
 */
@Injectable()
export class SensorCatalog {
  constructor(
    private readonly things: SensorThingRepository,
    private readonly views: DatastoreViews,
    private readonly visibility: Visibility,
    private readonly dicts: DatasetDicts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Creates or updates a station's dataset and its Thing, found by (source, station key), so calling it again with
   * the same station changes nothing and a changed station updates in place. Runs as the site (the source's
   * permission was checked when it was configured), in one transaction (the caller's, if it has one).
   */
  async syncStation(ctx: ActionContext, source: StationSource, station: StationInfo): Promise<SyncResult> {
    return ctx.forRun().transaction(async (tx) => {
      const site = tx.withIgnoreAuth();
      await this.things.lock(tx.db, `${source.id}:${station.key}`);
      let thing = await this.things.findBySourceKey(tx.db, source.id, station.key);
      let current: Dict | null = null;
      if (thing) {
        current = await this.dataset(site, thing.package_id);
        // A dataset gone without its Thing (the clean-up runs with every dataset write, so only by hand): start again.
        if (!current) {
          await this.things.deleteThing(tx.db, thing.id);
          thing = null;
        }
      }
      return this.write(tx, site, { ownerOrg: source.owner_org, source, key: station.key, station, thing, current });
    });
  }

  /**
   * A Thing created through the SensorThings API: a new sensor dataset of the organization its `properties.organization`
   * names, or of the caller's only organization where they may create datasets, created as the caller (so package_create's
   * permission rule decides), with the streams given as its Datastreams.
   */
  async createThing(ctx: ActionContext, input: StaThingInput): Promise<SyncResult> {
    return ctx.forRun().transaction(async (tx) => {
      const ownerOrg = await this.organizationFor(tx, input.properties?.organization);
      const station: StationInfo = { key: '', name: input.name, description: input.description, location: input.location, properties: input.properties, streams: input.streams ?? [] };
      return this.write(tx, tx, { ownerOrg, source: null, key: null, station, thing: null, current: null });
    });
  }

  /** Adds or updates Datastreams of an existing Thing (SensorThings POST /Datastreams), as the caller, who must be able to edit its dataset. */
  async syncDatastreams(ctx: ActionContext, thingId: number, streams: StreamInfo[]): Promise<SyncResult> {
    return this.rewrite(ctx, thingId, (station) => {
      const merged = new Map(station.streams.map((s) => [s.key, s]));
      for (const s of streams) merged.set(s.key, s);
      return { ...station, streams: [...merged.values()] };
    });
  }

  /**
   * Changes a Thing's name, description, properties or place (SensorThings PATCH /Things), and its dataset with it, as
   * the caller, who must be able to edit the dataset; a new place adds a HistoricalLocation.
   */
  async updateThing(ctx: ActionContext, thingId: number, patch: Partial<Omit<StaThingInput, 'streams'>>): Promise<SyncResult> {
    return this.rewrite(ctx, thingId, (station) => ({
      ...station,
      name: patch.name ?? station.name,
      description: patch.description ?? station.description,
      properties: patch.properties ?? station.properties,
      location: patch.location ?? station.location,
    }));
  }

  /** A Thing as a station again, changed by `change`, and written back through the same path as a sync. */
  private rewrite(ctx: ActionContext, thingId: number, change: (station: StationInfo) => StationInfo): Promise<SyncResult> {
    return ctx.forRun().transaction(async (tx) => {
      await this.things.lock(tx.db, `thing:${thingId}`);
      const thing = await this.things.findById(tx.db, thingId);
      if (!thing) throw new NotFound('Thing not found');
      const current = await this.dataset(tx, thing.package_id);
      const access = await this.dicts.get(tx, thing.package_id);
      if (!current || !access) throw new NotFound('Thing not found');
      // Checked here, not only by package_patch: a change that leaves the dataset as it is writes no dataset.
      if (!(await this.visibility.canEdit(tx, access.visibility))) throw new NotAuthorized(`User ${tx.user?.name ?? ''} not authorized to edit package ${thing.package_id}`);
      const known = await this.things.datastreams(tx.db, thing.id);
      const location = await this.things.currentLocation(tx.db, thing.id);
      const properties = { ...(thing.properties ?? {}) };
      if (thing.source_id === null) {
        delete properties.source;
        delete properties.station;
      }
      const station = change({
        key: thing.source_key ?? '', name: thing.name, description: typeof current.notes === 'string' ? current.notes : thing.description, properties,
        location: (location?.location as GeoPoint | undefined) ?? undefined, streams: known.map((d) => streamOf(d, thing.name, thing.source_id === null)),
      });
      return this.write(tx, tx, { ownerOrg: String(current.owner_org), source: null, key: thing.source_key, station, thing, current });
    });
  }

  /** The organization a SensorThings Thing goes to: the one named, else the caller's only organization with create_dataset. */
  private async organizationFor(ctx: ActionContext, named: unknown): Promise<string> {
    if (typeof named === 'string' && named) return named;
    const orgs = await ctx.call<{ id: string }[]>('organization_list_for_user', { permission: 'create_dataset' });
    if (orgs.length === 1) return orgs[0].id;
    throw new ValidationError({
      'properties.organization': [orgs.length ? 'Name the organization (its name or id) in properties.organization: you may add datasets to several' : 'You may add datasets to no organization'],
    });
  }

  /** The dataset by id (as the site; deleted ones count as gone), or null. */
  private async dataset(ctx: ActionContext, id: string): Promise<Dict | null> {
    try {
      const d = await ctx.withIgnoreAuth().call<Dict>('package_show', { id });
      return d.state === 'deleted' ? null : d;
    } catch (err) {
      if (err instanceof NotFound) return null;
      throw err;
    }
  }

  private async freeName(ctx: ActionContext, station: StationInfo, source: StationSource | null): Promise<string> {
    const prefix = namePrefix(station.streams.map((s) => s.quantity));
    const own = mungeName(station.name, 90);
    // A station already named by its kind ("Pegel Lahnstein") keeps its name as it is.
    const base = own === prefix || own.startsWith(`${prefix}-`) ? own : mungeName(`${prefix}-${station.name}`, 90);
    const candidates = [base, ...(source ? [mungeName(`${base}-${source.name}`, 90)] : [])];
    for (const c of candidates) if (await isUniqueName(ctx, c)) return c;
    for (let i = 2; i < 1000; i++) if (await isUniqueName(ctx, `${base}-${i}`)) return `${base}-${i}`;
    return `${base}-${randomUUID().slice(0, 8)}`;
  }

  /**
   * The write shared by every path: the dataset (created, or patched when something of ours changed), the Thing,
   * its Location, its Datastreams, and a view for each of its live resources.
   */
  private async write(
    tx: ActionContext,
    writer: ActionContext,
    t: { ownerOrg: string; source: StationSource | null; key: string | null; station: StationInfo; thing: ThingRow | null; current: Dict | null },
  ): Promise<SyncResult> {
    const { station, source } = t;
    const known = t.thing ? await this.things.datastreams(tx.db, t.thing.id) : [];
    const byKey = new Map(known.map((d) => [d.source_key ?? '', d]));
    const currentResources = ((t.current?.resources ?? []) as Dict[]).filter((r) => typeof r.id === 'string');
    const present = new Set(currentResources.map((r) => r.id as string));
    const keep = (id: string | null | undefined): string => (id && present.has(id) ? id : randomUUID());

    const streamResources = station.streams.map((s) => ({ stream: s, resourceId: keep(byKey.get(s.key)?.resource_id) }));
    const ids = { latest: keep(t.thing?.latest_resource_id), hourly: keep(t.thing?.hourly_resource_id), daily: keep(t.thing?.daily_resource_id) };
    const resources = liveResources(this.config.SITE_URL, station, ids, streamResources, currentResources);
    const { desired, notes } = desiredDataset(station, source, t.current, resources);
    // Title and description follow the station only when the station's changed since the last sync (the Thing keeps
    // what the source said), so a steward's own wording stays.
    if (t.current && t.thing) {
      if (t.thing.name === station.name) desired.title = t.current.title;
      if (t.thing.description === notes) desired.notes = t.current.notes;
    }

    let packageId: string;
    let packageName: string;
    let created = false;
    if (!t.current) {
      const d = await writer.call<Dict>('package_create', {
        ...desired, name: await this.freeName(tx, station, source), type: 'sensor', owner_org: t.ownerOrg,
        ...(source?.config?.license_id ? { license_id: source.config.license_id } : {}),
        ...(source?.config?.private ? { private: true } : {}),
      });
      packageId = d.id as string;
      packageName = d.name as string;
      created = true;
    } else {
      packageId = t.current.id as string;
      packageName = t.current.name as string;
      if (changed(t.current, desired)) await writer.call('package_patch', { id: packageId, ...desired });
    }

    const thingValues = { name: station.name, description: notes, properties: { ...(station.properties ?? {}), ...(source ? { source: source.name, station: station.key } : {}) } };
    let thingId: number;
    if (t.thing) {
      thingId = t.thing.id;
      await this.things.updateThing(tx.db, thingId, thingValues);
    } else {
      thingId = await this.things.insertThing(tx.db, packageId, source?.id ?? null, t.key, thingValues);
    }
    if (station.location) {
      const loc = await this.things.currentLocation(tx.db, thingId);
      if (!loc || JSON.stringify(loc.location) !== JSON.stringify(station.location)) {
        await this.things.moveTo(tx.db, thingId, { name: station.name, description: `Standort von ${station.name}`, location: station.location });
      }
    }

    const datastreams: Record<string, number> = {};
    // A Thing made through SensorThings keeps its Datastreams as the client gave them (name, unit, Sensor,
    // ObservedProperty); a source's stations get the catalog's names and the quantity's ObservedProperty.
    const own = !source && !t.thing?.source_id;
    for (const { stream, resourceId } of streamResources) {
      datastreams[stream.key] = await this.datastream(tx, thingId, station, stream, resourceId, byKey.get(stream.key), source, own);
    }
    await this.things.setThingResources(tx.db, thingId, ids);

    const register = async (resourceId: string, select: string, info?: Record<string, Dict>): Promise<void> => {
      if (!(await this.views.isReadOnly(tx, resourceId))) await this.views.register(tx, { resourceId, packageId, select, info });
    };
    await register(ids.latest, this.things.latestView(thingId));
    for (const { stream, resourceId } of streamResources) {
      const unit = unitOfMeasurement(stream.quantity, stream.unit);
      await register(resourceId, this.things.observationsView(datastreams[stream.key]), {
        phenomenon_time: { label: 'Zeitpunkt', notes: 'Messzeitpunkt (bei Intervallwerten der Beginn des Intervalls)' },
        result: { label: `${stream.name} (${unit.symbol})`, notes: `Messwert in ${unit.name}` },
        quality: { label: 'Qualität', notes: 'good, missing (kein Wert), invalid (als falsch gemeldet oder unplausibel) oder suspect' },
        result_json: RESULT_JSON_INFO,
      });
    }
    await register(ids.hourly, this.things.aggregateView(thingId, 'hour'));
    await register(ids.daily, this.things.aggregateView(thingId, 'day'));
    return { packageId, packageName, thingId, datastreams, created };
  }

  private async datastream(
    tx: ActionContext, thingId: number, station: StationInfo, s: StreamInfo, resourceId: string, existing: DatastreamRow | undefined, source: StationSource | null, own: boolean,
  ): Promise<number> {
    const q = QUANTITIES[s.quantity] ?? QUANTITIES.other;
    const observedPropertyId = s.own?.observedPropertyId ?? (own && existing ? existing.observed_property_id
      : await this.things.observedProperty(tx.db, { name: q.label, definition: q.definition, description: q.description }));
    // The unit as the client sent it, while values are stored as sent; a converted one (m into cm) shows the stored unit.
    const declaredUnit = s.own?.unitOfMeasurement ?? (own && existing ? existing.unit_of_measurement : undefined);
    const values = {
      name: own ? s.name : datastreamName(s.name, station.name),
      description: s.description ?? datastreamDescription(s.name, station.name),
      unitOfMeasurement: declaredUnit && storedAsDeclared(s.quantity, s.unit) ? declaredUnit : unitOfMeasurement(s.quantity, s.unit),
      quantity: s.quantity,
      intervalSeconds: s.intervalSeconds ?? null,
      properties: { ...(s.properties ?? {}), declared_unit: s.unit },
    };
    if (existing) {
      await this.things.updateDatastream(tx.db, existing.id, observedPropertyId, values);
      if (!own) await this.things.updateSensor(tx.db, existing.sensor_id, { name: values.name, description: values.description });
      if (existing.resource_id !== resourceId) await this.things.setDatastreamResource(tx.db, existing.id, resourceId);
      return existing.id;
    }
    const sensorId = s.own?.sensorId ?? await this.things.insertSensor(tx.db, { name: values.name, description: values.description, metadata: source?.type ?? 'sta', properties: source ? { source: source.name } : null });
    return this.things.insertDatastream(tx.db, { ...values, thingId, sensorId, observedPropertyId, resourceId, sourceKey: s.key });
  }
}

/** Whether readings in `unit` are stored unchanged for `quantity` (no conversion), so the declared unit is the stored one. */
function storedAsDeclared(quantity: StreamInfo['quantity'], unit: string): boolean {
  const c = conversionFor(quantity, unit || null, unit || null);
  return 'convert' in c && c.convert(1) === 1 && c.convert(0) === 0;
}
