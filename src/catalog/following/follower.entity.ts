import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../../auth/user.entity';

/**
 * A user following a user, a dataset or a group/organization (CKAN's user_following_user/_dataset/_group in one
 * table). object_id has no foreign key, being one of three tables; readers join the object, so a purged one drops out.
 */
@Entity({ name: 'user_following' })
@Index('user_following_object_idx', ['objectType', 'objectId'])
export class FollowerEntity {
  @PrimaryColumn('uuid') followerId!: string;
  @PrimaryColumn('varchar', { length: 10 }) objectType!: string;
  @PrimaryColumn('uuid') objectId!: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'follower_id' }) follower?: UserEntity;
  @Column('timestamptz', { default: () => 'clock_timestamp()' }) created!: string;
}
