import { Field, ignoreMissing, Invalid, NestedList, notEmpty, notMissing, Step, unicodeSafe, maxItems, maxLength } from '../../api/ckan-schema';
import { DATASET_LIST_MAX, tagNameValidator } from '../datasets/dataset.dto';
import { idInData, mustBeAbsent } from './tag.dto';
import type { VocabularyRow, VocabularyTagRow } from './vocabulary.repository';

/** vocabulary_name_validator's length rule (its "in use" check needs the database: the handler). */
const vocabularyName: Step = (v) => {
  const s = v as string;
  if (s.length < 2) return new Invalid('Name must be at least 2 characters long');
  if (s.length > 100) return new Invalid('Name must be a maximum of 100 characters long');
  return s;
};

export class VocabularyTagInput {
  @Field(notMissing, notEmpty, unicodeSafe, tagNameValidator) name!: string;
}

/** default_create_vocabulary_schema */
export class VocabularyCreateInput {
  @Field(mustBeAbsent) id?: string;
  @Field(notMissing, notEmpty, unicodeSafe, vocabularyName) name!: string;
  @NestedList(VocabularyTagInput, { flatten: true, before: [maxItems(DATASET_LIST_MAX, 'tags')] }) tags?: VocabularyTagInput[];
}

/** default_update_vocabulary_schema: `tags`, when sent, replace the vocabulary's tags. */
export class VocabularyUpdateInput {
  @Field(idInData, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreMissing, unicodeSafe, vocabularyName) name?: string;
  @NestedList(VocabularyTagInput, { flatten: true, before: [maxItems(DATASET_LIST_MAX, 'tags')] }) tags?: VocabularyTagInput[];
}

export class VocabularyIdInput {
  @Field(idInData, unicodeSafe, maxLength(100)) id!: string;
}

export interface TagDict {
  display_name: string;
  id: string;
  name: string;
  vocabulary_id: string | null;
}

export const toTagDict = (t: { id: string; name: string; vocabulary_id: string | null }): TagDict => ({
  display_name: t.name, id: t.id, name: t.name, vocabulary_id: t.vocabulary_id,
});

/** vocabulary_dictize: the vocabulary with its tags. */
export const toVocabularyDict = (v: VocabularyRow, tags: VocabularyTagRow[]): { id: string; name: string; tags: TagDict[] } => ({
  id: v.id, name: v.name, tags: tags.filter((t) => t.vocabulary_id === v.id).map(toTagDict),
});
