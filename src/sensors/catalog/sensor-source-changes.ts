import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ActionContext } from '../../api/action-context';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { Database } from '../../database/database.module';
import { ChannelListener, notify } from '../../database/notifications';

/** PostgreSQL channel on which committed source changes are announced to every process. */
export const SOURCE_CHANGE_CHANNEL = 'sensor_source_changes';

/** A source changed (its id), or null: any may have (heard nothing for a while). */
type Listener = (sourceId: string | null) => void | Promise<void>;

/**
 * Tells other parts (the MQTT sources' subscriptions and broker connections) that a source was created, changed or
 * deleted, once the change is committed: in this process right after the commit, in every other one when PostgreSQL
 * delivers the NOTIFY sent in the writing transaction. While the LISTEN connection is down `live` is false; when it is
 * back, listeners hear "any may have changed". No timer looks for changes.
 */
@Injectable()
export class SensorSourceChanges implements OnModuleInit, OnApplicationShutdown {
  private readonly listeners: Listener[] = [];
  private readonly instance = randomUUID();
  private listener?: ChannelListener;

  constructor(private readonly database: Database, @Inject(LOGGER) private readonly log: Logger) {}

  /** True while every process's committed changes are being heard. */
  get live(): boolean {
    return this.listener?.live ?? false;
  }

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  async onModuleInit(): Promise<void> {
    this.listener = new ChannelListener(
      { url: this.database.url, channel: SOURCE_CHANGE_CHANNEL, applicationName: 'catalog-sensor-source-listener', log: this.log },
      {
        notify: (payload) => {
          const [from, id] = payload.split('|', 2);
          if (from !== this.instance) void this.emit(id);
        },
        resync: () => this.emit(null),
      },
    );
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.close();
  }

  /** Source `sourceId` changed in this action's transaction. */
  async changed(ctx: ActionContext, sourceId: string): Promise<void> {
    // Delivered by PostgreSQL only if the transaction commits.
    await notify(ctx.db, SOURCE_CHANGE_CHANNEL, `${this.instance}|${sourceId}`);
    ctx.afterCommit(() => this.emit(sourceId));
  }

  private async emit(sourceId: string | null): Promise<void> {
    for (const l of this.listeners) {
      try {
        await l(sourceId);
      } catch (err) {
        this.log.warn({ err, sourceId }, 'a sensor source change listener failed');
      }
    }
  }
}
