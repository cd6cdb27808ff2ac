import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `resource_default_view` (issue 13): which default view types a resource has been offered, so that a default view
 * a steward deleted does not come back with the dataset's next edit (CKAN adds default views only when a resource
 * is created, changes format or enters the DataStore). Existing resources count as offered every type they qualify
 * for today, or have a view of.
 */
export class ResourceDefaultViews1795945000000 implements MigrationInterface {
  name = 'ResourceDefaultViews1795945000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "resource_default_view" ("resource_id" uuid NOT NULL, "view_type" text NOT NULL,
        CONSTRAINT "PK_56e5c69d12cd82d6c7e1c5d57f2" PRIMARY KEY ("resource_id", "view_type"))`,
    );
    await q.query(
      `ALTER TABLE "resource_default_view" ADD CONSTRAINT "FK_2bc0fb3e14efeb685295da50239" FOREIGN KEY ("resource_id") REFERENCES "resource"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `INSERT INTO resource_default_view (resource_id, view_type)
       SELECT id, 'image_view' FROM resource WHERE lower(coalesce(format, '')) IN ('png', 'jpeg', 'jpg', 'gif')
       UNION SELECT id, 'datatables_view' FROM resource WHERE extras->'datastore_active' = 'true'::jsonb
       UNION SELECT resource_id, view_type FROM resource_view WHERE view_type IN ('image_view', 'datatables_view')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "resource_default_view"`);
  }
}
