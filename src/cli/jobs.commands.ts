import { Command } from 'commander';
import { JobQueue, JobStatus } from '../jobs/job-queue';
import { CliRuntime } from './runtime';

const line = (j: JobStatus): string =>
  [
    j.createdAt.slice(0, 19),
    j.name.padEnd(22),
    j.state.padEnd(9),
    `${j.attempts}/${j.maxAttempts}`.padEnd(5),
    j.progress === null ? '' : `${Math.round(j.progress * 100)}%`,
    j.message ?? '',
    j.lastError ? `last error: ${j.lastError}` : '',
  ]
    .filter((x) => x !== '')
    .join('  ');

/** `jobs list` and `jobs show`: what the background job queue is doing, and what failed. */
export function jobsCommands(rt: CliRuntime): Command {
  const cmd = new Command('jobs').description('the background job queue');
  cmd
    .command('list')
    .description('the latest jobs, newest first: state, attempts, progress and last error')
    .option('--queue <name>', 'only jobs of this kind (e.g. uploads.sweep)')
    .option('--limit <n>', 'how many', '30')
    .option('--json', 'as JSON')
    .action(async (o: { queue?: string; limit: string; json?: boolean }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        rt.err(`--limit takes a whole number from 1 to 1000, not "${o.limit}"`);
        process.exitCode = 1;
        return;
      }
      await rt.withApp(async (app) => {
        const jobs = await app.get(JobQueue).recent({ queue: o.queue, limit });
        rt.out(o.json ? JSON.stringify(jobs, null, 2) : jobs.map(line).join('\n') || 'no jobs');
      });
    });
  cmd
    .command('show <name> <id>')
    .description('one job as JSON')
    .action(async (name: string, id: string) => {
      await rt.withApp(async (app) => {
        const job = await app.get(JobQueue).status(name, id);
        if (!job) {
          rt.err(`no job ${id} of ${name}`);
          process.exitCode = 1;
          return;
        }
        rt.out(JSON.stringify(job, null, 2));
      });
    });
  return cmd;
}
