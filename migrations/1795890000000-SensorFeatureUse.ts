import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * FeaturesOfInterest found by their Observations (issue 12, SensorThings):
 *  - `sensor_observation (feature_of_interest_id)`, partial (rows without one, every polled or pushed reading, cost no
 *    index entry): `FeaturesOfInterest(id)/Observations` and deleting a FeatureOfInterest with its Observations were
 *    each a scan of every observation.
 *  - `sensor_feature_of_interest (name)`, a hash index (a client's name may be longer than a btree entry takes): a
 *    Thing's default FeatureOfInterest is found by its Location's name and geometry for every SensorThings write and
 *    MQTT group; without it, a scan of all of them (one per observation for a mobile sensor).
 *  - `sensor_feature_use`: which Datastreams have observed a FeatureOfInterest, kept when the Observations go
 *    (retention, deletes). A FeatureOfInterest is readable by whoever may read one of those Datastreams, so a private
 *    gauge's stays private after its history expired; one no Datastream has observed (or whose Datastreams were
 *    deleted) belongs to no dataset and is readable by everyone, as FROST serves every entity.
 */
export class SensorFeatureUse1795890000000 implements MigrationInterface {
  name = 'SensorFeatureUse1795890000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX sensor_observation_feature_idx ON sensor_observation (feature_of_interest_id) WHERE feature_of_interest_id IS NOT NULL`);
    await q.query(`CREATE INDEX sensor_feature_of_interest_name_idx ON sensor_feature_of_interest USING hash (name)`);
    await q.query(`
      CREATE TABLE sensor_feature_use (
        feature_of_interest_id bigint NOT NULL REFERENCES sensor_feature_of_interest (id) ON DELETE CASCADE,
        datastream_id bigint NOT NULL REFERENCES sensor_datastream (id) ON DELETE CASCADE,
        PRIMARY KEY (feature_of_interest_id, datastream_id)
      )`);
    await q.query(`CREATE INDEX sensor_feature_use_datastream_idx ON sensor_feature_use (datastream_id)`);
    await q.query(`
      INSERT INTO sensor_feature_use (feature_of_interest_id, datastream_id)
      SELECT DISTINCT o.feature_of_interest_id, o.datastream_id FROM sensor_observation o
        JOIN sensor_feature_of_interest f ON f.id = o.feature_of_interest_id JOIN sensor_datastream d ON d.id = o.datastream_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sensor_feature_use`);
    await q.query(`DROP INDEX sensor_feature_of_interest_name_idx`);
    await q.query(`DROP INDEX sensor_observation_feature_idx`);
  }
}
