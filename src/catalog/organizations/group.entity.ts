import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/** Organizations (municipalities) and groups share one table, as in CKAN; `isOrganization` tells them apart. */
@Entity({ name: 'catalog_group' })
export class GroupEntity {
  @PrimaryColumn('uuid') id!: string;
  @Index('catalog_group_name_key', { unique: true }) @Column('varchar', { length: 100 }) name!: string;
  @Column('text', { default: '' }) title!: string;
  @Column('text', { default: '' }) description!: string;
  @Column('text', { default: '' }) imageUrl!: string;
  @Column('varchar', { length: 100 }) type!: string;
  @Column('boolean') isOrganization!: boolean;
  @Column('varchar', { length: 20, default: 'approved' }) approvalStatus!: string;
  @Column('varchar', { length: 20, default: 'active' }) state!: string;
  @Column('timestamptz', { default: () => 'clock_timestamp()' }) created!: string;
  /** CKAN extras as one JSON object of string values. */
  @Column('jsonb', { default: {} }) extras!: Record<string, string>;
  /**
   * The parent organization (ckanext-hierarchy's organization tree; CKAN keeps it as a `member` row of table_name
   * "group"). One parent at most; purging the parent makes its children top-level.
   */
  @Index('catalog_group_parent_id_idx') @Column('uuid', { nullable: true }) parentId!: string | null;
  @ManyToOne(() => GroupEntity, { onDelete: 'SET NULL' }) @JoinColumn({ name: 'parent_id' }) parent?: GroupEntity;
  /** Roles held here that also apply in every sub-organization; null: the site's AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS. */
  @Column('varchar', { length: 20, array: true, nullable: true }) cascadeRoles!: string[] | null;
  /** Issue 14: editors submit datasets (state 'pending') and only its admins publish them; off by default. */
  @Column('boolean', { default: false }) approvalRequired!: boolean;
}
