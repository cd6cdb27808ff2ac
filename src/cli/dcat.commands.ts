import { Command } from 'commander';
import { Dispatcher } from '../api/dispatcher';
import { DcatValidation } from '../dcat/dcat-validation';
import { CliRuntime } from './runtime';

/** `dcat validate`: every dataset of the catalog checked against DCAT-AP.de, as a steward's to-do list; `dcat quality`: every dataset's quality scored anew. */
export function dcatCommands(rt: CliRuntime): Command {
  const cmd = new Command('dcat').description('DCAT-AP.de publishing');
  cmd
    .command('validate')
    .description('check every active dataset (public and private) against DCAT-AP.de 3.0 and the GovData conventions')
    .option('--json', 'one JSON line per dataset with findings instead of text')
    .option('--warnings', 'list warnings too, not only violations')
    .action(async (opts: { json?: boolean; warnings?: boolean }) => {
      const exitCode = await rt.withApp(async (app) => {
        const ctx = app.get(Dispatcher).context(null, { ignoreAuth: true });
        const validation = app.get(DcatValidation);
        const names: string[] = [];
        for (let start = 0; ; start += 1000) {
          const page = await ctx.call<{ results: { name: string }[] }>('package_search', { q: '*:*', sort: 'id asc', rows: 1000, start, include_private: true, facet: 'false' });
          names.push(...page.results.map((d) => d.name));
          if (page.results.length < 1000) break;
        }
        let failing = 0;
        let violations = 0;
        let warnings = 0;
        for (const name of names) {
          const dataset = await ctx.call<Record<string, unknown>>('package_show', { id: name });
          const report = await validation.report(ctx, dataset);
          violations += report.violations;
          warnings += report.warnings;
          const shown = report.findings.filter((f) => opts.warnings || f.severity === 'violation');
          if (!report.conforms) failing++;
          if (!shown.length) continue;
          if (opts.json) rt.out(JSON.stringify({ name, id: dataset.id, conforms: report.conforms, findings: shown }));
          else {
            rt.out(`${name}${report.conforms ? '' : ' — not valid'}`);
            for (const f of shown) rt.out(`  ${f.severity.padEnd(9)} ${f.resource !== undefined ? `resources[${f.resource}].` : ''}${f.field}: ${f.message}`);
          }
        }
        rt.out(`${names.length} datasets checked: ${names.length - failing} valid, ${failing} with violations (${violations} violations, ${warnings} warnings)`);
        return failing ? 1 : 0;
      });
      process.exitCode = exitCode;
    });
  cmd
    .command('quality')
    .description('score every dataset\'s metadata quality anew (package_quality_refresh): once after upgrading, or after organizations\' contact extras changed')
    .action(async () => {
      await rt.withApp(async (app) => {
        const ctx = app.get(Dispatcher).context(null, { ignoreAuth: true });
        const ids: string[] = [];
        for (let start = 0; ; start += 1000) {
          const page = await ctx.call<{ results: { id: string }[] }>('package_search', { q: '*:*', sort: 'id asc', rows: 1000, start, include_private: true, include_drafts: true, facet: 'false' });
          ids.push(...page.results.map((d) => d.id));
          if (page.results.length < 1000) break;
        }
        const ratings = new Map<string, number>();
        // One transaction per dataset, as its writes have.
        for (const id of ids) {
          const q = await ctx.call<{ rating: string }>('package_quality_refresh', { id });
          ratings.set(q.rating, (ratings.get(q.rating) ?? 0) + 1);
        }
        rt.out(`${ids.length} datasets scored: ${['excellent', 'good', 'sufficient', 'bad'].map((r) => `${ratings.get(r) ?? 0} ${r}`).join(', ')}`);
        return 0;
      });
    });
  return cmd;
}
