import { MigrationInterface, QueryRunner } from 'typeorm';

/** `resource_view`: CKAN's resource views (resource_view_* actions), gone with their resource. */
export class ResourceViews1795930000000 implements MigrationInterface {
  name = 'ResourceViews1795930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "resource_view" ("id" uuid NOT NULL, "resource_id" uuid NOT NULL, "title" text NOT NULL, "description" text,
        "view_type" text NOT NULL, "position" integer NOT NULL, "config" jsonb NOT NULL DEFAULT '{}'::jsonb,
        CONSTRAINT "PK_500ed8bc8981c85893f2abfa96e" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "resource_view_resource_position_idx" ON "resource_view" ("resource_id", "position")`);
    await q.query(
      `ALTER TABLE "resource_view" ADD CONSTRAINT "FK_0ede91bfc869f67299837303b3b" FOREIGN KEY ("resource_id") REFERENCES "resource"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "resource_view"`);
  }
}
