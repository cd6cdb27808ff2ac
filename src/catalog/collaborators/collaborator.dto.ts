import { ckanTimestamp } from '../../common/ckan-time';
import { Field, ignoreMissing, maxLength, notEmpty, unicodeSafe } from '../../api/ckan-schema';
import type { CollaboratorRow } from './collaborator.repository';

/** package_collaborator_create (CKAN's _get_or_bust of id, user_id, capacity; the capacity is checked against the settings). */
export class CollaboratorCreateInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(notEmpty, unicodeSafe, maxLength(100)) user_id!: string;
  @Field(notEmpty, unicodeSafe, maxLength(100)) capacity!: string;
}

/** package_collaborator_delete */
export class CollaboratorDeleteInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(notEmpty, unicodeSafe, maxLength(100)) user_id!: string;
}

/** package_collaborator_list (id: the dataset) and package_collaborator_list_for_user (id: the user). */
export class CollaboratorListInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) capacity?: string;
}

/** A collaborator as CKAN's PackageMember.as_dict() and member_dictize answer it. */
export interface CollaboratorDict {
  package_id: string;
  user_id: string;
  capacity: string;
  modified: string;
}

export const toCollaboratorDict = (r: CollaboratorRow): CollaboratorDict => ({
  package_id: r.package_id,
  user_id: r.user_id,
  capacity: r.capacity,
  modified: ckanTimestamp(r.modified)!,
});

/** A collaboration as package_collaborator_list_for_user answers it (no user_id). */
export const toCollaborationDict = (r: CollaboratorRow): Omit<CollaboratorDict, 'user_id'> => ({
  package_id: r.package_id,
  capacity: r.capacity,
  modified: ckanTimestamp(r.modified)!,
});
