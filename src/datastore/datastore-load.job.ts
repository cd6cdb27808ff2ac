import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ActionContext } from '../api/action-context';
import { Dispatcher } from '../api/dispatcher';
import { NotFound } from '../api/errors';
import { WriteHooks } from '../api/write-hooks';
import { ResourceFiles } from '../catalog/resources/resource-files.service';
import { APP_CONFIG, AppConfig } from '../config/env';
import type { JobRun } from '../jobs/job-queue';
import { fullTextIndexedColumns, isValidFieldName, sqlType } from './datastore-fields';
import { DatastoreLoadRepository, LoadLogLine, LoadRow } from './datastore-load.repository';
import { LoadJobData } from './datastore-load.service';
import { DatastoreResources } from './datastore-resources.service';
import { DatastoreTableRepository } from './datastore-table.repository';
import { downloadTo, FetchRefused } from '../common/guarded-fetch';
import { DUMP_URL_TYPES, LoadableResource, tableHint } from './load-source';
import { CopyTextConverter, DatastoreType, inferTypes, InferredColumn, LoadLog, LoaderError, readTable } from './loader';

const LOADABLE_TYPES = new Set<DatastoreType>(['text', 'int4', 'int8', 'numeric', 'float8', 'bool', 'date', 'timestamp', 'timestamptz']);

/** xloader's log lines: every remark of the reader with the source line it names, plus the job's own steps. */
class JobLog {
  readonly lines: LoadLogLine[] = [];
  add(level: LoadLogLine['level'], message: string, lineno: number | null = null, funcName = 'load'): void {
    this.lines.push({ timestamp: new Date().toISOString(), level, message, lineno, module: 'loader', funcName });
  }
  from(log: LoadLog, funcName: string): void {
    for (const e of log.entries()) this.add(e.level === 'warning' ? 'WARNING' : 'INFO', e.message, e.line ?? null, funcName);
  }
}

/** A newer load of the same resource was submitted while this one ran: it must not swap older data in after it. */
class Superseded extends Error {}

/** Errors that are the file's or the link's fault: recorded for the steward, not retried. */
const isDataError = (err: unknown): boolean =>
  err instanceof LoaderError || err instanceof FetchRefused || /^2[23]/.test(String((err as { code?: unknown }).code ?? ''));

/**
 * One load (the job `datastore.load`): the resource's file to a temporary file (an upload through the catalog's
 * storage, a link through the guarded download), types from the whole file (pass 1), a new table of those types
 * (or the steward's type_override from the data dictionary) filled by COPY (pass 2), and in the same transaction the
 * swap: the old table dropped, the new one renamed into place, the data dictionary carried over, datastore_active
 * set. Anything that fails rolls the whole transaction back, so the previous table stays as it was and readable.
 */
@Injectable()
export class DatastoreLoadJob {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly loads: DatastoreLoadRepository,
    private readonly tables: DatastoreTableRepository,
    private readonly resources: DatastoreResources,
    private readonly files: ResourceFiles,
    private readonly writeHooks: WriteHooks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(data: LoadJobData, job: JobRun): Promise<unknown> {
    const id = data.resource_id;
    const ctx = this.dispatcher.context(null, { ignoreAuth: true });
    const row = await this.loads.find(ctx.db, id);
    // Replaced by a newer load of the same resource (or the resource is gone): that one does the work.
    if (!row || row.job_id !== job.id) return { skipped: 'superseded' };
    const log = new JobLog();
    log.add('INFO', `Ladevorgang ${job.id} für Ressource ${id} beginnt.`);
    await this.loads.update(ctx.db, id, job.id, { status: 'running', logs: log.lines });
    const dir = await mkdtemp(join(tmpdir(), 'catalog-load-'));
    try {
      const outcome = await this.load(ctx, row, job, log, join(dir, 'source'), data.set_url_type === true);
      await this.loads.update(ctx.db, id, job.id, { status: 'complete', logs: log.lines, fileHash: outcome.hash });
      return outcome;
    } catch (err) {
      if (err instanceof Superseded) return { skipped: 'superseded' };
      const message = err instanceof Error ? err.message : String(err);
      const line = err instanceof LoaderError ? err.line : undefined;
      log.add('ERROR', message, line ?? null);
      await this.loads.update(ctx.db, id, job.id, { status: 'error', logs: log.lines, error: line === undefined ? { message } : { message, line } });
      if (!isDataError(err) && !(err instanceof NotFound)) throw err;
      return { error: message };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async load(ctx: ActionContext, row: LoadRow, job: JobRun, log: JobLog, file: string, setUrlType: boolean): Promise<{ hash: string; rows?: number; skipped?: string }> {
    const resource = await ctx.withIgnoreAuth().call<LoadableResource>('resource_show', { id: row.resource_id });
    // xloader's guard: the URL of such a resource is its own dump.
    if (DUMP_URL_TYPES.includes(resource.url_type ?? '')) {
      throw new LoaderError(`Die Ressource hat url_type '${resource.url_type}': ihre URL ist schon der DataStore-Export, ein Laden wäre zirkulär.`);
    }
    // A dataset deleted meanwhile has no tables (DatastoreModule drops them): none is made for it either.
    if (!(await this.resources.liveResourceIds(ctx, resource.package_id))?.has(resource.id)) throw new NotFound('Die Ressource oder ihr Datensatz wurde gelöscht.');
    // A live resource's table is a read-only view the service keeps (DatastoreViews): a file never replaces it.
    if ((await this.tables.find(ctx.db, resource.id))?.read_only) throw new LoaderError('Die Ressource wird vom Dienst selbst laufend gefüllt (Live-Daten); ihre DataStore-Tabelle kann nicht aus einer Datei geladen werden.');
    const { bytes, hash } = await this.fetch(ctx, resource, file, log);
    if (!row.ignore_hash && row.file_hash === hash && (await this.tables.find(ctx.db, resource.id))) {
      log.add('INFO', 'Die Datei ist unverändert seit dem letzten Laden; die Tabelle bleibt, wie sie ist (ignore_hash lädt sie neu).');
      return { hash, skipped: 'unchanged' };
    }
    const hint = tableHint(resource);
    const started = Date.now();
    const readLog = new LoadLog();
    const inferred = await inferTypes(await readTable(this.counted(file, bytes, job, 0), { format: hint, log: readLog }));
    log.from(readLog, 'infer_types');
    const rows = await ctx.transaction(async (tx) => {
      await this.loads.noTimeout(tx.db);
      const current = await this.tables.find(tx.db, resource.id);
      const comments = current ? await this.tables.comments(tx.db, resource.id) : new Map<string, Record<string, unknown>>();
      const columns = this.withOverrides(inferred.columns, comments, log);
      const fts = current?.fts_language ?? this.config.DATASTORE_FTS_LANG;
      await this.loads.createStaging(tx.db, resource.id, fts, columns.map((c) => ({ id: c.name, sql: c.type })));
      const converter = new CopyTextConverter(columns);
      // The second pass repeats the first one's remarks: its own log is dropped.
      const again = await readTable(this.counted(file, bytes, job, 0.5), { format: hint, log: new LoadLog() });
      const lines = Readable.from((async function* () {
        for await (const batch of again.batches) yield converter.lines(batch);
      })());
      await this.loads.copyIn(tx.db, resource.id, columns.map((c) => c.name), lines);
      await this.swap(tx, job, resource, fts, columns, comments);
      if (setUrlType) await this.resources.pointAtDump(tx, resource.id, `${this.config.SITE_URL.replace(/\/$/, '')}/datastore/dump/${resource.id}`);
      // The audit trail: the job (the site, hidden) loaded this many rows into the resource's table.
      await this.writeHooks.recordWrite(tx, 'datastore_load', { resource_id: resource.id, rows: inferred.rowCount, columns: columns.length, file_hash: hash });
      return inferred.rowCount;
    });
    await job.report(1, 'complete');
    log.add('INFO', `${rows} Zeilen in ${((Date.now() - started) / 1000).toFixed(1)} s geladen; Spalten: ${inferred.columns.length}.`);
    return { hash, rows };
  }

  /** Under the resource's lock: the old table goes, the new one takes its place, with its data dictionary. */
  private async swap(tx: ActionContext, job: JobRun, resource: LoadableResource, fts: string, columns: InferredColumn[], comments: Map<string, Record<string, unknown>>): Promise<void> {
    const id = resource.id;
    await this.tables.lock(tx.db, id);
    if ((await this.loads.find(tx.db, id))?.job_id !== job.id) throw new Superseded();
    if (await this.tables.find(tx.db, id)) await this.tables.drop(tx.db, id);
    await this.loads.promote(tx.db, id, resource.package_id, fts);
    for (const c of columns) {
      const kept = comments.get(c.name);
      if (kept) await this.tables.setComment(tx.db, id, c.name, kept);
    }
    const textColumns = fullTextIndexedColumns(columns, this.config.DATASTORE_FTS_INDEX_FIELD_TYPES).map((c) => c.name);
    await this.tables.createFullTextIndexes(tx.db, { resource_id: id, package_id: resource.package_id, fts_language: fts }, textColumns, new Set(), this.config.DATASTORE_FTS_INDEX_METHOD);
    await this.tables.analyze(tx.db, id);
    const ref = await this.resources.get(tx, id);
    await this.resources.setActive(tx, ref, true);
  }

  /** The inferred columns, with a steward's `type_override` (data dictionary `info`) where it names a type the loader writes. */
  private withOverrides(columns: InferredColumn[], comments: Map<string, Record<string, unknown>>, log: JobLog): InferredColumn[] {
    return columns.map((c) => {
      if (!isValidFieldName(c.name) || Buffer.byteLength(c.name) > 63) {
        throw new LoaderError(`Die Spaltenüberschrift '${c.name}' ist kein gültiger DataStore-Feldname (nicht leer, ohne '"', nicht mit '_' am Anfang, höchstens 63 Bytes).`);
      }
      const info = comments.get(c.name)?._info as { type_override?: unknown } | undefined;
      const wanted = typeof info?.type_override === 'string' && info.type_override.trim() !== '' ? info.type_override : undefined;
      if (!wanted) return c;
      const type = sqlType(wanted) as DatastoreType | undefined;
      if (!type || !LOADABLE_TYPES.has(type)) {
        log.add('WARNING', `Spalte '${c.name}': type_override '${wanted}' wird nicht unterstützt; bleibt ${c.type}.`);
        return c;
      }
      if (type !== c.type) log.add('INFO', `Spalte '${c.name}': ${type} aus dem Datenwörterbuch (type_override) statt ${c.type}.`);
      return { ...c, type };
    });
  }

  /** The resource's bytes into `file` (within LOADER_MAX_BYTES), with their SHA-256. */
  private async fetch(ctx: ActionContext, r: LoadableResource, file: string, log: JobLog): Promise<{ bytes: number; hash: string }> {
    if (r.url_type === 'upload') {
      const upload = await this.files.openUpload(ctx.db, r.id);
      if (upload) {
        if (upload.size > this.config.LOADER_MAX_BYTES) throw new FetchRefused(`Die Datei ist größer als die erlaubten ${this.config.LOADER_MAX_BYTES} Bytes (LOADER_MAX_BYTES).`);
        log.add('INFO', `Hochgeladene Datei, ${upload.size} Bytes.`);
        await pipeline(upload.body, createWriteStream(file));
        return { bytes: upload.size, hash: await sha256(file) };
      }
    }
    if (!r.url) throw new LoaderError('Die Ressource hat weder eine hochgeladene Datei noch einen Link.');
    log.add('INFO', `Lade ${r.url} herunter.`);
    const got = await downloadTo(r.url, file, {
      maxBytes: this.config.LOADER_MAX_BYTES,
      timeoutMs: this.config.LOADER_FETCH_TIMEOUT_SECONDS * 1000,
      allowPrivate: this.config.LOADER_ALLOW_PRIVATE_ADDRESSES,
      settings: { maxBytes: 'LOADER_MAX_BYTES', timeout: 'LOADER_FETCH_TIMEOUT_SECONDS' },
    });
    log.add('INFO', `${got.bytes} Bytes empfangen${got.contentType ? ` (${got.contentType})` : ''}.`);
    return { bytes: got.bytes, hash: await sha256(file) };
  }

  /** The file as a stream that reports how far it has been read: pass 1 is the first half of the progress, pass 2 the second. */
  private counted(file: string, size: number, job: JobRun, offset: number): Readable {
    let read = 0;
    let reportedAt = 0;
    const report = new Transform({
      transform(chunk: Buffer, _enc, done) {
        read += chunk.length;
        const now = Date.now();
        if (now - reportedAt >= 500) {
          reportedAt = now;
          void job.report(offset + (size > 0 ? (read / size) * 0.5 : 0), offset === 0 ? 'types' : 'copy').catch(() => undefined);
        }
        done(null, chunk);
      },
    });
    const source = createReadStream(file);
    source.on('error', (err) => report.destroy(err));
    return source.pipe(report);
  }
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
