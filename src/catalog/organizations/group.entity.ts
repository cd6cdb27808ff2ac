import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

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
}
