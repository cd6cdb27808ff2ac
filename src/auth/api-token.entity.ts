import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/** An API token. Only the SHA-256 of the secret is stored; the secret is shown once, at creation. */
@Entity({ name: 'api_token' })
export class ApiTokenEntity {
  @PrimaryColumn('uuid') id!: string;
  @Index('api_token_user_id_idx') @Column('uuid') userId!: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id' }) user?: UserEntity;
  @Column('text', { nullable: true }) name!: string | null;
  @Index('api_token_secret_hash_key', { unique: true }) @Column('bytea') secretHash!: Buffer;
  @Column('timestamptz', { default: () => 'clock_timestamp()' }) createdAt!: string;
  @Column('timestamptz', { nullable: true }) lastAccess!: string | null;
}
