import { ApiTokenEntity } from '../auth/api-token.entity';
import { UserEntity } from '../auth/user.entity';
import { DatasetGroupEntity } from '../catalog/datasets/dataset-group.entity';
import { DatasetEntity } from '../catalog/datasets/dataset.entity';
import { GroupEntity } from '../catalog/organizations/group.entity';
import { MemberEntity } from '../catalog/organizations/member.entity';
import { ResourceEntity } from '../catalog/resources/resource.entity';
import { DatasetTagEntity, TagEntity } from '../catalog/tags/tag.entity';

/** Every entity, listed explicitly so the same list works compiled, under jest and in the CLI. */
export const ENTITIES = [
  UserEntity, ApiTokenEntity, GroupEntity, MemberEntity, DatasetEntity, DatasetGroupEntity, TagEntity, DatasetTagEntity, ResourceEntity,
];
