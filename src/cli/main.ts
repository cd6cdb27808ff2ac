import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CkanError, ValidationError } from '../api/errors';
import { ConfigError, loadConfig } from '../config/env';
import { createLogger } from '../common/logger';
import { dcatCommands } from './dcat.commands';
import { harvestCommands } from './harvest.commands';
import { jobsCommands } from './jobs.commands';
import { migrationCommands } from './migration.commands';
import { CliRuntime } from './runtime';
import { searchCommands } from './search.commands';
import { userCommands } from './user.commands';

async function main(argv: string[]): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const log = createLogger(process.env.CLI_LOG_LEVEL ?? 'warn', 2, config.LOG_FORMAT);
  const rt = new CliRuntime(config, log);
  const program = new Command('catalog')
    .description('administration of the catalog; works on the same database as the server (embedded or DATABASE_URL)')
    .exitOverride()
    .addCommand(migrationCommands(rt))
    .addCommand(userCommands(rt))
    .addCommand(searchCommands(rt))
    .addCommand(dcatCommands(rt))
    .addCommand(jobsCommands(rt))
    .addCommand(harvestCommands(rt));
  await program.parseAsync(argv);
}

/** CKAN errors as a steward reads them: one line per field. */
function describeError(err: unknown): string {
  if (err instanceof ValidationError) {
    return Object.entries(err.fields)
      .map(([field, msgs]) => `${field}: ${Array.isArray(msgs) ? msgs.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join('; ') : String(msgs)}`)
      .join('\n');
  }
  if (err instanceof CkanError) return `${err.kind.replace('_', ' ')}: ${err.message}`;
  return err instanceof ConfigError || err instanceof Error ? err.message : String(err);
}

main(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
    return;
  }
  process.stderr.write(`${describeError(err)}\n`);
  process.exitCode = 1;
});
