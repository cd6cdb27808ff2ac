import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { ActionContext } from '../api/action-context';
import { preparedQuery } from '../database/prepared';
import type { CursorTuple } from './search-backend';

/**
 * Exact paging while data changes. A client paging with a growing `start` (the CKAN harvester:
 * `rows=100&start=N&sort=id asc`) would skip a dataset whenever one before its position is deleted,
 * and see one twice whenever one is created before it. So where each page ends is remembered
 * (per client and query, for an hour), and the next page continues after that row instead of
 * counting `start` rows again. Without a remembered cursor, `start` counts rows as usual.
 */
@Injectable()
export class SearchCursors {
  key(ctx: ActionContext, normalizedQuery: string, start: number): string {
    const who = `${ctx.user?.id ?? ''}|${ctx.request?.client ?? ''}`;
    return `${createHash('sha256').update(who).update('\n').update(normalizedQuery).digest('base64url')}:${start}`;
  }

  async get(ctx: ActionContext, key: string): Promise<CursorTuple | undefined> {
    const rows = await preparedQuery<{ after: CursorTuple }>(ctx.db, 'search-cursor-get', `SELECT after FROM search_cursor WHERE key = $1 AND expires_at > now()`, [key]);
    return rows[0]?.after;
  }

  async put(ctx: ActionContext, key: string, after: CursorTuple): Promise<void> {
    await preparedQuery(
      ctx.db,
      'search-cursor-put',
      `INSERT INTO search_cursor (key, after, expires_at) VALUES ($1, $2, now() + interval '1 hour')
       ON CONFLICT (key) DO UPDATE SET after = excluded.after, expires_at = excluded.expires_at`,
      [key, JSON.stringify(after)],
    );
    // Expired cursors are cleared now and then, by whoever happens to page.
    if (Math.random() < 0.01) await ctx.db.query(`DELETE FROM search_cursor WHERE expires_at < now()`);
  }
}
