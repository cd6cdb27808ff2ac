import { booleanValidator, Field, ignoreMissing, maxLength, notEmpty, unicodeSafe } from '../../api/ckan-schema';

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
