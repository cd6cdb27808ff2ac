import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, AuthResult, defineAction, deny } from '../api/action';
import { Field, ignoreMissing, listIfString, listOfStrings, maxItems, maxLength, notEmpty, unicodeSafe } from '../api/ckan-schema';
import { NotFound } from '../api/errors';
import { ckanTimestamp } from '../common/ckan-time';
import { JobQueue, WaitingJob } from '../jobs/job-queue';

class QueuesInput {
  @Field(ignoreMissing, listIfString, maxItems(100, 'queues'), listOfStrings) queues?: string[];
}

class JobIdInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
}

/** CKAN's dictize_job; `created` in its format (UTC, to the second, no zone). */
export interface JobDict {
  id: string;
  title: string | null;
  created: string;
  queue: string;
}

// CKAN compat: jobs here are enqueued by the service itself and carry no title; CKAN shows null for untitled jobs too.
const toJobDict = (j: WaitingJob): JobDict => ({ id: j.id, title: null, created: (ckanTimestamp(j.createdAt) ?? '').slice(0, 19), queue: j.queue });

// CKAN's logic/auth: every job_* rule returns {'success': False}, so only sysadmins (who skip auth) get through.
const sysadminsOnly = async (): Promise<AuthResult> => deny('');

/**
 * job_list, job_show, job_clear, job_cancel over the service's one job queue (src/jobs/, pg-boss). A CKAN "queue"
 * is here a kind of job (pg-boss's queue: 'datastore.load', 'sensors.poll', ...), each with its own retry policy;
 * a job "in a queue" is one waiting to run (created, or failed and waiting for its retry), as in RQ's queues.
 */
@Injectable()
export class JobActions implements ActionProvider {
  constructor(private readonly jobs: JobQueue) {}

  readonly jobList = defineAction({
    name: 'job_list',
    scope: 'admin',
    help: `List the background jobs waiting to run, oldest first: [{id, title, created, queue}]. Params: queues (list of
queue names; default all). A queue is a kind of job (e.g. "datastore.load"). Who may call: sysadmins.`,
    sideEffectFree: true,
    anonymous: false,
    input: QueuesInput,
    auth: sysadminsOnly,
    handler: async (_ctx, { queues }) => (await this.jobs.waiting(queues?.length ? queues : undefined)).map(toJobDict),
  });

  readonly jobShow = defineAction({
    name: 'job_show',
    scope: 'admin',
    help: `Show a background job: {id, title, created, queue}; waiting, running and finished ones (as long as they are kept).
Params: id. Who may call: sysadmins.`,
    sideEffectFree: true,
    anonymous: false,
    input: JobIdInput,
    auth: sysadminsOnly,
    handler: async (_ctx, { id }) => {
      const job = await this.jobs.find(id);
      if (!job) throw new NotFound();
      return toJobDict(job);
    },
  });

  readonly jobClear = defineAction({
    name: 'job_clear',
    scope: 'admin',
    help: `Delete the jobs waiting in queues (running ones finish). Params: queues (list of queue names; default all).
Returns the names of the queues cleared. Who may call: sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: QueuesInput,
    auth: sysadminsOnly,
    handler: async (ctx, { queues }) => {
      const cleared = await this.jobs.clear(queues?.length ? queues : undefined);
      for (const queue of cleared) ctx.log.info({ queue }, `cleared background job queue "${queue}"`);
      return cleared;
    },
  });

  readonly jobCancel = defineAction({
    name: 'job_cancel',
    scope: 'admin',
    help: `Cancel a background job: it is deleted from its queue (one already running is not stopped, its outcome is dropped).
Params: id. Returns null. Who may call: sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: JobIdInput,
    auth: sysadminsOnly,
    handler: async (ctx, { id }) => {
      if (!(await this.jobs.remove(id))) throw new NotFound();
      ctx.log.info({ job: id }, `cancelled background job ${id}`);
      return null;
    },
  });

  all = (): AnyAction[] => [this.jobList, this.jobShow, this.jobClear, this.jobCancel];
}
