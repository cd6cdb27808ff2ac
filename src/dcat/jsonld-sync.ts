import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

/**
 * JSON-LD to N-Quads, synchronously. jsonld.js (the reference implementation) is asynchronous throughout, while
 * `HarvestTools.parseCatalog` is synchronous; so the conversion runs on one worker thread and the caller blocks on
 * a shared flag until it answers (or the time is up). The worker never fetches anything: a remote `@context` is
 * refused (a document must not make us request URLs the harvest's guarded fetch never checked).
 * The wait blocks the event loop as long as jsonld.js works (about 1 ms a dataset): fine for catalog pages, and the
 * reason an asynchronous parseCatalog would be better (see the harvest interface).
 */

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const jsonld = require(workerData.jsonldPath);
const documentLoader = async (url) => { throw new Error('remote JSON-LD context <' + url + '> is not fetched; the document must carry its @context inline'); };
parentPort.on('message', async ({ text, base, port, flag }) => {
  let reply;
  try {
    const doc = JSON.parse(text);
    const nquads = await jsonld.toRDF(doc, { base, format: 'application/n-quads', documentLoader, safe: false });
    reply = { nquads };
  } catch (e) {
    const url = e && e.details && e.details.url;
    reply = { error: url ? 'remote JSON-LD @context <' + url + '> is not fetched; the document must carry its @context inline' : String((e && (e.message || e.name)) || e) };
  }
  port.postMessage(reply);
  port.close();
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

let worker: Worker | null = null;

function theWorker(): Worker {
  if (!worker) {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { jsonldPath: require.resolve('jsonld') } });
    worker.unref();
    worker.on('error', () => (worker = null));
    worker.on('exit', () => (worker = null));
  }
  return worker;
}

/** The N-Quads of a JSON-LD document; throws with jsonld.js's message for a document that is not JSON-LD. */
export function jsonLdToNQuads(text: string, base: string, timeoutMs = 30_000): string {
  const w = theWorker();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  try {
    w.postMessage({ text, base, port: port2, flag }, [port2]);
    if (Atomics.wait(flag, 0, 0, timeoutMs) === 'timed-out') {
      void w.terminate();
      worker = null;
      throw new Error(`JSON-LD took longer than ${timeoutMs / 1000} s to read`);
    }
    const reply = receiveMessageOnPort(port1)?.message as { nquads?: string; error?: string } | undefined;
    if (!reply) throw new Error('JSON-LD reader gave no answer');
    if (reply.error !== undefined) throw new Error(reply.error);
    return reply.nquads ?? '';
  } finally {
    port1.close();
  }
}

/** Ends the worker (module shutdown, tests). */
export async function stopJsonLdWorker(): Promise<void> {
  const w = worker;
  worker = null;
  if (w) await w.terminate();
}
