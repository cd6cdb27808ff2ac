import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../../auth/user.entity';
import { GroupEntity } from '../organizations/group.entity';

/** A CKAN dataset ("package"). Extras live in one JSON object; tags, groups and resources in their own tables. */
@Entity({ name: 'package' })
@Index('package_list_idx', ['state', 'isPrivate', 'name'])
export class DatasetEntity {
  @PrimaryColumn('uuid') id!: string;
  @Index('package_name_key', { unique: true }) @Column('varchar', { length: 100 }) name!: string;
  @Column('text', { nullable: true }) title!: string | null;
  @Column('text', { nullable: true }) notes!: string | null;
  @Column('text', { nullable: true }) url!: string | null;
  @Column('varchar', { length: 100, nullable: true }) version!: string | null;
  @Column('text', { nullable: true }) author!: string | null;
  @Column('text', { nullable: true }) authorEmail!: string | null;
  @Column('text', { nullable: true }) maintainer!: string | null;
  @Column('text', { nullable: true }) maintainerEmail!: string | null;
  @Column('text', { nullable: true }) licenseId!: string | null;
  @Index('package_owner_org_idx') @Column('uuid', { nullable: true }) ownerOrg!: string | null;
  @ManyToOne(() => GroupEntity, { onDelete: 'RESTRICT' }) @JoinColumn({ name: 'owner_org' }) organization?: GroupEntity;
  @Column('boolean', { name: 'private', default: false }) isPrivate!: boolean;
  /** Issue 14: 'public', 'internal', 'shared' or 'private'; `private` is kept equal to access_level <> 'public'. */
  @Column('varchar', { length: 20, default: 'public' }) accessLevel!: string;
  @Column('varchar', { length: 20, default: 'active' }) state!: string;
  @Column('varchar', { length: 100, default: 'dataset' }) type!: string;
  @Column('uuid', { nullable: true }) creatorUserId!: string | null;
  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' }) @JoinColumn({ name: 'creator_user_id' }) creator?: UserEntity;
  @Column('timestamptz', { default: () => 'clock_timestamp()' }) metadataCreated!: string;
  @Index('package_metadata_modified_idx') @Column('timestamptz', { default: () => 'clock_timestamp()' }) metadataModified!: string;
  @Column('jsonb', { default: {} }) extras!: Record<string, string>;
  @Column('jsonb', { nullable: true }) pluginData!: Record<string, unknown> | null;
  /**
   * What other parts compute of the dataset on its writes (DatasetDerived) and package_show shows beside the stored
   * dict, e.g. `quality`; not what the client wrote, so never read back from a client.
   */
  @Column('jsonb', { nullable: true }) derived!: Record<string, unknown> | null;
  /** Kept by an outside process (a harvest source): only sysadmins and the site edit it (package_read_only_update). */
  @Column('boolean', { default: false }) readOnly!: boolean;
}
