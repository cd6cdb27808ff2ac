import { MigrationInterface, QueryRunner } from 'typeorm';

/** `user_following`: who follows which user, dataset, group or organization (CKAN's follow_* actions). */
export class Following1795900000000 implements MigrationInterface {
  name = 'Following1795900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "user_following" ("follower_id" uuid NOT NULL, "object_type" character varying(10) NOT NULL, "object_id" uuid NOT NULL,
        "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT "PK_a78e0b4d9656a96a2d445cdaead" PRIMARY KEY ("follower_id", "object_type", "object_id"))`,
    );
    await q.query(`CREATE INDEX "user_following_object_idx" ON "user_following" ("object_type", "object_id")`);
    await q.query(
      `ALTER TABLE "user_following" ADD CONSTRAINT "FK_117f27cf2bd96956cfc7305b96a" FOREIGN KEY ("follower_id") REFERENCES "user_account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "user_following"`);
  }
}
