import request from 'supertest';
import type { TestUser } from './factories/factories';
import type { TestApp } from './test-app';

/** A gauge as the sensor specs make it: one Thing with its Location and one water-level Datastream, and the dataset it lives in. */
export interface StaGauge {
  thing: number;
  /** The Datastream's @iot.id. */
  ds: number;
  packageId: string;
}

/**
 * Makes a gauge through SensorThings (POST /Things with a deep insert), as a steward's script would, in `org` and as
 * `by`; answers its ids. `coordinates` place its Location, `stream` names its Datastream.
 */
export async function staGauge(
  t: TestApp, o: { name: string; org: { name: string }; by: TestUser; coordinates?: [number, number]; stream?: string },
): Promise<StaGauge> {
  const res = await request(t.http).post('/sta/v1.1/Things').set('Authorization', o.by.token).set('content-type', 'application/json').send(JSON.stringify({
    name: o.name, description: `Pegel ${o.name}`, properties: { organization: o.org.name },
    Locations: [{ name: o.name, description: 'Pegelhaus', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: o.coordinates ?? [7.6, 50.3] } }],
    Datastreams: [{
      name: o.stream ?? 'Wasserstand', description: 'W', observationType: 'OM_Measurement', unitOfMeasurement: { name: 'cm', symbol: 'cm', definition: '' },
      Sensor: { name: 'Radar', description: 'Radar', encodingType: 'text/plain', metadata: '' }, ObservedProperty: { name: 'Wasserstand', definition: 'Height', description: 'W' },
    }],
  }));
  if (res.status !== 201) throw new Error(`POST /Things answered ${res.status}: ${JSON.stringify(res.body)}`);
  const thing = res.body['@iot.id'] as number;
  const [{ id, package_id }] = await t.db.dataSource.query<{ id: number; package_id: string }[]>(
    'SELECT d.id::int AS id, t.package_id FROM sensor_datastream d JOIN sensor_thing t ON t.id = d.thing_id WHERE t.id = $1', [thing],
  );
  return { thing, ds: id, packageId: package_id };
}
