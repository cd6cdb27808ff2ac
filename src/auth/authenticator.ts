import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Caller } from '../api/action-context';
import { CallerResolver } from '../api/caller-resolver';
import type { Logger } from '../common/logger';
import { LOGGER } from '../common/logger.provider';
import { preparedQuery } from '../database/prepared';
import { hashTokenSecret, tokenFromHeaders } from './tokens';

/**
 * Turns a request's API token into a caller. An unknown, revoked or malformed token is not an
 * error: the request runs as anonymous, as in CKAN (public reads work, the rest answers 403).
 */
@Injectable()
export class Authenticator implements CallerResolver {
  constructor(private readonly dataSource: DataSource, @Inject(LOGGER) private readonly log: Logger) {}

  async fromHeaders(headers: Record<string, string | string[] | undefined>): Promise<Caller | null> {
    const token = tokenFromHeaders(headers);
    return token ? this.fromToken(token) : null;
  }

  async fromToken(token: string): Promise<Caller | null> {
    if (token.length > 512) return null;
    const rows = await preparedQuery<{ id: string; name: string; sysadmin: boolean; token_id: string; stale: boolean }>(
      this.dataSource.manager,
      'caller-by-token',
      `SELECT u.id, u.name, u.sysadmin, t.id AS token_id,
              (t.last_access IS NULL OR t.last_access < now() - interval '1 minute') AS stale
         FROM api_token t JOIN user_account u ON u.id = t.user_id
        WHERE t.secret_hash = $1 AND u.state = 'active'`,
      [hashTokenSecret(token)],
    );
    const row = rows[0];
    if (!row) return null;
    if (row.stale) {
      // last_access is informational: record it at most once a minute, off the request's path.
      this.dataSource
        .query(`UPDATE api_token SET last_access = clock_timestamp() WHERE id = $1`, [row.token_id])
        .catch((err: unknown) => this.log.warn({ err }, 'could not record token use'));
    }
    return { id: row.id, name: row.name, sysadmin: row.sysadmin };
  }
}
