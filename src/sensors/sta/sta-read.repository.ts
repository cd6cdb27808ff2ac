import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  ENTITY_SETS, MODEL, SET_OF, compileExpand,
  type CompiledRead, type EntityType, type ExpandItem, type QueryOptions, type ReadContext, type ResourcePath,
} from './query';

type Json = Record<string, unknown>;
type Row = Record<string, unknown>;

export interface StaAnswer {
  status?: 404;
  message?: string;
  /** `$value`: the raw value as text/plain. */
  text?: string;
  body?: unknown;
}

/** ids are bigints; served as JSON numbers while exact (always, for ids this service hands out), else as strings. */
function toId(v: unknown): number | string {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : String(v);
}

function setDeep(target: Json, path: string[], value: unknown): void {
  let t = target;
  for (const key of path.slice(0, -1)) {
    if (typeof t[key] !== 'object' || t[key] === null) t[key] = {};
    t = t[key] as Json;
  }
  t[path[path.length - 1]] = value;
}

interface Shape {
  navigationLinks: string[];
  memberColumns: Record<string, string[]>;
}

/**
 * Runs compiled SensorThings reads (the SQL comes from query/sql.ts) and shapes their rows as FROST-Server does: `@iot.selfLink` and `@iot.id` first,
 * then the properties, then `X@iot.navigationLink`s; collections as `{ @iot.count, @iot.nextLink, value }`; expanded
 * entities inline, a collection of them with its own count and next link.
 */
@Injectable()
export class StaReadRepository {
  /**
   * The landing page (18-088 §9.2.1): the entity sets, and in serverSettings the conformance classes served; with
   * MQTT (`mqttEndpoints` not empty) its two classes too, each with the broker's endpoints, as the standard's example
   * and FROST show them.
   */
  landingPage(base: string, mqttEndpoints: string[] = []): Json {
    const mqttCreate = 'http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/observations-creation';
    const mqttUpdates = 'http://www.opengis.net/spec/iot_sensing/1.1/req/receive-updates-via-mqtt/receive-updates';
    return {
      value: Object.keys(ENTITY_SETS).map((name) => ({ name, url: `${base}/${name}` })),
      serverSettings: {
        conformance: [
          'http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel',
          'http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities',
          'http://www.opengis.net/spec/iot_sensing/1.1/req/request-data',
          // Writes (src/sensors/live/): Create-Update-Delete without JSON-Patch, and CreateObservations.
          'http://www.opengis.net/spec/iot_sensing/1.1/req/create-update-delete',
          'http://www.opengis.net/spec/iot_sensing/1.1/req/data-array/data-array',
          ...(mqttEndpoints.length ? [mqttCreate, mqttUpdates] : []),
        ],
        ...(mqttEndpoints.length ? { [mqttCreate]: { endpoints: mqttEndpoints }, [mqttUpdates]: { endpoints: mqttEndpoints } } : {}),
      },
    };
  }

  private entity(type: EntityType, row: Row, shape: Shape, base: string): Json {
    const id = toId(row['@iot.id']);
    const self = `${base}/${SET_OF[type]}(${id})`;
    const out: Json = { '@iot.selfLink': self, '@iot.id': id };
    for (const [k, v] of Object.entries(row)) {
      if (k.startsWith('@')) continue;
      if (shape.memberColumns[k]) setDeep(out, shape.memberColumns[k], v);
      else out[k] = v;
    }
    for (const nav of shape.navigationLinks) out[`${nav}@iot.navigationLink`] = `${self}/${nav}`;
    return out;
  }

  async answer(db: EntityManager, compiled: CompiledRead, options: QueryOptions, read: ReadContext, req: { base: string; url: URL; path: ResourcePath }): Promise<StaAnswer> {
    const { base } = req;
    const rows: Row[] = await db.query(compiled.query.sql, compiled.query.params);
    if (compiled.kind === 'property' || compiled.kind === 'value') {
      if (!rows.length) return { status: 404, message: 'Nothing found' };
      const value = rows[0].value;
      if (compiled.kind === 'value') return { text: typeof value === 'string' ? value : JSON.stringify(value) };
      return { body: { [req.path.property![req.path.property!.length - 1]]: value } };
    }
    if (compiled.kind === 'entity') {
      if (!rows.length) return { status: 404, message: 'Nothing found' };
      if (compiled.isRef) return { body: { '@iot.selfLink': `${base}/${SET_OF[compiled.type]}(${toId(rows[0]['@iot.id'])})` } };
      const e = this.entity(compiled.type, rows[0], compiled, base);
      await this.expandInto(db, compiled.type, [e], options.expand, read, base);
      return { body: e };
    }
    // A child found proves its parent there and readable (each child's guard implies its parent's): the check is asked
    // only of an empty page, to tell an empty collection (200) from a parent nobody may see (404). One query fewer.
    if (compiled.parentCheck && rows.length === 0 && !(await db.query(compiled.parentCheck.sql, compiled.parentCheck.params))[0].found) return { status: 404, message: 'Nothing found' };
    const page = rows.slice(0, compiled.top);
    const body: Json = {};
    if (compiled.count) body['@iot.count'] = Number((await db.query(compiled.count.sql, compiled.count.params))[0].count);
    if (rows.length > compiled.top) {
      const next = new URLSearchParams(req.url.search);
      next.set('$top', String(compiled.top));
      next.set('$skip', String(compiled.skip + compiled.top));
      body['@iot.nextLink'] = `${base}${req.url.pathname.slice(req.url.pathname.indexOf('/sta/v1.1') + '/sta/v1.1'.length)}?${next.toString()}`;
    }
    if (compiled.isRef) {
      body.value = page.map((r) => ({ '@iot.selfLink': `${base}/${SET_OF[compiled.type]}(${toId(r['@iot.id'])})` }));
      return { body };
    }
    if (options.resultFormat === 'dataArray') {
      body.value = this.dataArray(page, compiled, options, base);
      return { body };
    }
    const entities = page.map((r) => this.entity(compiled.type, r, compiled, base));
    await this.expandInto(db, compiled.type, entities, options.expand, read, base);
    body.value = entities;
    return { body };
  }

  /**
   * `$resultFormat=dataArray` (OGC 18-088 §14.4.3): the Observations of each Datastream as rows of values under one
   * list of component names, the `$select`ed properties (all by default), `id` named as the standard names it.
   */
  private dataArray(page: Row[], compiled: CompiledRead, options: QueryOptions, base: string): Json[] {
    const names = (options.select ?? MODEL.Observation.defaultSelect.map((n) => [n])).filter((p) => !MODEL.Observation.navigations[p[0]]).map((p) => p.join('/'));
    const columnOf = (name: string): string => Object.entries(compiled.memberColumns).find(([, path]) => path.join('/') === name)?.[0] ?? name;
    const groups = new Map<string, Row[]>();
    for (const r of page) {
      const key = String(r['@datastream']);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(r);
    }
    return [...groups].map(([ds, rows]) => ({
      'Datastream@iot.navigationLink': `${base}/Datastreams(${toId(ds)})`,
      components: names,
      'dataArray@iot.count': rows.length,
      dataArray: rows.map((r) => names.map((n) => (n === 'id' ? toId(r['@iot.id']) : r[columnOf(n)]))),
    }));
  }

  /** Fills in `$expand`ed entities, one query per expanded navigation and level for all parents at once. */
  private async expandInto(db: EntityManager, type: EntityType, parents: Json[], items: ExpandItem[], read: ReadContext, base: string): Promise<void> {
    if (!parents.length) return;
    for (const item of items) {
      const x = compileExpand(type, item, parents.map((p) => String(p['@iot.id'])), read);
      const rows: Row[] = await db.query(x.query.sql, x.query.params);
      const byParent = new Map<string, Row[]>();
      for (const r of rows) {
        const key = String(r['@parent']);
        if (!byParent.has(key)) byParent.set(key, []);
        byParent.get(key)!.push(r);
      }
      const children: Json[] = [];
      for (const p of parents) {
        const mine = byParent.get(String(p['@iot.id'])) ?? [];
        if (!MODEL[type].navigations[item.navigation].many) {
          if (mine.length) children.push((p[item.navigation] = this.entity(x.type, mine[0], x, base)));
          continue;
        }
        const list = mine.slice(0, x.top).map((r) => this.entity(x.type, r, x, base));
        children.push(...list);
        if (item.options.count) p[`${item.navigation}@iot.count`] = mine.length ? Number(mine[0]['@count']) : 0;
        p[item.navigation] = list;
        if (mine.length > x.top) p[`${item.navigation}@iot.nextLink`] = `${String(p['@iot.selfLink'])}/${item.navigation}?$top=${x.top}&$skip=${x.skip + x.top}`;
      }
      await this.expandInto(db, x.type, children, item.options.expand, read, base);
    }
  }
}
