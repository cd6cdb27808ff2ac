import { validationModeOrReport,
  booleanValidator, emailValidator, Field, ignoreEmpty, ignoreMissing, Invalid, isoDate, jsonObject, maxItems, maxLength, nameValidator,
  NestedList, naturalNumber, notEmpty, notMissing, Step, stripValue, unicodeSafe, uuidValidator, versionValidator,
} from '../../api/ckan-schema';
import { ResourceInput } from '../resources/resource.dto';

/** Bounds on free text, so one request cannot store megabytes in a title (CKAN compat: CKAN has no bound on these). */
export const TITLE_MAX = 1000;
export const TEXT_MAX = 1000;
export const NOTES_MAX = 100_000;
export const URL_MAX = 8000;
export const EXTRA_KEY_MAX = 1000;
export const EXTRA_VALUE_MAX = 100_000;
/** Longest list of tags, resources, extras and groups in one dataset (CKAN compat: CKAN has no bound; see README). */
export const DATASET_LIST_MAX = 1000;

const text = (max = TEXT_MAX): Step[] => [ignoreMissing, unicodeSafe, maxLength(max)];

/** tag_length_validator + tag_name_validator */
const TAG_NAME = /^[\p{L}\p{N}_ \-.]*$/u;
export const tagNameValidator: Step = (v) => {
  const s = v as string;
  if (s.length < 2) return new Invalid(`Tag "${s}" length is less than minimum 2`);
  if (s.length > 100) return new Invalid(`Tag "${s}" length is more than maximum 100`);
  if (!TAG_NAME.test(s)) {
    return new Invalid(`Tag "${s}" can only contain alphanumeric characters, spaces (" "), hyphens ("-"), underscores ("_") or dots (".")`);
  }
  return s;
};

/** tag_string_convert: "a, b" → ['a', 'b'], each checked like a tag. */
const tagStringConvert: Step = (v) => {
  const list = typeof v === 'string' ? v.split(',').map((t) => t.trim()).filter(Boolean) : v;
  if (!Array.isArray(list)) return new Invalid('Not a list');
  if (list.length > DATASET_LIST_MAX) return new Invalid(`At most ${DATASET_LIST_MAX} tags`);
  for (const t of list) {
    if (typeof t !== 'string') return new Invalid('Not a string');
    const r = tagNameValidator(t, {});
    if (r instanceof Invalid) return r;
  }
  return list;
};

/** A dataset `type`: CKAN accepts any string; we keep it to a sane identifier. */
const typeValidator: Step = (v) =>
  typeof v === 'string' && /^[a-z0-9_-]{1,100}$/.test(v) ? v : new Invalid('Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_');

export class TagInput {
  @Field(notMissing, notEmpty, unicodeSafe, tagNameValidator) name!: string;
  /** A vocabulary's id: the tag must be one of its tags (checked by the writer); absent or empty: a free tag. */
  @Field(ignoreEmpty, unicodeSafe, maxLength(100)) vocabulary_id?: string;
}

export class ExtraInput {
  @Field(notEmpty, unicodeSafe, maxLength(EXTRA_KEY_MAX)) key!: string;
  @Field(notMissing) value!: unknown;
  @Field(ignoreMissing, booleanValidator) deleted?: boolean;
}
export class GroupRefInput {
  @Field(...text(100)) id?: string;
  @Field(...text(100)) name?: string;
  @Field(...text(TITLE_MAX)) title?: string;
}

/** default_create_package_schema */
export class PackageCreateInput {
  /** Only sysadmins may choose the id (harvesters keep the remote one); it must be a UUID. */
  @Field(ignoreEmpty, uuidValidator) id?: string;
  @Field(notEmpty, unicodeSafe, nameValidator) name!: string;
  @Field(...text(TITLE_MAX)) title?: string;
  @Field(...text()) author?: string;
  @Field(ignoreMissing, unicodeSafe, stripValue, maxLength(TEXT_MAX), emailValidator) author_email?: string;
  @Field(...text()) maintainer?: string;
  @Field(ignoreMissing, unicodeSafe, stripValue, maxLength(TEXT_MAX), emailValidator) maintainer_email?: string;
  @Field(...text()) license_id?: string;
  /** DCAT-AP.de validation of this write: off, warn (default) or enforce; not stored. A report sent back as it came is ignored. */
  @Field(ignoreMissing, validationModeOrReport) dcat_validation?: 'off' | 'warn' | 'enforce';
  @Field(...text(NOTES_MAX)) notes?: string;
  @Field(...text(URL_MAX)) url?: string;
  @Field(ignoreMissing, unicodeSafe, versionValidator) version?: string;
  @Field(ignoreMissing, unicodeSafe) state?: string;
  @Field(ignoreMissing, unicodeSafe, typeValidator) type?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) owner_org?: string;
  @Field(ignoreMissing, booleanValidator) private?: boolean;
  /** Issue 14: public, internal, shared or private; checked against `private` by the writer (resolveAccessLevel). */
  @Field(ignoreMissing, unicodeSafe) access_level?: string;
  @NestedList(ResourceInput, { before: [maxItems(DATASET_LIST_MAX, 'resources')] }) resources?: ResourceInput[];
  @NestedList(TagInput, { flatten: true, before: [maxItems(DATASET_LIST_MAX, 'tags')] }) tags?: TagInput[];
  @Field(ignoreMissing, tagStringConvert) tag_string?: string[];
  @NestedList(ExtraInput, { before: [maxItems(DATASET_LIST_MAX, 'extras')] }) extras?: ExtraInput[];
  @NestedList(GroupRefInput, { before: [maxItems(DATASET_LIST_MAX, 'groups')] }) groups?: GroupRefInput[];
  @Field(ignoreMissing, jsonObject) plugin_data?: Record<string, unknown>;
  /** Sysadmins may set the creation/modification times on create (harvest imports). */
  @Field(ignoreMissing, isoDate) metadata_created?: string;
  @Field(ignoreMissing, isoDate) metadata_modified?: string;
  /**
   * Not CKAN's: sysadmins and the site mark a dataset kept by an outside process (the harvest runner marks what it
   * harvested), which then only they edit (src/auth/visibility.ts). Kept when omitted; ignored from anyone else; not shown.
   */
  @Field(ignoreMissing, booleanValidator) read_only?: boolean;
}

/** default_update_package_schema: the dataset is named by `id` or `name`; everything else as on create. */
export class PackageUpdateInput extends PackageCreateInput {
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) override id?: string;
  @Field(ignoreMissing, unicodeSafe, nameValidator) override name!: string;
}

export class PackageShowInput {
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) id?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) name_or_id?: string;
  @Field(ignoreMissing, booleanValidator) use_default_schema?: boolean;
  @Field(ignoreMissing, booleanValidator) include_plugin_data?: boolean;
}

export class IdInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
}

export class PackageListInput {
  @Field(ignoreEmpty, naturalNumber) limit?: number;
  @Field(ignoreEmpty, naturalNumber) offset?: number;
}

export class CurrentPackageListInput {
  @Field(ignoreEmpty, naturalNumber) limit?: number;
  @Field(ignoreEmpty, naturalNumber) offset?: number;
  @Field(ignoreEmpty, naturalNumber) page?: number;
}

export class AutocompleteInput {
  @Field(notEmpty, unicodeSafe, maxLength(200)) q!: string;
  @Field(ignoreEmpty, naturalNumber) limit = 10;
}
