import { Field, ignoreEmpty, ignoreMissing, Invalid, maxLength, naturalNumber, notEmpty, oneOf, Step, unicodeSafe } from '../../api/ckan-schema';
import { ACCESS_LEVELS } from '../../auth/visibility';

/** Longest note an approver may send back with a dataset. */
export const NOTE_MAX = 2000;
/** dataset_approval_list's page: default and largest. */
export const APPROVAL_LIST_LIMIT = 20;
export const APPROVAL_LIST_MAX = 1000;

/** A note must say something: whitespace alone is no reason. */
const hasText: Step = (v) => (typeof v === 'string' && !v.trim() ? new Invalid('Missing value') : typeof v === 'string' ? v.trim() : v);

/** dataset_submit */
export class DatasetSubmitInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
}

/** dataset_publish: the access level may be set in the same step. */
export class DatasetPublishInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreMissing, unicodeSafe, oneOf(ACCESS_LEVELS)) access_level?: string;
}

/** dataset_send_back: the note tells the steward why. */
export class DatasetSendBackInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(notEmpty, unicodeSafe, hasText, maxLength(NOTE_MAX)) note!: string;
}

/** dataset_approval_list */
export class DatasetApprovalListInput {
  @Field(ignoreEmpty, unicodeSafe, maxLength(100)) organization?: string;
  @Field(ignoreEmpty, naturalNumber) limit = APPROVAL_LIST_LIMIT;
  @Field(ignoreEmpty, naturalNumber) offset = 0;
}
