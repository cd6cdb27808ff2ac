import { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { Dispatcher } from '../api/dispatcher';
import { HarvestJobActions } from '../harvest/harvest-job.actions';
import { HarvestRunner } from '../harvest/harvest-runner';
import { CliRuntime } from './runtime';

/** `harvest run SOURCE`: one harvest job of a source, run in this process with a progress bar, then its report. */
export function harvestCommands(rt: CliRuntime): Command {
  const cmd = new Command('harvest').description('harvest sources (ckanext-harvest compatible)');
  cmd
    .command('run <source>')
    .description('run one job of the source (id or name) here and now, and print its report')
    .option('--json', 'the report as JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      await rt.withApp(async (app) => {
        const ctx = app.get(Dispatcher).context(null, { ignoreAuth: true, log: rt.log });
        const source = await ctx.call<{ id: string; name: string }>('harvest_source_show', { id: ref });
        // Not enqueued: this process runs it, so no server's worker takes it too.
        const job = await ctx.transaction((tx) => app.get(HarvestJobActions).createJob(tx, source.id, { enqueue: false }));
        const bar = new SingleBar({ format: `${source.name} [{bar}] {value}/{total} records | added {added} updated {updated} deleted {deleted} errors {errored}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
        const stop = (): void => void ctx.call('harvest_job_abort', { id: job.id }).catch(() => undefined);
        process.once('SIGINT', stop);
        try {
          await app.get(HarvestRunner).run(job.id, (done, total, stats) => {
            const payload = { added: stats.added, updated: stats.updated, deleted: stats.deleted, errored: stats.errored };
            if (!bar.isActive) bar.start(Math.max(total ?? done, 1), done, payload);
            bar.setTotal(Math.max(total ?? done, done, 1));
            bar.update(done, payload);
          });
        } finally {
          if (bar.isActive) bar.stop();
          process.off('SIGINT', stop);
        }
        const report = await ctx.call<{ status: string; stats: Record<string, number>; gather_errors: { message: string }[]; object_errors: Record<string, { guid: string; errors: { message: string }[] }> }>(
          'harvest_job_report', { id: job.id });
        if (o.json) return rt.out(JSON.stringify({ job_id: job.id, ...report }, null, 2));
        const s = report.stats;
        rt.out(`job ${job.id}: ${report.status}; added ${s.added}, updated ${s.updated}, deleted ${s.deleted}, not modified ${s['not modified']}, errored ${s.errored}`);
        for (const e of report.gather_errors) rt.out(`  gather error: ${e.message}`);
        for (const e of Object.values(report.object_errors)) rt.out(`  ${e.guid}: ${e.errors.map((x) => x.message).join('; ')}`);
        if (report.status !== 'Finished' || report.gather_errors.length) process.exitCode = 1;
      });
    });
  return cmd;
}
