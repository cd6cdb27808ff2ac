import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config/env';
import { createLogger } from '../common/logger';
import { migrationCommands } from './migration.commands';
import { CliRuntime } from './runtime';

async function main(argv: string[]): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const log = createLogger(process.env.CLI_LOG_LEVEL ?? 'warn', 2);
  const rt = new CliRuntime(config, log);
  const program = new Command('catalog')
    .description('administration of the catalog; works on the same database as the server (embedded or DATABASE_URL)')
    .exitOverride()
    .addCommand(migrationCommands(rt));
  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
    return;
  }
  process.stderr.write(`${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
