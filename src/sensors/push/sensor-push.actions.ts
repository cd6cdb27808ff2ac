import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, defineAction } from '../../api/action';
import { Field, ignoreMissing, Invalid, maxLength, notEmpty, oneOf, unicodeSafe, type Step } from '../../api/ckan-schema';
import { ValidationError } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { authSourceWrite, loadSource } from '../catalog/sensor-source.auth';
import { SensorSourceRepository } from '../catalog/sensor-source.repository';
import type { PushFormat } from './push-parse';
import { SensorPushService, TooManyRows } from './sensor-push.service';

/** The batch: CSV text, or the JSON batch (a dict or a list). */
const batchData: Step = (v) => (typeof v === 'string' || (typeof v === 'object' && v !== null) ? v : new Invalid('Must be the CSV text or the JSON batch'));

export class SensorPushInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) source!: string;
  @Field(ignoreMissing, oneOf(['json', 'csv'])) format?: PushFormat;
  @Field(notEmpty, batchData) data!: unknown;
  @Field(ignoreMissing, unicodeSafe, maxLength(200)) idempotency_key?: string;
}

/**
 * sensor_push through the dispatcher (the CLI, ckanapi's local calls, help_show). Over HTTP the route
 * SensorPushController serves the same name first, with raw bodies, 413 and 503.
 */
@Injectable()
export class SensorPushActions implements ActionProvider {
  constructor(
    private readonly repo: SensorSourceRepository,
    private readonly authz: Authz,
    private readonly push: SensorPushService,
  ) {}

  readonly sensorPush = defineAction({
    name: 'sensor_push',
    scope: 'ingest',
    help: `Push a batch of readings to a sensor source of type push; answers after the commit with what was stored.
Params: source (id or name), data (the CSV text, or the JSON batch), format (json or csv; default: the source's),
idempotency_key (also the Idempotency-Key header; a JSON batch's batch_id otherwise): the same key and body again answer the
first answer, another body 409. Over HTTP also POST /api/3/action/sensor_push?source=... with a text/csv or application/json
body. A batch over the source's max_rows (default 10000) answers 413 over HTTP (409 here); while the database is unreachable
503 with Retry-After. Who may call: editors and admins of the source's organization, sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: SensorPushInput,
    auth: async (ctx, input) => authSourceWrite(ctx, this.authz, await loadSource(ctx, this.repo, input.source), 'update_dataset'),
    handler: async (ctx, input) => {
      const body = Buffer.from(typeof input.data === 'string' ? input.data : JSON.stringify(input.data), 'utf8');
      const format = input.format ?? (typeof input.data === 'string' ? undefined : 'json');
      try {
        return (await this.push.push(ctx, { source: input.source, format, body, key: input.idempotency_key })).body;
      } catch (err) {
        if (err instanceof TooManyRows) throw new ValidationError({ data: [err.message] });
        throw err;
      }
    },
  });

  all = (): AnyAction[] => [this.sensorPush];
}
