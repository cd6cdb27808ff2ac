import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';

type Listener = (sourceId: string) => void | Promise<void>;

/**
 * Tells other parts (the MQTT sources' subscriptions) that a source was created, changed or deleted, once the change
 * is committed: no timer looks for changes.
 */
@Injectable()
export class SensorSourceChanges {
  private readonly listeners: Listener[] = [];

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  changed(ctx: ActionContext, sourceId: string): void {
    if (!this.listeners.length) return;
    ctx.afterCommit(async () => {
      for (const l of this.listeners) {
        try {
          await l(sourceId);
        } catch (err) {
          ctx.log.warn({ err, sourceId }, 'a sensor source change listener failed');
        }
      }
    });
  }
}
