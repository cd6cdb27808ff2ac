import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail (src/audit): `audit_write`, one row per write action the dispatcher ran (who, when, which action,
 * on what, a summary of the input), and `activity`, CKAN's activity stream (one row per dataset, organization, group or
 * user a write changed, with the object's dict after it, so consecutive rows give the diff). Both are written inside
 * the write's transaction and are append-only: a trigger refuses UPDATE, DELETE and TRUNCATE. CKAN's dataset_purge
 * keeps a dataset's activities too, so no purge path needs an exception. Raw SQL: the tables have no TypeORM entity
 * (src/audit reads and writes them with SQL only) and the trigger cannot be said in TypeORM.
 */
export class AuditTrail1795970000000 implements MigrationInterface {
  name = 'AuditTrail1795970000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "audit_write" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
        "seq" bigint GENERATED ALWAYS AS IDENTITY,
        "at" timestamptz NOT NULL DEFAULT clock_timestamp(),
        "user_id" uuid,
        "user_name" text,
        "action" text NOT NULL,
        "outermost" boolean NOT NULL,
        "object_type" text,
        "object_id" text,
        "input" jsonb NOT NULL,
        "request_id" text)`,
    );
    await q.query(`CREATE INDEX "audit_write_seq_idx" ON "audit_write" ("seq")`);
    await q.query(`CREATE INDEX "audit_write_user_idx" ON "audit_write" ("user_id", "seq")`);
    await q.query(
      `CREATE TABLE "activity" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
        "seq" bigint GENERATED ALWAYS AS IDENTITY,
        "timestamp" timestamptz NOT NULL DEFAULT clock_timestamp(),
        "user_id" uuid,
        "object_id" uuid NOT NULL,
        "object_type" text NOT NULL,
        "activity_type" text NOT NULL,
        "data" jsonb NOT NULL,
        "package_row" jsonb,
        "hidden" boolean NOT NULL,
        "write_id" uuid NOT NULL REFERENCES "audit_write" ("id"))`,
    );
    await q.query(`CREATE INDEX "activity_object_idx" ON "activity" ("object_id", "seq")`);
    await q.query(`CREATE INDEX "activity_user_idx" ON "activity" ("user_id", "seq")`);
    await q.query(`CREATE INDEX "activity_seq_idx" ON "activity" ("seq")`);
    await q.query(`CREATE INDEX "activity_write_idx" ON "activity" ("write_id")`);
    await q.query(
      `CREATE FUNCTION "audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
       END $$`,
    );
    for (const table of ['audit_write', 'activity']) {
      await q.query(`CREATE TRIGGER "${table}_append_only" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "audit_append_only"()`);
      await q.query(`CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "audit_append_only"()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "activity"`);
    await q.query(`DROP TABLE "audit_write"`);
    await q.query(`DROP FUNCTION "audit_append_only"()`);
  }
}
