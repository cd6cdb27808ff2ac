import { validationModeOrReport, booleanValidator, DROP, Field, ignore, ignoreEmpty, ignoreMissing, intValidator, Invalid, isoDate, maxLength, notEmpty, Step, unicodeSafe, uuidValidator } from '../../api/ckan-schema';
import { mediaTypeProblem } from './media-type';
import { UploadedFile } from './uploaded-file';

const URL_MAX = 8000;
const TEXT_MAX = 100_000;
const text = (max = 1000): Step[] => [ignoreMissing, unicodeSafe, maxLength(max)];
const removeWhitespace: Step = (v) => (typeof v === 'string' ? v.trim() : v);
/** The download route sends `mimetype` as Content-Type, so it must be one media type; '' (no type) is kept as sent. */
const mediaType: Step = (v) => {
  if (typeof v !== 'string' || v === '') return v;
  const problem = mediaTypeProblem(v);
  return problem ? new Invalid(problem) : v;
};
/** Only a file received from multipart counts; any other value under `upload` is ignored, as CKAN does. */
const uploadedFile: Step = (v) => (v instanceof UploadedFile ? v : DROP);

/**
 * default_resource_schema. Keys not declared here are kept and returned as top-level keys of the
 * resource (CKAN's resource extras); a key literally named `extras` is dropped.
 */
export class ResourceInput {
  @Field(ignoreEmpty, uuidValidator) id?: string;
  @Field(ignore) package_id?: unknown;
  @Field(ignoreMissing, unicodeSafe, removeWhitespace, maxLength(URL_MAX)) url?: string;
  @Field(...text(TEXT_MAX)) description?: string;
  @Field(...text(100)) format?: string;
  @Field(...text()) hash?: string;
  @Field(ignore) state?: unknown;
  @Field(ignore) position?: unknown;
  @Field(...text()) name?: string;
  @Field(...text(100)) resource_type?: string;
  @Field(...text(100)) url_type?: string;
  @Field(...text(200), mediaType) mimetype?: string;
  @Field(...text(200)) mimetype_inner?: string;
  @Field(...text(URL_MAX)) cache_url?: string;
  @Field(ignoreMissing, intValidator) size?: number | null;
  @Field(ignoreMissing, isoDate) created?: string | null;
  @Field(ignoreMissing, isoDate) last_modified?: string | null;
  @Field(ignoreMissing, isoDate) cache_last_updated?: string | null;
  @Field(ignore) metadata_modified?: unknown;
  @Field(ignore) extras?: unknown;
  @Field(ignore) revision_timestamp?: unknown;
  @Field(ignore) tracking_summary?: unknown;
  /** The file, sent as the multipart field `upload` (resource_create, resource_update, resource_patch). */
  @Field(ignoreMissing, uploadedFile) upload?: UploadedFile;
  /** true: an upload resource becomes a link again (its file is removed). */
  @Field(ignoreMissing, booleanValidator) clear_upload?: boolean;
  /** DCAT-AP.de validation of this write: off, warn (default) or enforce; not stored. A report sent back as it came is ignored. */
  @Field(ignoreMissing, validationModeOrReport) dcat_validation?: 'off' | 'warn' | 'enforce';
}

export class ResourceCreateInput extends ResourceInput {
  /** The dataset, by id or name. */
  @Field(notEmpty, unicodeSafe, maxLength(100)) override package_id!: string;
}

export class ResourceUpdateInput extends ResourceInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) override id!: string;
}

export class ResourceIdInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
}
