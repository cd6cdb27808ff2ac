import { TestApp } from '../../test/test-app';
import { allow, defineAction, deny, NoInput, scopeOf } from './action';
import type { Caller } from './action-context';
import type { TokenScope } from './token-scope';
import { ActionRegistry } from './action-registry';
import { Field, notEmpty, unicodeSafe } from './ckan-schema';
import { BadRequest, NotAuthorized, ValidationError } from './errors';
import { WriteHooks } from './write-hooks';

class NameInput {
  @Field(notEmpty, unicodeSafe) name!: string;
}

describe('the dispatcher', () => {
  let t: TestApp;
  const events: string[] = [];
  let deadlockAttempts = 0;
  let signalRowALocked: () => void = () => undefined;

  beforeAll(async () => {
    t = await TestApp.start();
    const registry = t.app.get(ActionRegistry);
    registry.register([
      defineAction({
        name: 'test_deadlock_retry',
        help: 'locks tag dl-a, then tag dl-b; run again when chosen to end a deadlock',
        sideEffectFree: false,
        anonymous: true,
        retryOnDeadlock: true,
        input: NoInput,
        auth: async () => allow(),
        handler: async (ctx) => {
          deadlockAttempts++;
          await ctx.db.query(`SELECT 1 FROM tag WHERE name = 'dl-a' FOR UPDATE`);
          if (deadlockAttempts === 1) signalRowALocked();
          await ctx.db.query(`SELECT 1 FROM tag WHERE name = 'dl-b' FOR UPDATE`);
          return deadlockAttempts;
        },
      }),
      defineAction({
        name: 'test_write_then_fail',
        help: 'writes a row, then fails',
        sideEffectFree: false,
        anonymous: false,
        input: NameInput,
        auth: async () => allow(),
        handler: async (ctx, input) => {
          await ctx.db.query(`INSERT INTO tag (id, name) VALUES (gen_random_uuid(), $1)`, [input.name]);
          ctx.afterCommit(() => void events.push(`committed ${input.name}`));
          ctx.onRollback(() => void events.push(`rolled back ${input.name}`));
          if (input.name.startsWith('fail')) throw new ValidationError({ name: ['nope'] });
          return ctx.call('test_read_tag', { name: input.name });
        },
      }),
      defineAction({
        name: 'test_read_tag',
        help: 'reads a tag in the caller’s transaction',
        sideEffectFree: true,
        anonymous: true,
        input: NameInput,
        auth: async () => allow(),
        handler: async (ctx, input) => (await ctx.db.query(`SELECT name FROM tag WHERE name = $1`, [input.name]))[0] ?? null,
      }),
      defineAction({
        name: 'test_sysadmin_checked',
        help: 'denied even to sysadmins',
        sideEffectFree: true,
        anonymous: true,
        checkSysadmins: true,
        input: NoInput,
        auth: async () => deny('never'),
        handler: async () => 'reached',
      }),
      defineAction({
        name: 'test_write_nested',
        help: 'a write that runs another write',
        sideEffectFree: false,
        anonymous: false,
        input: NameInput,
        auth: async () => allow(),
        handler: async (ctx, input) => ctx.call('test_write_then_fail', { name: `${input.name}-inner` }),
      }),
    ]);
    t.app.get(WriteHooks).register(async (ctx, e) => {
      const seen = await ctx.db.query(`SELECT 1 FROM tag WHERE name = $1`, [String((e.input as NameInput).name)]);
      events.push(`hook ${e.action} ${e.outermost ? 'outermost' : 'nested'}${ctx.inTransaction && seen.length ? ', sees its row' : ''}`);
      if ((e.input as Partial<NameInput>).name?.startsWith('hookfail') && e.outermost) throw new ValidationError({ name: ['hook refused'] });
    });
  });
  afterAll(() => t.stop());

  it('runs a write action in one transaction: nested calls see its writes, commit hooks run after commit', async () => {
    await expect(t.call('test_write_then_fail', { name: 'ok-tag' })).resolves.toEqual({ name: 'ok-tag' });
    expect(events).toContain('committed ok-tag');
  });

  it('leaves nothing behind when the action fails, and runs the rollback hooks', async () => {
    await expect(t.call('test_write_then_fail', { name: 'fail-tag' })).rejects.toBeInstanceOf(ValidationError);
    expect(await t.call('test_read_tag', { name: 'fail-tag' })).toBeNull();
    expect(events).toContain('rolled back fail-tag');
    expect(events).not.toContain('committed fail-tag');
  });

  it('runs the write hooks in the write’s transaction after the handler, nested writes first, reads never', async () => {
    events.length = 0;
    await t.call('test_write_nested', { name: 'hooked' });
    expect(events).toEqual(['hook test_write_then_fail nested, sees its row', 'hook test_write_nested outermost', 'committed hooked-inner']);
    events.length = 0;
    await t.call('test_write_then_fail', { name: 'hooked-direct' });
    expect(events).toEqual(['hook test_write_then_fail outermost, sees its row', 'committed hooked-direct']);
  });

  it('rolls the write back when a write hook fails', async () => {
    await expect(t.call('test_write_then_fail', { name: 'hookfail-tag' })).rejects.toMatchObject({ fields: { name: ['hook refused'] } });
    expect(await t.call('test_read_tag', { name: 'hookfail-tag' })).toBeNull();
  });

  it('runs before-commit hooks inside the transaction once its work is done, and rolls back when one fails', async () => {
    const ctx = t.context();
    const insert = (tx: typeof ctx, name: string) => tx.db.query(`INSERT INTO tag (id, name) VALUES (gen_random_uuid(), $1)`, [name]);
    const seen: string[] = [];
    await ctx.transaction(async (tx) => {
      tx.beforeCommit(async () => void seen.push(`sees ${(await tx.db.query(`SELECT name FROM tag WHERE name LIKE 'bc-%' ORDER BY name`)).map((r: { name: string }) => r.name).join(',')}`));
      await insert(tx, 'bc-1');
      await insert(tx, 'bc-2');
    });
    expect(seen).toEqual(['sees bc-1,bc-2']);
    expect(ctx.beforeCommit(() => undefined)).toBe(false);
    await expect(ctx.transaction(async (tx) => {
      await insert(tx, 'bc-3');
      tx.beforeCommit(() => {
        throw new Error('refused before commit');
      });
    })).rejects.toThrow('refused before commit');
    expect(await t.call('test_read_tag', { name: 'bc-3' })).toBeNull();
  });

  it('runs an action again that asks for it when PostgreSQL ends a deadlock with its transaction', async () => {
    await t.db.dataSource.query(`INSERT INTO tag (id, name) VALUES (gen_random_uuid(), 'dl-a'), (gen_random_uuid(), 'dl-b')`);
    const other = t.db.dataSource.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    try {
      await other.query(`SELECT 1 FROM tag WHERE name = 'dl-b' FOR UPDATE`);
      const rowALocked = new Promise<void>((resolve) => (signalRowALocked = resolve));
      const run = t.call('test_deadlock_retry', {});
      await rowALocked;
      // The action waits for dl-b first, so its deadlock check runs first and PostgreSQL ends its transaction.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await other.query(`SELECT 1 FROM tag WHERE name = 'dl-a' FOR UPDATE`);
      await other.commitTransaction();
      expect(await run).toBe(2);
    } finally {
      if (other.isTransactionActive) await other.rollbackTransaction();
      await other.release();
    }
  });

  it('refuses anonymous callers before validating when the action needs a user', async () => {
    await expect(t.call('test_write_then_fail', {}, { as: null })).rejects.toEqual(new NotAuthorized('Action test_write_then_fail requires an authenticated user'));
  });

  it('validates input before it authorizes', async () => {
    await expect(t.call('test_write_then_fail', {})).rejects.toMatchObject({ fields: { name: ['Missing value'] } });
  });

  it('judges sysadmins by the rule when the action says so', async () => {
    await expect(t.call('test_sysadmin_checked')).rejects.toEqual(new NotAuthorized('never'));
  });

  describe('API token scopes', () => {
    const withToken = (scopes: TokenScope[]): Caller => ({
      id: t.sysadmin.id, name: t.sysadmin.name, sysadmin: true, token: { id: 'x', scopes, organizationId: null, ownerIsSysadmin: true, expiresAt: null },
    });

    it('checks the scope an action needs where the caller enters, not for the action\'s own nested calls', async () => {
      // test_write_then_fail (write) calls test_read_tag (read): a write-only token gets both done.
      await expect(t.call('test_write_then_fail', { name: 'scoped-tag' }, { as: withToken(['write']) })).resolves.toEqual({ name: 'scoped-tag' });
      await expect(t.call('test_read_tag', { name: 'scoped-tag' }, { as: withToken(['write']) })).rejects.toBeInstanceOf(NotAuthorized);
      await expect(t.call('test_write_then_fail', { name: 'scoped-2' }, { as: withToken(['read']) })).rejects.toEqual(
        new NotAuthorized('the API token lacks the scope "write", which the action test_write_then_fail needs (its scopes: read)'),
      );
      expect(await t.call('test_read_tag', { name: 'scoped-2' })).toBeNull();
    });

    it('derives the scope from sideEffectFree unless the action names one', () => {
      const registry = t.app.get(ActionRegistry);
      expect(scopeOf(registry.get('package_show')!)).toBe('read');
      expect(scopeOf(registry.get('package_update')!)).toBe('write');
      expect(scopeOf(registry.get('datastore_upsert')!)).toBe('datastore');
      expect(scopeOf(registry.get('api_token_list')!)).toBe('admin');
      expect(scopeOf(registry.get('sensor_push')!)).toBe('ingest');
    });

    it('lets a route name its scope when it makes the context: refused at once without it', () => {
      expect(() => t.dispatcher.context(withToken(['read']), { scope: 'ingest', what: 'SensorThings writes' })).toThrow(
        new NotAuthorized('the API token lacks the scope "ingest", which SensorThings writes needs (its scopes: read)'),
      );
      expect(t.dispatcher.context(withToken(['ingest']), { scope: 'ingest' }).entered).toBe(true);
      expect(t.dispatcher.context(null, { scope: 'ingest' }).entered).toBe(true);
    });
  });

  it('names an unknown action', async () => {
    await expect(t.call('no_such_action')).rejects.toEqual(new BadRequest('Action name not known: no_such_action'));
  });

  it('refuses to register an action name twice', () => {
    const registry = t.app.get(ActionRegistry);
    expect(() => registry.register([{ ...registry.get('site_read')! }])).toThrow('CKAN action registered twice: site_read');
  });
});
