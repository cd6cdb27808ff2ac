import type { ConstraintMessages } from '../api/constraint-errors';
import { DatasetApprovalEntity } from './approval/dataset-approval.entity';
import { DatasetCollaboratorEntity } from './collaborators/collaborator.entity';
import { DatasetGroupEntity } from './datasets/dataset-group.entity';
import { DatasetEntity } from './datasets/dataset.entity';
import { GroupEntity } from './organizations/group.entity';
import { FollowerEntity } from './following/follower.entity';
import { MemberEntity } from './organizations/member.entity';
import { DatasetRelationshipEntity } from './relationships/relationship.entity';
import { DatasetShareEntity } from './shares/dataset-share.entity';
import { ResourceEntity } from './resources/resource.entity';
import { ResourceDefaultViewEntity } from './resources/resource-default-view.entity';
import { ResourceViewEntity } from './resources/resource-view.entity';
import { DatasetTagEntity, TagEntity, VocabularyEntity } from './tags/tag.entity';

/** The tables this module owns. */
export const CATALOG_ENTITIES = [GroupEntity, MemberEntity, DatasetEntity, DatasetGroupEntity, VocabularyEntity, TagEntity, DatasetTagEntity, ResourceEntity, ResourceViewEntity, ResourceDefaultViewEntity, FollowerEntity, DatasetRelationshipEntity, DatasetCollaboratorEntity, DatasetShareEntity, DatasetApprovalEntity];

/** The field error for each unique constraint of these tables that concurrent writers can hit (CKAN's wording). */
export const CATALOG_CONSTRAINTS: ConstraintMessages = {
  package_name_key: { name: ['That URL is already in use.'] },
  catalog_group_name_key: { name: ['Group name already exists in database'] },
  PK_308364c66df656295bc4ec467c2: { id: ['Dataset id already exists'] },
  PK_e2894a5867e06ae2e8889f1173f: { resources: ['Resource id already exists.'] },
  vocabulary_name_key: { name: ['That vocabulary name is already in use.'] },
};
