import type { Caller } from '../../api/action-context';
import type { Logger } from '../../common/logger';
import { isPermanentPayloadError } from './mqtt-errors';
import { brokerFilter, topicFilterProblem, topicMatches } from './topic-filter';

/** What a handler learns about a message besides its topic and payload. */
export interface MqttMessageInfo {
  qos: 0 | 1 | 2;
  retain: boolean;
  /** Sent again by the broker or the publisher (the first attempt may have been handled already). */
  dup: boolean;
  /** MQTT 5 user properties, when the broker speaks 5. */
  userProperties?: Record<string, string | string[]>;
  /** The publishing client's id: known with the own broker only (an external broker does not tell). */
  clientId?: string;
  /**
   * Set: the own broker's client logged in with an API token, and writes only what this caller may edit (with the
   * token's organization restriction). Unset: the site's publisher (MQTT_USERNAME/MQTT_PASSWORD, an open own broker,
   * or any publisher an external broker's ACLs let through), which writes as the site.
   */
  publisher?: Caller;
}

/**
 * Handles one message. Resolve only once what the message says is committed: the message is acknowledged then.
 * Reject with PermanentPayloadError for a payload that can never succeed (acknowledged and logged); any other
 * rejection leaves it unacknowledged, and the broker delivers it again.
 */
export type MqttHandler = (topic: string, payload: Buffer, info: MqttMessageInfo) => Promise<void>;

export interface Subscription {
  filter: string;
  handler: MqttHandler;
}

/** The handlers by topic filter, and the messages being handled (so a stop can wait for them). */
export class MessageRouter {
  readonly subscriptions: Subscription[] = [];
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly log: Logger) {}

  add(filter: string, handler: MqttHandler): Subscription {
    const problem = topicFilterProblem(filter);
    if (problem) throw new Error(`MQTT topic filter ${JSON.stringify(filter)}: ${problem}`);
    const sub = { filter, handler };
    this.subscriptions.push(sub);
    return sub;
  }

  /** Takes a handler out: messages matching only its filter reach nobody from now on. */
  remove(sub: Subscription): void {
    const i = this.subscriptions.indexOf(sub);
    if (i >= 0) this.subscriptions.splice(i, 1);
  }

  /** The distinct MQTT filters to subscribe to at the broker. */
  filters(): string[] {
    return [...new Set(this.subscriptions.map((s) => brokerFilter(s.filter)))];
  }

  /** Whether a message on topic reaches any handler. */
  handles(topic: string): boolean {
    return this.subscriptions.some((s) => topicMatches(s.filter, topic));
  }

  /**
   * Runs every handler whose filter matches. Resolves when all are done or refused the payload for good (logged);
   * rejects when one failed otherwise: then the message must not be acknowledged.
   */
  dispatch(topic: string, payload: Buffer, info: MqttMessageInfo): Promise<void> {
    const handlers = this.subscriptions.filter((s) => topicMatches(s.filter, topic));
    if (handlers.length === 0) return Promise.resolve();
    // One handler (nearly always): no Promise.all around it, a few promises less per message at 10,000 a second.
    const done = handlers.length === 1 ? this.run(handlers[0], topic, payload, info) : Promise.all(handlers.map((h) => this.run(h, topic, payload, info))).then(() => undefined);
    this.running.add(done);
    const forget = (): void => void this.running.delete(done);
    done.then(forget, forget);
    return done;
  }

  /** One handler on one message: a payload refused for good is logged and counts as done. */
  private run({ filter, handler }: Subscription, topic: string, payload: Buffer, info: MqttMessageInfo): Promise<void> {
    let running: Promise<void>;
    try {
      running = handler(topic, payload, info);
    } catch (err) {
      running = Promise.reject(err);
    }
    return running.catch((err: unknown) => {
      if (!isPermanentPayloadError(err)) throw err;
      this.log.warn({ err, topic, filter, bytes: payload.length }, `MQTT message on ${topic} refused: ${err.message}`);
    });
  }

  /** Resolves when the messages being handled now are done (or after ms). */
  async settled(ms: number): Promise<boolean> {
    if (this.running.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
    const all = Promise.allSettled([...this.running]).then(() => true);
    const result = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return result;
  }
}
