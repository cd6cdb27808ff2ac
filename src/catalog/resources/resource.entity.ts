import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DatasetEntity } from '../datasets/dataset.entity';

/** A resource (distribution) of a dataset. Keys CKAN does not know are kept in `extras` with their JSON types. */
@Entity({ name: 'resource' })
@Index('resource_package_position_idx', ['packageId', 'position'])
export class ResourceEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid') packageId!: string;
  @ManyToOne(() => DatasetEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'package_id' }) dataset?: DatasetEntity;
  @Column('integer') position!: number;
  @Column('text', { default: '' }) url!: string;
  @Column('text', { nullable: true }) name!: string | null;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('text', { nullable: true }) format!: string | null;
  @Column('text', { nullable: true }) mimetype!: string | null;
  @Column('text', { nullable: true }) mimetypeInner!: string | null;
  @Column('bigint', { nullable: true }) size!: number | null;
  @Column('text', { nullable: true }) hash!: string | null;
  @Column('text', { nullable: true }) urlType!: string | null;
  @Column('text', { nullable: true }) resourceType!: string | null;
  @Column('text', { nullable: true }) cacheUrl!: string | null;
  @Column('timestamptz', { nullable: true }) cacheLastUpdated!: string | null;
  @Column('timestamptz', { default: () => 'clock_timestamp()' }) created!: string;
  @Column('timestamptz', { nullable: true }) lastModified!: string | null;
  @Column('timestamptz', { default: () => 'clock_timestamp()' }) metadataModified!: string;
  @Column('varchar', { length: 20, default: 'active' }) state!: string;
  @Column('jsonb', { default: {} }) extras!: Record<string, unknown>;
  /** Where an upload resource's file is stored; null for links (see FileStorage). */
  @Column('text', { nullable: true }) uploadKey!: string | null;
}
