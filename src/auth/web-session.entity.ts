import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/** A web login (the portal's session cookie). Only the SHA-256 of the cookie's random id is stored, as for API tokens. */
@Entity({ name: 'web_session' })
export class WebSessionEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'PK_web_session' }) id!: string;
  @Index('web_session_user_id_idx') @Column('uuid') userId!: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_web_session_user' }) user?: UserEntity;
  @Index('web_session_secret_hash_key', { unique: true }) @Column('bytea') secretHash!: Buffer;
  @Column('timestamptz', { default: () => 'clock_timestamp()' }) createdAt!: string;
  @Column('timestamptz') expiresAt!: string;
}
