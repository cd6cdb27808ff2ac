import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tag vocabularies (issue 13): CKAN's `vocabulary` table and `tag.vocabulary_id`. A tag name is unique among the free
 * tags and within each vocabulary, so `tag_name_key` becomes partial (free tags only: the writers' `ON CONFLICT (name)`
 * names it) and a second index covers the vocabularies. Deleting a vocabulary deletes its tags and their links, as
 * CKAN's vocabulary_delete leaves no tag behind.
 */
export class TagVocabularies1795910000000 implements MigrationInterface {
  name = 'TagVocabularies1795910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "vocabulary" ("id" uuid NOT NULL, "name" character varying(100) NOT NULL, CONSTRAINT "vocabulary_pkey" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "vocabulary_name_key" ON "vocabulary" ("name")`);
    await q.query(`ALTER TABLE "tag" ADD "vocabulary_id" uuid`);
    await q.query(`DROP INDEX "public"."tag_name_key"`);
    await q.query(`CREATE UNIQUE INDEX "tag_name_key" ON "tag" ("name") WHERE "vocabulary_id" IS NULL`);
    await q.query(`CREATE UNIQUE INDEX "tag_vocabulary_name_key" ON "tag" ("vocabulary_id", "name")`);
    await q.query(
      `ALTER TABLE "tag" ADD CONSTRAINT "tag_vocabulary_id_fkey" FOREIGN KEY ("vocabulary_id") REFERENCES "vocabulary"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "tag" DROP CONSTRAINT "tag_vocabulary_id_fkey"`);
    await q.query(`DELETE FROM "tag" WHERE "vocabulary_id" IS NOT NULL`);
    await q.query(`DROP INDEX "public"."tag_vocabulary_name_key"`);
    await q.query(`DROP INDEX "public"."tag_name_key"`);
    await q.query(`CREATE UNIQUE INDEX "tag_name_key" ON "tag" ("name")`);
    await q.query(`ALTER TABLE "tag" DROP COLUMN "vocabulary_id"`);
    await q.query(`DROP INDEX "public"."vocabulary_name_key"`);
    await q.query(`DROP TABLE "vocabulary"`);
  }
}
