import { DatasetGroupEntity } from './datasets/dataset-group.entity';
import { DatasetEntity } from './datasets/dataset.entity';
import { GroupEntity } from './organizations/group.entity';
import { MemberEntity } from './organizations/member.entity';
import { ResourceEntity } from './resources/resource.entity';
import { DatasetTagEntity, TagEntity } from './tags/tag.entity';

/** The tables this module owns. */
export const CATALOG_ENTITIES = [GroupEntity, MemberEntity, DatasetEntity, DatasetGroupEntity, TagEntity, DatasetTagEntity, ResourceEntity];
