import 'reflect-metadata';
import { pendingSchemaSql } from '../src/cli/migration.commands';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';
import { createTestDatabase, dropTestDatabase } from '../test/test-db';

describe('migrations', () => {
  it('bring a database exactly to the entities: no change is missing a migration', async () => {
    const { name, url } = await createTestDatabase();
    const ds = createDataSource({ entities: ENTITIES, url, poolSize: 1 });
    await ds.initialize();
    try {
      const { up } = await pendingSchemaSql(ds);
      expect(up).toEqual([]);
    } finally {
      await ds.destroy();
      await dropTestDatabase(name);
    }
  });

  it('can be reverted and applied again', async () => {
    const { name, url } = await createTestDatabase();
    const ds = createDataSource({ entities: ENTITIES, url, poolSize: 1 });
    await ds.initialize();
    try {
      for (let i = 0; i < ds.migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      const tables = await ds.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`);
      expect(tables[0].n).toBe(0);
      expect((await ds.runMigrations({ transaction: 'each' })).length).toBe(ds.migrations.length);
      expect((await pendingSchemaSql(ds)).up).toEqual([]);
    } finally {
      await ds.destroy();
      await dropTestDatabase(name);
    }
  });
});
