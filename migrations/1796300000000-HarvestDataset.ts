import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `harvest_dataset`: what harvesting needs to know of the catalog datasets it follows (a source's dataset, a dataset a
 * current harvest object holds): state, organization, private. Until now harvest read them by joining the catalog's
 * `package` table, which crossed the rule that harvest reads the catalog only through actions; now HarvestDatasetMirror
 * keeps this table from the catalog's write hook. A table of its own, not columns on harvest_source/harvest_object: a
 * client's write locks the dataset and then its copy, while the runner locks a harvest object before it writes the
 * dataset, so copying onto harvest_object could deadlock the two. Filled here once from `package`.
 */
export class HarvestDataset1796300000000 implements MigrationInterface {
  name = 'HarvestDataset1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "harvest_dataset" ("package_id" uuid NOT NULL, "state" character varying(20) NOT NULL, "owner_org" uuid, "private" boolean NOT NULL,
        CONSTRAINT "PK_harvest_dataset" PRIMARY KEY ("package_id"),
        CONSTRAINT "FK_harvest_dataset_package" FOREIGN KEY ("package_id") REFERENCES "package"("id") ON DELETE CASCADE)`,
    );
    await q.query(
      `INSERT INTO "harvest_dataset" ("package_id", "state", "owner_org", "private")
       SELECT p."id", p."state", p."owner_org", p."private" FROM "package" p
        WHERE p."id" IN (SELECT "id" FROM "harvest_source" UNION SELECT "package_id" FROM "harvest_object" WHERE "current")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "harvest_dataset"`);
  }
}
