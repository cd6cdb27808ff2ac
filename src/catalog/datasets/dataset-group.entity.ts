import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { GroupEntity } from '../organizations/group.entity';
import { DatasetEntity } from './dataset.entity';

/** Membership of a dataset in a (non-organization) group. */
@Entity({ name: 'package_group' })
export class DatasetGroupEntity {
  @PrimaryColumn('uuid') packageId!: string;
  @Index('package_group_group_id_idx') @PrimaryColumn('uuid') groupId!: string;
  @ManyToOne(() => DatasetEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'package_id' }) dataset?: DatasetEntity;
  @ManyToOne(() => GroupEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'group_id' }) group?: GroupEntity;
}
