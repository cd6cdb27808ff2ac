import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795239203795 implements MigrationInterface {
  name = 'InitialSchema1795239203795';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "user_account" ("id" uuid NOT NULL, "name" character varying(100) NOT NULL, "fullname" text, "email" text, "password_hash" text, "about" text, "image_url" text, "sysadmin" boolean NOT NULL DEFAULT false, "state" character varying(20) NOT NULL DEFAULT 'active', "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "last_active" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6acfec7285fdf9f463462de3e9f" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "user_account_name_key" ON "user_account" ("name")`);
    // E-mail addresses are unique among live accounts, whatever their case (CKAN's email_is_unique).
    await q.query(`CREATE UNIQUE INDEX "user_account_email_key" ON "user_account" (lower("email")) WHERE "email" IS NOT NULL AND "state" <> 'deleted'`);
    await q.query(`CREATE TABLE "api_token" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "name" text, "secret_hash" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "last_access" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_d862311c568d175c26f41bc6f98" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "api_token_user_id_idx" ON "api_token" ("user_id")`);
    await q.query(`CREATE UNIQUE INDEX "api_token_secret_hash_key" ON "api_token" ("secret_hash")`);
    await q.query(`CREATE TABLE "catalog_group" ("id" uuid NOT NULL, "name" character varying(100) NOT NULL, "title" text NOT NULL DEFAULT '', "description" text NOT NULL DEFAULT '', "image_url" text NOT NULL DEFAULT '', "type" character varying(100) NOT NULL, "is_organization" boolean NOT NULL, "approval_status" character varying(20) NOT NULL DEFAULT 'approved', "state" character varying(20) NOT NULL DEFAULT 'active', "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "extras" jsonb NOT NULL DEFAULT '{}'::jsonb, CONSTRAINT "PK_68534c1866ac0f3078529f21e58" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "catalog_group_name_key" ON "catalog_group" ("name")`);
    await q.query(`CREATE TABLE "package" ("id" uuid NOT NULL, "name" character varying(100) NOT NULL, "title" text, "notes" text, "url" text, "version" character varying(100), "author" text, "author_email" text, "maintainer" text, "maintainer_email" text, "license_id" text, "owner_org" uuid, "private" boolean NOT NULL DEFAULT false, "state" character varying(20) NOT NULL DEFAULT 'active', "type" character varying(100) NOT NULL DEFAULT 'dataset', "creator_user_id" uuid, "metadata_created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "metadata_modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "extras" jsonb NOT NULL DEFAULT '{}'::jsonb, "plugin_data" jsonb, CONSTRAINT "PK_308364c66df656295bc4ec467c2" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "package_name_key" ON "package" ("name")`);
    await q.query(`CREATE INDEX "package_owner_org_idx" ON "package" ("owner_org")`);
    await q.query(`CREATE INDEX "package_metadata_modified_idx" ON "package" ("metadata_modified")`);
    await q.query(`CREATE INDEX "package_list_idx" ON "package" ("state", "private", "name")`);
    await q.query(`CREATE TABLE "package_group" ("package_id" uuid NOT NULL, "group_id" uuid NOT NULL, CONSTRAINT "PK_4847540cedf98261ef8c8fb9cbd" PRIMARY KEY ("package_id", "group_id"))`);
    await q.query(`CREATE INDEX "package_group_group_id_idx" ON "package_group" ("group_id")`);
    await q.query(`CREATE TABLE "member" ("id" uuid NOT NULL, "group_id" uuid NOT NULL, "user_id" uuid NOT NULL, "capacity" character varying(20) NOT NULL, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "PK_8dd8728f39a62fdae7d385590b7" PRIMARY KEY ("group_id", "user_id"))`);
    await q.query(`CREATE INDEX "member_user_id_idx" ON "member" ("user_id")`);
    await q.query(`CREATE UNIQUE INDEX "member_id_key" ON "member" ("id")`);
    await q.query(`CREATE TABLE "resource" ("id" uuid NOT NULL, "package_id" uuid NOT NULL, "position" integer NOT NULL, "url" text NOT NULL DEFAULT '', "name" text, "description" text, "format" text, "mimetype" text, "mimetype_inner" text, "size" bigint, "hash" text, "url_type" text, "resource_type" text, "cache_url" text, "cache_last_updated" TIMESTAMP WITH TIME ZONE, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "last_modified" TIMESTAMP WITH TIME ZONE, "metadata_modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "state" character varying(20) NOT NULL DEFAULT 'active', "extras" jsonb NOT NULL DEFAULT '{}'::jsonb, CONSTRAINT "PK_e2894a5867e06ae2e8889f1173f" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "resource_package_position_idx" ON "resource" ("package_id", "position")`);
    await q.query(`CREATE TABLE "tag" ("id" uuid NOT NULL, "name" character varying(100) NOT NULL, CONSTRAINT "PK_8e4052373c579afc1471f526760" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "tag_name_key" ON "tag" ("name")`);
    await q.query(`CREATE TABLE "package_tag" ("package_id" uuid NOT NULL, "tag_id" uuid NOT NULL, CONSTRAINT "PK_0a9aedc4f5f847149556e2b9012" PRIMARY KEY ("package_id", "tag_id"))`);
    await q.query(`CREATE INDEX "package_tag_tag_id_idx" ON "package_tag" ("tag_id")`);
    await q.query(`ALTER TABLE "api_token" ADD CONSTRAINT "FK_1725c5ea908ff009f6ab3fa34fd" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "package" ADD CONSTRAINT "FK_c7a7e991b44ac10bf03b030e507" FOREIGN KEY ("owner_org") REFERENCES "catalog_group"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "package" ADD CONSTRAINT "FK_343bca7658044e2f68e138d8b4c" FOREIGN KEY ("creator_user_id") REFERENCES "user_account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "package_group" ADD CONSTRAINT "FK_8f113e34d11aff5f0410a3c15f5" FOREIGN KEY ("package_id") REFERENCES "package"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "package_group" ADD CONSTRAINT "FK_556e9a87c5ebfcb31b41884bd8e" FOREIGN KEY ("group_id") REFERENCES "catalog_group"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "member" ADD CONSTRAINT "FK_790852db0d7a31e1cd3af00af1e" FOREIGN KEY ("group_id") REFERENCES "catalog_group"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "member" ADD CONSTRAINT "FK_efc766611e939bdbe6f7088984d" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "resource" ADD CONSTRAINT "FK_106481d8844d655c62f43e41241" FOREIGN KEY ("package_id") REFERENCES "package"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "package_tag" ADD CONSTRAINT "FK_cee2f0f9bc28dcacd8a54b4ef90" FOREIGN KEY ("package_id") REFERENCES "package"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "package_tag" ADD CONSTRAINT "FK_d7fe0bcf1129c9a521380556a73" FOREIGN KEY ("tag_id") REFERENCES "tag"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "package_tag" DROP CONSTRAINT "FK_d7fe0bcf1129c9a521380556a73"`);
    await q.query(`ALTER TABLE "package_tag" DROP CONSTRAINT "FK_cee2f0f9bc28dcacd8a54b4ef90"`);
    await q.query(`ALTER TABLE "resource" DROP CONSTRAINT "FK_106481d8844d655c62f43e41241"`);
    await q.query(`ALTER TABLE "member" DROP CONSTRAINT "FK_efc766611e939bdbe6f7088984d"`);
    await q.query(`ALTER TABLE "member" DROP CONSTRAINT "FK_790852db0d7a31e1cd3af00af1e"`);
    await q.query(`ALTER TABLE "package_group" DROP CONSTRAINT "FK_556e9a87c5ebfcb31b41884bd8e"`);
    await q.query(`ALTER TABLE "package_group" DROP CONSTRAINT "FK_8f113e34d11aff5f0410a3c15f5"`);
    await q.query(`ALTER TABLE "package" DROP CONSTRAINT "FK_343bca7658044e2f68e138d8b4c"`);
    await q.query(`ALTER TABLE "package" DROP CONSTRAINT "FK_c7a7e991b44ac10bf03b030e507"`);
    await q.query(`ALTER TABLE "api_token" DROP CONSTRAINT "FK_1725c5ea908ff009f6ab3fa34fd"`);
    await q.query(`DROP INDEX "public"."package_tag_tag_id_idx"`);
    await q.query(`DROP TABLE "package_tag"`);
    await q.query(`DROP INDEX "public"."tag_name_key"`);
    await q.query(`DROP TABLE "tag"`);
    await q.query(`DROP INDEX "public"."resource_package_position_idx"`);
    await q.query(`DROP TABLE "resource"`);
    await q.query(`DROP INDEX "public"."member_id_key"`);
    await q.query(`DROP INDEX "public"."member_user_id_idx"`);
    await q.query(`DROP TABLE "member"`);
    await q.query(`DROP INDEX "public"."package_group_group_id_idx"`);
    await q.query(`DROP TABLE "package_group"`);
    await q.query(`DROP INDEX "public"."package_list_idx"`);
    await q.query(`DROP INDEX "public"."package_metadata_modified_idx"`);
    await q.query(`DROP INDEX "public"."package_owner_org_idx"`);
    await q.query(`DROP INDEX "public"."package_name_key"`);
    await q.query(`DROP TABLE "package"`);
    await q.query(`DROP INDEX "public"."catalog_group_name_key"`);
    await q.query(`DROP TABLE "catalog_group"`);
    await q.query(`DROP INDEX "public"."api_token_secret_hash_key"`);
    await q.query(`DROP INDEX "public"."api_token_user_id_idx"`);
    await q.query(`DROP TABLE "api_token"`);
    await q.query(`DROP INDEX "public"."user_account_email_key"`);
    await q.query(`DROP INDEX "public"."user_account_name_key"`);
    await q.query(`DROP TABLE "user_account"`);
  }
}
