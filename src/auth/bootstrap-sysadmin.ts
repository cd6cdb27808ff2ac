import type { Dispatcher } from '../api/dispatcher';
import { NotFound } from '../api/errors';
import type { AppConfig } from '../config/env';
import type { Logger } from '../common/logger';
import type { UserRepository } from './user.repository';

/**
 * SYSADMIN_NAME + SYSADMIN_PASSWORD: on start, create that sysadmin if no such user exists yet
 * (an existing account is promoted, its password left alone). Goes through user_create like every client.
 */
export async function ensureSysadminFromEnv(dispatcher: Dispatcher, users: UserRepository, config: AppConfig, log: Logger): Promise<void> {
  const name = config.SYSADMIN_NAME;
  if (!name) return;
  const ctx = dispatcher.context(null, { ignoreAuth: true });
  try {
    const user = await ctx.call<{ id: string; sysadmin: boolean }>('user_show', { id: name });
    if (!user.sysadmin) {
      await users.setSysadmin(ctx.db, user.id, true);
      log.warn({ user: name }, 'SYSADMIN_NAME names an existing user: made them a sysadmin');
    }
    return;
  } catch (err) {
    if (!(err instanceof NotFound)) throw err;
  }
  if (!config.SYSADMIN_PASSWORD) {
    log.warn('SYSADMIN_NAME is set without SYSADMIN_PASSWORD: no sysadmin created (use `npm run cli -- user add NAME --sysadmin`)');
    return;
  }
  await ctx.call('user_create', { name, password: config.SYSADMIN_PASSWORD, email: config.SYSADMIN_EMAIL, sysadmin: true });
  log.info({ user: name }, 'created the sysadmin named by SYSADMIN_NAME');
}
