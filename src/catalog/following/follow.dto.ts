import { Field, ignoreMissing, maxLength, notEmpty, notMissing, unicodeSafe } from '../../api/ckan-schema';

/** CKAN's default_follow_*_schema: the id or name of the user, dataset or group. */
export class FollowInput {
  @Field(notMissing, notEmpty, unicodeSafe, maxLength(100)) id!: string;
}

/** followee_list */
export class FolloweeListInput {
  @Field(notMissing, notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) q?: string;
}
