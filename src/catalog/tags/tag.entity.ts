import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DatasetEntity } from '../datasets/dataset.entity';

/** A tag vocabulary (CKAN's `vocabulary`): a named, closed set of tags a sysadmin keeps. */
@Entity({ name: 'vocabulary' })
export class VocabularyEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'vocabulary_pkey' }) id!: string;
  @Index('vocabulary_name_key', { unique: true }) @Column('varchar', { length: 100 }) name!: string;
}

/** A free tag (no vocabulary) or a vocabulary's tag. Tag names are case-sensitive, as in CKAN, and unique per vocabulary. */
@Entity({ name: 'tag' })
@Index('tag_name_key', ['name'], { unique: true, where: '"vocabulary_id" IS NULL' })
@Index('tag_vocabulary_name_key', ['vocabularyId', 'name'], { unique: true })
export class TagEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('varchar', { length: 100 }) name!: string;
  @Column('uuid', { nullable: true }) vocabularyId!: string | null;
  @ManyToOne(() => VocabularyEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'vocabulary_id', foreignKeyConstraintName: 'tag_vocabulary_id_fkey' })
  vocabulary?: VocabularyEntity;
}

@Entity({ name: 'package_tag' })
export class DatasetTagEntity {
  @PrimaryColumn('uuid') packageId!: string;
  @Index('package_tag_tag_id_idx') @PrimaryColumn('uuid') tagId!: string;
  @ManyToOne(() => DatasetEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'package_id' }) dataset?: DatasetEntity;
  @ManyToOne(() => TagEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'tag_id' }) tag?: TagEntity;
}
