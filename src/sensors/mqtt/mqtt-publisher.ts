import type { Logger } from '../../common/logger';
import type { MqttIngest } from './mqtt-ingest';

/** Something that runs hooks after its transaction committed (an ActionContext fits). */
export interface AfterCommit {
  afterCommit(hook: () => void | Promise<void>): void;
}

/** A SensorThings entity key as it appears in a topic: `Datastreams(7)`, `Things('a b')`. */
export const staKey = (id: number | string): string =>
  typeof id === 'number' || /^-?\d+$/.test(id) ? String(id) : `'${id.replace(/'/g, "''")}'`;

/**
 * The topics a new Observation is announced on (SensorThings "receive updates", 18-088 §14.2, as FROST names them):
 * the entity set, the Datastream's Observations and the entity itself.
 */
export function observationTopics(datastreamId: number | string, observationId: number | string, version = 'v1.1'): string[] {
  return [`${version}/Observations`, `${version}/Datastreams(${staKey(datastreamId)})/Observations`, `${version}/Observations(${staKey(observationId)})`];
}

/**
 * SensorThings "receive updates": publishes an entity's JSON on its topics, after the commit that made it. The
 * service's own messages are never taken for new observations by its own subscriptions (see MqttIngest). Who may see
 * the entity is the caller's business: publish only what anonymous readers may read.
 */
export class MqttPublisher {
  constructor(private readonly mqtt: MqttIngest, private readonly log?: Logger) {}

  /** Whether anyone could receive an update published under `prefix` (`v1.1/`); see MqttIngest. */
  mayHaveSubscribersUnder(prefix: string): boolean {
    return this.mqtt.mayHaveSubscribersUnder(prefix);
  }

  /** The topics subscribed under `prefix` on the own broker (`v1.1/Things?$select=name`); none known elsewhere. */
  subscribedUnder(prefix: string): string[] {
    return this.mqtt.subscribedUnder(prefix);
  }

  /** Publishes now; returns the topics it went out on. Failures are the caller's to log: publishing is best effort. */
  async publish(topics: string[], entity: unknown): Promise<string[]> {
    const payload = Buffer.from(JSON.stringify(entity));
    const sent: string[] = [];
    for (const topic of topics) if (await this.mqtt.publishOwn(topic, payload)) sent.push(topic);
    return sent;
  }

  /** Publishes once `tx` has committed (nothing if it rolls back); a failure is logged, the write stands. */
  afterCommit(tx: AfterCommit, topics: string[], entity: unknown): void {
    tx.afterCommit(async () => {
      await this.publish(topics, entity).catch((err: unknown) => this.log?.warn({ err, topics }, 'an MQTT update could not be published'));
    });
  }
}
