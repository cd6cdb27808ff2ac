import { Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ResourceEntity } from './resource.entity';

/**
 * A default view type once offered to a resource (CKAN's default views are added when a resource is created, when
 * its format changes, or when it enters the DataStore, never by later edits). A steward who deletes a default
 * view keeps it deleted: a type is offered to a resource only once.
 */
@Entity({ name: 'resource_default_view' })
export class ResourceDefaultViewEntity {
  @PrimaryColumn('uuid') resourceId!: string;
  @PrimaryColumn('text') viewType!: string;
  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'resource_id' }) resource?: ResourceEntity;
}
