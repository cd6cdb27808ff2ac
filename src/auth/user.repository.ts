import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { preparedQuery } from '../database/prepared';
import { isUuid } from '../api/ckan-schema';
import { ANONYMOUS, Reader, readableSql } from './visibility';

/**
 * The site user get_site_user returns, named after CKAN's default ckan.site_id. CKAN compat: CKAN names it after
 * the configured site id; here the name is fixed.
 */
export const SITE_USER_NAME = 'default';

export interface UserRow {
  id: string;
  name: string;
  fullname: string | null;
  email: string | null;
  password_hash: string | null;
  about: string | null;
  image_url: string | null;
  sysadmin: boolean;
  state: string;
  created: string;
  last_active: string | null;
}

export interface TokenRow {
  id: string;
  user_id: string;
  name: string | null;
  created_at: string;
  last_access: string | null;
  scopes: string[];
  organization_id: string | null;
  /** The organization's name, when the token has one and it still exists. */
  organization_name: string | null;
  expires_at: string | null;
}

/** The caller an API token stands for, with what the token grants. */
export interface TokenCallerRow {
  id: string;
  name: string;
  sysadmin: boolean;
  token_id: string;
  scopes: string[];
  organization_id: string | null;
  expires_at: string | null;
  /** Its last use was recorded over a minute ago. */
  stale: boolean;
}

const TOKEN_COLUMNS = `t.id, t.user_id, t.name, t.created_at, t.last_access, t.scopes, t.organization_id, g.name AS organization_name, t.expires_at
  FROM api_token t LEFT JOIN catalog_group g ON g.id = t.organization_id`;

export interface CreatedDatasetRow {
  id: string;
  owner_org: string | null;
  private: boolean;
  state: string;
  creator_user_id: string | null;
}

/** A user's created datasets that count for `reader`: active, draft and pending ones (never deleted) they may read. */
function createdFilter(reader: Reader, params: unknown[]): string {
  return `state IN ('active', 'draft', 'pending') AND ${readableSql(reader, params)}`;
}

/** Every query on users and API tokens. */
@Injectable()
export class UserRepository {
  /** By id or name (any state). */
  async find(db: EntityManager, idOrName: string): Promise<UserRow | null> {
    if (isUuid(idOrName)) {
      const byId: UserRow[] = await db.query(`SELECT * FROM user_account WHERE id = $1`, [idOrName]);
      if (byId[0]) return byId[0];
    }
    const rows: UserRow[] = await db.query(`SELECT * FROM user_account WHERE name = $1`, [idOrName]);
    return rows[0] ?? null;
  }

  /** The active user with this e-mail address (any case), for a login by e-mail. */
  async findByEmail(db: EntityManager, email: string): Promise<UserRow | null> {
    const rows: UserRow[] = await db.query(`SELECT * FROM user_account WHERE lower(email) = lower($1) AND state = 'active' ORDER BY created LIMIT 1`, [email]);
    return rows[0] ?? null;
  }

  async nameTaken(db: EntityManager, name: string): Promise<boolean> {
    return (await db.query(`SELECT 1 FROM user_account WHERE name = $1`, [name])).length > 0;
  }

  async emailTaken(db: EntityManager, email: string, exceptId?: string): Promise<boolean> {
    const rows = await db.query(
      `SELECT 1 FROM user_account WHERE lower(email) = lower($1) AND state <> 'deleted' AND ($2::uuid IS NULL OR id <> $2::uuid)`,
      [email, exceptId ?? null],
    );
    return rows.length > 0;
  }

  async idExists(db: EntityManager, id: string): Promise<boolean> {
    return (await db.query(`SELECT 1 FROM user_account WHERE id = $1`, [id])).length > 0;
  }

  async insert(
    db: EntityManager,
    u: { id: string; name: string; fullname: string | null; email: string | null; passwordHash: string | null; about: string | null; imageUrl: string | null; sysadmin: boolean; state: string },
  ): Promise<void> {
    await db.query(
      `INSERT INTO user_account (id, name, fullname, email, password_hash, about, image_url, sysadmin, state) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
      [u.id, u.name, u.fullname, u.email, u.passwordHash, u.about, u.imageUrl, u.sysadmin, u.state],
    );
  }

  async setSysadmin(db: EntityManager, id: string, sysadmin: boolean): Promise<void> {
    await db.query(`UPDATE user_account SET sysadmin = $2 WHERE id = $1`, [id, sysadmin]);
  }

  async setPassword(db: EntityManager, id: string, passwordHash: string): Promise<void> {
    await db.query(`UPDATE user_account SET password_hash = $2 WHERE id = $1`, [id, passwordHash]);
    await db.query(`DELETE FROM web_session WHERE user_id = $1`, [id]);
  }

  /** user_update: writes the given columns only (CKAN's table_dict_save sets the keys it is given). */
  async update(db: EntityManager, id: string, changes: Partial<Pick<UserRow, 'name' | 'fullname' | 'email' | 'password_hash' | 'about' | 'image_url' | 'sysadmin' | 'state'>>): Promise<void> {
    const entries = Object.entries(changes).filter(([, v]) => v !== undefined);
    if (!entries.length) return;
    const sets = entries.map(([k], i) => `${k} = $${i + 2}`).join(', ');
    await db.query(`UPDATE user_account SET ${sets} WHERE id = $1`, [id, ...entries.map(([, v]) => v)]);
    // A new password ends every web login of the account (a stolen session does not outlive the password change).
    if (changes.password_hash !== undefined) await db.query(`DELETE FROM web_session WHERE user_id = $1`, [id]);
  }

  /** user_delete: state `deleted` (the name stays taken), out of every organization and group, every API token gone. */
  async softDelete(db: EntityManager, id: string): Promise<void> {
    await db.query(`UPDATE user_account SET state = 'deleted' WHERE id = $1`, [id]);
    await db.query(`DELETE FROM member WHERE user_id = $1`, [id]);
    await db.query(`DELETE FROM api_token WHERE user_id = $1`, [id]);
    await db.query(`DELETE FROM web_session WHERE user_id = $1`, [id]);
    // CKAN's user_delete removes the user's dataset collaborations too.
    await db.query(`DELETE FROM package_member WHERE user_id = $1`, [id]);
  }

  /** user_autocomplete: live users whose name or full name (for sysadmins also e-mail) contains q. */
  async autocomplete(db: EntityManager, o: { q: string; limit: number; searchEmail: boolean; exceptName?: string }): Promise<Pick<UserRow, 'id' | 'name' | 'fullname'>[]> {
    const params: unknown[] = [`%${o.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, o.limit, o.exceptName ?? null];
    return db.query(
      `SELECT id, name, fullname FROM user_account
        WHERE state <> 'deleted' AND ($3::text IS NULL OR name <> $3)
          AND (name ILIKE $1 OR fullname ILIKE $1${o.searchEmail ? ' OR email ILIKE $1' : ''})
        ORDER BY name COLLATE "C" LIMIT $2`,
      params,
    );
  }

  /** number_created_packages per user, counting the datasets `reader` may read (ANONYMOUS: the public count). */
  async createdPackageCounts(db: EntityManager, userIds: string[], reader: Reader): Promise<Map<string, number>> {
    if (!userIds.length) return new Map();
    const params: unknown[] = [userIds];
    const rows: { uid: string; n: number }[] = await db.query(
      `SELECT creator_user_id AS uid, count(*)::int AS n FROM package
        WHERE creator_user_id = ANY($1::uuid[]) AND ${createdFilter(reader, params)}
        GROUP BY creator_user_id`,
      params,
    );
    return new Map(rows.map((r) => [r.uid, r.n]));
  }

  /** user_show include_datasets: the newest `limit` datasets a user created that `reader` may read. */
  async createdDatasets(db: EntityManager, userId: string, reader: Reader, limit: number): Promise<CreatedDatasetRow[]> {
    const params: unknown[] = [userId, limit];
    return db.query(
      `SELECT id, owner_org, private, state, creator_user_id FROM package
        WHERE creator_user_id = $1 AND ${createdFilter(reader, params)}
        ORDER BY metadata_modified DESC LIMIT $2`,
      params,
    );
  }

  /** user_list: live users matching q (name, full name; e-mail for sysadmins), in CKAN's orders. */
  async list(db: EntityManager, o: { q?: string; email?: string; orderBy: string; searchEmail: boolean; exceptName?: string }): Promise<UserRow[]> {
    const params: unknown[] = [];
    const where = [`u.state <> 'deleted'`];
    if (o.exceptName) {
      params.push(o.exceptName);
      where.push(`u.name <> $${params.length}`);
    }
    if (o.q) {
      params.push(`%${o.q.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`);
      const p = `$${params.length}`;
      where.push(`(lower(u.name) LIKE ${p} OR lower(coalesce(u.fullname, '')) LIKE ${p}${o.searchEmail ? ` OR lower(coalesce(u.email, '')) LIKE ${p}` : ''})`);
    }
    if (o.email) {
      params.push(o.email);
      where.push(`lower(u.email) = lower($${params.length})`);
    }
    const displayName = `COALESCE(NULLIF(u.fullname, ''), u.name)`;
    const order: Record<string, string> = {
      display_name: `${displayName} COLLATE "C"`,
      name: 'u.name COLLATE "C"',
      fullname: 'u.fullname COLLATE "C", u.name',
      about: 'u.about, u.name',
      sysadmin: 'u.sysadmin, u.name',
      created: 'u.created',
      email: 'u.email',
      // The public count, as user_list shows it to everyone.
      number_created_packages: `(SELECT count(*) FROM package p WHERE p.creator_user_id = u.id AND p.state = 'active' AND ${readableSql(ANONYMOUS, params, 'p')}), u.name`,
    };
    return db.query(`SELECT u.* FROM user_account u WHERE ${where.join(' AND ')} ORDER BY ${order[o.orderBy] ?? order.display_name}`, params);
  }

  async insertToken(
    db: EntityManager,
    t: { id: string; userId: string; name: string; secretHash: Buffer; scopes: readonly string[]; organizationId: string | null; expiresAt: Date },
  ): Promise<void> {
    await db.query(
      `INSERT INTO api_token (id, user_id, name, secret_hash, scopes, organization_id, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [t.id, t.userId, t.name, t.secretHash, t.scopes, t.organizationId, t.expiresAt],
    );
  }

  /** A user's tokens, oldest first (as CKAN), expired ones included: they show when they ended. */
  async tokens(db: EntityManager, userId: string): Promise<TokenRow[]> {
    return db.query(`SELECT ${TOKEN_COLUMNS} WHERE t.user_id = $1 ORDER BY t.created_at, t.id`, [userId]);
  }

  async tokenById(db: EntityManager, id: string): Promise<TokenRow | null> {
    if (!isUuid(id)) return null;
    const rows: TokenRow[] = await db.query(`SELECT ${TOKEN_COLUMNS} WHERE t.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async tokenBySecretHash(db: EntityManager, hash: Buffer): Promise<TokenRow | null> {
    const rows: TokenRow[] = await db.query(`SELECT ${TOKEN_COLUMNS} WHERE t.secret_hash = $1`, [hash]);
    return rows[0] ?? null;
  }

  async deleteToken(db: EntityManager, id: string): Promise<void> {
    await db.query(`DELETE FROM api_token WHERE id = $1`, [id]);
  }

  /** Deletes the tokens that expired more than `days` days ago; answers how many went. */
  async deleteTokensExpiredBefore(db: EntityManager, days: number): Promise<number> {
    // As a SELECT over the DELETE: TypeORM answers a bare DELETE … RETURNING with [rows, count], not with the rows.
    const [{ n }]: { n: number }[] = await db.query(
      `WITH gone AS (DELETE FROM api_token WHERE expires_at < clock_timestamp() - make_interval(days => $1) RETURNING id) SELECT count(*)::int AS n FROM gone`, [days],
    );
    return n;
  }

  /**
   * The active user a valid API token's secret hash belongs to: an expired token is no token, as in CKAN. Asked on
   * every request and never cached, so a revoked or expired token stops working at once in every process.
   */
  async callerByTokenHash(db: EntityManager, hash: Buffer): Promise<TokenCallerRow | undefined> {
    const rows = await preparedQuery<TokenCallerRow>(
      db,
      'caller-by-token',
      `SELECT u.id, u.name, u.sysadmin, t.id AS token_id, t.scopes, t.organization_id, t.expires_at,
              (t.last_access IS NULL OR t.last_access < now() - interval '1 minute') AS stale
         FROM api_token t JOIN user_account u ON u.id = t.user_id
        WHERE t.secret_hash = $1 AND u.state = 'active' AND (t.expires_at IS NULL OR t.expires_at > clock_timestamp())`,
      [hash],
    );
    return rows[0];
  }

  async recordTokenUse(db: EntityManager, tokenId: string): Promise<void> {
    await db.query(`UPDATE api_token SET last_access = clock_timestamp() WHERE id = $1`, [tokenId]);
  }

  /** A new web session of `userId` (the cookie's id stored only as its hash), ending `minutes` from now; the user's ended ones go. */
  async createSession(db: EntityManager, id: string, userId: string, hash: Buffer, minutes: number): Promise<void> {
    await db.query(`DELETE FROM web_session WHERE user_id = $1 AND expires_at <= clock_timestamp()`, [userId]);
    await db.query(`INSERT INTO web_session (id, user_id, secret_hash, expires_at) VALUES ($1, $2, $3, clock_timestamp() + make_interval(mins => $4))`, [id, userId, hash, minutes]);
  }

  /** The active user a live (not expired) web session's hash names. */
  async callerBySessionHash(db: EntityManager, hash: Buffer): Promise<{ id: string; name: string; sysadmin: boolean } | undefined> {
    const rows = await preparedQuery<{ id: string; name: string; sysadmin: boolean }>(
      db,
      'caller-by-session',
      `SELECT u.id, u.name, u.sysadmin FROM web_session s JOIN user_account u ON u.id = s.user_id
        WHERE s.secret_hash = $1 AND u.state = 'active' AND s.expires_at > clock_timestamp()`,
      [hash],
    );
    return rows[0];
  }

  async deleteEndedSessions(db: EntityManager): Promise<number> {
    const [{ n }]: { n: number }[] = await db.query(`WITH gone AS (DELETE FROM web_session WHERE expires_at <= clock_timestamp() RETURNING id) SELECT count(*)::int AS n FROM gone`);
    return n;
  }

  async deleteSession(db: EntityManager, hash: Buffer): Promise<void> {
    await db.query(`DELETE FROM web_session WHERE secret_hash = $1`, [hash]);
  }
}
