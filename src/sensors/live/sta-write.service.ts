import { Inject, Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { NotFound } from '../../api/errors';
import { Visibility } from '../../auth/visibility';
import { DatasetDicts } from '../../catalog/datasets/dataset-dicts.service';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { SensorCatalog } from '../catalog/sensor-catalog.service';
import { streamOf } from '../catalog/sensor-dataset.dict';
import { SensorThingRepository } from '../catalog/sensor-thing.repository';
import type { GeoPoint, StreamInfo } from '../readings';
import { MODEL, SET_OF, compileRead, parsePath, parseQueryOptions, type EntityType, type ResourcePath } from '../sta/query';
import { StaReadRepository } from '../sta/sta-read.repository';
import { ObservationUpdates } from './observation-updates';
import { streamFromDatastream } from './sta-datastream-input';
import { bad, checkEntity, isObject, linkId, StaWriteError, type Json } from './sta-entity-input';
import { StaObservations } from './sta-observations';
import { observedPropertyRow, StaLocationLinks, StaWriteRepository, type PlainType } from './sta-write.repository';

/** What a create made: the entity to answer with and where it lives. */
export interface Created {
  type: EntityType;
  id: number;
}

const forbidden = (what: string): StaWriteError => new StaWriteError(403, 'forbidden', `Not allowed to change ${what}`);

/**
 * SensorThings Create-Update-Delete (OGC 18-088 §10) over the catalog: Things, Locations and Datastreams are sensor
 * datasets and their resources, written by SensorCatalog through the catalog's actions as the caller (package_create's,
 * package_patch's and package_delete's permission rules, activity and search index hold); Observations go through the
 * one observations writer; Sensors, ObservedProperties and FeaturesOfInterest are rows of their own. Every change
 * needs edit rights in the dataset of each Thing the entity belongs to (an entity no Thing uses yet: a caller who may
 * add datasets to some organization). Each request is one transaction; Observations it made or changed are published
 * to MQTT after the commit (ObservationUpdates).
 */
@Injectable()
export class StaWriter {
  private readonly reader = new StaReadRepository();

  constructor(
    private readonly catalog: SensorCatalog,
    private readonly things: SensorThingRepository,
    private readonly repo: StaWriteRepository,
    private readonly links: StaLocationLinks,
    private readonly observations: StaObservations,
    private readonly updates: ObservationUpdates,
    private readonly visibility: Visibility,
    private readonly dicts: DatasetDicts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // ------------------------------------------------------------------------------------------------ permissions

  async assertEditThing(tx: ActionContext, thingId: number): Promise<void> {
    const pkg = await this.repo.thingPackage(tx.db, thingId);
    const access = pkg ? await this.dicts.get(tx, pkg) : undefined;
    if (!pkg || !access) throw new StaWriteError(404, 'not_found', `No Thing with @iot.id ${thingId}`);
    if (!(await this.visibility.canEdit(tx, access.visibility))) throw forbidden(`Thing ${thingId} (dataset ${access.name})`);
  }

  /** An entity shared by Things: editable by who may edit all of them; one no Thing uses, by who may add datasets somewhere. */
  private async assertEditShared(tx: ActionContext, type: PlainType | 'HistoricalLocation', id: number): Promise<void> {
    if (!(await this.repo.exists(tx.db, type, id))) throw new StaWriteError(404, 'not_found', `No ${type} with @iot.id ${id}`);
    const users = await this.repo.thingsUsing(tx.db, type, id);
    for (const t of users) await this.assertEditThing(tx, t);
    if (!users.length) await this.assertMayCreate(tx);
  }

  private async assertMayCreate(tx: ActionContext): Promise<void> {
    if (tx.isSysadmin) return;
    const orgs = await tx.call<unknown[]>('organization_list_for_user', { permission: 'create_dataset' });
    if (!orgs.length) throw forbidden('SensorThings entities: you may add datasets to no organization');
  }

  // ------------------------------------------------------------------------------------------------ create

  /** POST to an entity set or a navigation path (`Things(1)/Datastreams`): the link to the parent is implied. */
  async create(ctx: ActionContext, path: ResourcePath, body: Json): Promise<Created> {
    const last = path.segments[path.segments.length - 1];
    if (!last.isCollection || path.property || path.isRef) throw bad('POST creates entities in a collection, such as /Things or /Things(1)/Datastreams');
    if (path.segments.length > 2) throw bad('POST to a path deeper than one navigation is not supported; use the entity set with a link');
    const type = last.type;
    if (path.segments.length === 2) {
      const parent = path.segments[0];
      const back = Object.entries(MODEL[type].navigations).find(([, n]) => n.target === parent.type);
      if (!back) throw bad(`Cannot create ${SET_OF[type]} under ${SET_OF[parent.type]}`);
      const link = { '@iot.id': Number(parent.id) };
      body = { ...body, [back[0]]: back[1].many ? [...(Array.isArray(body[back[0]]) ? (body[back[0]] as unknown[]) : []), link] : link };
    }
    const created: number[] = [];
    const result = await ctx.forRun().transaction(async (tx) => {
      const id = await this.createEntity(tx, type, body, created);
      this.updates.afterCommit(tx, created);
      return { type, id };
    });
    return result;
  }

  private async createEntity(tx: ActionContext, type: EntityType, body: Json, observationIds: number[]): Promise<number> {
    switch (type) {
      case 'Thing': return this.createThing(tx, body, observationIds);
      case 'Datastream': return this.createDatastream(tx, body, observationIds);
      case 'Observation': return this.createObservation(tx, body, observationIds);
      case 'Location': return this.createLocation(tx, body);
      case 'HistoricalLocation': return this.createHistoricalLocation(tx, body);
      default: {
        checkEntity(type, body, 'create');
        if (type === 'FeatureOfInterest' && Array.isArray(body.Observations) && body.Observations.length) throw bad('Create the Observations of a FeatureOfInterest through their Datastream');
        if (Array.isArray(body.Datastreams) && body.Datastreams.length) throw bad(`Create the Datastreams of a ${type} through their Thing, linking the ${type} by @iot.id`);
        await this.assertMayCreate(tx);
        return this.repo.insertPlain(tx.db, type, body);
      }
    }
  }

  private async createThing(tx: ActionContext, body: Json, observationIds: number[]): Promise<number> {
    checkEntity('Thing', body, 'create');
    if (Array.isArray(body.HistoricalLocations) && body.HistoricalLocations.length) throw bad('HistoricalLocations are made by the service when a Thing gets a Location');
    const locations = (body.Locations ?? []) as unknown[];
    if (locations.length > 1) throw bad('A Thing of this service has one current Location');
    let location: { link?: number; inline?: Json; geometry: unknown } | undefined;
    if (locations.length) {
      const l = locations[0];
      const link = linkId(l);
      if (link !== undefined) {
        const row = await this.repo.location(tx.db, link);
        if (!row) throw bad(`No Location with @iot.id ${link}`);
        location = { link, geometry: row.location };
      } else {
        if (!isObject(l)) throw bad('Locations must be entities or {"@iot.id": n}');
        checkEntity('Location', l, 'create');
        location = { inline: l, geometry: l.location };
      }
    }
    const datastreams = (body.Datastreams ?? []) as unknown[];
    const streams: { stream: StreamInfo; body: Json }[] = [];
    const keys = new Set<string>();
    for (const d of datastreams) {
      if (!isObject(d) || linkId(d) !== undefined) throw bad('A new Thing\'s Datastreams must be given inline (a Datastream belongs to one Thing)');
      checkEntity('Datastream', d, 'create', 'Thing');
      const stream = streamFromDatastream(d, uniqueKey(String(d.name), keys), await this.observedPropertyOf(tx, d.ObservedProperty));
      streams.push({ stream, body: d });
    }
    const r = await this.catalog.createThing(tx, {
      name: String(body.name), description: String(body.description), properties: isObject(body.properties) ? body.properties : undefined,
      location: location?.geometry as GeoPoint | undefined, streams: streams.map((s) => s.stream),
    });
    if (location) await this.placeLocation(tx, r.thingId, location);
    for (const s of streams) await this.afterDatastream(tx, r.datastreams[s.stream.key], s.body, observationIds);
    return r.thingId;
  }

  /** The catalog made the Thing's Location from the geometry; a linked Location replaces it, an inline one names it. */
  private async placeLocation(tx: ActionContext, thingId: number, l: { link?: number; inline?: Json }): Promise<void> {
    const made = await this.links.current(tx.db, thingId);
    if (made === null) return;
    if (l.link !== undefined) await this.links.replace(tx.db, thingId, made, l.link);
    else if (l.inline) await this.repo.updatePlain(tx.db, 'Location', made, l.inline);
  }

  private async observedPropertyOf(tx: ActionContext, op: unknown): Promise<{ name?: unknown; definition?: unknown } | undefined> {
    const link = linkId(op);
    if (link !== undefined) {
      const row = await observedPropertyRow(tx.db, link);
      if (!row) throw bad(`No ObservedProperty with @iot.id ${link}`);
      return row;
    }
    if (isObject(op)) checkEntity('ObservedProperty', op, 'create');
    return isObject(op) ? op : undefined;
  }

  /** What a Datastream brought besides the stream: its Sensor's own words, and Observations given inline. */
  private async afterDatastream(tx: ActionContext, datastreamId: number, body: Json, observationIds: number[]): Promise<void> {
    const sensor = body.Sensor;
    const link = linkId(sensor);
    if (link === undefined && isObject(sensor)) {
      checkEntity('Sensor', sensor, 'create');
      const row = (await this.things.datastreams(tx.db, (await this.repo.datastream(tx.db, datastreamId))!.thing_id)).find((d) => Number(d.id) === datastreamId);
      if (row) await this.repo.updatePlain(tx.db, 'Sensor', Number(row.sensor_id), sensor);
    } else if (link !== undefined && !(await this.repo.exists(tx.db, 'Sensor', link))) throw bad(`No Sensor with @iot.id ${link}`);
    for (const o of (body.Observations ?? []) as unknown[]) {
      if (!isObject(o)) throw bad('Observations must be given inline');
      await this.createObservation(tx, { ...o, Datastream: { '@iot.id': datastreamId } }, observationIds);
    }
  }

  private async createDatastream(tx: ActionContext, body: Json, observationIds: number[]): Promise<number> {
    checkEntity('Datastream', body, 'create');
    const thingLink = linkId(body.Thing);
    if (thingLink === undefined) {
      if (!isObject(body.Thing)) throw bad('Datastream: Thing must be an entity or {"@iot.id": n}');
      const { Thing: thing, ...ds } = body;
      const thingId = await this.createThing(tx, { ...(thing as Json), Datastreams: [ds] }, observationIds);
      const made = await this.things.datastreams(tx.db, thingId);
      return Number(made[made.length - 1].id);
    }
    await this.assertEditThing(tx, thingLink);
    const known = await this.things.datastreams(tx.db, thingLink);
    const keys = new Set(known.map((d) => d.source_key ?? ''));
    const stream = streamFromDatastream(body, uniqueKey(String(body.name), keys), await this.observedPropertyOf(tx, body.ObservedProperty));
    const r = await this.catalog.syncDatastreams(tx, thingLink, [stream]);
    const id = r.datastreams[stream.key];
    await this.afterDatastream(tx, id, body, observationIds);
    return id;
  }

  /** The Datastream an Observation goes to, checked for the caller; answers its Thing. */
  async observationTarget(tx: ActionContext, datastreamId: number): Promise<number> {
    const ds = await this.repo.datastream(tx.db, datastreamId);
    if (!ds) throw new StaWriteError(404, 'not_found', `No Datastream with @iot.id ${datastreamId}`);
    await this.assertEditThing(tx, ds.thing_id);
    return ds.thing_id;
  }

  private async createObservation(tx: ActionContext, body: Json, observationIds: number[]): Promise<number> {
    checkEntity('Observation', body, 'create');
    const dsId = linkId(body.Datastream);
    if (dsId === undefined) throw bad('Observation: link its Datastream by {"@iot.id": n} (a Datastream cannot be created inside an Observation)');
    const thingId = await this.observationTarget(tx, dsId);
    const [id] = await this.observations.store(tx.db, [this.observations.draft(dsId, body)], new Map([[dsId, thingId]]));
    if (id === null) throw new StaWriteError(409, 'late', 'The Observation is older than the late window of its Datastream and was not stored');
    observationIds.push(id);
    return id;
  }

  private async createLocation(tx: ActionContext, body: Json): Promise<number> {
    checkEntity('Location', body, 'create');
    if (Array.isArray(body.HistoricalLocations) && body.HistoricalLocations.length) throw bad('HistoricalLocations are made by the service when a Thing gets a Location');
    const things = ((body.Things ?? []) as unknown[]).map((t) => {
      const id = linkId(t);
      if (id === undefined) throw bad('Location: Things must be links {"@iot.id": n}; create a Thing with its Location inline instead');
      return id;
    });
    for (const t of things) await this.assertEditThing(tx, t);
    if (!things.length) await this.assertMayCreate(tx);
    const id = await this.repo.insertPlain(tx.db, 'Location', body);
    for (const t of things) {
      await this.links.moveTo(tx.db, t, id);
      // The dataset's `spatial` follows (the Location is already current, so the catalog adds no second one).
      await this.catalog.updateThing(tx, t, { location: body.location as GeoPoint });
    }
    return id;
  }

  private async createHistoricalLocation(tx: ActionContext, body: Json): Promise<number> {
    checkEntity('HistoricalLocation', body, 'create');
    const thing = linkId(body.Thing);
    if (thing === undefined) throw bad('HistoricalLocation: link its Thing by {"@iot.id": n}');
    await this.assertEditThing(tx, thing);
    const time = new Date(String(body.time));
    if (Number.isNaN(time.getTime())) throw bad(`HistoricalLocation: time is no valid time: ${String(body.time)}`);
    const locations = ((body.Locations ?? []) as unknown[]).map((l) => {
      const id = linkId(l);
      if (id === undefined) throw bad('HistoricalLocation: Locations must be links {"@iot.id": n}');
      return id;
    });
    for (const l of locations) if (!(await this.repo.exists(tx.db, 'Location', l))) throw bad(`No Location with @iot.id ${l}`);
    return this.repo.insertHistoricalLocation(tx.db, thing, time, locations);
  }

  // ------------------------------------------------------------------------------------------------ update

  /** PATCH (only what is sent changes) or PUT (the entity replaced: mandatory properties required, the rest reset). */
  async update(ctx: ActionContext, path: ResourcePath, body: Json, mode: 'patch' | 'put'): Promise<Created> {
    const { type, id } = single(path);
    checkEntity(type, body, mode);
    const changed: number[] = [];
    await ctx.forRun().transaction(async (tx) => {
      await this.updateEntity(tx, type, id, body, mode, changed);
      this.updates.afterCommit(tx, changed);
    });
    return { type, id: changed[0] ?? id };
  }

  private async updateEntity(tx: ActionContext, type: EntityType, id: number, body: Json, mode: 'patch' | 'put', changed: number[]): Promise<void> {
    const put = mode === 'put';
    switch (type) {
      case 'Thing': {
        await this.assertEditThing(tx, id);
        const move = await this.moveByLink(tx, id, body.Locations);
        await this.catalog.updateThing(tx, id, {
          ...(move ? { location: move as GeoPoint } : {}),
          name: body.name as string | undefined, description: body.description as string | undefined,
          properties: isObject(body.properties) ? body.properties : put || body.properties === null ? {} : undefined,
        });
        return;
      }
      case 'Datastream': {
        const ds = await this.repo.datastream(tx.db, id);
        if (!ds) throw new StaWriteError(404, 'not_found', `No Datastream with @iot.id ${id}`);
        await this.assertEditThing(tx, ds.thing_id);
        const thing = await this.things.findById(tx.db, ds.thing_id);
        const row = (await this.things.datastreams(tx.db, ds.thing_id)).find((d) => Number(d.id) === id)!;
        const current = streamOf(row, thing!.name);
        const next = { ...current };
        if (typeof body.name === 'string') next.name = body.name;
        if (typeof body.description === 'string') next.description = body.description;
        if (isObject(body.unitOfMeasurement) || isObject(body.properties) || put) {
          const fresh = streamFromDatastream({ unitOfMeasurement: body.unitOfMeasurement ?? { symbol: current.unit }, properties: body.properties ?? (put ? {} : { ...current.properties, quantity: current.quantity }) }, current.key);
          next.unit = fresh.unit;
          next.quantity = fresh.quantity;
          next.properties = fresh.properties;
        }
        await this.catalog.syncDatastreams(tx, ds.thing_id, [next]);
        return;
      }
      case 'Observation': return this.updateObservation(tx, id, body, put, changed);
      case 'HistoricalLocation': {
        await this.assertEditShared(tx, 'HistoricalLocation', id);
        const time = new Date(String(body.time));
        if (body.time !== undefined && Number.isNaN(time.getTime())) throw bad(`HistoricalLocation: time is no valid time: ${String(body.time)}`);
        if (body.time !== undefined) await this.repo.updateHistoricalLocation(tx.db, id, time);
        return;
      }
      default: {
        await this.assertEditShared(tx, type, id);
        const values = put ? { properties: null, ...body } : body;
        await this.repo.updatePlain(tx.db, type, id, values);
        if (type === 'Location' && body.location !== undefined) {
          for (const t of await this.links.thingsAt(tx.db, id)) await this.catalog.updateThing(tx, t, { location: body.location as GeoPoint });
        }
      }
    }
  }

  /** PATCH Things(1) with `Locations: [{"@iot.id": n}]`: the Thing is at that Location from now on; answers its geometry. */
  private async moveByLink(tx: ActionContext, thingId: number, locations: unknown): Promise<unknown> {
    if (!Array.isArray(locations) || !locations.length) return undefined;
    if (locations.length > 1) throw bad('A Thing of this service has one current Location');
    const id = linkId(locations[0])!;
    const row = await this.repo.location(tx.db, id);
    if (!row) throw bad(`No Location with @iot.id ${id}`);
    if ((await this.links.current(tx.db, thingId)) !== id) await this.links.moveTo(tx.db, thingId, id);
    return row.location;
  }

  /**
   * An Observation changed through the writer (the old value kept in the revision log). A new phenomenonTime moves it
   * to another key: the old one is removed and a new one written, so its @iot.id changes (answered in Location).
   */
  private async updateObservation(tx: ActionContext, id: number, body: Json, put: boolean, changed: number[]): Promise<void> {
    const row = await this.repo.observation(tx.db, id);
    if (!row) throw new StaWriteError(404, 'not_found', `No Observation with @iot.id ${id}`);
    const thingId = await this.observationTarget(tx, row.datastream_id);
    const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);
    const current: Json = put ? {} : {
      phenomenonTime: row.phenomenon_time_end ? `${iso(row.phenomenon_time)}/${iso(row.phenomenon_time_end)}` : iso(row.phenomenon_time),
      result: row.result ?? row.result_json, resultTime: iso(row.result_time), parameters: row.parameters ?? undefined,
      ...(row.feature_of_interest_id ? { FeatureOfInterest: { '@iot.id': Number(row.feature_of_interest_id) } } : {}),
    };
    if (put && row.feature_of_interest_id) current.FeatureOfInterest = { '@iot.id': Number(row.feature_of_interest_id) };
    const merged = { ...current, ...body };
    if (merged.result === undefined) throw bad('Observation: the mandatory property result is missing');
    const draft = this.observations.draft(row.datastream_id, merged);
    if (draft.message.phenomenonTime.getTime() !== new Date(row.phenomenon_time).getTime()) await this.observations.remove(tx.db, [id]);
    const [stored] = await this.observations.store(tx.db, [draft], new Map([[row.datastream_id, thingId]]));
    if (stored === null) throw new StaWriteError(409, 'late', 'The changed Observation is older than the late window of its Datastream');
    changed.push(stored);
  }

  // ------------------------------------------------------------------------------------------------ delete

  /**
   * DELETE, cascading as 18-088 §10.4 says: a Thing takes its Datastreams (and their Observations) and history; a
   * Datastream its Observations; a Sensor or ObservedProperty its Datastreams; a FeatureOfInterest its Observations.
   * A Thing goes by package_delete of its dataset and a Datastream by resource_delete of its resource, so the catalog's
   * permission rules, activity and clean-up (which removes the SensorThings side) are the one path.
   */
  async remove(ctx: ActionContext, path: ResourcePath): Promise<void> {
    const { type, id } = single(path);
    await ctx.forRun().transaction(async (tx) => {
      switch (type) {
        case 'Thing': {
          const pkg = await this.repo.thingPackage(tx.db, id);
          if (!pkg) throw new StaWriteError(404, 'not_found', `No Thing with @iot.id ${id}`);
          await this.assertEditThing(tx, id);
          await tx.call('package_delete', { id: pkg });
          return;
        }
        case 'Datastream': return this.removeDatastream(tx, id);
        case 'Observation': {
          const row = await this.repo.observation(tx.db, id);
          if (!row) throw new StaWriteError(404, 'not_found', `No Observation with @iot.id ${id}`);
          await this.observationTarget(tx, row.datastream_id);
          await this.observations.remove(tx.db, [id]);
          return;
        }
        case 'HistoricalLocation':
          await this.assertEditShared(tx, type, id);
          await this.repo.deleteHistoricalLocation(tx.db, id);
          return;
        default: {
          await this.assertEditShared(tx, type, id);
          if (type === 'Sensor' || type === 'ObservedProperty') for (const d of await this.repo.datastreamsUsing(tx.db, type, id)) await this.removeDatastream(tx, d);
          await this.repo.deletePlain(tx.db, type, id);
        }
      }
    });
  }

  private async removeDatastream(tx: ActionContext, id: number): Promise<void> {
    const ds = await this.repo.datastream(tx.db, id);
    if (!ds) throw new StaWriteError(404, 'not_found', `No Datastream with @iot.id ${id}`);
    await this.assertEditThing(tx, ds.thing_id);
    if (ds.resource_id) {
      try {
        await tx.call('resource_delete', { id: ds.resource_id });
        return;
      } catch (err) {
        if (!(err instanceof NotFound)) throw err;
      }
    }
    await this.things.deleteDatastreams(tx.db, [id]);
  }

  // ------------------------------------------------------------------------------------------------ answers

  /** The entity as GET /{set}({id}) answers it. */
  async entity(ctx: ActionContext, type: EntityType, id: number): Promise<unknown> {
    const path = parsePath(`${SET_OF[type]}(${id})`);
    const options = parseQueryOptions(type, {}, { defaultTop: this.config.STA_DEFAULT_TOP, maxTop: this.config.STA_MAX_TOP });
    const read = { visibility: null };
    const compiled = compileRead(path, options, read);
    const base = `${this.config.SITE_URL}/sta/v1.1`;
    const answer = await this.reader.answer(ctx.db, compiled, options, read, { base, url: new URL(`${base}/${SET_OF[type]}(${id})`), path });
    return answer.body;
  }

  selfLink(c: Created): string {
    return `${this.config.SITE_URL}/sta/v1.1/${SET_OF[c.type]}(${c.id})`;
  }
}

/** The one entity a PATCH, PUT or DELETE names. */
function single(path: ResourcePath): { type: EntityType; id: number } {
  const last = path.segments[path.segments.length - 1];
  if (last.isCollection || last.id === undefined || path.property || path.isRef) throw bad('Name one entity, as in /Things(1)');
  if (path.segments.length > 1) throw bad('Address the entity by its entity set, as in /Datastreams(1)');
  return { type: last.type, id: Number(last.id) };
}

/** A Datastream's key within its Thing: its name, numbered when taken. */
function uniqueKey(name: string, taken: Set<string>): string {
  let key = name || 'datastream';
  for (let n = 2; taken.has(key); n++) key = `${name}-${n}`;
  taken.add(key);
  return key;
}
