import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../../auth/user.entity';
import { DatasetEntity } from '../datasets/dataset.entity';
import { GroupEntity } from '../organizations/group.entity';

/**
 * A dataset shared with another organization of the platform (issue 14): while the dataset's access_level is
 * 'shared', the organization's members read it, and with capacity 'edit' its editors and admins edit it too.
 */
@Entity({ name: 'dataset_share' })
export class DatasetShareEntity {
  @PrimaryColumn('uuid') packageId!: string;
  @Index('dataset_share_organization_id_idx') @PrimaryColumn('uuid') organizationId!: string;
  @ManyToOne(() => DatasetEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'package_id' }) dataset?: DatasetEntity;
  @ManyToOne(() => GroupEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'organization_id' }) organization?: GroupEntity;
  /** 'read' or 'edit'. */
  @Column('varchar', { length: 10, default: 'read' }) capacity!: string;
  @Column('timestamptz', { default: () => 'clock_timestamp()' }) created!: string;
  /** Who shared it (or last changed the share's capacity). */
  @Column('uuid', { nullable: true }) createdBy!: string | null;
  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' }) @JoinColumn({ name: 'created_by' }) creator?: UserEntity;
}
