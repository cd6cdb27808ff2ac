import { Field, ignoreMissing, maxLength, notEmpty, oneOf, unicodeSafe } from '../../api/ckan-schema';
import { ckanTimestamp } from '../../common/ckan-time';
import type { DatasetShareRow } from './dataset-share.repository';

export const SHARE_CAPACITIES = ['read', 'edit'] as const;

/** dataset_share_create */
export class DatasetShareCreateInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(notEmpty, unicodeSafe, maxLength(100)) organization_id!: string;
  @Field(ignoreMissing, unicodeSafe, oneOf(SHARE_CAPACITIES)) capacity?: string;
}

/** dataset_share_delete */
export class DatasetShareDeleteInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(notEmpty, unicodeSafe, maxLength(100)) organization_id!: string;
}

/** dataset_share_list */
export class DatasetShareListInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
}

export interface DatasetShareDict {
  package_id: string;
  organization_id: string;
  organization_name: string;
  organization_title: string;
  capacity: string;
  created: string;
  /** Name of the user who shared it (or last changed its capacity), null when unknown. */
  created_by: string | null;
}

export const toShareDict = (r: DatasetShareRow): DatasetShareDict => ({
  package_id: r.package_id,
  organization_id: r.organization_id,
  organization_name: r.organization_name,
  organization_title: r.organization_title,
  capacity: r.capacity,
  created: ckanTimestamp(r.created) ?? '',
  created_by: r.created_by,
});
