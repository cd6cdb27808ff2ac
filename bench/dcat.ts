import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { reindexPostgres } from '../src/search/search-reindex';
import { ENTITIES } from '../src/entities';
import { createDataSource } from '../src/database/data-source';
import { DcatGraphWriter } from '../src/dcat/dcat-graph';
import { ShaclValidator } from '../src/dcat/shacl-validator';
import { vocabularyQuads } from '../src/dcat/vocabulary-quads';
import { DEFAULT_PROFILE } from '../dcat-profiles';
import { cannon, startServer, stopServer } from './core';
import { load } from './search';

/**
 * `npm run bench -- dcat`: with 100,000 datasets loaded (the search bench's generator), the time to
 * walk the whole catalog as GovData does (HEAD, then GET page after page following hydra:next) as
 * Turtle and as RDF/XML; one dataset's graph as JSON-LD (latency under load); SHACL validation of one
 * dataset with our shapes (in this process, as a write runs it).
 */
const DATASETS = Number(process.env.BENCH_DATASETS ?? 100_000);
const PAGE = Number(process.env.BENCH_DCAT_PAGE ?? 1000);

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

export async function run(): Promise<void> {
  const log = (s: string): void => void process.stdout.write(`${s}\n`);
  const server = await startServer({ DCAT_PAGE_SIZE: String(PAGE) });
  const base = `http://127.0.0.1:${server.port}`;
  const db = new Client({ connectionString: server.databaseUrl });
  await db.connect();
  let ds: DataSource | undefined;
  try {
    const [{ n: existing }] = (await db.query(`SELECT count(*)::int AS n FROM package`)).rows as { n: number }[];
    if (process.env.BENCH_REUSE && existing >= DATASETS) log(`reusing the ${existing} datasets in ${server.dataDir}`);
    else {
      log(`loading ${DATASETS} datasets …`);
      await load(db, DATASETS, () => undefined);
      await db.query('VACUUM ANALYZE');
      ds = createDataSource({ url: server.databaseUrl, entities: ENTITIES, poolSize: 2 });
      await ds.initialize();
      await reindexPostgres(ds, () => undefined);
    }
    for (;;) {
      const s = (await (await fetch(`${base}/__bench/search-ready`)).json()) as { ready: boolean; documents: number };
      if (s.ready && s.documents >= DATASETS) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const [{ n: publicCount }] = (await db.query(`SELECT count(*)::int AS n FROM package WHERE NOT private AND state = 'active'`)).rows as { n: number }[];
    log(`${publicCount} public datasets; catalog pages of ${PAGE}\n`);

    for (const ext of ['ttl', 'rdf']) {
      const t0 = performance.now();
      const head = await fetch(`${base}/catalog.${ext}`, { method: 'HEAD' });
      if (!head.ok) throw new Error(`HEAD /catalog.${ext}: ${head.status}`);
      let url: string | undefined = `${base}/catalog.${ext}?page=1`;
      let pages = 0;
      let bytes = 0;
      let datasets = 0;
      while (url) {
        const res: Response = await fetch(url).catch((err: Error & { cause?: unknown }) => {
          throw new Error(`${url}: ${String(err.cause ?? err)}`);
        });
        const text: string = await res.text();
        if (!res.ok) throw new Error(`${url}: ${res.status} ${text.slice(0, 200)}`);
        bytes += text.length;
        pages++;
        datasets += (text.match(ext === 'ttl' ? /\sa dcat:Dataset[;.]/g : /<rdf:type rdf:resource="http:\/\/www\.w3\.org\/ns\/dcat#Dataset"\/>/g) ?? []).length;
        const next: RegExpExecArray | null = ext === 'ttl' ? /hydra:next <([^>]+)>/.exec(text) : /<hydra:next rdf:resource="([^"]+)"/.exec(text);
        url = next ? next[1].replace(/&amp;/g, '&').replace(/^https?:\/\/[^/]+/, base) : undefined;
      }
      const s = (performance.now() - t0) / 1000;
      log(`whole catalog as ${ext === 'ttl' ? 'Turtle ' : 'RDF/XML'}: ${datasets} datasets in ${pages} pages, ${(bytes / 1e6).toFixed(0)} MB, ${s.toFixed(1)} s = ${(datasets / s).toFixed(0)} datasets/s (goal: 2,000/s or more)`);
      if (datasets !== publicCount) log(`  !! expected ${publicCount} datasets, got ${datasets}`);
    }

    const ids = (await db.query(`SELECT id FROM package WHERE NOT private AND state = 'active' ORDER BY random() LIMIT 2000`)).rows.map((r: { id: string }) => r.id);
    const rnd = (): string => ids[Math.floor(Math.random() * ids.length)];
    const requests = [{ method: 'GET' as const, path: '/', setupRequest: (req: { path: string }) => ({ ...req, path: `/dataset/${rnd()}.jsonld` }) }];
    await cannon({ url: base, connections: 4, duration: 3, requests: requests as never });
    const r = await cannon({ url: base, connections: 4, duration: 10, requests: requests as never });
    log(`one dataset as JSON-LD (4 connections): p50 ${r.latency.p50} ms, p97.5 ${r.latency.p97_5} ms, p99 ${r.latency.p99} ms, ${r.requests.average.toFixed(0)} req/s`);

    // Validation as a write runs it: the dataset's graph (with its organization) checked with our shapes.
    const shapes = readFileSync(join(__dirname, '../dcat-profiles/dcat-ap-de-3/shapes.ttl'), 'utf8');
    const validator = ShaclValidator.fromTurtle([shapes]);
    const vocab = vocabularyQuads();
    const writer = new DcatGraphWriter(DEFAULT_PROFILE, {
      siteUrl: 'http://localhost:5000', title: 'Bench', description: 'Bench', language: 'de', publisherName: 'Bench', homepage: 'http://localhost:5000',
    });
    const graphMs: number[] = [];
    const validateMs: number[] = [];
    let violations = 0;
    for (let i = 0; i < 300; i++) {
      const dict = ((await (await fetch(`${base}/api/3/action/package_show?id=${rnd()}`)).json()) as { result: Record<string, unknown> }).result;
      const org = dict.organization as { id: string; name: string; title: string };
      const t0 = performance.now();
      const quads = writer.dataset(dict, { id: org.id, name: org.name, title: org.title, extras: {} });
      const t1 = performance.now();
      const findings = await validator.validate(quads, vocab);
      const t2 = performance.now();
      if (i >= 50) {
        graphMs.push(t1 - t0);
        validateMs.push(t2 - t1);
      }
      violations += findings.filter((f) => f.severity === 'violation').length;
    }
    log(`SHACL validation of one dataset (${validateMs.length} datasets): p50 ${pct(validateMs, 50).toFixed(2)} ms, p95 ${pct(validateMs, 95).toFixed(2)} ms (goal: p95 under 10 ms); building its graph p50 ${pct(graphMs, 50).toFixed(2)} ms`);
    log(`  (the generated datasets carry no contributorID and free-text extras: ${violations} violations found, as expected)`);
  } finally {
    await ds?.destroy();
    await db.end();
    await stopServer(server);
    if (!process.env.BENCH_DATA_DIR) await rm(server.dataDir, { recursive: true, force: true });
  }
}
