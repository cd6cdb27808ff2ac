import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, defineAction } from '../../api/action';
import { Authz } from '../../auth/authz';
import { authSourceRead, findOrg, loadSource } from './sensor-source.auth';
import { SensorSourceIdInput, SensorSourceListInput, toSourceDict } from './sensor-source.dto';
import { SensorSourceRepository } from './sensor-source.repository';

const LIST_MAX = 1000;

/** sensor_source_show, sensor_source_list. */
@Injectable()
export class SensorSourceReadActions implements ActionProvider {
  constructor(private readonly repo: SensorSourceRepository, private readonly authz: Authz) {}

  readonly show = defineAction({
    name: 'sensor_source_show',
    help: `Return a sensor source: id, name, title, owner_org, type, config (secrets shown as "********"), state,
poll_interval_seconds, next_run_at, last_run_at, last_success_at, last_error ({message, code, at} of the last failed run, or null
once a run succeeds), last_warnings ({message, count, warnings: [{code, message, station, stream, at}]}: what the last successful
run skipped, or null; kept while later runs fail), counts (runs, failures and what the runs stored, summed), num_datasets, num_datastreams, run_job_id (the poll queued or running),
created, metadata_modified. Params: id (id or name). Who may call: members of the source's organization, sysadmins.`,
    sideEffectFree: true,
    anonymous: false,
    input: SensorSourceIdInput,
    auth: async (ctx, input) => authSourceRead(ctx, this.authz, await loadSource(ctx, this.repo, input.id)),
    handler: async (ctx, input) => toSourceDict(await loadSource(ctx, this.repo, input.id)),
  });

  readonly list = defineAction({
    name: 'sensor_source_list',
    help: `List the sensor sources the caller may see (of the organizations they are a member of; sysadmins: all), by name, in
sensor_source_show form. Params: owner_org (id or name: only its sources), type, limit (default and at most ${LIST_MAX}), offset.`,
    sideEffectFree: true,
    anonymous: false,
    input: SensorSourceListInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      let orgIds = ctx.isSysadmin || ctx.ignoreAuth ? null : await this.authz.groupIdsWith(ctx, 'read');
      if (input.owner_org) {
        const org = await findOrg(ctx, input.owner_org);
        if (!org) return [];
        orgIds = orgIds === null || orgIds.includes(org.id) ? [org.id] : [];
      }
      if (orgIds !== null && !orgIds.length) return [];
      const rows = await this.repo.list(ctx.db, { orgIds, type: input.type, limit: Math.min(input.limit ?? LIST_MAX, LIST_MAX), offset: input.offset ?? 0 });
      return rows.map(toSourceDict);
    },
  });

  all = (): AnyAction[] => [this.show, this.list];
}
