import type { MqttClient } from 'mqtt';
import request from 'supertest';
import { eventually, testClient } from '../mqtt-broker';
import { TestApp } from '../test-app';
import type { TestUser } from '../factories/factories';
import { MqttIngest } from '../../src/sensors/mqtt/mqtt-ingest';

/**
 * The checks of the OGC conformance suite for SensorThings (opengeospatial/ets-sta10: sensingCore/Capability1Tests,
 * createUpdateDelete/Capability2Tests, filteringExtension/Capability3Tests) against /sta/v1.1, with the suite's own
 * entities and expected counts, in the suite's order: the Filtering data set is made first (Sensing Core needs
 * entities of every type), then everything is deleted through the API, as Capability2Tests does, for
 * Create-Update-Delete. ets-sta10 has no MQTT class; "create Observations via MQTT" and "receive updates via MQTT"
 * follow FROST-Server's versions of the suite (FROST-Server.Tests c07mqttcreate/Capability7Tests,
 * c08mqttsubscribe/MqttCoreTests). Each test names the suite method it mirrors.
 *
 * Where this service deviates by design (not by accident), the test says so: writes need an API token (the suite
 * sends none), and Observations are keyed by Datastream and phenomenonTime.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ROOT = 'http://catalog.test/sta/v1.1';

/** util/EntityType.java: each type's mandatory properties and relations (navigation links). */
const TYPES = {
  Thing: { set: 'Things', props: ['name', 'description'], rels: ['Datastreams', 'HistoricalLocations', 'Locations'] },
  Location: { set: 'Locations', props: ['name', 'description', 'encodingType', 'location'], rels: ['HistoricalLocations', 'Things'] },
  Sensor: { set: 'Sensors', props: ['name', 'description', 'encodingType', 'metadata'], rels: ['Datastreams'] },
  ObservedProperty: { set: 'ObservedProperties', props: ['name', 'definition', 'description'], rels: ['Datastreams'] },
  Observation: { set: 'Observations', props: ['phenomenonTime', 'result', 'resultTime'], rels: ['Datastream', 'FeatureOfInterest'] },
  Datastream: { set: 'Datastreams', props: ['name', 'description', 'unitOfMeasurement', 'observationType'], rels: ['Thing', 'Sensor', 'ObservedProperty', 'Observations'] },
  FeatureOfInterest: { set: 'FeaturesOfInterest', props: ['name', 'description', 'encodingType', 'feature'], rels: ['Observations'] },
  HistoricalLocation: { set: 'HistoricalLocations', props: ['time'], rels: ['Thing', 'Locations'] },
} as const;
type Type = keyof typeof TYPES;
const ALL = Object.keys(TYPES) as Type[];
const BY_NAME: Record<string, Type> = Object.fromEntries(ALL.flatMap((t) => [[t, t], [TYPES[t].set, t]]));
const isPlural = (rel: string): boolean => ALL.some((t) => TYPES[t].set === rel);
/** The order Capability2Tests.deleteEverythings() empties the sets in. */
const DELETE_ORDER: Type[] = ['Observation', 'FeatureOfInterest', 'Datastream', 'Sensor', 'ObservedProperty', 'HistoricalLocation', 'Location', 'Thing'];

/** Java's String.compareTo for strings, numbers by value, as Capability3Tests.compareForOrder. */
const compare = (a: unknown, b: unknown): number => {
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  const x = typeof a === 'string' ? a : JSON.stringify(a);
  const y = typeof b === 'string' ? b : JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

describe('OGC SensorThings conformance suite (ets-sta10) against /sta/v1.1', () => {
  let t: TestApp;
  let editor: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    editor = await t.factories.user();
    await t.factories.organization({ members: [[editor, 'editor']] });
  });
  afterAll(() => t.stop());

  // util/HTTPMethods.java: GET sends `Content-Type: application/json`, DELETE `application/x-www-form-urlencoded`.
  const get = async (url: string): Promise<{ status: number; body: Json; text: string }> => {
    const res = await request(t.http).get(url.replace(ROOT, '/sta/v1.1').replace(/^(?!\/sta)/, '/sta/v1.1')).set('content-type', 'application/json');
    return { status: res.status, body: res.body as Json, text: res.text };
  };
  const ok = async (url: string): Promise<Json> => {
    const res = await get(url);
    expect({ url, status: res.status }).toEqual({ url, status: 200 });
    return res.body;
  };
  const write = (method: 'post' | 'patch' | 'put' | 'delete', path: string, body?: unknown): request.Test => {
    let r = request(t.http)[method](`/sta/v1.1${path}`).set('Authorization', editor.token);
    if (method === 'delete') r = r.set('content-type', 'application/x-www-form-urlencoded');
    if (body !== undefined) r = r.set('content-type', 'application/json').send(JSON.stringify(body));
    return r;
  };
  /** Capability2Tests.postEntity: 201, the id read from the Location header, then GET of it is 200. */
  const expectCreated = async (path: string, body: Json): Promise<Json> => {
    const res = await write('post', path, body);
    expect({ path, status: res.status, error: res.body?.error }).toEqual({ path, status: 201, error: undefined });
    const location = String(res.headers.location);
    const id = Number(location.slice(location.lastIndexOf('(') + 1, location.lastIndexOf(')')));
    const set = location.slice(ROOT.length + 1, location.lastIndexOf('('));
    expect(location).toBe(`${ROOT}/${set}(${id})`);
    return ok(`/${set}(${id})`);
  };
  const idOf = (e: Json): number => e['@iot.id'] as number;
  /** Capability2Tests.postInvalidEntity: 400 or 409. */
  const expectRefused = async (path: string, body: Json): Promise<void> => {
    const res = await write('post', path, body);
    expect({ path, body, status: [400, 409].includes(res.status) ? 'refused' : res.status }).toEqual({ path, body, status: 'refused' });
  };
  /** Capability2Tests.deleteEntity: 200, then GET is 404. */
  const expectDeleted = async (type: Type, id: number): Promise<void> => {
    const res = await write('delete', `/${TYPES[type].set}(${id})`);
    expect({ type, id, status: res.status }).toEqual({ type, id, status: 200 });
    expect((await get(`/${TYPES[type].set}(${id})`)).status).toBe(404);
  };
  const deleteEverything = async (): Promise<void> => {
    for (const type of DELETE_ORDER) {
      for (;;) {
        const { value } = await ok(`/${TYPES[type].set}`);
        if (!value.length) break;
        for (const e of value) await expectDeleted(type, idOf(e));
      }
    }
  };
  const countOf = async (type: Type): Promise<number> => (await ok(`/${TYPES[type].set}`)).value.length;

  /** Capability1Tests.checkEntityControlInformation/Properties/Relations. */
  const expectEntity = (type: Type, e: Json): void => {
    expect(e['@iot.id']).toBeDefined();
    expect(e['@iot.selfLink']).toBe(`${ROOT}/${TYPES[type].set}(${e['@iot.id']})`);
    for (const p of TYPES[type].props) expect({ type, p, has: p in e }).toEqual({ type, p, has: true });
    for (const r of TYPES[type].rels) expect({ type, r, link: e[`${r}@iot.navigationLink`] }).toEqual({ type, r, link: `${e['@iot.selfLink']}/${r}` });
  };

  // The suite's Filtering data set (Capability3Tests.createEntities), kept for Sensing Core too.
  const ids: Record<string, number> = {};
  const op = (name: string, definition: string, description: string): Json => ({ name, definition, description });
  const sensor = (name: string, metadata: string): Json => ({ name, description: name, encodingType: 'application/pdf', metadata });
  const datastream = (name: string, unit: [string, string], property: Json, s: Json): Json => ({
    unitOfMeasurement: { name: unit[0], symbol: unit[1], definition: 'http://www.qudt.org/qudt/owl/1.0.0/unit/Instances.html/Lumen' },
    name, description: name, observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement', ObservedProperty: property, Sensor: s,
  });
  const thing = (n: number, reference: string, coordinates: number[], datastreams: Json[]): Json => ({
    name: `thing ${n}`, description: `thing ${n}`, properties: { reference },
    Locations: [{ name: `location ${n}`, description: `location ${n}`, location: { type: 'Point', coordinates }, encodingType: 'application/vnd.geo+json' }],
    Datastreams: datastreams,
  });
  const LUMINOUS = 'http://www.qudt.org/qudt/owl/1.0.0/quantity/Instances.html/LuminousFlux';

  const createFilteringEntities = async (): Promise<void> => {
    ids.thing1 = idOf(await expectCreated('/Things', thing(1, 'first', [-117.05, 51.05], [
      datastream('datastream 1', ['Lumen', 'lm'], op('Luminous Flux', LUMINOUS, 'observedProperty 1'), sensor('sensor 1', 'Light flux sensor')),
      datastream('datastream 2', ['Centigrade', 'C'], op('Tempretaure', 'http://www.qudt.org/qudt/owl/1.0.0/quantity/Instances.html/Tempreture', 'observedProperty 2'), sensor('sensor 2', 'Tempreture sensor')),
    ])));
    ids.location1 = idOf((await ok(`/Things(${ids.thing1})/Locations`)).value[0]);
    const ds1 = (await ok(`/Things(${ids.thing1})/Datastreams`)).value;
    // The suite takes the Datastreams in the order they were inserted.
    expect(ds1.map((d: Json) => d.name)).toEqual(['datastream 1', 'datastream 2']);
    [ids.ds1, ids.ds2] = ds1.map(idOf);
    // As the suite does (it reads datastream 1's twice), "ObservedProperty 2" is datastream 1's.
    ids.op2 = idOf(await ok(`/Datastreams(${ids.ds1})/ObservedProperty`));
    ids.thing2 = idOf(await expectCreated('/Things', thing(2, 'second', [-100.05, 50.05], [
      datastream('datastream 3', ['Lumen', 'lm'], op('Second Luminous Flux', LUMINOUS, 'observedProperty 3'), sensor('sensor 3', 'Second Light flux sensor')),
      datastream('datastream 2', ['Centigrade', 'C'], { '@iot.id': ids.op2 }, sensor('sensor 4 ', 'Second Tempreture sensor')),
    ])));
    ids.location2 = idOf((await ok(`/Things(${ids.thing2})/Locations`)).value[0]);
    [ids.ds3, ids.ds4] = (await ok(`/Things(${ids.thing2})/Datastreams`)).value.map(idOf);
    // Each Thing moves to the other's Location: a HistoricalLocation each.
    expect((await write('patch', `/Things(${ids.thing1})`, { Locations: [{ '@iot.id': ids.location2 }] })).status).toBe(200);
    expect((await write('patch', `/Things(${ids.thing2})`, { Locations: [{ '@iot.id': ids.location1 }] })).status).toBe(200);
    let n = 0;
    for (const ds of [ids.ds1, ids.ds2, ids.ds3, ids.ds4]) {
      for (let k = 0; k < 3; k++) {
        n++;
        const res = await write('post', `/Datastreams(${ds})/Observations`, { phenomenonTime: `2015-03-${String(n).padStart(2, '0')}T00:00:00Z`, result: n });
        expect(res.status).toBe(201);
        const loc = String(res.headers.location);
        ids[`obs${n}`] = Number(loc.slice(loc.lastIndexOf('(') + 1, loc.lastIndexOf(')')));
      }
    }
  };

  describe('Conformance Level 1: Sensing Core (sensingCore/Capability1Tests)', () => {
    beforeAll(() => createFilteringEntities());

    it('checkServiceRootUri: the landing page names each entity set with its URL, nothing else, and the conformance classes served', async () => {
      const root = await ok('');
      const names = root.value.map((e: Json) => e.name).sort();
      expect(names).toEqual(['Datastreams', 'FeaturesOfInterest', 'HistoricalLocations', 'Locations', 'Observations', 'ObservedProperties', 'Sensors', 'Things']);
      for (const e of root.value) expect(e.url).toBe(`${ROOT}/${e.name}`);
      // 18-088 §9.2.1 (v1.1): serverSettings lists the conformance classes; MQTT's with the broker's endpoints.
      const conformance = root.serverSettings.conformance as string[];
      for (const cls of ['datamodel', 'resource-path/resource-path-to-entities', 'request-data', 'create-update-delete',
        'create-observations-via-mqtt/observations-creation', 'receive-updates-via-mqtt/receive-updates']) {
        expect(conformance).toContain(`http://www.opengis.net/spec/iot_sensing/1.1/req/${cls}`);
      }
      const mqtt = root.serverSettings['http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/observations-creation'];
      expect(mqtt.endpoints).toEqual([expect.stringMatching(/^mqtt:\/\/.+:\d+$/)]);
    });

    it('readEntitiesAndCheckResponse: every entity set answers 200 with value, each entity with @iot.id, @iot.selfLink, its properties and navigation links', async () => {
      for (const type of ALL) {
        const body = await ok(`/${TYPES[type].set}`);
        expect(body.value.length).toBeGreaterThan(0);
        for (const e of body.value.slice(0, 2)) expectEntity(type, e);
      }
    });

    it('readNonexistentEntity: an entity that does not exist is 404', async () => {
      for (const type of ALL) expect({ type, status: (await get(`/${TYPES[type].set}(9223372036854775807)`)).status }).toEqual({ type, status: 404 });
    });

    it('readEntityAndCheckResponse: one entity of each set answers with its control information, properties and navigation links', async () => {
      for (const type of ALL) {
        const first = (await ok(`/${TYPES[type].set}`)).value[0];
        expectEntity(type, await ok(`/${TYPES[type].set}(${idOf(first)})`));
      }
    });

    it('readPropertyOfEntityAndCheckResponse: /{property} answers an object with that property alone, /{property}/$value the bare value', async () => {
      for (const type of ALL) {
        const id = idOf((await ok(`/${TYPES[type].set}`)).value[0]);
        for (const p of TYPES[type].props) {
          const prop = await get(`/${TYPES[type].set}(${id})/${p}`);
          expect({ type, p, status: prop.status }).toEqual({ type, p, status: 200 });
          expect(Object.keys(prop.body)).toEqual([p]);
          // The suite's JSONObject.get accepts a JSON null (resultTime is null in its data), not a missing member.
          if (p !== 'resultTime') expect(prop.body[p]).not.toBeNull();
          const value = await get(`/${TYPES[type].set}(${id})/${p}/$value`);
          expect({ type, p, status: value.status }).toEqual({ type, p, status: 200 });
          const objectValued = ['location', 'feature', 'unitOfMeasurement'].includes(p);
          expect({ type, p, braceAt: value.text.indexOf('{') }).toEqual({ type, p, braceAt: objectValued ? 0 : -1 });
        }
      }
    });

    it('checkResourcePaths: every navigation path up to four levels deep answers 200, and its $ref lists only @iot.selfLinks', async () => {
      let paths = 0;
      const walk = async (segments: string[], path: string): Promise<void> => {
        const head = segments[segments.length - 1];
        const body = await ok(path);
        const id = isPlural(head) ? (expect({ path, empty: body.value.length === 0 }).toEqual({ path, empty: false }), idOf(body.value[0])) : idOf(body);
        const refs = await ok(`${path}/$ref`);
        for (const r of isPlural(head) ? refs.value.slice(0, 2) : [refs]) expect(Object.keys(r)).toEqual(['@iot.selfLink']);
        paths++;
        if (segments.length === 4) return;
        const here = isPlural(head) ? `${path}(${id})` : path;
        for (const rel of TYPES[BY_NAME[head]].rels) await walk([...segments, rel], `${here}/${rel}`);
      };
      for (const type of ALL) await walk([TYPES[type].set], `/${TYPES[type].set}`);
      // 8 sets and their relations, to the fourth segment.
      expect(paths).toBe(156);
    });
  });

  describe('Conformance Level 3: Filtering Extension (filteringExtension/Capability3Tests)', () => {
    /** The suite's expected sizes of each set in its data set. */
    const SIZE: Record<Type, number> = { Thing: 2, Location: 2, FeatureOfInterest: 2, ObservedProperty: 3, HistoricalLocation: 4, Sensor: 4, Datastream: 4, Observation: 12 };
    const firstId = async (type: Type): Promise<number> => idOf((await ok(`/${TYPES[type].set}`)).value[0]);

    /** checkEntityProperties/checkEntityRelations with $select and $expand. */
    const expectSelected = (type: Type, e: Json, selected: string[] | null, expanded: string[] | null): void => {
      for (const p of TYPES[type].props) {
        if (!selected || selected.includes(p)) expect({ type, p, has: p in e && e[p] !== undefined }).toEqual({ type, p, has: true });
        else expect({ type, p, has: p in e }).toEqual({ type, p, has: false });
      }
      for (const rel of TYPES[type].rels) {
        const relType = BY_NAME[rel];
        if (selected && !selected.includes(rel)) {
          expect({ type, rel, link: `${rel}@iot.navigationLink` in e, inline: rel in e }).toEqual({ type, rel, link: false, inline: false });
          continue;
        }
        const exp = expanded?.find((x) => x === rel || x.startsWith(`${rel}/`));
        if (!exp) {
          expect({ type, rel, link: typeof e[`${rel}@iot.navigationLink`] }).toEqual({ type, rel, link: 'string' });
          continue;
        }
        const inline = isPlural(rel) ? (e[rel] as Json[]) : [e[rel] as Json];
        expect({ type, rel, inline: Array.isArray(inline) && inline.every((x) => x && typeof x === 'object') }).toEqual({ type, rel, inline: true });
        for (const x of inline.slice(0, 2)) for (const p of TYPES[relType].props) expect({ rel, p, has: p in x }).toEqual({ rel, p, has: true });
        for (const second of expanded!.filter((x) => x.startsWith(`${rel}/`)).map((x) => x.slice(rel.length + 1))) {
          if (!inline.length) continue;
          const nested = isPlural(second) ? inline[0][second] : [inline[0][second]];
          expect({ path: `${rel}/${second}`, isList: Array.isArray(nested) }).toEqual({ path: `${rel}/${second}`, isList: true });
          for (const x of (nested as Json[]).slice(0, 2)) for (const p of TYPES[BY_NAME[second]].props) expect({ second, p, has: p in x }).toEqual({ second, p, has: true });
        }
      }
    };
    const entitiesOf = (body: Json): Json[] => ('value' in body ? (body.value as Json[]) : [body]);
    /** The collections the suite checks query options on: each set, and each plural relation of its first entity. */
    const collections = async (): Promise<{ type: Type; url: string; parent?: Type; rel?: Type }[]> => {
      const out: { type: Type; url: string; parent?: Type; rel?: Type }[] = [];
      for (const type of ALL) out.push({ type, url: `/${TYPES[type].set}` });
      for (const parent of ALL) {
        const id = await firstId(parent);
        for (const rel of TYPES[parent].rels) out.push({ type: BY_NAME[rel], url: `/${TYPES[parent].set}(${id})/${rel}`, parent, rel: BY_NAME[rel] });
      }
      return out;
    };

    it('readEntitiesWithSelectQO: $select of each property and of growing lists answers just those, without navigation links', async () => {
      for (const { type, url } of await collections()) {
        const props = TYPES[type].props;
        const lists = [...props.map((p) => [p]), ...props.map((_, k) => props.slice(0, k + 1))];
        for (const sel of lists) {
          const body = await ok(`${url}?$select=${sel.join(',')}`);
          for (const e of entitiesOf(body).slice(0, 2)) expectSelected(type, e, [...sel], null);
        }
      }
    });

    it('readEntitiesWithExpandQO: $expand of each relation, of growing lists and two levels deep puts the related entities inline', async () => {
      for (const { type, url } of await collections()) {
        const rels = TYPES[type].rels as readonly string[];
        const lists: string[][] = [...rels.map((r) => [r]), ...rels.map((_, k) => rels.slice(0, k + 1))];
        const deep = rels.flatMap((r) => (TYPES[BY_NAME[r]].rels as readonly string[]).map((s) => `${r}/${s}`));
        lists.push(...deep.map((d) => [d]), ...deep.map((_, k) => deep.slice(0, k + 1)));
        for (const exp of lists) {
          const body = await ok(`${url}?$expand=${exp.join(',')}`);
          for (const e of entitiesOf(body).slice(0, 2)) expectSelected(type, e, null, exp);
        }
      }
    });

    it('readEntitiesWithTopQO: $top=n answers n entities and an @iot.nextLink exactly when more are left', async () => {
      for (const type of ALL) {
        for (const top of [1, 2, 3, 4, 5, 12, 13]) {
          const body = await ok(`/${TYPES[type].set}?$top=${top}`);
          expect({ type, top, n: body.value.length, next: '@iot.nextLink' in body }).toEqual({ type, top, n: Math.min(top, SIZE[type]), next: top < SIZE[type] });
        }
      }
      // checkTopForEntityTypeRelation: $top=3 on the first entity's collections.
      const expected: Record<string, number> = {
        'Thing/Locations': 1, 'Thing/HistoricalLocations': 2, 'Thing/Datastreams': 2, 'Location/HistoricalLocations': 2, 'Location/Things': 1,
        'FeatureOfInterest/Observations': 3, 'HistoricalLocation/Locations': 1, 'Sensor/Datastreams': 1, 'Datastream/Observations': 3,
      };
      for (const { type, url, parent, rel } of await collections()) {
        if (!parent || !isPlural(TYPES[rel!].set) || !url.endsWith(TYPES[type].set)) continue;
        const body = await ok(`${url}?$top=3`);
        const key = `${parent}/${TYPES[type].set}`;
        if (key === 'ObservedProperty/Datastreams') expect([1, 2]).toContain(body.value.length);
        else if (key in expected) expect({ key, n: body.value.length }).toEqual({ key, n: expected[key] });
        expect({ key, next: '@iot.nextLink' in body }).toEqual({ key, next: key === 'FeatureOfInterest/Observations' });
      }
    });

    it('readEntitiesWithSkipQO: $skip=n leaves out n entities, without @iot.nextLink', async () => {
      for (const type of ALL) {
        for (const skip of [1, 2, 3, 4, 12]) {
          const body = await ok(`/${TYPES[type].set}?$skip=${skip}`);
          expect({ type, skip, n: body.value.length, next: '@iot.nextLink' in body }).toEqual({ type, skip, n: Math.max(0, SIZE[type] - skip), next: false });
        }
      }
      const expected: Record<string, number> = {
        'Thing/Locations': 0, 'Thing/HistoricalLocations': 1, 'Thing/Datastreams': 1, 'Location/HistoricalLocations': 1, 'Location/Things': 0,
        'FeatureOfInterest/Observations': 5, 'HistoricalLocation/Locations': 0, 'Sensor/Datastreams': 0, 'Datastream/Observations': 2,
      };
      for (const { url, parent, rel } of await collections()) {
        if (!parent || !isPlural(TYPES[rel!].set) || !url.endsWith(TYPES[rel!].set)) continue;
        const body = await ok(`${url}?$skip=1`);
        const key = `${parent}/${TYPES[rel!].set}`;
        if (key === 'ObservedProperty/Datastreams') expect([0, 1]).toContain(body.value.length);
        else expect({ key, n: body.value.length }).toEqual({ key, n: expected[key] });
        expect('@iot.nextLink' in body).toBe(false);
      }
    });

    it('readEntitiesWithOrderbyQO: $orderby of each property, asc and desc, and of growing lists orders the entities', async () => {
      const check = (url: string, arr: Json[], props: string[], dir: 1 | -1): void => {
        for (let i = 1; i < arr.length; i++) {
          for (const p of props) {
            const c = compare(arr[i - 1][p], arr[i][p]);
            expect({ url, i, p, wrong: c * dir > 0 }).toEqual({ url, i, p, wrong: false });
            if (c !== 0) break;
          }
        }
      };
      for (const { type, url, parent } of await collections()) {
        if (parent && !url.endsWith(TYPES[type].set)) continue;
        const props = TYPES[type].props.filter((p) => p !== 'unitOfMeasurement');
        for (const p of props) {
          check(`${url}?$orderby=${p}`, (await ok(`${url}?$orderby=${p}`)).value, [p], 1);
          check(`${url}?$orderby=${p} asc`, (await ok(`${url}?$orderby=${p}%20asc`)).value, [p], 1);
          check(`${url}?$orderby=${p} desc`, (await ok(`${url}?$orderby=${p}%20desc`)).value, [p], -1);
        }
        for (let k = 1; k <= props.length; k++) {
          const list = props.slice(0, k);
          check(`${url}?$orderby=${list}`, (await ok(`${url}?$orderby=${list.join(',')}`)).value, list, 1);
          check(`${url}?$orderby=${list} asc`, (await ok(`${url}?$orderby=${list.map((p) => `${p}%20asc`).join(',')}`)).value, list, 1);
          check(`${url}?$orderby=${list} desc`, (await ok(`${url}?$orderby=${list.map((p) => `${p}%20desc`).join(',')}`)).value, list, -1);
        }
      }
    });

    it('readEntitiesWithCountQO: $count=true adds @iot.count of the whole collection, $count=false leaves it out', async () => {
      for (const type of ALL) {
        expect({ type, count: (await ok(`/${TYPES[type].set}?$count=true`))['@iot.count'] }).toEqual({ type, count: SIZE[type] });
        expect('@iot.count' in (await ok(`/${TYPES[type].set}?$count=false`))).toBe(false);
      }
      const expected: Record<string, number[]> = {
        'Thing/Datastreams': [2], 'Thing/HistoricalLocations': [2], 'Thing/Locations': [1], 'Location/HistoricalLocations': [2], 'Location/Things': [1],
        'Sensor/Datastreams': [1], 'ObservedProperty/Datastreams': [1, 2], 'Datastream/Observations': [3], 'FeatureOfInterest/Observations': [6], 'HistoricalLocation/Locations': [1],
      };
      for (const { url, parent, rel } of await collections()) {
        if (!parent || !url.endsWith(TYPES[rel!].set)) continue;
        const key = `${parent}/${TYPES[rel!].set}`;
        expect({ key, count: expected[key].includes((await ok(`${url}?$count=true`))['@iot.count']) }).toEqual({ key, count: true });
        expect('@iot.count' in (await ok(`${url}?$count=false`))).toBe(false);
      }
    });

    /** util/EntityPropertiesSampleValue.java: the literal each property is compared with (null: not filtered). */
    const SAMPLE: Record<Type, (string | null)[]> = {
      Thing: ["'thing 1'", "'thing 1'"],
      Location: ["'location 2'", "'location 2'", "'application/vnd.geo+json'", null],
      HistoricalLocation: ['2015-10-14T21:30:00.104Z'],
      Datastream: ["'datastream 1'", "'datastream 1'", null, "'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement'"],
      Sensor: ["'sensor 1'", "'sensor 1'", "'application/pdf'", "'Light flux sensor'"],
      ObservedProperty: ["'Luminous Flux'", `'${LUMINOUS}'`, "'observedProperty 1'"],
      Observation: ['2015-03-02T00:00:00.000Z', "'2'", '2015-03-02T00:00:00.000Z'],
      FeatureOfInterest: ["'Generated using location details: location 1'", "'Generated using location details: location 1'", "'application/vnd.geo+json'", null],
    };
    const OPS: [string, (c: number) => boolean][] = [['lt', (c) => c < 0], ['le', (c) => c <= 0], ['eq', (c) => c === 0], ['ne', (c) => c !== 0], ['ge', (c) => c >= 0], ['gt', (c) => c > 0]];

    it('readEntitiesWithFilterQO: $filter with lt, le, eq, ne, ge, gt answers only entities that hold, comparing a string literal as a string', async () => {
      let answered = 0;
      for (const { type, url, parent } of await collections()) {
        if (parent && !url.endsWith(TYPES[type].set)) continue;
        for (const [k, p] of TYPES[type].props.entries()) {
          const literal = SAMPLE[type][k];
          if (literal === null) continue;
          for (const [op, holds] of OPS) {
            const q = `${url}?$filter=${p}%20${op}%20${encodeURIComponent(literal)}`;
            const body = await ok(q);
            for (const e of body.value as Json[]) {
              const v = e[p];
              expect({ q, v, isNull: v === null || v === undefined }).toEqual({ q, v, isNull: false });
              const c = literal.startsWith("'") ? compare(typeof v === 'string' ? v : JSON.stringify(v), literal.slice(1, -1)) : Math.sign(Date.parse(String(v).split('/')[0]) - Date.parse(literal));
              expect({ q, v, holds: holds(c) }).toEqual({ q, v, holds: true });
              answered++;
            }
          }
        }
      }
      expect(answered).toBeGreaterThan(100);
    });

    it('checkQueriesPriorityOrdering: $filter before $count, then $orderby, $skip and $top', async () => {
      const body = await ok("/Observations?$count=true&$top=1&$skip=2&$orderby=phenomenonTime%20asc&$filter=result%20gt%20'3'");
      // Results 4..9 are greater than '3' as strings, 10..12 are not.
      expect(body['@iot.count']).toBe(6);
      expect(body.value).toHaveLength(1);
      expect(String(body.value[0].result)).toBe('6');
    });
  });

  describe('Conformance Level 2: Create-Update-Delete (createUpdateDelete/Capability2Tests)', () => {
    const created: Record<Type, number[]> = { Thing: [], Location: [], HistoricalLocation: [], Datastream: [], Observation: [], Sensor: [], ObservedProperty: [], FeatureOfInterest: [] };
    const UNIT = { name: 'Celsius', symbol: 'degC', definition: 'http://qudt.org/vocab/unit#DegreeCelsius' };
    const MEASUREMENT = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement';
    const FLUX = { name: 'Luminous Flux', definition: 'http://www.qudt.org/qudt/owl/1.0.0/quantity/Instances.html#LuminousFlux', description: 'Luminous Flux or Luminous Power is the measure of the perceived power of light.' };
    const ACME = { name: 'Acme Fluxomatic 1000', description: 'Acme Fluxomatic 1000', encodingType: 'application/pdf', metadata: 'Light flux sensor' };
    const WEST_ROOF = { name: 'West Roof', description: 'West Roof', location: { type: 'Point', coordinates: [-117.05, 51.05] }, encodingType: 'application/vnd.geo+json' };
    const LUMEN = { name: 'Lumen', symbol: 'lm', definition: 'http://www.qudt.org/qudt/owl/1.0.0/unit/Instances.html#Lumen' };
    const ds = (extra: Json): Json => ({ unitOfMeasurement: UNIT, name: 'test datastream.', description: 'test datastream.', observationType: MEASUREMENT, ...extra });
    /** checkRelatedEntity: the related entity (first of a collection) has the posted values; answers its id. */
    const expectRelated = async (path: string, expected: Json): Promise<number> => {
      const body = await ok(path);
      const e = 'value' in body ? body.value[0] : body;
      for (const [k, v] of Object.entries(expected)) {
        if (/time/i.test(k)) expect(Date.parse(e[k])).toBe(Date.parse(v as string));
        else expect({ path, k, v: e[k] }).toEqual({ path, k, v });
      }
      return idOf(e);
    };
    const sizes = async (types: Type[]): Promise<Record<string, number>> => Object.fromEntries(await Promise.all(types.map(async (x) => [x, await countOf(x)])));

    beforeAll(() => deleteEverything());

    it('createInvalidEntitiesWithDeepInsert: a deep insert with a part missing is 400 and creates nothing', async () => {
      await expectRefused('/Things', { name: 'Office Building', description: 'Office Building', properties: { reference: 'Third Floor' }, Locations: [WEST_ROOF],
        Datastreams: [{ unitOfMeasurement: LUMEN, name: 'Light exposure.', description: 'Light exposure.', observationType: MEASUREMENT, ObservedProperty: FLUX }] });
      expect(await sizes(['Thing', 'Location', 'HistoricalLocation', 'Datastream', 'ObservedProperty'])).toEqual({ Thing: 0, Location: 0, HistoricalLocation: 0, Datastream: 0, ObservedProperty: 0 });
      const thingId = idOf(await expectCreated('/Things', { name: 'Office Building', description: 'Office Building' }));
      const obs = [{ phenomenonTime: '2015-03-01T00:10:00Z', result: 10 }];
      await expectRefused('/Datastreams', ds({ Thing: { '@iot.id': thingId }, ObservedProperty: FLUX, Observations: obs }));
      await expectRefused('/Datastreams', ds({ Thing: { '@iot.id': thingId }, Sensor: ACME, Observations: obs }));
      await expectRefused('/Datastreams', ds({ ObservedProperty: FLUX, Sensor: ACME, Observations: obs }));
      expect(await sizes(['Datastream', 'Sensor', 'Observation', 'FeatureOfInterest', 'ObservedProperty'])).toEqual({ Datastream: 0, Sensor: 0, Observation: 0, FeatureOfInterest: 0, ObservedProperty: 0 });
      const dsId = idOf(await expectCreated('/Datastreams', ds({ Thing: { '@iot.id': thingId }, ObservedProperty: FLUX, Sensor: ACME })));
      // The Thing has no Location: no FeatureOfInterest can be made.
      await expectRefused('/Observations', { phenomenonTime: '2015-03-01T00:00:00Z', result: 100, Datastream: { '@iot.id': dsId } });
      await expectRefused('/Observations', { phenomenonTime: '2015-03-01T00:00:00Z', result: 100, Datastream: { '@iot.id': dsId },
        FeatureOfInterest: { name: 'A weather station.', description: 'A weather station.', feature: { type: 'Point', coordinates: [-114.05, 51.05] } } });
      expect(await sizes(['Observation', 'FeatureOfInterest'])).toEqual({ Observation: 0, FeatureOfInterest: 0 });
      await deleteEverything();
    });

    it('createEntities: each entity type posted alone, linked by @iot.id, answers 201 with Location; an Observation without FeatureOfInterest gets one made from the Thing\'s Location, once', async () => {
      const thingId = idOf(await expectCreated('/Things', { name: 'Test Thing', description: 'This is a Test Thing From TestNG' }));
      created.Thing.push(thingId);
      const location = await expectCreated('/Locations', { name: 'bow river', description: 'bow river', encodingType: 'application/vnd.geo+json', location: { type: 'Point', coordinates: [-114.05, 51.05] } });
      created.Location.push(idOf(location));
      created.Sensor.push(idOf(await expectCreated('/Sensors', { name: 'Fuguro Barometer', description: 'Fuguro Barometer', encodingType: 'application/pdf', metadata: 'Barometer' })));
      created.ObservedProperty.push(idOf(await expectCreated('/ObservedProperties', { name: 'DewPoint Temperature', definition: 'http://dbpedia.org/page/Dew_point', description: 'The dewpoint temperature.' })));
      created.FeatureOfInterest.push(idOf(await expectCreated('/FeaturesOfInterest', { name: 'A weather station.', description: 'A weather station.', encodingType: 'application/vnd.geo+json', feature: { type: 'Point', coordinates: [10, 10] } })));
      const dsId = idOf(await expectCreated('/Datastreams', ds({ Thing: { '@iot.id': thingId }, ObservedProperty: { '@iot.id': created.ObservedProperty[0] }, Sensor: { '@iot.id': created.Sensor[0] } })));
      created.Datastream.push(dsId);
      created.Observation.push(idOf(await expectCreated('/Observations', { phenomenonTime: '2015-03-01T00:40:00.000Z', result: 8, Datastream: { '@iot.id': dsId }, FeatureOfInterest: { '@iot.id': created.FeatureOfInterest[0] } })));
      expect((await write('patch', `/Things(${thingId})`, { Locations: [{ '@iot.id': idOf(location) }] })).status).toBe(200);
      const second = await expectCreated('/Observations', { phenomenonTime: '2015-03-01T00:00:00.000Z', resultTime: '2015-03-01T01:00:00.000Z', result: 100, Datastream: { '@iot.id': dsId } });
      expect(Date.parse(second.resultTime)).toBe(Date.parse('2015-03-01T01:00:00.000Z'));
      created.Observation.push(idOf(second));
      const made = await ok(`/Observations(${idOf(second)})/FeatureOfInterest`);
      expect(made.feature).toEqual(location.location);
      created.FeatureOfInterest.push(idOf(made));
      const third = await expectCreated('/Observations', { phenomenonTime: '2015-05-01T00:00:00.000Z', result: 105, Datastream: { '@iot.id': dsId } });
      expect(third.resultTime).toBeNull();
      created.Observation.push(idOf(third));
      expect(idOf(await ok(`/Observations(${idOf(third)})/FeatureOfInterest`))).toBe(idOf(made));
      created.HistoricalLocation.push(idOf(await expectCreated('/HistoricalLocations', { time: '2015-03-01T00:40:00.000Z', Thing: { '@iot.id': thingId }, Locations: [{ '@iot.id': idOf(location) }] })));
    });

    it('createEntitiesWithDeepInsert: a Thing with Locations and Datastreams, a Datastream with Sensor, ObservedProperty and Observations, an Observation with its FeatureOfInterest', async () => {
      const thingId = idOf(await expectCreated('/Things', { name: 'Office Building', description: 'Office Building', properties: { reference: 'Third Floor' }, Locations: [WEST_ROOF],
        Datastreams: [{ unitOfMeasurement: LUMEN, name: 'Light exposure.', description: 'Light exposure.', observationType: MEASUREMENT, ObservedProperty: FLUX, Sensor: ACME }] }));
      const dsId = await expectRelated(`/Things(${thingId})/Datastreams`, { unitOfMeasurement: LUMEN, name: 'Light exposure.', description: 'Light exposure.', observationType: MEASUREMENT });
      created.Datastream.push(dsId);
      created.Location.push(await expectRelated(`/Things(${thingId})/Locations`, WEST_ROOF));
      created.Sensor.push(await expectRelated(`/Datastreams(${dsId})/Sensor`, ACME));
      created.ObservedProperty.push(await expectRelated(`/Datastreams(${dsId})/ObservedProperty`, FLUX));
      created.Thing.push(thingId);
      const ds2 = idOf(await expectCreated('/Datastreams', ds({ Thing: { '@iot.id': thingId }, ObservedProperty: FLUX, Sensor: ACME, Observations: [{ phenomenonTime: '2015-03-01T00:10:00Z', result: 10 }] })));
      created.Sensor.push(await expectRelated(`/Datastreams(${ds2})/Sensor`, ACME));
      created.ObservedProperty.push(await expectRelated(`/Datastreams(${ds2})/ObservedProperty`, FLUX));
      created.Observation.push(await expectRelated(`/Datastreams(${ds2})/Observations`, { phenomenonTime: '2015-03-01T00:10:00.000Z', result: 10 }));
      created.Datastream.push(ds2);
      const foi = { name: 'A weather station.', description: 'A weather station.', encodingType: 'application/vnd.geo+json', feature: { type: 'Point', coordinates: [-114.05, 51.05] } };
      const obs = idOf(await expectCreated('/Observations', { phenomenonTime: '2015-03-01T00:00:00Z', result: 100, FeatureOfInterest: foi, Datastream: { '@iot.id': ds2 } }));
      created.FeatureOfInterest.push(await expectRelated(`/Observations(${obs})/FeatureOfInterest`, foi));
      created.Observation.push(obs);
    });

    it('createInvalidEntities: a Datastream without Sensor, ObservedProperty or Thing, an Observation without Datastream or any FeatureOfInterest, are 400', async () => {
      const [thingId] = created.Thing;
      await expectRefused('/Datastreams', ds({ Thing: { '@iot.id': thingId }, ObservedProperty: { '@iot.id': created.ObservedProperty[0] } }));
      await expectRefused('/Datastreams', ds({ Thing: { '@iot.id': thingId }, Sensor: { '@iot.id': created.Sensor[0] } }));
      await expectRefused('/Datastreams', ds({ ObservedProperty: { '@iot.id': created.ObservedProperty[0] }, Sensor: { '@iot.id': created.Sensor[0] } }));
      const bare = idOf(await expectCreated('/Things', { name: 'This is a Test Thing From TestNG', description: 'This is a Test Thing From TestNG' }));
      created.Thing.push(bare);
      const dsId = idOf(await expectCreated('/Datastreams', ds({ Thing: { '@iot.id': bare }, ObservedProperty: { '@iot.id': created.ObservedProperty[0] }, Sensor: { '@iot.id': created.Sensor[0] } })));
      created.Datastream.push(dsId);
      await expectRefused('/Observations', { phenomenonTime: '2015-03-01T00:40:00.000Z', result: 8, FeatureOfInterest: { '@iot.id': created.FeatureOfInterest[0] } });
      await expectRefused('/Observations', { phenomenonTime: '2015-03-01T00:00:00.000Z', result: 100, Datastream: { '@iot.id': dsId } });
    });

    it('patchEntities: PATCH changes what is sent and keeps every other property, for each entity type', async () => {
      const patch = async (type: Type, id: number, body: Json): Promise<void> => {
        const before = await ok(`/${TYPES[type].set}(${id})`);
        const res = await write('patch', `/${TYPES[type].set}(${id})`, body);
        expect({ type, status: res.status, error: res.body?.error }).toEqual({ type, status: 200, error: undefined });
        const after = await ok(`/${TYPES[type].set}(${id})`);
        for (const p of TYPES[type].props) {
          const want = p in body ? body[p] : before[p];
          if (/time/i.test(p) && want !== null) expect({ type, p, t: Date.parse(after[p]) }).toEqual({ type, p, t: Date.parse(want) });
          else expect({ type, p, v: after[p] }).toEqual({ type, p, v: want });
        }
      };
      await patch('Thing', created.Thing[0], { description: 'This is a PATCHED Test Thing From TestNG' });
      await patch('Location', created.Location[0], { location: { type: 'Point', coordinates: [114.05, -50] } });
      await patch('HistoricalLocation', created.HistoricalLocation[0], { time: '2015-07-01T00:00:00.000Z' });
      await patch('Sensor', created.Sensor[0], { metadata: 'PATCHED' });
      await patch('ObservedProperty', created.ObservedProperty[0], { description: 'PATCHED' });
      await patch('FeatureOfInterest', created.FeatureOfInterest[0], { feature: { type: 'Point', coordinates: [114.05, -51.05] } });
      await patch('Datastream', created.Datastream[0], { description: 'Patched Description' });
      await patch('Datastream', created.Datastream[0], { unitOfMeasurement: { name: 'Entropy2', symbol: 'S2', definition: 'http://qudt.org/vocab/unit#Entropy2' } });
      await patch('Observation', created.Observation[0], { phenomenonTime: '2015-07-01T00:40:00.000Z' });
    });

    it('invalidPatchEntities: PATCH with related entities inline (not links) is 400', async () => {
      const [thingId] = created.Thing;
      const refuse = async (type: Type, id: number, body: Json): Promise<void> => {
        expect({ type, body, status: (await write('patch', `/${TYPES[type].set}(${id})`, body)).status }).toEqual({ type, body, status: 400 });
      };
      await refuse('Thing', thingId, { Locations: [WEST_ROOF] });
      await refuse('Thing', thingId, { Datastreams: [{ unitOfMeasurement: LUMEN }] });
      await refuse('Sensor', created.Sensor[0], { Datastreams: [{ unitOfMeasurement: LUMEN, Thing: { '@iot.id': thingId } }] });
      await refuse('ObservedProperty', created.ObservedProperty[0], { Datastreams: [{ unitOfMeasurement: LUMEN, Thing: { '@iot.id': thingId } }] });
      const dsId = created.Datastream[0];
      await refuse('Datastream', dsId, { ObservedProperty: { name: 'Count is a dimensionless property.', definition: 'http://qudt.org/vocab/unit#Dimensionless', description: 'Count is a dimensionless property.' } });
      await refuse('Datastream', dsId, { Sensor: { name: 'Acme Traffic 2000', description: 'Acme Traffic 2000', encodingType: 'application/pdf', metadata: 'Traffic counting device' } });
      await refuse('Datastream', dsId, { Thing: { name: 'test', description: 'test' } });
      await refuse('Datastream', dsId, { Observations: [{ phenomenonTime: '2015-03-01T00:00:00Z', result: 92122, resultQuality: 'High' }] });
    });

    it('deleteNoneexistentEntities: DELETE of an entity that does not exist is 404', async () => {
      for (const type of ALL) expect({ type, status: (await write('delete', `/${TYPES[type].set}(9223372036854775807)`)).status }).toEqual({ type, status: 404 });
    });

    it('deleteEntities: DELETE is 200 and the entity is gone (404), for each entity made above', async () => {
      for (const type of DELETE_ORDER) {
        // As the suite: every id made above, each answered 200 (what a cascade took is deleted before its parent here).
        for (const id of created[type]) await expectDeleted(type, id);
      }
    });

    // checkDeleteIntegrityConstraint: deleting each type with the suite's one-Thing data set removes exactly what depends on it.
    const DEPENDS: [Type, Type[]][] = [
      ['Thing', ['Thing', 'Datastream', 'HistoricalLocation', 'Observation']],
      ['Datastream', ['Datastream', 'Observation']],
      ['Location', ['Location', 'HistoricalLocation']],
      ['HistoricalLocation', ['HistoricalLocation']],
      ['Sensor', ['Sensor', 'Datastream', 'Observation']],
      ['ObservedProperty', ['ObservedProperty', 'Datastream', 'Observation']],
      ['FeatureOfInterest', ['FeatureOfInterest', 'Observation']],
      ['Observation', ['Observation']],
    ];
    it.each(DEPENDS)('checkDeleteIntegrityConstraint: deleting the %s removes %j and keeps the rest', async (type, gone) => {
      await deleteEverything();
      const thingId = idOf(await expectCreated('/Things', { name: 'thing 1', description: 'thing 1', properties: { reference: 'first' },
        Locations: [{ name: 'location 1', description: 'location 1', location: { type: 'Point', coordinates: [-117.05, 51.05] }, encodingType: 'application/vnd.geo+json' }],
        Datastreams: [{ unitOfMeasurement: LUMEN, name: 'datastream 1', description: 'datastream 1', observationType: MEASUREMENT,
          ObservedProperty: { ...FLUX, description: 'observedProperty 1' }, Sensor: { name: 'sensor 1', description: 'sensor 1', encodingType: 'application/pdf', metadata: 'Light flux sensor' } }] }));
      const one: Record<Type, number> = { Thing: thingId } as Record<Type, number>;
      one.Location = idOf((await ok(`/Things(${thingId})/Locations`)).value[0]);
      one.Datastream = idOf((await ok(`/Things(${thingId})/Datastreams`)).value[0]);
      one.Sensor = idOf(await ok(`/Datastreams(${one.Datastream})/Sensor`));
      one.ObservedProperty = idOf(await ok(`/Datastreams(${one.Datastream})/ObservedProperty`));
      one.HistoricalLocation = idOf((await ok(`/Things(${thingId})/HistoricalLocations`)).value[0]);
      const obs = await write('post', `/Datastreams(${one.Datastream})/Observations`, { phenomenonTime: '2015-03-01T00:00:00Z', result: 1 });
      expect(obs.status).toBe(201);
      one.Observation = idOf(obs.body);
      one.FeatureOfInterest = idOf(await ok(`/Observations(${one.Observation})/FeatureOfInterest`));
      await expectDeleted(type, one[type]);
      const left = await sizes(ALL);
      expect(left).toEqual(Object.fromEntries(ALL.map((x) => [x, gone.includes(x) ? 0 : 1])));
    });
  });

  describe('MQTT extension (FROST-Server.Tests c07mqttcreate/Capability7Tests, c08mqttsubscribe/MqttCoreTests)', () => {
    let url: string;
    const clients: MqttClient[] = [];
    let dsId: number;
    let foiId: number;
    let thingId: number;

    beforeAll(async () => {
      url = `mqtt://127.0.0.1:${t.app.get(MqttIngest).brokerPort}`;
      thingId = idOf(await expectCreated('/Things', { name: 'Test Thing', description: 'MQTT', Locations: [{ name: 'here', description: 'here', encodingType: 'application/vnd.geo+json', location: { type: 'Point', coordinates: [7, 50] } }],
        Datastreams: [{ unitOfMeasurement: { name: 'Celsius', symbol: 'degC', definition: '' }, name: 'mqtt datastream', description: 'mqtt', observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement',
          ObservedProperty: { name: 'Temperature', definition: 'x', description: 'x' }, Sensor: { name: 's', description: 's', encodingType: 'application/pdf', metadata: 'm' } }] }));
      dsId = idOf((await ok(`/Things(${thingId})/Datastreams`)).value[0]);
      foiId = idOf(await expectCreated('/FeaturesOfInterest', { name: 'foi', description: 'foi', encodingType: 'application/vnd.geo+json', feature: { type: 'Point', coordinates: [7, 50] } }));
    });
    afterAll(async () => {
      for (const c of clients) await c.endAsync();
    });
    const client = async (): Promise<MqttClient> => {
      const c = await testClient(url, { username: editor.name, password: editor.token });
      clients.push(c);
      return c;
    };
    const withResult = async (value: number): Promise<Json | undefined> => (await ok(`/Observations?$filter=result%20eq%20${value}&$expand=Datastream($select=id),FeatureOfInterest($select=id)`)).value[0];
    let day = 0;

    it.each([
      ['check01_CreateObservationDirect', 'v1.1/Observations', true],
      ['check02_CreateObservationViaDatastream', 'v1.1/Datastreams(DS)/Observations', false],
      ['check03_CreateObservationViaFeatureOfInterest', 'v1.1/FeaturesOfInterest(FOI)/Observations', true],
    ])('%s: an Observation published to %s is stored with its Datastream and FeatureOfInterest', async (_name, topic, withDatastream) => {
      const c = await client();
      const value = Math.floor(Math.random() * 1e6);
      // Each test at its own time: an Observation is keyed by Datastream and phenomenonTime here.
      const body: Json = { phenomenonTime: `2015-03-0${++day}T02:40:00+02:00`, result: value, parameters: { param1: 'some value1' }, FeatureOfInterest: { '@iot.id': foiId } };
      if (withDatastream) body.Datastream = { '@iot.id': dsId };
      await c.publishAsync(topic.replace('DS', String(dsId)).replace('FOI', String(foiId)), JSON.stringify(body), { qos: 1 });
      let got: Json | undefined;
      for (let k = 0; k < 50 && got?.result !== value; k++) {
        got = await withResult(value);
        if (got?.result !== value) await new Promise((r) => setTimeout(r, 100));
      }
      expect(got).toMatchObject({ result: value, parameters: { param1: 'some value1' }, Datastream: { '@iot.id': dsId }, FeatureOfInterest: { '@iot.id': foiId } });
      expect(Date.parse(got!.phenomenonTime)).toBe(Date.parse(body.phenomenonTime));
    });

    it('check01a_SubscribeToEntitySetInsert, check09/12: subscribers of v1.1/Observations, of an entity and of a property receive the entity as GET answers it', async () => {
      const sub = await testClient(url);
      clients.push(sub);
      const got: { topic: string; body: Json }[] = [];
      sub.on('message', (topic, payload) => got.push({ topic, body: JSON.parse(payload.toString()) as Json }));
      await sub.subscribeAsync([`v1.1/Datastreams(${dsId})/Observations`, 'v1.1/Observations', `v1.1/Things(${thingId})`, `v1.1/Things(${thingId})/description`]);
      const res = await write('post', `/Datastreams(${dsId})/Observations`, { phenomenonTime: '2016-01-01T00:00:00Z', result: 42 });
      expect(res.status).toBe(201);
      await eventually(() => got.filter((m) => m.topic.endsWith('Observations')).length >= 2, 10_000, () => JSON.stringify(got));
      const expected = await ok(`/Observations(${idOf(res.body)})`);
      for (const m of got.filter((x) => x.topic.endsWith('Observations'))) expect(m.body).toEqual(expected);
      expect((await write('patch', `/Things(${thingId})`, { description: 'patched over HTTP' })).status).toBe(200);
      await eventually(() => got.some((m) => m.topic === `v1.1/Things(${thingId})/description`), 10_000, () => JSON.stringify(got));
      expect(got.find((m) => m.topic === `v1.1/Things(${thingId})/description`)!.body).toEqual({ description: 'patched over HTTP' });
      expect(got.find((m) => m.topic === `v1.1/Things(${thingId})`)!.body).toEqual(await ok(`/Things(${thingId})`));
    });

    it('check08a_SubscribeToEntitySetsWithDeepInsertThing, check01b_SubscribeAutoFeatureCreation, check14: every entity a request makes is published on its set', async () => {
      const sub = await testClient(url);
      clients.push(sub);
      const got: { topic: string; body: Json }[] = [];
      sub.on('message', (topic, payload) => got.push({ topic, body: JSON.parse(payload.toString()) as Json }));
      const sets = ['Things', 'Locations', 'HistoricalLocations', 'Datastreams', 'Sensors', 'ObservedProperties', 'FeaturesOfInterest', 'Observations'];
      await sub.subscribeAsync(sets.map((x) => `v1.1/${x}`));
      const deep = await write('post', '/Things', { name: 'deep', description: 'deep', Locations: [{ name: 'deep loc', description: 'd', encodingType: 'application/vnd.geo+json', location: { type: 'Point', coordinates: [3, 4] } }],
        Datastreams: [{ unitOfMeasurement: { name: 'Lumen', symbol: 'lm', definition: '' }, name: 'deep ds', description: 'd', observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement',
          ObservedProperty: { name: 'deep op', definition: 'x', description: 'x' }, Sensor: { name: 'deep sensor', description: 's', encodingType: 'application/pdf', metadata: 'm' } }] });
      expect(deep.status).toBe(201);
      const deepThing = idOf(deep.body);
      const deepDs = idOf((await ok(`/Things(${deepThing})/Datastreams`)).value[0]);
      // The first Observation without FeatureOfInterest makes one from the Location.
      expect((await write('post', `/Datastreams(${deepDs})/Observations`, { phenomenonTime: '2017-01-01T00:00:00Z', result: 1 })).status).toBe(201);
      const elsewhere = idOf((await write('post', '/Locations', { name: 'elsewhere', description: 'd', encodingType: 'application/vnd.geo+json', location: { type: 'Point', coordinates: [5, 6] } })).body);
      expect((await write('patch', `/Things(${deepThing})`, { Locations: [{ '@iot.id': elsewhere }] })).status).toBe(200);
      await eventually(() => sets.every((x) => got.some((m) => m.topic === `v1.1/${x}`)) && got.filter((m) => m.topic === 'v1.1/HistoricalLocations').length >= 2, 10_000, () => JSON.stringify(got.map((m) => m.topic)));
      const first = (set: string): Json => got.find((m) => m.topic === `v1.1/${set}`)!.body;
      expect(first('Things')).toEqual(await ok(`/Things(${deepThing})`));
      // As it was when made (the Observation since gave it a phenomenonTime).
      expect(first('Datastreams')).toEqual({ ...(await ok(`/Datastreams(${deepDs})`)), phenomenonTime: null });
      expect(first('Sensors')).toEqual(await ok(`/Datastreams(${deepDs})/Sensor`));
      expect(first('ObservedProperties')).toEqual(await ok(`/Datastreams(${deepDs})/ObservedProperty`));
      expect(first('Locations')).toMatchObject({ name: 'deep loc' });
      expect(first('FeaturesOfInterest')).toMatchObject({ feature: { type: 'Point', coordinates: [3, 4] } });
      const history = (await ok(`/Things(${deepThing})/HistoricalLocations?$orderby=time`)).value.map(idOf);
      expect(got.filter((m) => m.topic === 'v1.1/HistoricalLocations').map((m) => idOf(m.body)).sort()).toEqual([...history].sort());
    });

    it('check04_SubscribeToEntitySetWithMultipleSelectInsert, check05: a $select topic receives the selected properties only', async () => {
      const sub = await testClient(url);
      clients.push(sub);
      const got: { topic: string; body: Json }[] = [];
      sub.on('message', (topic, payload) => got.push({ topic, body: JSON.parse(payload.toString()) as Json }));
      await sub.subscribeAsync(['v1.1/Sensors?$select=id,name', 'v1.1/Sensors?$select=description']);
      const sensor = idOf((await write('post', '/Sensors', { name: 'selected', description: 'only this', encodingType: 'application/pdf', metadata: 'm' })).body);
      expect((await write('patch', `/Sensors(${sensor})`, { description: 'changed' })).status).toBe(200);
      await eventually(() => got.length >= 4, 10_000, () => JSON.stringify(got));
      expect(got.filter((m) => m.topic === 'v1.1/Sensors?$select=id,name').map((m) => m.body)).toEqual([{ '@iot.id': sensor, name: 'selected' }, { '@iot.id': sensor, name: 'selected' }]);
      expect(got.filter((m) => m.topic === 'v1.1/Sensors?$select=description').map((m) => m.body)).toEqual([{ description: 'only this' }, { description: 'changed' }]);
    });

    it('check01a_SubscribeToEntitySetInsert, check02_SubscribeToEntitySetUpdatePATCH, check10: entity sets of every type publish creates and changes; a private gauge\'s never', async () => {
      const sub = await testClient(url);
      clients.push(sub);
      const got: { topic: string; body: Json }[] = [];
      sub.on('message', (topic, payload) => got.push({ topic, body: JSON.parse(payload.toString()) as Json }));
      await sub.subscribeAsync(['v1.1/Sensors', 'v1.1/Locations', 'v1.1/Datastreams', 'v1.1/Things']);
      const sensor = idOf((await write('post', '/Sensors', { name: 'mqtt sensor', description: 'd', encodingType: 'application/pdf', metadata: 'm' })).body);
      const location = idOf((await write('post', '/Locations', { name: 'mqtt loc', description: 'd', encodingType: 'application/vnd.geo+json', location: { type: 'Point', coordinates: [1, 2] } })).body);
      expect((await write('patch', `/Datastreams(${dsId})`, { description: 'changed' })).status).toBe(200);
      expect((await write('put', `/Sensors(${sensor})`, { name: 'mqtt sensor 2', description: 'd2', encodingType: 'application/pdf', metadata: 'm2' })).status).toBe(200);
      await eventually(() => got.length >= 4, 10_000, () => JSON.stringify(got));
      const on = (topic: string): Json[] => got.filter((m) => m.topic === topic).map((m) => m.body);
      expect(on('v1.1/Sensors').map((b) => b.name)).toEqual(['mqtt sensor', 'mqtt sensor 2']);
      expect(on('v1.1/Sensors')[1]).toEqual(await ok(`/Sensors(${sensor})`));
      expect(on('v1.1/Locations')).toEqual([await ok(`/Locations(${location})`)]);
      expect(on('v1.1/Datastreams')).toEqual([await ok(`/Datastreams(${dsId})`)]);
      // A private gauge: its Thing's changes reach no anonymous subscriber.
      const [{ package_id }] = await t.db.dataSource.query('SELECT package_id FROM sensor_thing WHERE id = $1', [thingId]);
      await t.call('package_patch', { id: package_id, private: true });
      got.length = 0;
      expect((await write('patch', `/Things(${thingId})`, { description: 'secret' })).status).toBe(200);
      expect((await write('post', '/Sensors', { name: 'after', description: 'd', encodingType: 'application/pdf', metadata: 'm' })).status).toBe(201);
      await eventually(() => got.some((m) => m.topic === 'v1.1/Sensors'), 10_000, () => JSON.stringify(got));
      expect(got.filter((m) => m.topic === 'v1.1/Things')).toEqual([]);
    });
  });
});
