import { Column, Entity, JoinColumn, ManyToOne, OneToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../../auth/user.entity';
import { DatasetEntity } from '../datasets/dataset.entity';

/**
 * Where a dataset stands in its organization's approval workflow (issue 14), one row per dataset that went through it:
 * the last event ('pending': submitted, 'published', 'sent_back' with the approver's note, 'draft': taken back), who
 * submitted it and when, and who decided last and when. The dataset's state stays the truth (package_show derives the
 * status from it); the row keeps what the state cannot: the note and the names. A purged dataset takes its row along.
 */
@Entity({ name: 'dataset_approval' })
export class DatasetApprovalEntity {
  @PrimaryColumn('uuid') packageId!: string;
  @OneToOne(() => DatasetEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'package_id' }) dataset?: DatasetEntity;
  @Column('varchar', { length: 20 }) status!: string;
  /** The approver's note when sending it back; kept through the next submission, cleared when published. */
  @Column('text', { nullable: true }) note!: string | null;
  @Column('uuid', { nullable: true }) decidedBy!: string | null;
  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' }) @JoinColumn({ name: 'decided_by' }) decider?: UserEntity;
  @Column('timestamptz', { nullable: true }) decidedAt!: string | null;
  @Column('uuid', { nullable: true }) submittedBy!: string | null;
  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' }) @JoinColumn({ name: 'submitted_by' }) submitter?: UserEntity;
  @Column('timestamptz', { nullable: true }) submittedAt!: string | null;
}
