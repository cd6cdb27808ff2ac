import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { BadRequest } from './errors';
import { jsonTooDeep, TOO_DEEP } from './json-depth';

export type DataDict = Record<string, unknown>;

/** A repeated key becomes a list, a single one a string (werkzeug MultiDict, `mixed()` in ckan/views/api.py). */
export function mixed(pairs: Iterable<[string, string]>): DataDict {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of pairs) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[k] = [prev, v];
  }
  return out;
}

/** Fastify's parsed query (arrays for repeated keys) as CKAN sees it. */
export function queryData(query: unknown): DataDict {
  const out: DataDict = {};
  if (query && typeof query === 'object') {
    for (const [k, v] of Object.entries(query as Record<string, unknown>)) out[k] = v;
  }
  return out;
}

const jsonError = (detail: string, extracted: string): BadRequest =>
  new BadRequest(`JSON Error: Error decoding JSON data. Error: JSONDecodeError(${JSON.stringify(detail)}) JSON data extracted from the request: ${JSON.stringify(extracted.slice(0, 200))}`);

/**
 * CKAN's legacy form quirk: a form with exactly one field whose value is '' or '1' carries its
 * data dict as JSON in the field's *name* (old jQuery clients post that way).
 */
export function formData(fields: [string, string][]): DataDict {
  if (fields.length === 1 && (fields[0][1] === '' || fields[0][1] === '1')) {
    if (jsonTooDeep(fields[0][0])) throw jsonError(`JSON ${TOO_DEEP}`, fields[0][0]);
    try {
      return JSON.parse(fields[0][0]) as DataDict;
    } catch (e) {
      throw jsonError((e as Error).message, fields[0][0]);
    }
  }
  return mixed(fields);
}

/** A body that is neither a form nor multipart is JSON, whatever its Content-Type says (CKAN's rule). */
export function jsonBody(body: Buffer | undefined): unknown {
  if (!body || body.length === 0) return {};
  const text = body.toString('utf8');
  if (!text.trim()) return {};
  // Checked before parsing: what handles the parsed dict recurses, and would overflow on deeper data.
  if (jsonTooDeep(text)) throw jsonError(`JSON ${TOO_DEEP}`, text);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw jsonError((e as Error).message, text);
  }
}

export function requireDict(data: unknown): DataDict {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new BadRequest(`JSON Error: Request data JSON decoded to ${JSON.stringify(data)} but it needs to be a dictionary.`);
  }
  return data as DataDict;
}

export interface MultipartFilePart {
  field: string;
  filename: string;
  mimeType: string;
  stream: NodeJS.ReadableStream;
}

/**
 * Reads a multipart body as a stream: fields are collected, each file part is handed to `onFile`
 * (with the fields that came before it), which must consume its stream. Nothing is buffered
 * whole. If the request fails or the client goes away, file streams still being read fail too,
 * so whoever stores them cleans up.
 */
export function readMultipart(
  req: IncomingMessage,
  opts: { maxFieldBytes: number; maxFields: number; onFile: (part: MultipartFilePart, fieldsSoFar: [string, string][]) => Promise<unknown> },
): Promise<{ fields: [string, string][]; files: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // Buffers of 1 MiB let the socket keep delivering while the previous piece is written to storage.
      bb = busboy({ headers: req.headers, limits: { fieldSize: opts.maxFieldBytes, fields: opts.maxFields }, defParamCharset: 'utf8', highWaterMark: 1 << 20, fileHwm: 1 << 20 });
    } catch (e) {
      reject(new BadRequest(`Invalid multipart request: ${(e as Error).message}`));
      return;
    }
    const fields: [string, string][] = [];
    const files: Record<string, unknown> = {};
    const pending: Promise<unknown>[] = [];
    const open = new Set<NodeJS.ReadableStream & { destroy(err?: Error): void }>();
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      req.unpipe(bb);
      for (const s of open) s.destroy(err instanceof Error ? err : new Error(String(err)));
      // Settle once every file handler has cleaned up after itself.
      void Promise.allSettled(pending).then(() => reject(err));
    };
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(new BadRequest(`Form field ${name} is too large`));
      fields.push([name, value]);
    });
    bb.on('file', (field, stream, info) => {
      if (failed) {
        stream.resume();
        return;
      }
      open.add(stream);
      // Failures reach the caller through onFile's promise; the stream's own 'error' event must not go unheard.
      stream.on('error', () => undefined);
      stream.once('close', () => open.delete(stream));
      stream.once('end', () => open.delete(stream));
      const p = opts.onFile({ field, filename: info.filename ?? '', mimeType: info.mimeType, stream }, [...fields]).then(
        (value) => void (files[field] = value),
        (err) => {
          stream.resume();
          fail(err);
        },
      );
      pending.push(p);
    });
    bb.on('fieldsLimit', () => fail(new BadRequest('Too many form fields')));
    bb.on('error', (e: Error) => fail(new BadRequest(`Invalid multipart request: ${e.message}`)));
    bb.on('close', () => {
      Promise.all(pending).then(() => !failed && resolve({ fields, files }), fail);
    });
    req.on('close', () => {
      if (!req.complete) fail(new BadRequest('Request aborted'));
    });
    req.pipe(bb);
  });
}
