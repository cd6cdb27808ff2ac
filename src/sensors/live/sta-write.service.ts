import { Inject, Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { NotFound } from '../../api/errors';
import { WriteHooks } from '../../api/write-hooks';
import { ANONYMOUS, readableSql } from '../../auth/visibility';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { SensorCatalog } from '../catalog/sensor-catalog.service';
import { streamOf } from '../catalog/sensor-dataset.dict';
import { SensorThingRepository } from '../catalog/sensor-thing.repository';
import type { GeoPoint } from '../readings';
import { SET_OF, compileRead, parsePath, parseQueryOptions, type EntityType, type ReadContext, type ResourcePath } from '../sta/query';
import { StaReadRepository } from '../sta/sta-read.repository';
import { ObservationUpdates } from './observation-updates';
import type { Created } from './sta-create.service';
import { streamFromDatastream } from './sta-datastream-input';
import { bad, checkEntity, isObject, linkId, StaWriteError, type Json } from './sta-entity-input';
import { StaObservations } from './sta-observations';
import { StaPermissions } from './sta-permissions';
import { observedPropertyRow, StaLocationLinks, StaWriteRepository } from './sta-write.repository';

/**
 * SensorThings Update and Delete (OGC 18-088 §10.3–10.4) over the catalog: Things and Datastreams change through
 * SensorCatalog and go by package_delete and resource_delete as the caller (the catalog's permission rules, activity,
 * search index and clean-up hold); Observations change through the one observations writer; Sensors,
 * ObservedProperties, FeaturesOfInterest and Locations are rows of their own. Every change needs edit rights in the
 * dataset of each Thing the entity belongs to (StaPermissions). Changed Observations are published after the commit.
 */
@Injectable()
export class StaWriter {
  constructor(
    private readonly catalog: SensorCatalog,
    private readonly things: SensorThingRepository,
    private readonly repo: StaWriteRepository,
    private readonly links: StaLocationLinks,
    private readonly observations: StaObservations,
    private readonly updates: ObservationUpdates,
    private readonly permissions: StaPermissions,
    private readonly reader: StaReadRepository,
    private readonly writeHooks: WriteHooks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // ------------------------------------------------------------------------------------------------ update

  /**
   * PATCH (only what is sent changes) or PUT (the entity replaced: mandatory properties required, the rest reset).
   * `made`: the HistoricalLocation a Thing's move made.
   */
  async update(ctx: ActionContext, path: ResourcePath, body: Json, mode: 'patch' | 'put'): Promise<Created & { made: Created[] }> {
    const { type, id } = single(path);
    checkEntity(type, body, mode);
    const changed: number[] = [];
    const made: Created[] = [];
    await ctx.forRun().transaction(async (tx) => {
      const before = type === 'Thing' && body.Locations !== undefined ? await this.repo.historicalLocationsOf(tx.db, id) : null;
      await this.updateEntity(tx, type, id, body, mode, changed);
      if (before) for (const h of await this.repo.historicalLocationsOf(tx.db, id)) if (!before.includes(h)) made.push({ type: 'HistoricalLocation', id: h });
      this.updates.afterCommit(tx, changed);
      await this.writeHooks.recordWrite(tx, 'sta_update', { entity: type, id, mode, keys: Object.keys(body).slice(0, 50) }, { id: String(id) });
    });
    return { type, id: changed[0] ?? id, made };
  }

  private async updateEntity(tx: ActionContext, type: EntityType, id: number, body: Json, mode: 'patch' | 'put', changed: number[]): Promise<void> {
    const put = mode === 'put';
    switch (type) {
      case 'Thing': {
        await this.permissions.assertEditThing(tx, id);
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
        await this.permissions.assertEditThing(tx, ds.thing_id);
        const thing = await this.things.findById(tx.db, ds.thing_id);
        const row = (await this.things.datastreams(tx.db, ds.thing_id)).find((d) => Number(d.id) === id)!;
        const current = streamOf(row, thing!.name, thing!.source_id === null);
        const next = { ...current };
        if (typeof body.name === 'string') next.name = body.name;
        if (typeof body.description === 'string') next.description = body.description;
        if (isObject(body.unitOfMeasurement) || isObject(body.properties) || put) {
          // A new unit is read again like a new Datastream's: its quantity follows the unit and the ObservedProperty.
          const kept = put ? {} : isObject(body.unitOfMeasurement) ? { ...current.properties } : { ...current.properties, quantity: current.quantity };
          const op = await observedPropertyRow(tx.db, Number(row.observed_property_id));
          const fresh = streamFromDatastream({ unitOfMeasurement: body.unitOfMeasurement ?? { symbol: current.unit }, properties: body.properties ?? kept }, current.key, op ?? undefined);
          next.unit = fresh.unit;
          next.quantity = fresh.quantity;
          next.properties = fresh.properties;
          if (isObject(body.unitOfMeasurement)) next.own = { unitOfMeasurement: body.unitOfMeasurement };
        }
        await this.catalog.syncDatastreams(tx, ds.thing_id, [next]);
        return;
      }
      case 'Observation': return this.updateObservation(tx, id, body, put, changed);
      case 'HistoricalLocation': {
        await this.permissions.assertEditShared(tx, 'HistoricalLocation', id);
        const time = new Date(String(body.time));
        if (body.time !== undefined && Number.isNaN(time.getTime())) throw bad(`HistoricalLocation: time is no valid time: ${String(body.time)}`);
        if (body.time !== undefined) await this.repo.updateHistoricalLocation(tx.db, id, time);
        return;
      }
      default: {
        await this.permissions.assertEditShared(tx, type, id);
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
   * to another key: the old one is removed and the new one written under the same @iot.id (PATCH changes an entity, it
   * does not make another: the conformance suite reads the PATCHed Observation at its URL). Moved onto a key that is
   * taken, it becomes a revision of that Observation, whose @iot.id it answers (in Location).
   */
  private async updateObservation(tx: ActionContext, id: number, body: Json, put: boolean, changed: number[]): Promise<void> {
    const row = await this.repo.observation(tx.db, id);
    if (!row) throw new StaWriteError(404, 'not_found', `No Observation with @iot.id ${id}`);
    const thingId = await this.permissions.observationTarget(tx, row.datastream_id);
    const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);
    const phenomenonTime = row.phenomenon_time_end ? `${iso(row.phenomenon_time)}/${iso(row.phenomenon_time_end)}` : iso(row.phenomenon_time);
    // PUT resets what it leaves out, but the time stays (it is the Observation's key; "now" would move it).
    const current: Json = put ? { phenomenonTime } : {
      phenomenonTime, result: row.result ?? row.result_json, resultTime: iso(row.result_time), parameters: row.parameters ?? undefined,
      ...(row.feature_of_interest_id ? { FeatureOfInterest: { '@iot.id': Number(row.feature_of_interest_id) } } : {}),
    };
    if (put && row.feature_of_interest_id) current.FeatureOfInterest = { '@iot.id': Number(row.feature_of_interest_id) };
    const merged = { ...current, ...body };
    if (merged.result === undefined) throw bad('Observation: the mandatory property result is missing');
    const draft = this.observations.draft(row.datastream_id, merged);
    const moved = draft.message.phenomenonTime.getTime() !== new Date(row.phenomenon_time).getTime();
    const onto = moved && (await this.repo.observationAt(tx.db, row.datastream_id, draft.message.phenomenonTime));
    if (moved) await this.observations.remove(tx.db, [id]);
    const [stored] = await this.observations.store(tx.db, [draft], new Map([[row.datastream_id, thingId]]));
    if (stored === null) throw new StaWriteError(409, 'late', 'The changed Observation is older than the late window of its Datastream');
    if (moved && !onto && stored !== id) {
      await this.repo.renumberObservation(tx.db, stored, id);
      changed.push(id);
      return;
    }
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
      await this.removeEntity(tx, type, id);
      await this.writeHooks.recordWrite(tx, 'sta_delete', { entity: type, id }, { id: String(id) });
    });
  }

  private async removeEntity(tx: ActionContext, type: EntityType, id: number): Promise<void> {
    switch (type) {
      case 'Thing': {
        const pkg = await this.repo.thingPackage(tx.db, id);
        if (!pkg) throw new StaWriteError(404, 'not_found', `No Thing with @iot.id ${id}`);
        await this.permissions.assertEditThing(tx, id);
        await tx.call('package_delete', { id: pkg });
        return;
      }
      case 'Datastream': return this.removeDatastream(tx, id);
      case 'Observation': {
        const row = await this.repo.observation(tx.db, id);
        if (!row) throw new StaWriteError(404, 'not_found', `No Observation with @iot.id ${id}`);
        await this.permissions.observationTarget(tx, row.datastream_id);
        await this.observations.remove(tx.db, [id]);
        return;
      }
      case 'HistoricalLocation':
        await this.permissions.assertEditShared(tx, type, id);
        await this.repo.deleteHistoricalLocation(tx.db, id);
        return;
      default: {
        await this.permissions.assertEditShared(tx, type, id);
        if (type === 'Sensor' || type === 'ObservedProperty') for (const d of await this.repo.datastreamsUsing(tx.db, type, id)) await this.removeDatastream(tx, d);
        await this.repo.deletePlain(tx.db, type, id);
      }
    }
  }

  private async removeDatastream(tx: ActionContext, id: number): Promise<void> {
    const ds = await this.repo.datastream(tx.db, id);
    if (!ds) throw new StaWriteError(404, 'not_found', `No Datastream with @iot.id ${id}`);
    await this.permissions.assertEditThing(tx, ds.thing_id);
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

  /**
   * The entity as GET /{set}({id}) answers it; `anonymous`: as an anonymous reader sees it, undefined when such a
   * reader may not (what MQTT "receive updates" may publish).
   */
  async entity(ctx: ActionContext, type: EntityType, id: number, anonymous = false): Promise<unknown> {
    const path = parsePath(`${SET_OF[type]}(${id})`);
    const options = parseQueryOptions(type, {}, { defaultTop: this.config.STA_DEFAULT_TOP, maxTop: this.config.STA_MAX_TOP });
    const read: ReadContext = {
      visibility: anonymous ? { packageCondition: (pkgId, params) => `EXISTS (SELECT 1 FROM package vp WHERE vp.id = ${pkgId} AND ${readableSql(ANONYMOUS, params, 'vp')})` } : null,
    };
    const compiled = compileRead(path, options, read);
    const base = `${this.config.SITE_URL}/sta/v1.1`;
    const answer = await this.reader.answer(ctx.db, compiled, options, read, { base, url: new URL(`${base}/${SET_OF[type]}(${id})`), path });
    return answer.status === 404 ? undefined : answer.body;
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
  const id = Number(last.id);
  // An id past 2^53 was never handed out (ids are bigserials far below it): no such entity, 404 as for any other.
  if (!Number.isSafeInteger(id)) throw new StaWriteError(404, 'not_found', `No ${last.type} with @iot.id ${last.id}`);
  return { type: last.type, id };
}
