import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { WriteHooks } from '../../api/write-hooks';
import { SensorCatalog } from '../catalog/sensor-catalog.service';
import { SensorThingRepository } from '../catalog/sensor-thing.repository';
import type { GeoPoint, StreamInfo } from '../readings';
import { MODEL, SET_OF, type EntityType, type ResourcePath } from '../sta/query';
import { ObservationUpdates } from './observation-updates';
import { streamFromDatastream } from './sta-datastream-input';
import { bad, checkEntity, isObject, linkId, StaWriteError, type Json } from './sta-entity-input';
import { StaObservations } from './sta-observations';
import { StaPermissions } from './sta-permissions';
import { observedPropertyRow, StaLocationLinks, StaWriteRepository } from './sta-write.repository';

/** What a create or change made: the entity to answer with and where it lives. */
export interface Created {
  type: EntityType;
  id: number;
}

/** What one request wrote: the Observations stored, and every other entity it made (for MQTT receive updates). */
interface Writes {
  observations: number[];
  made: Created[];
}

/**
 * SensorThings creates (OGC 18-088 §10.2) over the catalog: a Thing is a new sensor dataset and its Datastreams its
 * resources (SensorCatalog, through the catalog's actions as the caller), with deep insert and links by @iot.id;
 * Observations go through the one observations writer; Sensors, ObservedProperties, FeaturesOfInterest and
 * Locations are rows of their own. One transaction per request; its Observations are published after the commit.
 */
@Injectable()
export class StaCreator {
  constructor(
    private readonly catalog: SensorCatalog,
    private readonly things: SensorThingRepository,
    private readonly repo: StaWriteRepository,
    private readonly links: StaLocationLinks,
    private readonly observations: StaObservations,
    private readonly updates: ObservationUpdates,
    private readonly permissions: StaPermissions,
    private readonly writeHooks: WriteHooks,
  ) {}

  /**
   * POST to an entity set or a navigation path (`Things(1)/Datastreams`): the link to the parent is implied. Answers
   * the entity created, and in `made` every entity the request created (deep insert, FeaturesOfInterest, history).
   */
  async create(ctx: ActionContext, path: ResourcePath, body: Json): Promise<Created & { made: Created[] }> {
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
    const w: Writes = { observations: [], made: [] };
    const result = await ctx.forRun().transaction(async (tx) => {
      const id = await this.createEntity(tx, type, body, w);
      this.updates.afterCommit(tx, w.observations);
      await this.writeHooks.recordWrite(tx, 'sta_create', { entity: type, made: w.made.length + 1, observations: w.observations.length }, { id: String(id) });
      return { type, id };
    });
    return { ...result, made: w.made };
  }

  private async createEntity(tx: ActionContext, type: EntityType, body: Json, w: Writes): Promise<number> {
    switch (type) {
      case 'Thing': return this.createThing(tx, body, w);
      case 'Datastream': return this.createDatastream(tx, body, w);
      case 'Observation': return this.createObservation(tx, body, w);
      case 'Location': return this.createLocation(tx, body, w);
      case 'HistoricalLocation': return this.createHistoricalLocation(tx, body, w);
      default: {
        checkEntity(type, body, 'create');
        if (type === 'FeatureOfInterest' && Array.isArray(body.Observations) && body.Observations.length) throw bad('Create the Observations of a FeatureOfInterest through their Datastream');
        if (Array.isArray(body.Datastreams) && body.Datastreams.length) throw bad(`Create the Datastreams of a ${type} through their Thing, linking the ${type} by @iot.id`);
        await this.permissions.assertMayCreate(tx);
        const id = await this.repo.insertPlain(tx.db, type, body);
        w.made.push({ type, id });
        return id;
      }
    }
  }

  private async createThing(tx: ActionContext, body: Json, w: Writes): Promise<number> {
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
      streams.push({ stream: await this.streamOf(tx, d, uniqueKey(String(d.name), keys), w), body: d });
    }
    const r = await this.catalog.createThing(tx, {
      name: String(body.name), description: String(body.description), properties: isObject(body.properties) ? body.properties : undefined,
      location: location?.geometry as GeoPoint | undefined, streams: streams.map((s) => s.stream),
    });
    if (location) await this.placeLocation(tx, r.thingId, location);
    w.made.push({ type: 'Thing', id: r.thingId });
    if (location?.inline) {
      const made = await this.links.current(tx.db, r.thingId);
      if (made !== null) w.made.push({ type: 'Location', id: made });
    }
    for (const h of await this.repo.historicalLocationsOf(tx.db, r.thingId)) w.made.push({ type: 'HistoricalLocation', id: h });
    for (const s of streams) {
      w.made.push({ type: 'Datastream', id: r.datastreams[s.stream.key] });
      await this.afterDatastream(tx, r.datastreams[s.stream.key], s.body, w);
    }
    return r.thingId;
  }

  /** The catalog made the Thing's Location from the geometry; a linked Location replaces it, an inline one names it. */
  private async placeLocation(tx: ActionContext, thingId: number, l: { link?: number; inline?: Json }): Promise<void> {
    const made = await this.links.current(tx.db, thingId);
    if (made === null) return;
    if (l.link !== undefined) await this.links.replace(tx.db, thingId, made, l.link);
    else if (l.inline) await this.repo.updatePlain(tx.db, 'Location', made, l.inline);
  }

  /**
   * A new Datastream as the catalog's stream, with what its client gave it (18-088 §10.2.1 deep insert and links):
   * its unitOfMeasurement as sent, the Sensor and the ObservedProperty linked by @iot.id (which must exist) or
   * created from the inline entity, as FROST does (a Datastream without either is refused by checkEntity).
   */
  private async streamOf(tx: ActionContext, d: Json, key: string, w: Writes): Promise<StreamInfo> {
    let op: { name?: unknown; definition?: unknown };
    let observedPropertyId = linkId(d.ObservedProperty);
    if (observedPropertyId !== undefined) {
      const row = await observedPropertyRow(tx.db, observedPropertyId);
      if (!row) throw bad(`No ObservedProperty with @iot.id ${observedPropertyId}`);
      op = row;
    } else {
      if (!isObject(d.ObservedProperty)) throw bad('Datastream: ObservedProperty must be an entity or {"@iot.id": n}');
      checkEntity('ObservedProperty', d.ObservedProperty, 'create');
      if (Array.isArray(d.ObservedProperty.Datastreams) && d.ObservedProperty.Datastreams.length) throw bad('ObservedProperty: its Datastreams cannot be created inside a Datastream');
      op = d.ObservedProperty;
      observedPropertyId = await this.repo.insertPlain(tx.db, 'ObservedProperty', d.ObservedProperty);
      w.made.push({ type: 'ObservedProperty', id: observedPropertyId });
    }
    let sensorId = linkId(d.Sensor);
    if (sensorId !== undefined) {
      if (!(await this.repo.exists(tx.db, 'Sensor', sensorId))) throw bad(`No Sensor with @iot.id ${sensorId}`);
    } else {
      if (!isObject(d.Sensor)) throw bad('Datastream: Sensor must be an entity or {"@iot.id": n}');
      checkEntity('Sensor', d.Sensor, 'create');
      if (Array.isArray(d.Sensor.Datastreams) && d.Sensor.Datastreams.length) throw bad('Sensor: its Datastreams cannot be created inside a Datastream');
      sensorId = await this.repo.insertPlain(tx.db, 'Sensor', d.Sensor);
      w.made.push({ type: 'Sensor', id: sensorId });
    }
    const stream = streamFromDatastream(d, key, op);
    return { ...stream, own: { unitOfMeasurement: isObject(d.unitOfMeasurement) ? d.unitOfMeasurement : undefined, sensorId, observedPropertyId } };
  }

  /** What a Datastream brought besides the stream: Observations given inline. */
  private async afterDatastream(tx: ActionContext, datastreamId: number, body: Json, w: Writes): Promise<void> {
    for (const o of (body.Observations ?? []) as unknown[]) {
      if (!isObject(o)) throw bad('Observations must be given inline');
      await this.createObservation(tx, { ...o, Datastream: { '@iot.id': datastreamId } }, w);
    }
  }

  private async createDatastream(tx: ActionContext, body: Json, w: Writes): Promise<number> {
    checkEntity('Datastream', body, 'create');
    const thingLink = linkId(body.Thing);
    if (thingLink === undefined) {
      if (!isObject(body.Thing)) throw bad('Datastream: Thing must be an entity or {"@iot.id": n}');
      const { Thing: thing, ...ds } = body;
      const thingId = await this.createThing(tx, { ...(thing as Json), Datastreams: [ds] }, w);
      const made = await this.things.datastreams(tx.db, thingId);
      return Number(made[made.length - 1].id);
    }
    await this.permissions.assertEditThing(tx, thingLink);
    const known = await this.things.datastreams(tx.db, thingLink);
    const keys = new Set(known.map((d) => d.source_key ?? ''));
    const stream = await this.streamOf(tx, body, uniqueKey(String(body.name), keys), w);
    const r = await this.catalog.syncDatastreams(tx, thingLink, [stream]);
    const id = r.datastreams[stream.key];
    w.made.push({ type: 'Datastream', id });
    await this.afterDatastream(tx, id, body, w);
    return id;
  }

  private async createObservation(tx: ActionContext, body: Json, w: Writes): Promise<number> {
    checkEntity('Observation', body, 'create');
    const dsId = linkId(body.Datastream);
    if (dsId === undefined) throw bad('Observation: link its Datastream by {"@iot.id": n} (a Datastream cannot be created inside an Observation)');
    const thingId = await this.permissions.observationTarget(tx, dsId);
    const [id] = await this.observations.store(tx.db, [this.observations.draft(dsId, body)], new Map([[dsId, thingId]]), (foi) => w.made.push({ type: 'FeatureOfInterest', id: foi }));
    if (id === null) throw new StaWriteError(409, 'late', 'The Observation is older than the late window of its Datastream and was not stored');
    w.observations.push(id);
    return id;
  }

  private async createLocation(tx: ActionContext, body: Json, w: Writes): Promise<number> {
    checkEntity('Location', body, 'create');
    if (Array.isArray(body.HistoricalLocations) && body.HistoricalLocations.length) throw bad('HistoricalLocations are made by the service when a Thing gets a Location');
    const things = ((body.Things ?? []) as unknown[]).map((t) => {
      const id = linkId(t);
      if (id === undefined) throw bad('Location: Things must be links {"@iot.id": n}; create a Thing with its Location inline instead');
      return id;
    });
    for (const t of things) await this.permissions.assertEditThing(tx, t);
    if (!things.length) await this.permissions.assertMayCreate(tx);
    const id = await this.repo.insertPlain(tx.db, 'Location', body);
    w.made.push({ type: 'Location', id });
    for (const t of things) {
      await this.links.moveTo(tx.db, t, id);
      // The dataset's `spatial` follows (the Location is already current, so the catalog adds no second one).
      await this.catalog.updateThing(tx, t, { location: body.location as GeoPoint });
      const history = await this.repo.historicalLocationsOf(tx.db, t);
      if (history.length) w.made.push({ type: 'HistoricalLocation', id: history[history.length - 1] });
    }
    return id;
  }

  private async createHistoricalLocation(tx: ActionContext, body: Json, w: Writes): Promise<number> {
    checkEntity('HistoricalLocation', body, 'create');
    const thing = linkId(body.Thing);
    if (thing === undefined) throw bad('HistoricalLocation: link its Thing by {"@iot.id": n}');
    await this.permissions.assertEditThing(tx, thing);
    const time = new Date(String(body.time));
    if (Number.isNaN(time.getTime())) throw bad(`HistoricalLocation: time is no valid time: ${String(body.time)}`);
    const locations = ((body.Locations ?? []) as unknown[]).map((l) => {
      const id = linkId(l);
      if (id === undefined) throw bad('HistoricalLocation: Locations must be links {"@iot.id": n}');
      return id;
    });
    for (const l of locations) if (!(await this.repo.exists(tx.db, 'Location', l))) throw bad(`No Location with @iot.id ${l}`);
    const id = await this.repo.insertHistoricalLocation(tx.db, thing, time, locations);
    w.made.push({ type: 'HistoricalLocation', id });
    return id;
  }

}

/** A Datastream's key within its Thing: its name, numbered when taken. */
function uniqueKey(name: string, taken: Set<string>): string {
  let key = name || 'datastream';
  for (let n = 2; taken.has(key); n++) key = `${name}-${n}`;
  taken.add(key);
  return key;
}
