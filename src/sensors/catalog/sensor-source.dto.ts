import { Field, ignoreEmpty, ignoreMissing, jsonObject, listIfString, listOfStrings, maxItems, maxLength, nameValidator, naturalNumber, notEmpty, notMissing, oneOf, unicodeSafe } from '../../api/ckan-schema';
import { SOURCE_TYPES, SourceType } from './sensor-source-config';
import { maskSecrets } from './sensor-source-secrets';
import type { SourceRow } from './sensor-source.repository';

export const SOURCE_STATES = ['active', 'paused'] as const;
const TITLE_MAX = 1000;

/** sensor_source_create */
export class SensorSourceCreateInput {
  @Field(notEmpty, unicodeSafe, nameValidator) name!: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(TITLE_MAX)) title?: string;
  /** The organization, by id or name. */
  @Field(notEmpty, unicodeSafe, maxLength(100)) owner_org!: string;
  @Field(notEmpty, oneOf(SOURCE_TYPES)) type!: SourceType;
  /** Checked per type in the handler (sensor-source-config.ts), so its errors name each setting. */
  @Field(ignoreMissing, jsonObject) config?: Record<string, unknown>;
  @Field(ignoreMissing, oneOf(SOURCE_STATES)) state?: (typeof SOURCE_STATES)[number];
}

/** sensor_source_update: the source by `id` (id or name), then the whole source as on create. */
export class SensorSourceUpdateInput extends SensorSourceCreateInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
}

/** sensor_source_patch: `id` and the keys to change. */
export class SensorSourcePatchInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreMissing, unicodeSafe, nameValidator) name?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(TITLE_MAX)) title?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) owner_org?: string;
  @Field(ignoreMissing, oneOf(SOURCE_TYPES)) type?: SourceType;
  @Field(ignoreMissing, jsonObject) config?: Record<string, unknown>;
  @Field(ignoreMissing, oneOf(SOURCE_STATES)) state?: (typeof SOURCE_STATES)[number];
}

export class SensorSourceIdInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
}

export class SensorDatasetIdInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
}

/** At most this many datasets in one sensor_datasets_streams call (an overview page's search rows). */
export const MANY_MAX = 500;

/** sensor_datasets_streams: the datasets by id. */
export class SensorDatasetIdsInput {
  @Field(notMissing, listIfString, maxItems(MANY_MAX, 'ids'), listOfStrings) ids!: string[];
}

export class SensorSourceListInput {
  /** Only this organization's sources (id or name). */
  @Field(ignoreEmpty, unicodeSafe, maxLength(100)) owner_org?: string;
  @Field(ignoreEmpty, oneOf(SOURCE_TYPES)) type?: SourceType;
  @Field(ignoreEmpty, naturalNumber) limit?: number;
  @Field(ignoreEmpty, naturalNumber) offset?: number;
}

/** A source as the actions answer it: its config with every secret masked. */
export interface SourceDict {
  id: string;
  name: string;
  title: string;
  owner_org: string;
  type: SourceType;
  config: Record<string, unknown>;
  state: string;
  poll_interval_seconds: number | null;
  next_run_at: string | null;
  last_run_at: string | null;
  last_success_at: string | null;
  /** The last failed run's (or refused message's) error; null once a run succeeds. */
  last_error: unknown;
  /** What the last successful run (or MQTT message with warnings) skipped: {message, count, warnings[]} or null. */
  last_warnings: unknown;
  counts: Record<string, unknown>;
  num_datasets: number;
  num_datastreams: number;
  /** The poll job queued or running now, if any. */
  run_job_id: string | null;
  created: string;
  metadata_modified: string;
}

export const toSourceDict = (r: SourceRow): SourceDict => ({
  id: r.id,
  name: r.name,
  title: r.title,
  owner_org: r.owner_org,
  type: r.type,
  config: maskSecrets(r.config) as Record<string, unknown>,
  state: r.state,
  poll_interval_seconds: r.poll_interval_seconds,
  next_run_at: r.next_run_at,
  last_run_at: r.last_run_at,
  last_success_at: r.last_success_at,
  last_error: r.last_error,
  last_warnings: r.last_warnings ?? null,
  counts: r.counts,
  num_datasets: Number(r.num_datasets ?? 0),
  num_datastreams: Number(r.num_datastreams ?? 0),
  run_job_id: r.run_job_id,
  created: r.created_at,
  metadata_modified: r.modified_at,
});
