import { booleanValidator, Field, ignoreEmpty, ignoreMissing, Invalid, listIfString, listOfStrings, naturalNumber, notEmpty, notMissing, Step, unicodeSafe, documented } from '../api/ckan-schema';
import { ckanTimestamp } from '../common/ckan-time';
import type { ActivityRow } from './audit.repository';

/** CKAN's ckan.activity_list_limit and ckan.activity_list_limit_max defaults. */
export const ACTIVITY_LIST_LIMIT = 31;
export const ACTIVITY_LIST_LIMIT_MAX = 100;

/** datetime_from_timestamp_validator: seconds since the epoch, as a number or numeric string. */
const floatTimestamp: Step = (v) => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : new Invalid('Must be a float timestamp');
};
documented(floatTimestamp, { schema: { type: 'number', description: 'seconds since 1970 (a float timestamp)' } });

/** CKAN compat: a single string is taken as a one-item list (CKAN's list_of_strings refuses it). */
const stringList: Step[] = [ignoreMissing, listIfString, listOfStrings];

/** default_dashboard_activity_list_schema: recently_changed_packages_activity_list. */
export class RecentActivityListInput {
  @Field(ignoreEmpty, naturalNumber) offset = 0;
  @Field(ignoreEmpty, naturalNumber) limit = ACTIVITY_LIST_LIMIT;
  @Field(ignoreMissing, floatTimestamp) after?: number;
  @Field(ignoreMissing, floatTimestamp) before?: number;
}

/** default_activity_list_schema: package_, organization_, group_ and user_activity_list. */
export class ActivityListInput extends RecentActivityListInput {
  @Field(notMissing, notEmpty, unicodeSafe) id!: string;
  /** Sysadmins only (CKAN's ignore_not_sysadmin): dropped for everyone else in the handler. */
  @Field(ignoreMissing, booleanValidator) include_hidden_activity = false;
  @Field(...stringList) activity_types?: string[];
  @Field(...stringList) exclude_activity_types?: string[];
}

/** activity_show */
export class ActivityShowInput {
  @Field(notMissing, notEmpty, unicodeSafe) id!: string;
  /** Accepted for CKAN clients; the dict always holds the data (as CKAN 2.11's does). */
  @Field(ignoreMissing) include_data?: unknown;
}

/** activity_data_show */
export class ActivityDataShowInput {
  @Field(notMissing, notEmpty, unicodeSafe) id!: string;
  @Field(ignoreEmpty, unicodeSafe) object_type?: string;
}

/** activity_diff */
export class ActivityDiffInput {
  @Field(notMissing, notEmpty, unicodeSafe) id!: string;
  @Field(notMissing, notEmpty, unicodeSafe) object_type!: string;
  @Field(ignoreEmpty, unicodeSafe) diff_type = 'unified';
}

/** CKAN's activity dict (activity_dictize): the activity row with its data. */
export interface ActivityDict {
  id: string;
  timestamp: string;
  user_id: string | null;
  object_id: string;
  activity_type: string;
  data: Record<string, unknown>;
}

export const toActivityDict = (r: ActivityRow): ActivityDict => ({
  id: r.id,
  timestamp: ckanTimestamp(r.timestamp)!,
  user_id: r.user_id,
  object_id: r.object_id,
  activity_type: r.activity_type,
  data: r.data,
});
