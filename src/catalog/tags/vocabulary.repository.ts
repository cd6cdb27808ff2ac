import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { isUuid } from '../../api/ckan-schema';

export interface VocabularyRow {
  id: string;
  name: string;
}

export interface VocabularyTagRow {
  id: string;
  name: string;
  vocabulary_id: string;
}

/** Every query on the vocabulary table and on its tags. */
@Injectable()
export class VocabularyRepository {
  async list(db: EntityManager): Promise<VocabularyRow[]> {
    return db.query(`SELECT id, name FROM vocabulary ORDER BY name COLLATE "C"`);
  }

  /** By id, then by name (CKAN's Vocabulary.get). */
  async find(db: EntityManager, idOrName: string): Promise<VocabularyRow | null> {
    if (isUuid(idOrName)) {
      const byId = await this.findById(db, idOrName);
      if (byId) return byId;
    }
    const rows: VocabularyRow[] = await db.query(`SELECT id, name FROM vocabulary WHERE name = $1`, [idOrName]);
    return rows[0] ?? null;
  }

  /** By id only (CKAN's vocabulary_id_exists: a dataset's or tag_create's `vocabulary_id` is an id). */
  async findById(db: EntityManager, id: string): Promise<VocabularyRow | null> {
    if (!isUuid(id)) return null;
    const rows: VocabularyRow[] = await db.query(`SELECT id, name FROM vocabulary WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async nameTaken(db: EntityManager, name: string, exceptId?: string): Promise<boolean> {
    const rows: { id: string }[] = await db.query(`SELECT id FROM vocabulary WHERE name = $1`, [name]);
    return rows.some((r) => r.id !== exceptId);
  }

  async insert(db: EntityManager, name: string): Promise<string> {
    const id = randomUUID();
    await db.query(`INSERT INTO vocabulary (id, name) VALUES ($1, $2)`, [id, name]);
    return id;
  }

  async rename(db: EntityManager, id: string, name: string): Promise<void> {
    await db.query(`UPDATE vocabulary SET name = $2 WHERE id = $1`, [id, name]);
  }

  /** Deletes the vocabulary and (by cascade) its tags and their links to datasets. */
  async delete(db: EntityManager, id: string): Promise<void> {
    await db.query(`DELETE FROM vocabulary WHERE id = $1`, [id]);
  }

  /** The tags of the given vocabularies, by name. */
  async tagsOf(db: EntityManager, vocabularyIds: string[]): Promise<VocabularyTagRow[]> {
    if (!vocabularyIds.length) return [];
    return db.query(`SELECT id, name, vocabulary_id FROM tag WHERE vocabulary_id = ANY($1::uuid[]) ORDER BY name COLLATE "C"`, [vocabularyIds]);
  }

  /** The vocabulary's tags among `names`. */
  async tagsNamed(db: EntityManager, vocabularyId: string, names: string[]): Promise<VocabularyTagRow[]> {
    return db.query(`SELECT id, name, vocabulary_id FROM tag WHERE vocabulary_id = $1 AND name = ANY($2::text[])`, [vocabularyId, names]);
  }

  /** Adds the tag to the vocabulary; false when it already has one of that name. */
  async addTag(db: EntityManager, vocabularyId: string, name: string): Promise<VocabularyTagRow | null> {
    const rows: VocabularyTagRow[] = await db.query(
      `INSERT INTO tag (id, name, vocabulary_id) VALUES ($1, $2, $3) ON CONFLICT (vocabulary_id, name) DO NOTHING RETURNING id, name, vocabulary_id`,
      [randomUUID(), name, vocabularyId],
    );
    return rows[0] ?? null;
  }

  /** Makes the vocabulary hold exactly `names`: tags already in it keep their ids (and datasets), others go or come. */
  async setTags(db: EntityManager, vocabularyId: string, names: string[]): Promise<void> {
    await db.query(`DELETE FROM tag WHERE vocabulary_id = $1 AND NOT (name = ANY($2::text[]))`, [vocabularyId, names]);
    await db.query(
      `INSERT INTO tag (id, name, vocabulary_id) SELECT gen_random_uuid(), n, $1 FROM unnest($2::text[]) AS n ORDER BY n COLLATE "C"
        ON CONFLICT (vocabulary_id, name) DO NOTHING`,
      [vocabularyId, names],
    );
  }

  /** Datasets (any state) carrying one of the vocabulary's tags that `keep` does not name; all of them without `keep`. */
  async datasetIdsLosing(db: EntityManager, vocabularyId: string, keep?: string[]): Promise<string[]> {
    const rows: { id: string }[] = await db.query(
      `SELECT DISTINCT pt.package_id AS id FROM package_tag pt JOIN tag t ON t.id = pt.tag_id
        WHERE t.vocabulary_id = $1 AND ($2::text[] IS NULL OR NOT (t.name = ANY($2::text[])))`,
      [vocabularyId, keep ?? null],
    );
    return rows.map((r) => r.id);
  }
}
