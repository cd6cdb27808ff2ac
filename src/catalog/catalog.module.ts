import { Module, OnModuleInit } from '@nestjs/common';
import { ActionRegistry } from '../api/action-registry';
import { EndpointDocs } from '../api/endpoint-docs';
import { DOWNLOAD_ENDPOINT_PATHS, DOWNLOAD_ENDPOINT_TAG } from './resources/resource-download.api-docs';
import { ConstraintErrors } from '../api/constraint-errors';
import { CATALOG_CONSTRAINTS } from './catalog.entities';
import { AuthModule } from '../auth/auth.module';
import { JobsModule } from '../jobs/jobs.module';
import { DatasetChanges } from './datasets/dataset-changes';
import { DatasetDictCache } from './datasets/dataset-dict.cache';
import { DatasetDicts } from './datasets/dataset-dicts.service';
import { DatasetReadActions } from './datasets/dataset-read.actions';
import { DatasetWriteActions } from './datasets/dataset-write.actions';
import { DatasetReviseActions } from './datasets/dataset-revise.actions';
import { DatasetBulkActions } from './datasets/dataset-bulk.actions';
import { DatasetLookupActions } from './datasets/dataset-lookup.actions';
import { DatasetWriteChecks } from './datasets/dataset-write-checks';
import { DatasetDerived } from './datasets/dataset-derived';
import { DatasetWriter } from './datasets/dataset-writer.service';
import { DatasetRepository } from './datasets/dataset.repository';
import { AutocompleteActions } from './autocomplete.actions';
import { ApprovalActions } from './approval/approval.actions';
import { ApprovalGate } from './approval/approval-gate';
import { ApprovalRepository } from './approval/approval.repository';
import { CollaboratorActions } from './collaborators/collaborator.actions';
import { CollaboratorRepository } from './collaborators/collaborator.repository';
import { FollowActions } from './following/follow.actions';
import { FollowerRepository } from './following/follower.repository';
import { LicenseActions } from './licenses/license.actions';
import { GroupDicts } from './organizations/group-dicts.service';
import { GroupWriter } from './organizations/group-writer.service';
import { GroupActions } from './organizations/group.actions';
import { GroupRepository } from './organizations/group.repository';
import { GroupMembers } from './organizations/group-members.service';
import { MemberActions } from './organizations/member.actions';
import { MembershipActions } from './organizations/membership.actions';
import { HierarchyActions } from './organizations/hierarchy.actions';
import { HierarchyRepository } from './organizations/hierarchy.repository';
import { OrganizationHierarchy } from './organizations/hierarchy.service';
import { UPLOAD_RECEIVER } from '../api/uploads';
import { RelationshipActions } from './relationships/relationship.actions';
import { RelationshipRepository } from './relationships/relationship.repository';
import { ResourceActions } from './resources/resource.actions';
import { ResourceViewActions } from './resources/resource-view.actions';
import { DefaultViews } from './resources/default-views';
import { ResourceViewRepository } from './resources/resource-view.repository';
import { ResourceDownloadController } from './resources/resource-download.controller';
import { ResourceFiles } from './resources/resource-files.service';
import { UploadTaskRepository } from './resources/upload-task.repository';
import { ResourceUploads } from './resources/resource-uploads.service';
import { ResourceRepository } from './resources/resource.repository';
import { DatasetShareActions } from './shares/dataset-share.actions';
import { DatasetShareRepository } from './shares/dataset-share.repository';
import { TagActions } from './tags/tag.actions';
import { TagRepository } from './tags/tag.repository';
import { TagWriteActions } from './tags/tag-write.actions';
import { VocabularyActions } from './tags/vocabulary.actions';
import { VocabularyRepository } from './tags/vocabulary.repository';

/** Datasets, resources (with their uploaded files and the download route), organizations, groups, tags and licences. */
@Module({
  imports: [AuthModule, JobsModule],
  providers: [
    DatasetRepository, ResourceRepository, ResourceViewRepository, DefaultViews, GroupRepository, TagRepository, VocabularyRepository, DatasetChanges, DatasetWriteChecks, DatasetDerived, DatasetDictCache, DatasetDicts, DatasetWriter, GroupWriter, GroupDicts,
    GroupMembers, FollowerRepository, RelationshipRepository, HierarchyRepository, OrganizationHierarchy, HierarchyActions,
    DatasetReadActions, DatasetWriteActions, DatasetReviseActions, DatasetBulkActions, DatasetLookupActions, ResourceActions, ResourceViewActions, GroupActions,
    MembershipActions, MemberActions, FollowActions, TagActions, TagWriteActions, VocabularyActions, LicenseActions,
    AutocompleteActions, RelationshipActions, CollaboratorRepository, CollaboratorActions,
    DatasetShareRepository, DatasetShareActions, ApprovalRepository, ApprovalGate, ApprovalActions,
    ResourceFiles, UploadTaskRepository, ResourceUploads, { provide: UPLOAD_RECEIVER, useExisting: ResourceUploads },
  ],
  controllers: [ResourceDownloadController],
  exports: [DatasetRepository, ResourceRepository, ResourceViewRepository, DefaultViews, GroupRepository, DatasetChanges, DatasetWriteChecks, DatasetDerived, DatasetDicts, GroupDicts, ResourceFiles, UPLOAD_RECEIVER],
})
export class CatalogModule implements OnModuleInit {
  constructor(
    private readonly registry: ActionRegistry,
    private readonly endpoints: EndpointDocs,
    private readonly constraints: ConstraintErrors,
    private readonly datasetReads: DatasetReadActions,
    private readonly datasetWrites: DatasetWriteActions,
    private readonly datasetRevise: DatasetReviseActions,
    private readonly datasetBulk: DatasetBulkActions,
    private readonly datasetLookup: DatasetLookupActions,
    private readonly resources: ResourceActions,
    private readonly resourceViews: ResourceViewActions,
    private readonly groups: GroupActions,
    private readonly memberships: MembershipActions,
    private readonly members: MemberActions,
    private readonly following: FollowActions,
    private readonly tags: TagActions,
    private readonly tagWrites: TagWriteActions,
    private readonly vocabularies: VocabularyActions,
    private readonly licenses: LicenseActions,
    private readonly autocomplete: AutocompleteActions,
    private readonly shares: DatasetShareActions,
    private readonly relationships: RelationshipActions,
    private readonly collaborators: CollaboratorActions,
    private readonly hierarchy: HierarchyActions,
    private readonly approval: ApprovalActions,
  ) {}

  onModuleInit(): void {
    this.endpoints.register(DOWNLOAD_ENDPOINT_TAG, DOWNLOAD_ENDPOINT_PATHS);
    for (const p of [
      this.datasetReads, this.datasetWrites, this.datasetRevise, this.datasetBulk, this.datasetLookup, this.resources, this.resourceViews, this.groups,
      this.memberships, this.members, this.following, this.tags, this.tagWrites, this.vocabularies, this.licenses, this.autocomplete, this.relationships,
      this.collaborators, this.hierarchy, this.approval,
    ]) {
      this.registry.register(p.all());
    }
    this.registry.register(this.shares.all());
    this.constraints.register(CATALOG_CONSTRAINTS);
  }
}
