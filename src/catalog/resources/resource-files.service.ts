import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import type { ActionContext } from '../../api/action-context';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { UploadTaskRepository } from './upload-task.repository';
import { ResourceRepository } from './resource.repository';
import { JobQueue } from '../../jobs/job-queue';
import { FILE_STORAGE, FileStorage } from '../../storage/file-storage';
import type { UploadedFile } from './uploaded-file';

/** A temporary upload older than this that no task refers to was abandoned (its process died mid-request). */
const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;
/** The sweep job: every minute, in one process of all. */
export const SWEEP_JOB = 'uploads.sweep';

/**
 * The stored files of upload resources, kept in step with the database. A write never touches a
 * file itself: it files tasks in its own transaction (`publish` here, `delete` by the
 * resource_upload_released trigger), and they run once it has committed — right away in this
 * process, and by the sweep, a scheduled job that one live process runs every minute, if this one
 * died first. So a committed resource never points at nothing, and a file nothing points at is removed.
 */
@Injectable()
export class ResourceFiles implements OnModuleInit, OnApplicationShutdown {
  private running: Promise<void> | null = null;
  private again = false;
  private sweeping: Promise<void> | null = null;

  constructor(
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    private readonly dataSource: DataSource,
    private readonly tasks: UploadTaskRepository,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly jobs: JobQueue,
    private readonly resources: ResourceRepository,
  ) {}

  onModuleInit(): void {
    // A failed sweep is retried; each task inside keeps its own back-off (upload_task.not_before).
    this.jobs.register(SWEEP_JOB, { retry: { limit: 2, delaySeconds: 10, backoff: true }, timeoutSeconds: 30 * 60, handler: () => this.sweep() });
    this.jobs.schedule(SWEEP_JOB, '* * * * *');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeping?.catch(() => undefined);
    await this.running;
  }

  /** In the writing transaction: once it commits, the upload becomes the resource's file under the returned key. */
  async publish(ctx: ActionContext, resourceId: string, upload: UploadedFile): Promise<string> {
    const key = upload.finalKey(resourceId);
    await this.tasks.filePublish(ctx.db, key, upload.tempKey);
    ctx.afterCommit(async () => {
      upload.claimed = true;
      await this.work();
    });
    return key;
  }

  /** After a write that may have released files (the trigger filed their removal): remove them once it commits. */
  settle(ctx: ActionContext): void {
    ctx.afterCommit(() => this.work());
  }

  /** The temporary key an upload still waits under, while its publish task has not run (downloads serve from there meanwhile). */
  async pendingTemp(key: string): Promise<string | null> {
    return this.tasks.pendingTemp(this.dataSource.manager, key);
  }

  /**
   * The stored file of an upload resource, for readers outside the catalog (the DataStore's loader): its bytes and
   * size, from the temporary upload while the move into place is still pending; null when the resource has no file.
   */
  async openUpload(db: EntityManager, resourceId: string): Promise<{ body: Readable; size: number } | null> {
    const resource = await this.resources.find(db, resourceId);
    if (!resource?.upload_key) return null;
    // The move into place may finish between any two of these looks (the temporary file then gone, the final one
    // there): look again, a few times, before calling the file missing.
    for (let attempt = 0; attempt < 3; attempt++) {
      const opened = (await this.open(resource.upload_key)) ?? (await this.openPending(resource.upload_key));
      if (opened) return opened;
    }
    return null;
  }

  private async open(key: string): Promise<{ body: Readable; size: number } | null> {
    const size = await this.storage.size(key);
    if (size === null) return null;
    const body = await this.storage.read(key);
    return body ? { body, size } : null;
  }

  private async openPending(key: string): Promise<{ body: Readable; size: number } | null> {
    const temp = await this.pendingTemp(key);
    return temp ? this.open(temp) : null;
  }

  /** Runs every due task; concurrent calls share one run (and ask for one more pass). */
  work(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while ((await this.runBatch()) > 0);
        } while (this.again);
      } catch (err) {
        this.log.error({ err }, 'could not bring stored files in step with the catalog; retrying at the next sweep');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Takes up to ten due tasks (other processes skip them meanwhile) and runs them; returns how many it took. */
  private async runBatch(): Promise<number> {
    if (!(await this.tasks.anyDue(this.dataSource.manager))) return 0;
    return this.dataSource.transaction(async (em) => {
      const tasks = await this.tasks.takeDue(em, 10);
      for (const t of tasks) {
        try {
          if (t.kind === 'publish') await this.moveIntoPlace(t.temp_key!, t.key);
          else await this.storage.delete(t.key);
          await this.tasks.done(em, t.id);
        } catch (err) {
          this.log.error({ err, task: t }, `stored file task failed; it will be retried`);
          await this.tasks.postpone(em, t.id);
        }
      }
      return tasks.length;
    });
  }

  private async moveIntoPlace(temp: string, key: string): Promise<void> {
    if ((await this.storage.size(temp)) !== null) return this.storage.move(temp, key);
    // Moved already (the process died before it could note that)? Then there is nothing left to do.
    if ((await this.storage.size(key)) === null) throw new Error(`the upload ${temp} for ${key} is missing`);
  }

  /** Runs due tasks, then removes temporary uploads abandoned long ago; fails (and the job retries) if the store cannot be listed. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    await this.work();
    for await (const key of this.storage.listOlderThan('tmp/', new Date(Date.now() - ABANDONED_AFTER_MS))) {
      if (!(await this.tasks.usesTemp(this.dataSource.manager, key))) {
        await this.storage.delete(key);
        this.log.info({ key }, 'removed an abandoned temporary upload');
      }
    }
  }
}
