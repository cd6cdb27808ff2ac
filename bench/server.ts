import 'reflect-metadata';
import { Controller, Get, Header, Module } from '@nestjs/common';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dispatcher } from '../src/api/dispatcher';
import { PgSearchBackend } from '../src/search/pg/pg-search.backend';
import { createLogger } from '../src/common/logger';
import { loadConfig } from '../src/config/env';
import { Database } from '../src/database/database.module';
import { createHttpApp } from '../src/http';

/**
 * The catalog as the benchmarks run it: the real HTTP app on its own embedded PostgreSQL (or
 * BENCH_DATABASE_URL), plus one bench-only route that answers a constant JSON body of a given
 * size through the same Nest + Fastify stack — the ceiling package_show is compared with.
 */
let constantBody = '{}';
let searchBackend: PgSearchBackend | undefined;

@Controller('__bench')
class BenchController {
  @Get('constant')
  @Header('content-type', 'application/json;charset=utf-8')
  constant(): string {
    return constantBody;
  }

  /** Whether package_search answers from memory yet (after a reindex the store reloads; SQL answers meanwhile). */
  @Get('search-ready')
  searchReady(): { ready: boolean; documents: number } {
    return { ready: searchBackend?.memoryReady ?? false, documents: searchBackend?.docs.size ?? 0 };
  }
}

@Module({ controllers: [BenchController] })
class BenchModule {}

async function main(): Promise<void> {
  const dataDir = process.env.BENCH_DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'catalog-bench-')));
  const config = loadConfig({
    // The load generators are one address: measured is the catalog, not its rate limit.
    RATE_LIMIT_ANONYMOUS: '0',
    RATE_LIMIT_TOKEN: '0',
    // Two bench servers may run at once (core's dict-cache-off server beside the main one): each its own broker port.
    MQTT_PORT: '0',
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: process.env.BENCH_DATABASE_URL,
    PORT: process.env.BENCH_PORT ?? '0',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    // BENCH_SITE_URL: the address the server really answers on (with BENCH_PORT), for benches that follow its links (hydra paging).
    SITE_URL: process.env.BENCH_SITE_URL ?? 'http://bench.local',
  });
  const log = createLogger(config.LOG_LEVEL);
  const app = await createHttpApp({ config, logger: log, database: { migrate: true } }, { modules: [BenchModule] });
  const database = app.get(Database);
  app.enableShutdownHooks();
  await app.listen({ port: config.PORT, host: '127.0.0.1' });
  const port = (app.getHttpServer().address() as { port: number }).port;
  searchBackend = app.get(PgSearchBackend);
  const ctx = app.get(Dispatcher).context(null, { ignoreAuth: true });
  const name = `bench-${Date.now()}`;
  const user = await ctx.call<{ token: string }>('user_create', { name, sysadmin: true, with_apitoken: true });
  process.on('message', (m: { constantBytes?: number }) => {
    if (m.constantBytes) constantBody = JSON.stringify({ help: 'x', success: true, result: 'x'.repeat(Math.max(0, m.constantBytes - 40)) });
    process.send?.({ constantReady: Buffer.byteLength(constantBody) });
  });
  process.send?.({ ready: true, port, token: user.token, dataDir, databaseUrl: database.url });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
