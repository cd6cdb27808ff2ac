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
  /** What the token may be used for (src/api/token-scope.ts). */
  @Column('text', { array: true, default: () => "'{read,write,datastore,harvest,ingest,admin}'" }) scopes!: string[];
  /**
   * Set: the token acts only within this organization. No foreign key (auth does not own organizations): a purged
   * organization leaves the token pointing nowhere, which grants nothing beyond public reads; it never widens.
   */
  @Column('uuid', { nullable: true }) organizationId!: string | null;
  /** When the token stops working; null only for tokens made before tokens expired. */
  @Column('timestamptz', { nullable: true }) expiresAt!: string | null;
}
