import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { DataSource } from 'typeorm';
import { CliRuntime } from './runtime';

/** `migration run | revert | show | generate <Name> [--check]` on the database the server uses. */
export function migrationCommands(rt: CliRuntime): Command {
  const cmd = new Command('migration').description('database schema migrations (migrations/)');

  cmd.command('run').description('apply pending migrations (creates the catalog where there is none)').action(async () => {
    await rt.withDatabase({ migrate: false, existingCatalog: false }, async (ds) => {
      const applied = await ds.runMigrations({ transaction: 'each' });
      rt.out(applied.length ? applied.map((m) => `applied ${m.name}`).join('\n') : 'no pending migrations');
    });
  });

  cmd.command('revert').description('undo the most recent migration').action(async () => {
    await rt.withDatabase({ migrate: false, existingCatalog: true }, async (ds) => {
      await ds.undoLastMigration({ transaction: 'each' });
      rt.out('reverted the last migration');
    });
  });

  cmd.command('show').description('list migrations and whether they ran').action(async () => {
    await rt.withDatabase({ migrate: false, existingCatalog: true }, async (ds) => {
      const ran = new Set((await ds.query('SELECT name FROM migrations').catch(() => [])).map((r: { name: string }) => r.name));
      for (const m of ds.migrations) rt.out(`${ran.has(m.name ?? m.constructor.name) ? '[X]' : '[ ]'} ${m.name ?? m.constructor.name}`);
    });
  });

  cmd
    .command('generate')
    .argument('<name>', 'PascalCase name of the change, e.g. AddTokenExpiry (a path is accepted; its last part is used)')
    .option('--check', 'write nothing; exit 1 when the entities differ from the migrated schema')
    .description('write a migration with the SQL that brings the migrated schema to the entities')
    .action(async (rawName: string, o: { check?: boolean }) => {
      await rt.withDatabase({ migrate: true, existingCatalog: false }, async (ds) => {
        const { up, down } = await pendingSchemaSql(ds);
        if (o.check) {
          if (up.length) {
            rt.err(`entities and migrations differ; missing migration:\n${up.join('\n')}`);
            process.exitCode = 1;
          } else rt.out('schema matches the entities');
          return;
        }
        if (!up.length) return rt.out('no changes: the schema matches the entities');
        const name = rawName.split('/').pop()!.replace(/[^A-Za-z0-9]/g, '');
        const ts = Date.now();
        const file = join(resolve('migrations'), `${ts}-${name}.ts`);
        await writeFile(file, migrationSource(`${name}${ts}`, up, down));
        rt.out(`wrote ${file}; read and trim it, then add ${name}${ts} to migrations/index.ts`);
      });
    });
  return cmd;
}

export async function pendingSchemaSql(ds: DataSource): Promise<{ up: string[]; down: string[] }> {
  const sql = await ds.driver.createSchemaBuilder().log();
  return { up: sql.upQueries.map((q) => q.query), down: sql.downQueries.reverse().map((q) => q.query) };
}

function migrationSource(className: string, up: string[], down: string[]): string {
  const quote = (sql: string): string => '`' + sql.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${').trim() + '`';
  const lines = (qs: string[]): string => qs.map((q) => `    await q.query(${quote(q)});`).join('\n');
  return `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(q: QueryRunner): Promise<void> {
${lines(up)}
  }

  async down(q: QueryRunner): Promise<void> {
${lines(down)}
  }
}
`;
}
