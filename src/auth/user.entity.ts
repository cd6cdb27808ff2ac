import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'user_account' })
@Index('user_account_email_key', { synchronize: false })
export class UserEntity {
  @PrimaryColumn('uuid') id!: string;
  @Index('user_account_name_key', { unique: true }) @Column('varchar', { length: 100 }) name!: string;
  @Column('text', { nullable: true }) fullname!: string | null;
  @Column('text', { nullable: true }) email!: string | null;
  /** argon2id PHC string; null for accounts that may only use API tokens. */
  @Column('text', { nullable: true }) passwordHash!: string | null;
  @Column('text', { nullable: true }) about!: string | null;
  @Column('text', { nullable: true }) imageUrl!: string | null;
  @Column('boolean', { default: false }) sysadmin!: boolean;
  @Column('varchar', { length: 20, default: 'active' }) state!: string;
  @Column('timestamptz', { default: () => 'clock_timestamp()' }) created!: string;
  @Column('timestamptz', { nullable: true }) lastActive!: string | null;
}
