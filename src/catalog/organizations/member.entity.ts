import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../../auth/user.entity';
import { GroupEntity } from './group.entity';

/** A user's role (capacity: admin, editor, member) in an organization or group. */
@Entity({ name: 'member' })
export class MemberEntity {
  /** The membership's own id, as CKAN's member dicts carry one. */
  @Index('member_id_key', { unique: true }) @Column('uuid') id!: string;
  @PrimaryColumn('uuid') groupId!: string;
  @Index('member_user_id_idx') @PrimaryColumn('uuid') userId!: string;
  @ManyToOne(() => GroupEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'group_id' }) group?: GroupEntity;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id' }) user?: UserEntity;
  @Column('varchar', { length: 20 }) capacity!: string;
  @Column('timestamptz', { default: () => 'clock_timestamp()' }) created!: string;
}
