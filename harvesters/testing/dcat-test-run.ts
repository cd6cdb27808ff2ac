import type { Dict, FetchOptions, GatherItem, Harvester, HarvestRun, HarvestSourceInfo, HarvestTools, RemoteRecord, RemoteResponse } from '../../src/harvest/harvester';

/**
 * A HarvestRun for tests of a harvester plug-in, without the runner: its fetch is a plain one over node's global fetch
 * (the real, guarded one is the runner's: address checks, size and time bounds, retries), with every request's
 * URL sent to `route(url)` first, so recorded catalogs keep their real addresses while a local server answers.
 */
export interface TestRun extends HarvestRun {
  /** Every request: the URL the plug-in asked for and its Accept header. */
  readonly requests: { url: string; accept?: string }[];
  readonly progressCalls: [number, number | undefined][];
  readonly abort: AbortController;
}

export interface TestRunOptions {
  source: Partial<HarvestSourceInfo> & { url: string };
  tools: HarvestTools;
  /** Where a URL is really fetched (a local server); identity when absent. */
  route?: (url: string) => string;
  since?: string | null;
}

export function testRun(o: TestRunOptions): TestRun {
  const requests: TestRun['requests'] = [];
  const progressCalls: TestRun['progressCalls'] = [];
  const abort = new AbortController();
  const route = o.route ?? ((u: string) => u);
  return {
    source: { id: 'source-1', type: 'dcat_rdf', config: {}, organization: null, ...o.source },
    since: o.since ?? null,
    signal: abort.signal,
    tools: o.tools,
    requests,
    progressCalls,
    abort,
    progress: (done, total) => void progressCalls.push([done, total]),
    async fetch(url: string, options: FetchOptions = {}): Promise<RemoteResponse> {
      requests.push({ url, accept: options.accept });
      const res = await fetch(route(url), {
        method: options.method ?? 'GET',
        headers: { ...(options.accept ? { accept: options.accept } : {}), ...options.headers, ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: options.json !== undefined ? JSON.stringify(options.json) : undefined,
        signal: abort.signal,
      });
      const body = Buffer.from(await res.arrayBuffer());
      return { url: res.redirected ? res.url : url, status: res.status, contentType: res.headers.get('content-type'), body, text: () => body.toString('utf8') };
    },
  };
}

/** What a gather gave: the records, the identities listed as present, whether it said `complete`, and how it ended. */
export interface Gathered {
  records: RemoteRecord[];
  present: string[];
  complete: boolean;
  error?: Error;
}

/** Runs a plug-in's gather to its end (or its error), collecting what it yields. */
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

/** A record's package dict's extras as an object. */
export const extrasOf = (d: Dict): Record<string, string> => Object.fromEntries(((d.extras ?? []) as { key: string; value: string }[]).map((e) => [e.key, e.value]));
