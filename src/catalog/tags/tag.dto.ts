import {
  booleanValidator, DROP, Field, ignoreEmpty, ignoreMissing, Invalid, jsonObject, maxLength, naturalNumber, notEmpty, notMissing, Step, unicodeSafe, documented,
} from '../../api/ckan-schema';
import { tagNameValidator } from '../datasets/dataset.dto';

export class TagListInput {
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) query?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) q?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) vocabulary_id?: string;
  @Field(ignoreMissing, booleanValidator) all_fields = false;
}

export class TagShowInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) vocabulary_id?: string;
  @Field(ignoreMissing, booleanValidator) include_datasets = false;
}

/** CKAN's `empty` validator: the field may not be sent (an id is never the client's to choose). */
export const mustBeAbsent: Step = (v) => (v === undefined || v === null || v === '' ? DROP : new Invalid('The input field id was not expected.'));

/** A required reference checked as CKAN's delete/show actions check it by hand: "id not in data". */
export const idInData: Step = documented((v) => (v === undefined || v === null || v === '' ? new Invalid('id not in data') : v), { presence: 'required' });

/** tag_search's `query`: one term or a list of terms. */
const terms: Step = (v) => {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((t) => typeof t !== 'string' || t.length > 100)) return new Invalid('Must be a string or a list of strings');
  return list;
};

/** default_create_tag_schema: a vocabulary tag (free tags come with datasets). */
export class TagCreateInput {
  @Field(mustBeAbsent) id?: string;
  @Field(notMissing, notEmpty, unicodeSafe, tagNameValidator) name!: string;
  @Field(notMissing, notEmpty, unicodeSafe, maxLength(100)) vocabulary_id!: string;
}

export class TagDeleteInput {
  @Field(idInData, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) vocabulary_id?: string;
}

export class TagSearchInput {
  @Field(ignoreMissing, terms) query?: string[];
  @Field(ignoreMissing, terms) q?: string[];
  /** Deprecated in CKAN: `{tags: "term"}` adds a term. */
  @Field(ignoreMissing, jsonObject) fields?: Record<string, unknown>;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) vocabulary_id?: string;
  @Field(ignoreEmpty, naturalNumber) limit?: number;
  @Field(ignoreEmpty, naturalNumber) offset?: number;
}

/** The terms a tag_search or tag_autocomplete call asks for: `query` or `q`, and CKAN's deprecated `fields` {tags: term}. */
export function tagSearchTerms(input: TagSearchInput): string[] {
  const terms = [...(input.query ?? input.q ?? [])];
  for (const [field, value] of Object.entries(input.fields ?? {})) {
    if ((field === 'tag' || field === 'tags') && typeof value === 'string') terms.push(value);
  }
  return terms.map((t) => t.trim()).filter(Boolean);
}
