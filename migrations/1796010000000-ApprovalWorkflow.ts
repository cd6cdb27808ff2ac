import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Approval workflow (issue 14): an organization may require that an admin publishes what its editors submit
 * (`approval_required`, off by default, so nothing changes for existing organizations), and `dataset_approval` keeps
 * each dataset's last workflow event: the note of a send-back, who submitted and who decided, and when. A purged
 * dataset takes its row along; a purged user leaves the row without a name.
 */
export class ApprovalWorkflow1796010000000 implements MigrationInterface {
  name = 'ApprovalWorkflow1796010000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "catalog_group" ADD "approval_required" boolean NOT NULL DEFAULT false`);
    await q.query(
      `CREATE TABLE "dataset_approval" ("package_id" uuid NOT NULL, "status" character varying(20) NOT NULL, "note" text, "decided_by" uuid,
        "decided_at" TIMESTAMP WITH TIME ZONE, "submitted_by" uuid, "submitted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_cdb8b21f9f86e345c0b05c16af5" PRIMARY KEY ("package_id"))`,
    );
    await q.query(
      `ALTER TABLE "dataset_approval" ADD CONSTRAINT "FK_cdb8b21f9f86e345c0b05c16af5" FOREIGN KEY ("package_id") REFERENCES "package"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "dataset_approval" ADD CONSTRAINT "FK_d0b9e6bd28303ee3201f728526a" FOREIGN KEY ("decided_by") REFERENCES "user_account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "dataset_approval" ADD CONSTRAINT "FK_1bb77f2fc013e823b6fd27189cb" FOREIGN KEY ("submitted_by") REFERENCES "user_account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dataset_approval"`);
    await q.query(`ALTER TABLE "catalog_group" DROP COLUMN "approval_required"`);
  }
}
