import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DatasetEntity } from '../datasets/dataset.entity';

/**
 * A relationship between two datasets (CKAN's package_relationship). As in CKAN, it is stored in its forward form
 * only ("A child_of B", never "B parent_of A"); readers turn it round for the object's point of view. Deleting keeps
 * the row with state 'deleted' (creating it again revives it); purging either dataset removes it.
 */
@Entity({ name: 'package_relationship' })
@Index('package_relationship_key', ['subjectPackageId', 'objectPackageId', 'type'], { unique: true })
@Index('package_relationship_object_idx', ['objectPackageId'])
export class DatasetRelationshipEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid') subjectPackageId!: string;
  @ManyToOne(() => DatasetEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'subject_package_id' }) subject?: DatasetEntity;
  @Column('uuid') objectPackageId!: string;
  @ManyToOne(() => DatasetEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'object_package_id' }) object?: DatasetEntity;
  /** A forward type: depends_on, derives_from, links_to or child_of. */
  @Column('varchar', { length: 20 }) type!: string;
  @Column('text', { default: '' }) comment!: string;
  @Column('varchar', { length: 20, default: 'active' }) state!: string;
}
