import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, defineAction } from '../../api/action';
import { NotFound } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { SensorPollJob } from './sensor-poll.job';
import { authSourceWrite, loadSource } from './sensor-source.auth';
import { SensorSourceIdInput } from './sensor-source.dto';
import { SensorSourceRepository } from './sensor-source.repository';

/** sensor_source_run: poll now. */
@Injectable()
export class SensorSourceRunActions implements ActionProvider {
  constructor(private readonly repo: SensorSourceRepository, private readonly authz: Authz, private readonly polls: SensorPollJob) {}

  readonly run = defineAction({
    name: 'sensor_source_run',
    help: `Poll a sensor source now (also a paused one): queues the job sensors.poll and returns {job_id, queued}. While a poll
of the source is queued or running no second one is queued: the answer names that job, with queued false. What the poll did
shows in sensor_source_show (last_run_at, last_success_at, last_error, last_warnings, counts). Params: id (id or name).
Who may call: editors and admins of the source's organization, sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: SensorSourceIdInput,
    auth: async (ctx, input) => authSourceWrite(ctx, this.authz, await loadSource(ctx, this.repo, input.id), 'update_dataset'),
    handler: async (ctx, input) => {
      // The row lock makes two concurrent runs queue one job: the second waits here and then sees the first one's job.
      const s = await this.repo.find(ctx.db, input.id, { lock: true });
      if (!s) throw new NotFound('Sensor source not found');
      const { jobId, queued } = await this.polls.queue(ctx, s);
      return { job_id: jobId, queued };
    },
  });

  all = (): AnyAction[] => [this.run];
}
