import { TestApp } from '../../test/test-app';
import { createLogger } from '../common/logger';
import { ensureSysadminFromEnv } from './bootstrap-sysadmin';
import { UserRepository } from './user.repository';
import { verifyPassword } from './passwords';

describe('the sysadmin from SYSADMIN_NAME / SYSADMIN_PASSWORD', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.stop());
  const log = createLogger('silent');

  it('is created on first start with the given password, and left alone on the next', async () => {
    const config = { ...t.config, SYSADMIN_NAME: 'landrat', SYSADMIN_PASSWORD: 'erstes Passwort' };
    await ensureSysadminFromEnv(t.dispatcher, t.app.get(UserRepository), config, log);
    const user = await t.call<{ sysadmin: boolean; id: string }>('user_show', { id: 'landrat' });
    expect(user.sysadmin).toBe(true);
    await ensureSysadminFromEnv(t.dispatcher, t.app.get(UserRepository), { ...config, SYSADMIN_PASSWORD: 'anderes Passwort' }, log);
    const [row] = await t.db.dataSource.query(`SELECT password_hash FROM user_account WHERE name = 'landrat'`);
    expect(await verifyPassword(row.password_hash, 'erstes Passwort')).toBe(true);
  });

  it('promotes an existing account of that name', async () => {
    const u = await t.factories.user({ name: 'kaemmerer' });
    await ensureSysadminFromEnv(t.dispatcher, t.app.get(UserRepository), { ...t.config, SYSADMIN_NAME: u.name, SYSADMIN_PASSWORD: 'egal egal egal' }, log);
    expect((await t.call<{ sysadmin: boolean }>('user_show', { id: u.name })).sysadmin).toBe(true);
  });

  it('does nothing without a name, and creates nobody without a password', async () => {
    await ensureSysadminFromEnv(t.dispatcher, t.app.get(UserRepository), { ...t.config, SYSADMIN_NAME: undefined }, log);
    await ensureSysadminFromEnv(t.dispatcher, t.app.get(UserRepository), { ...t.config, SYSADMIN_NAME: 'ohne-passwort', SYSADMIN_PASSWORD: undefined }, log);
    await expect(t.call('user_show', { id: 'ohne-passwort' })).rejects.toMatchObject({ kind: 'not_found' });
  });
});
