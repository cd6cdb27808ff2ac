import { SensorCatalog } from '../src/sensors/catalog/sensor-catalog.service';
import { SensorThingRepository } from '../src/sensors/catalog/sensor-thing.repository';
import { TestApp } from '../test/test-app';
import { SensorViewsResultJson1795880000000 } from './1795880000000-SensorViewsResultJson';

type Found = { fields: { id: string; info?: Record<string, string> }[]; records: Record<string, unknown>[] };

describe('migration SensorViewsResultJson on a catalog that has sensor datasets', () => {
  let t: TestApp;
  afterAll(() => t?.stop());

  it('gives the existing views of datastreams and latest values result_json, keeping their data dictionary, and takes it back on revert', async () => {
    t = await TestApp.start({ DATASTORE_SQL_ENABLED: 'true' });
    const org = await t.factories.organization();
    const catalog = t.app.get(SensorCatalog);
    const thing = await catalog.createThing(t.context(t.sysadmin), {
      name: 'Pegel St. Goar', properties: { organization: org.name },
      streams: [{ key: 'W', name: 'Wasserstand', quantity: 'water_level', unit: 'cm' }],
    });
    const dsId = thing.datastreams.W;
    // A text result as a SensorThings client stores it (sensor_observation.result_json), and the latest value it made.
    await t.db.dataSource.query(
      `INSERT INTO sensor_observation (datastream_id, phenomenon_time, result_json, quality) VALUES ($1, '2025-01-10T07:00:00Z', '"Eisgang"', 'good')`, [dsId]);
    await t.db.dataSource.query(
      `INSERT INTO sensor_latest (datastream_id, observation_id, phenomenon_time, result_json, quality, received_at)
       SELECT datastream_id, id, phenomenon_time, result_json, quality, received_at FROM sensor_observation WHERE datastream_id = $1`, [dsId]);
    const [{ resource_id: stream }] = await t.db.dataSource.query('SELECT resource_id FROM sensor_datastream WHERE id = $1', [dsId]);
    const [{ latest_resource_id: latest }] = await t.db.dataSource.query('SELECT latest_resource_id FROM sensor_thing WHERE id = $1', [thing.thingId]);
    const search = (resourceId: string, more: Record<string, unknown> = {}): Promise<Found> => t.call<Found>('datastore_search', { resource_id: resourceId, ...more });

    const runner = t.db.dataSource.createQueryRunner();
    try {
      // The views as the catalog made them before: without the column.
      await new SensorViewsResultJson1795880000000().down(runner);
      for (const id of [stream, latest]) expect((await search(id)).fields.map((f) => f.id)).not.toContain('result_json');
      expect((await search(stream)).fields.find((f) => f.id === 'result')?.info).toMatchObject({ label: 'Wasserstand (cm)' });
      expect((await search(stream, { q: 'eisgang' })).records).toEqual([]);

      await new SensorViewsResultJson1795880000000().up(runner);
    } finally {
      await runner.release();
    }
    const after = await search(stream);
    expect(after.fields.map((f) => f.id).slice(-2)).toEqual(['received_at', 'result_json']);
    expect(after.fields.find((f) => f.id === 'result')?.info).toMatchObject({ label: 'Wasserstand (cm)' });
    expect(after.fields.find((f) => f.id === 'result_json')?.info).toMatchObject({ label: 'Wert (kein Zahlenwert)' });
    expect(after.records).toEqual([expect.objectContaining({ result: null, result_json: 'Eisgang' })]);
    expect((await search(stream, { q: 'eisgang' })).records).toHaveLength(1);
    expect((await search(latest)).records).toEqual([expect.objectContaining({ _id: dsId, result_json: 'Eisgang' })]);
    // The views stay read-only DataStore resources that datastore_search_sql reads as the restricted role.
    const sql = await t.call<Found>('datastore_search_sql', { sql: `SELECT result_json FROM "${latest}"` });
    expect(sql.records).toEqual([{ result_json: 'Eisgang' }]);
    // The migrated views are what the catalog makes today: a new station's views are the same SELECTs.
    const things = t.app.get(SensorThingRepository);
    const one = t.db.dataSource.createQueryRunner(); // a temporary view lives on one connection
    try {
      const definition = async (select: string): Promise<string> => {
        await one.query(`DROP VIEW IF EXISTS current_form`);
        await one.query(`CREATE TEMP VIEW current_form AS ${select}`);
        return (await one.query(`SELECT pg_get_viewdef('current_form'::regclass) AS def`))[0].def;
      };
      const migrated = async (resourceId: string): Promise<string> => (await one.query(`SELECT pg_get_viewdef(to_regclass($1)) AS def`, [`datastore."${resourceId}"`]))[0].def;
      expect(await migrated(stream)).toBe(await definition(things.observationsView(dsId)));
      expect(await migrated(latest)).toBe(await definition(things.latestView(thing.thingId)));
    } finally {
      await one.release();
    }
  });
});
