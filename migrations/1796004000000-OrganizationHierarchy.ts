import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organization hierarchy (issue 14, ckanext-hierarchy): an organization's parent, and which roles held in it also apply
 * in its sub-organizations (null: the site's AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS). Purging a parent makes its
 * children top-level (ON DELETE SET NULL); the index serves the walk down the tree that every logged-in request's
 * roles take.
 */
export class OrganizationHierarchy1796004000000 implements MigrationInterface {
  name = 'OrganizationHierarchy1796004000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "catalog_group" ADD "parent_id" uuid`);
    await q.query(`ALTER TABLE "catalog_group" ADD "cascade_roles" character varying(20) array`);
    await q.query(`CREATE INDEX "catalog_group_parent_id_idx" ON "catalog_group" ("parent_id")`);
    await q.query(`ALTER TABLE "catalog_group" ADD CONSTRAINT "FK_cb6f46bc145bed527f2877fc1dc" FOREIGN KEY ("parent_id") REFERENCES "catalog_group"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "catalog_group" DROP CONSTRAINT "FK_cb6f46bc145bed527f2877fc1dc"`);
    await q.query(`DROP INDEX "public"."catalog_group_parent_id_idx"`);
    await q.query(`ALTER TABLE "catalog_group" DROP COLUMN "cascade_roles"`);
    await q.query(`ALTER TABLE "catalog_group" DROP COLUMN "parent_id"`);
  }
}
