import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `package.read_only`: the catalog's own record that a dataset is kept by an outside process (a harvest source), so only
 * sysadmins and the site edit it. Until now the catalog worked this out by reading the harvest module's harvest_object
 * table on every dataset read, which crossed the rule that catalog knows nothing of harvest; now harvest sets the flag
 * through package_read_only_update. Existing harvested datasets (a current, attached harvest object names them) get it.
 */
export class DatasetReadOnly1796200000000 implements MigrationInterface {
  name = 'DatasetReadOnly1796200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "package" ADD "read_only" boolean NOT NULL DEFAULT false`);
    await q.query(
      `UPDATE "package" p SET "read_only" = true
        WHERE EXISTS (SELECT 1 FROM "harvest_object" o WHERE o."package_id" = p."id" AND o."current" AND NOT o."detached")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "package" DROP COLUMN "read_only"`);
  }
}
