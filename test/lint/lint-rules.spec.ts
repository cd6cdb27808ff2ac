import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * `npm run lint` must fail on what STYLE.md forbids. These feed the project's own configs small pieces of code
 * that break one rule each, so a config change that silently stops a rule fails here.
 */
const ROOT = resolve(__dirname, '../..');
jest.setTimeout(180_000);

/** Runs one of the project's lint commands as `npm run lint` does (both are ES modules, so not inside jest). */
function run(bin: string, args: string[], opts: { cwd: string; stdin?: string }): Promise<string> {
  return new Promise((ok, fail) => {
    const child = execFile(process.execPath, [join(ROOT, 'node_modules/.bin', bin), ...args], { cwd: opts.cwd, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      // Both exit non-zero when they find something: the JSON on stdout is the answer either way.
      if (stdout.trim()) ok(stdout);
      else fail(err ?? new Error(stderr));
    });
    child.stdin?.end(opts.stdin ?? '');
  });
}

describe('ESLint as npm run lint runs it', () => {
  /** The rules each probe in test/lint/probes breaks, from one run of the project's config over all of them. */
  let hits: Map<string, string[]>;
  beforeAll(async () => {
    const out = JSON.parse(await run('eslint', ['--no-ignore', '--format', 'json', 'test/lint/probes'], { cwd: ROOT })) as { filePath: string; messages: { ruleId: string | null; message: string }[] }[];
    hits = new Map(out.map((f) => [f.filePath.split('/').pop()!, f.messages.map((m) => m.ruleId ?? m.message)]));
  });

  it('refuses a focused test left in', () => {
    expect(hits.get('focused.probe.ts')).toContain('jest/no-focused-tests');
  });

  it('refuses a skipped test left in', () => {
    expect(hits.get('skipped.probe.ts')).toContain('jest/no-disabled-tests');
  });

  it('refuses a promise nobody awaits', () => {
    expect(hits.get('floating.probe.ts')).toContain('@typescript-eslint/no-floating-promises');
  });

  it('refuses a query outside a repository', () => {
    expect(hits.get('query-outside-repository.probe.ts')).toContain('no-restricted-syntax');
  });

  it('accepts the same code once the promise is awaited', () => {
    expect(hits.get('awaited.probe.ts')).toEqual([]);
  });
});

describe('dependency-cruiser as npm run lint runs it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'catalog-boundaries-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** Lays out a tiny tree under the project's rules and names the rules its imports break. */
  async function violations(files: Record<string, string>): Promise<string[]> {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node' } }));
    const tops = [...new Set(Object.keys(files).map((f) => f.split('/')[0]))];
    try {
      const out = JSON.parse(await run('depcruise', [...tops, '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'], { cwd: dir })) as {
        summary: { violations: { rule: { name: string }; from: string; to: string }[] };
      };
      return out.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    } finally {
      await rm(join(dir, 'src'), { recursive: true, force: true });
      await rm(join(dir, 'dcat-profiles'), { recursive: true, force: true });
    }
  }

  it('refuses the catalog importing search', async () => {
    expect(await violations({ 'src/catalog/a.ts': `import { b } from '../search/b';\nexport const a = b;\n`, 'src/search/b.ts': 'export const b = 1;\n' }))
      .toEqual(['catalog-knows-no-later-parts: src/catalog/a.ts → src/search/b.ts']);
  });

  it('refuses the database part importing a domain entity', async () => {
    expect(await violations({ 'src/database/a.ts': `import { E } from '../catalog/e.entity';\nexport const a = E;\n`, 'src/catalog/e.entity.ts': 'export class E {}\n' }))
      .toEqual(['database-knows-no-domain: src/database/a.ts → src/catalog/e.entity.ts']);
  });

  it('refuses DCAT reading the catalog\'s tables through its repository', async () => {
    expect(await violations({ 'src/dcat/a.ts': `import { R } from '../catalog/r.repository';\nexport const a = R;\n`, 'src/catalog/r.repository.ts': 'export class R {}\n' }))
      .toEqual(['no-foreign-tables: src/dcat/a.ts → src/catalog/r.repository.ts']);
  });

  it('refuses a DCAT profile importing more than the profile API', async () => {
    expect(await violations({ 'dcat-profiles/p/profile.ts': `import { x } from '../../src/dcat/x';\nexport const p = x;\n`, 'src/dcat/x.ts': 'export const x = 1;\n' }))
      .toEqual(['profiles-import-only-the-profile-api: dcat-profiles/p/profile.ts → src/dcat/x.ts']);
  });

  it('accepts search using what the catalog exports', async () => {
    expect(await violations({ 'src/search/a.ts': `import { S } from '../catalog/s.service';\nexport const a = S;\n`, 'src/catalog/s.service.ts': 'export class S {}\n' })).toEqual([]);
  });
});
