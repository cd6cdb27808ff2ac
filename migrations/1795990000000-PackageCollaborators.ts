import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `package_member` (issue 14): CKAN 2.9's dataset collaborators, one row per dataset and user with its capacity.
 * Looked up by user for every logged-in reader (the datasets they collaborate on), hence the index on user_id; a
 * purged dataset or user takes its rows with it.
 */
export class PackageCollaborators1795990000000 implements MigrationInterface {
  name = 'PackageCollaborators1795990000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "package_member" ("package_id" uuid NOT NULL, "user_id" uuid NOT NULL, "capacity" character varying(20) NOT NULL,
        "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "PK_ca30be449a2485b8e632485be45" PRIMARY KEY ("package_id", "user_id"))`,
    );
    await q.query(`CREATE INDEX "package_member_user_idx" ON "package_member" ("user_id")`);
    await q.query(
      `ALTER TABLE "package_member" ADD CONSTRAINT "FK_aeae68fe26586f0a99ec856b2b1" FOREIGN KEY ("package_id") REFERENCES "package"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "package_member" ADD CONSTRAINT "FK_058da618f07f61b9f5fcfb4ff07" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "package_member"`);
  }
}
