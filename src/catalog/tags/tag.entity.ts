import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DatasetEntity } from '../datasets/dataset.entity';

/** A free tag. Tag names are case-sensitive, as in CKAN. */
@Entity({ name: 'tag' })
export class TagEntity {
  @PrimaryColumn('uuid') id!: string;
  @Index('tag_name_key', { unique: true }) @Column('varchar', { length: 100 }) name!: string;
}

@Entity({ name: 'package_tag' })
export class DatasetTagEntity {
  @PrimaryColumn('uuid') packageId!: string;
  @Index('package_tag_tag_id_idx') @PrimaryColumn('uuid') tagId!: string;
  @ManyToOne(() => DatasetEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'package_id' }) dataset?: DatasetEntity;
  @ManyToOne(() => TagEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'tag_id' }) tag?: TagEntity;
}
