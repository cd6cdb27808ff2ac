import type { Dict, FetchOptions, GatherItem, Harvester, HarvestRun, HarvestTools, RemoteRecord, RemoteResponse } from '../../src/harvest/harvester';

/**
 * A HarvestRun for a plug-in's specs, without the runner, over Node's global fetch. It is NOT the runner's guarded
 * fetch (address checks, bounded redirects and sizes, retries with back-off live in src/harvest/; the runner's tests
 * and test/e2e/harvest-failures.e2e-spec.ts cover them): plug-in specs talk to a local server they start themselves,
 * and what they check is the plug-in's own requests and mapping. Every request's URL goes through `route(url)` first,
 * so recorded catalogs keep their real addresses while a local server answers.
 */
export interface TestRun extends HarvestRun {
  /** Every request the plug-in made, in order: the URL it asked for (before `route`), its Accept and its headers. */
  readonly requests: { url: string; accept?: string; headers: Record<string, string> }[];
  /** Every progress report, in order. */
  readonly progressReports: [number, number | undefined][];
  /** Aborts the run, as harvest_job_abort would (the reason is what the plug-in's next check throws). */
  abort(reason?: Error): void;
}

export interface TestRunOptions {
  /** The source's URL. */
  url: string;
  /** The source's config, as the plug-in's parseConfig returned it. */
  config?: Dict;
  since?: string | null;
  type?: string;
  organization?: string | null;
  /** RDF tools (a DcatCatalogParser); without them parseCatalog throws. */
  tools?: HarvestTools;
  /** Where a URL is really fetched (a local server); the URL itself when absent. */
  route?: (url: string) => string;
}

export function testRun(o: TestRunOptions): TestRun {
  const controller = new AbortController();
  const requests: TestRun['requests'] = [];
  const progressReports: TestRun['progressReports'] = [];
  const route = o.route ?? ((u: string) => u);
  return {
    source: { id: 'a6f1c0de-0000-4000-8000-00000000cafe', url: o.url, type: o.type ?? 'test', config: o.config ?? {}, organization: o.organization ?? 'landkreis' },
    since: o.since ?? null,
    signal: controller.signal,
    requests,
    progressReports,
    abort: (reason = new Error('aborted by the test')) => controller.abort(reason),
    progress: (done, total) => void progressReports.push([done, total]),
    tools: o.tools ?? {
      parseCatalog: () => {
        throw new Error('this test run has no RDF tools; pass `tools`');
      },
    },
    async fetch(url: string, options: FetchOptions = {}): Promise<RemoteResponse> {
      const headers: Record<string, string> = { ...(options.accept ? { accept: options.accept } : {}), ...(options.headers ?? {}) };
      requests.push({ url, accept: options.accept, headers });
      const res = await fetch(route(url), { headers, signal: controller.signal });
      const body = Buffer.from(await res.arrayBuffer());
      // The address asked for, unless the server redirected elsewhere (the runner's fetch answers the same).
      return { url: res.redirected ? res.url : url, status: res.status, contentType: res.headers.get('content-type'), body, text: () => body.toString('utf8') };
    },
  };
}

/** What a gather gave: the records, the identities listed as present, whether it said `complete`, and how it ended. */
export interface Gathered {
  records: RemoteRecord[];
  present: string[];
  complete: boolean;
  /** What the gather threw, if it did (what the runner would report as a gather error). */
  error?: Error;
}

/** Runs a plug-in's gather to its end or its error, collecting what it yields; `onItem` sees each item as it comes. */
export async function gatherAll(harvester: Harvester, run: HarvestRun, onItem?: (item: GatherItem) => void): Promise<Gathered> {
  const out: Gathered = { records: [], present: [], complete: false };
  try {
    for await (const item of harvester.gather(run)) {
      onItem?.(item);
      if ('record' in item) out.records.push(item.record);
      else if ('present' in item) out.present.push(...item.present);
      else out.complete = true;
    }
  } catch (e) {
    out.error = e as Error;
  }
  return out;
}

/** gatherAll for a gather that must succeed: its error, if any, is thrown. */
export async function gatherOk(harvester: Harvester, run: HarvestRun): Promise<Gathered> {
  const got = await gatherAll(harvester, run);
  if (got.error) throw got.error;
  return got;
}

/** A package dict's extras as an object. */
export const extrasOf = (d: Dict): Record<string, string> => Object.fromEntries(((d.extras ?? []) as { key: string; value: string }[]).map((e) => [e.key, e.value]));
