import { Field, ignoreMissing, maxLength, notEmpty, unicodeSafe } from '../../api/ckan-schema';
import { mustBeAbsent } from '../tags/tag.dto';
import type { NamedRelationshipRow } from './relationship.repository';

/** CKAN's PackageRelationship.types: each forward type with its reverse ("A depends_on B" is "B dependency_of A"). */
export const RELATIONSHIP_TYPES: readonly (readonly [string, string])[] = [
  ['depends_on', 'dependency_of'],
  ['derives_from', 'has_derivation'],
  ['links_to', 'linked_from'],
  ['child_of', 'parent_of'],
];

/** Every type a caller may name, forward and reverse, in CKAN's order. */
export const ALL_RELATIONSHIP_TYPES: readonly string[] = RELATIONSHIP_TYPES.flat();

export const isRelationshipType = (t: string): boolean => ALL_RELATIONSHIP_TYPES.includes(t);

/** The type read from the other end: depends_on ↔ dependency_of, and so on. */
export function reverseType(type: string): string {
  for (const [fwd, rev] of RELATIONSHIP_TYPES) {
    if (type === fwd) return rev;
    if (type === rev) return fwd;
  }
  return type;
}

const isForward = (type: string): boolean => RELATIONSHIP_TYPES.some(([fwd]) => fwd === type);

/** How "subject type object" is stored: forward types as they are, reverse ones turned round ("B parent_of A" is "A child_of B"). */
export function storedForm<T>(subject: T, type: string, object: T): { subject: T; type: string; object: T } {
  return isForward(type) ? { subject, type, object } : { subject: object, type: reverseType(type), object: subject };
}

/** Comments have no bound in CKAN; one keeps a row from growing without limit. */
const COMMENT_MAX = 10_000;

/** default_create_relationship_schema (with _get_or_bust's required subject, object and type). */
export class RelationshipCreateInput {
  @Field(mustBeAbsent) id?: string;
  @Field(notEmpty, unicodeSafe, maxLength(100)) subject!: string;
  @Field(notEmpty, unicodeSafe, maxLength(100)) object!: string;
  @Field(notEmpty, unicodeSafe, maxLength(100)) type!: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(COMMENT_MAX)) comment?: string;
}

/** default_update_relationship_schema: subject, object and type name the relationship; only the comment changes. */
export class RelationshipUpdateInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) subject!: string;
  @Field(notEmpty, unicodeSafe, maxLength(100)) object!: string;
  @Field(notEmpty, unicodeSafe, maxLength(100)) type!: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(COMMENT_MAX)) comment?: string;
}

/** package_relationship_delete's parameters. */
export class RelationshipDeleteInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) subject!: string;
  @Field(notEmpty, unicodeSafe, maxLength(100)) object!: string;
  @Field(notEmpty, unicodeSafe, maxLength(100)) type!: string;
}

/** package_relationships_list's parameters. */
export class RelationshipsListInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) id2?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) rel?: string;
}

export interface RelationshipDict {
  subject: string;
  type: string;
  object: string;
  comment: string;
}

/**
 * PackageRelationship.as_dict as the action API (version 3) answers it: datasets by name; from `viewpointId`'s side
 * when it is the object (subject and object swapped, the type reversed), else in the stored forward form.
 */
export function toRelationshipDict(r: NamedRelationshipRow, viewpointId?: string): RelationshipDict {
  if (viewpointId !== undefined && viewpointId === r.object_package_id) {
    return { subject: r.object_name, type: reverseType(r.type), object: r.subject_name, comment: r.comment };
  }
  return { subject: r.subject_name, type: r.type, object: r.object_name, comment: r.comment };
}

/** Python's repr() of a string, as CKAN's "%r" puts a reference into its messages. */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
}
