import { booleanValidator, Field, ignoreMissing, Invalid, maxLength, nameValidator, notEmpty, oneOf, Step, unicodeSafe } from '../api/ckan-schema';
import { ckanTimestamp } from '../common/ckan-time';
import type { HarvestJobRow, HarvestObjectRow, HarvestStats } from './harvest.repository';
import { NO_STATS } from './harvest.repository';

/** ckanext-harvest's UPDATE_FREQUENCIES, with HOURLY (issue 15). */
export const FREQUENCIES = ['MANUAL', 'HOURLY', 'DAILY', 'WEEKLY', 'BIWEEKLY', 'MONTHLY', 'ALWAYS'] as const;
export const JOB_STATUSES = ['New', 'Running', 'Finished', 'Aborted'] as const;

/** harvest_source_url_validator: an absolute http(s) URL. */
const httpUrl: Step = (v) => {
  if (typeof v !== 'string') return new Invalid('Must be a string');
  try {
    const u = new URL(v.trim());
    if (u.protocol === 'http:' || u.protocol === 'https:') return v.trim();
  } catch {
    /* answered below */
  }
  return new Invalid('Invalid URL: only absolute http and https URLs are harvested');
};

const upper: Step = (v) => (typeof v === 'string' ? v.toUpperCase() : v);
const aString: Step = (v) => (typeof v === 'string' ? v : new Invalid('Must be a JSON string'));

/** harvest_source_create (and _update: all of it again). */
export class HarvestSourceCreateInput {
  @Field(notEmpty, httpUrl, maxLength(2000)) url!: string;
  @Field(notEmpty, unicodeSafe, nameValidator) name!: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(1000)) title?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(10000)) notes?: string;
  @Field(notEmpty, unicodeSafe, maxLength(100)) source_type!: string;
  @Field(ignoreMissing, upper, oneOf(FREQUENCIES)) frequency?: string;
  @Field(ignoreMissing, aString, maxLength(100_000)) config?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) owner_org?: string;
  @Field(ignoreMissing, booleanValidator) active?: boolean;
  @Field(ignoreMissing, booleanValidator) private?: boolean;
}

export class HarvestSourceUpdateInput extends HarvestSourceCreateInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
}

/** harvest_source_patch: what is given replaces, the rest stays. */
export class HarvestSourcePatchInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreMissing, httpUrl, maxLength(2000)) url?: string;
  @Field(ignoreMissing, unicodeSafe, nameValidator) name?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(1000)) title?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(10000)) notes?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) source_type?: string;
  @Field(ignoreMissing, upper, oneOf(FREQUENCIES)) frequency?: string;
  @Field(ignoreMissing, aString, maxLength(100_000)) config?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) owner_org?: string;
  @Field(ignoreMissing, booleanValidator) active?: boolean;
  @Field(ignoreMissing, booleanValidator) private?: boolean;
}

/** harvest_source_show: id (or name), or url. */
export class HarvestSourceShowInput {
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) id?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(2000)) url?: string;
}

export class HarvestIdInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
}

export class HarvestSourceDeleteInput extends HarvestIdInput {
  @Field(ignoreMissing, booleanValidator) clearsource?: boolean;
}

export class HarvestSourceListInput {
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) organization_id?: string;
  @Field(ignoreMissing, booleanValidator) only_active?: boolean;
  @Field(ignoreMissing, booleanValidator) return_last_job_status?: boolean;
}

export class HarvestJobCreateInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) source_id!: string;
}

export class HarvestJobListInput {
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) source_id?: string;
  @Field(ignoreMissing, oneOf(JOB_STATUSES)) status?: string;
}

/** harvest_job_abort: the job's id, or the source whose open job is aborted. */
export class HarvestJobAbortInput {
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) id?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) source_id?: string;
}

/** harvest_object_list: ckanext-harvest's params (only_current defaults to true). */
export class HarvestObjectListInput {
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) source_id?: string;
  @Field(ignoreMissing, booleanValidator) only_current?: boolean;
}

export class HarvestObjectShowInput {
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) id?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) dataset_id?: string;
}

const ts = (d: Date | string | null): string | null => (d ? ckanTimestamp(d) ?? null : null);

/** harvest_job_dictize: the job with its stats and error summaries. */
export const toJobDict = (j: HarvestJobRow, summaries?: { object: unknown[]; gather: unknown[] }): Record<string, unknown> => ({
  id: j.id,
  source_id: j.source_id,
  source: j.source_id,
  status: j.status,
  created: ts(j.created),
  gather_started: ts(j.gather_started),
  gather_finished: ts(j.gather_finished),
  finished: ts(j.finished),
  stats: { ...NO_STATS, ...j.stats } as HarvestStats,
  progress: j.progress && j.progress.done >= 0 ? j.progress : null,
  message: j.message,
  ...(summaries ? { object_error_summary: summaries.object, gather_error_summary: summaries.gather } : {}),
});

/** harvest_object_dictize. */
export const toObjectDict = (o: HarvestObjectRow, errors: { message: string; stage: string; line: number | null; created: Date | string }[]): Record<string, unknown> => ({
  id: o.id,
  guid: o.guid,
  identifier: o.identifier,
  current: o.current,
  detached: o.detached,
  gathered: ts(o.gathered),
  metadata_modified_date: ts(o.modified),
  content: o.content,
  import_started: ts(o.import_started),
  import_finished: ts(o.import_finished),
  report_status: o.report_status,
  harvest_source_id: o.source_id,
  harvest_job_id: o.job_id,
  package_id: o.package_id,
  source: o.source_id,
  job: o.job_id,
  package: o.package_id,
  errors: errors.map((e) => ({ message: e.message, stage: e.stage, line: e.line, created: ts(e.created) })),
  extras: {},
});
