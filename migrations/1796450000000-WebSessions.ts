import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17, the steward workspace: a web login is a session, named by an opaque random id in a cookie. Only its
 * SHA-256 is stored (as API tokens are), with the time it ends; deleting a user ends their sessions.
 */
export class WebSessions1796450000000 implements MigrationInterface {
  name = 'WebSessions1796450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "web_session" (
      "id" uuid NOT NULL,
      "user_id" uuid NOT NULL,
      "secret_hash" bytea NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(),
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_web_session" PRIMARY KEY ("id"),
      CONSTRAINT "FK_web_session_user" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE CASCADE)`);
    await q.query(`CREATE UNIQUE INDEX "web_session_secret_hash_key" ON "web_session" ("secret_hash")`);
    await q.query(`CREATE INDEX "web_session_user_id_idx" ON "web_session" ("user_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "web_session"`);
  }
}
