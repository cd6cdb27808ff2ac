import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../../auth/user.entity';
import { DatasetEntity } from '../datasets/dataset.entity';

/**
 * A user named on one dataset with a capacity (member, editor, admin): CKAN 2.9's package_member. A purged dataset
 * or user takes its rows with it; package_delete and user_delete remove them too, as CKAN does.
 */
@Entity({ name: 'package_member' })
@Index('package_member_user_idx', ['userId'])
export class DatasetCollaboratorEntity {
  @PrimaryColumn('uuid') packageId!: string;
  @ManyToOne(() => DatasetEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'package_id' }) dataset?: DatasetEntity;
  @PrimaryColumn('uuid') userId!: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id' }) user?: UserEntity;
  @Column('varchar', { length: 20 }) capacity!: string;
  @Column('timestamptz', { default: () => 'clock_timestamp()' }) modified!: string;
}
