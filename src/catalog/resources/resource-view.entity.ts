import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ResourceEntity } from './resource.entity';

/** A view of a resource (CKAN's resource_view): its view type's settings in `config`, ordered per resource. */
@Entity({ name: 'resource_view' })
@Index('resource_view_resource_position_idx', ['resourceId', 'position'])
export class ResourceViewEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid') resourceId!: string;
  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'resource_id' }) resource?: ResourceEntity;
  @Column('text') title!: string;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('text') viewType!: string;
  /** CKAN's `order`: 0, 1, ... within the resource. */
  @Column('integer') position!: number;
  @Column('jsonb', { default: {} }) config!: Record<string, unknown>;
}
