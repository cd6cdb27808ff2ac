import type { Dict, FetchOptions, GatherItem, HarvestRun, HarvestTools, RemoteRecord, RemoteResponse } from '../../src/harvest/harvester';

/**
 * A HarvestRun for a plug-in's specs, over Node's global fetch. It is NOT the runner's guarded fetch (address
 * checks, bounded redirects and sizes, retries with back-off live in src/harvest/): plug-in specs talk to a local
 * server they start themselves, and what they check is the plug-in's own requests and mapping.
 */
export interface TestRun extends HarvestRun {
  /** Every URL the plug-in asked, in order, with the headers it sent. */
  readonly requests: { url: string; headers: Record<string, string> }[];
  /** Every progress report, in order. */
  readonly progressReports: [number, number | undefined][];
  /** Aborts the run, as harvest_job_abort would. */
  abort(): void;
}

export function testRun(o: {
  url: string;
  config?: Dict;
  since?: string | null;
  type?: string;
  organization?: string | null;
  tools?: HarvestTools;
}): TestRun {
  const controller = new AbortController();
  const requests: TestRun['requests'] = [];
  const progressReports: TestRun['progressReports'] = [];
  return {
    source: { id: 'a6f1c0de-0000-4000-8000-00000000cafe', url: o.url, type: o.type ?? 'ckan', config: o.config ?? {}, organization: o.organization ?? 'landkreis' },
    since: o.since ?? null,
    signal: controller.signal,
    requests,
    progressReports,
    abort: () => controller.abort(new Error('aborted by the test')),
    progress: (done, total) => void progressReports.push([done, total]),
    tools: o.tools ?? {
      parseCatalog: () => {
        throw new Error('this test run has no RDF tools; pass `tools`');
      },
    },
    async fetch(url: string, options: FetchOptions = {}): Promise<RemoteResponse> {
      const headers: Record<string, string> = { ...(options.accept ? { Accept: options.accept } : {}), ...(options.headers ?? {}) };
      requests.push({ url, headers });
      const res = await fetch(url, {
        method: options.method ?? (options.json === undefined ? 'GET' : 'POST'),
        headers: options.json === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
        body: options.json === undefined ? undefined : JSON.stringify(options.json),
        signal: controller.signal,
      });
      const body = Buffer.from(await res.arrayBuffer());
      return { url: res.url, status: res.status, contentType: res.headers.get('content-type'), body, text: () => body.toString('utf8') };
    },
  };
}

/** Everything gather yields, in order. */
export async function gatherAll(gather: AsyncIterable<GatherItem>): Promise<GatherItem[]> {
  const items: GatherItem[] = [];
  for await (const item of gather) items.push(item);
  return items;
}

/** The parts of gather's output: records, every present identity, and whether the listing said it was complete. */
export function splitGather(items: GatherItem[]): { records: RemoteRecord[]; present: string[]; complete: boolean } {
  const records: RemoteRecord[] = [];
  const present: string[] = [];
  let complete = false;
  for (const item of items) {
    if ('record' in item) records.push(item.record);
    else if ('present' in item) present.push(...item.present);
    else complete = true;
  }
  return { records, present, complete };
}
