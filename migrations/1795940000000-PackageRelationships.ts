import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `package_relationship` (issue 13): CKAN's dataset relationships, stored in their forward form only. One row per
 * subject, object and type (CKAN revives a deleted one rather than adding another); a purged dataset takes its
 * relationships with it, as CKAN's dataset_purge does.
 */
export class PackageRelationships1795940000000 implements MigrationInterface {
  name = 'PackageRelationships1795940000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "package_relationship" ("id" uuid NOT NULL, "subject_package_id" uuid NOT NULL, "object_package_id" uuid NOT NULL,
        "type" character varying(20) NOT NULL, "comment" text NOT NULL DEFAULT '', "state" character varying(20) NOT NULL DEFAULT 'active',
        CONSTRAINT "PK_b30b9f1011a85f0660ad47c8ffd" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "package_relationship_object_idx" ON "package_relationship" ("object_package_id")`);
    await q.query(`CREATE UNIQUE INDEX "package_relationship_key" ON "package_relationship" ("subject_package_id", "object_package_id", "type")`);
    await q.query(
      `ALTER TABLE "package_relationship" ADD CONSTRAINT "FK_4005a18619e20fce6bc67562f0e" FOREIGN KEY ("subject_package_id") REFERENCES "package"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "package_relationship" ADD CONSTRAINT "FK_c28f1d7a174de0014732e7a2bd8" FOREIGN KEY ("object_package_id") REFERENCES "package"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "package_relationship"`);
  }
}
