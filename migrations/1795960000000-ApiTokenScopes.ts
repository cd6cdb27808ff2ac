import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API tokens get scopes, an optional organization restriction and an expiry (issue 14). Existing tokens keep
 * working as before: every scope, no organization, and no expiry (expires_at null), so no integration breaks on
 * upgrade; sysadmins who want them to expire replace them (api_token_list shows which have none).
 */
export class ApiTokenScopes1795960000000 implements MigrationInterface {
  name = 'ApiTokenScopes1795960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "api_token" ADD "scopes" text array NOT NULL DEFAULT '{read,write,datastore,harvest,ingest,admin}'`);
    await q.query(`ALTER TABLE "api_token" ADD "organization_id" uuid`);
    await q.query(`ALTER TABLE "api_token" ADD "expires_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "api_token" DROP COLUMN "expires_at"`);
    await q.query(`ALTER TABLE "api_token" DROP COLUMN "organization_id"`);
    await q.query(`ALTER TABLE "api_token" DROP COLUMN "scopes"`);
  }
}
