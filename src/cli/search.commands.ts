import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { DataSource } from 'typeorm';
import { MeiliSearchBackend, MEILI_BACKEND } from '../search/meili/meili-search.backend';
import { reindexPostgres } from '../search/search-reindex';
import { CliRuntime } from './runtime';

/** `search reindex`: rebuilds the PostgreSQL search index (and Meilisearch's, when configured), with a progress bar. */
export function searchCommands(rt: CliRuntime): Command {
  const cmd = new Command('search').description('the search index');
  cmd
    .command('reindex')
    .description('rebuild the search index from the catalog; searching keeps working meanwhile')
    .action(async () => {
      await rt.withApp(async (app) => {
        const bar = new SingleBar({ format: '{task} [{bar}] {percentage}% | {value}/{total} datasets | {eta_formatted} left', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
        const started = Date.now();
        const show = (task: string) => (done: number, total: number): void => {
          if (!bar.isActive) bar.start(Math.max(total, 1), done, { task });
          bar.setTotal(Math.max(total, 1));
          bar.update(done, { task });
        };
        const n = await reindexPostgres(app.get(DataSource), show('postgres   '));
        bar.stop();
        rt.out(`reindexed ${n} datasets in PostgreSQL in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        const meili = app.get<MeiliSearchBackend | undefined>(MEILI_BACKEND, { strict: false });
        if (meili) {
          const t0 = Date.now();
          await meili.reindex(show('meilisearch'));
          bar.stop();
          rt.out(`reindexed Meilisearch in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        }
      });
    });
  return cmd;
}
