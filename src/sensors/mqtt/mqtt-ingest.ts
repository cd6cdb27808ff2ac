import type { Logger } from '../../common/logger';
import { BrokerConnection } from './broker-connection';
import { MessageRouter, type MqttHandler } from './message-router';
import type { MqttSettings } from './mqtt-settings';
import { OwnBroker, type TokenLogins } from './own-broker';

/** How long messages being handled may take to finish at shutdown before they are left to the redelivery. */
const SHUTDOWN_GRACE_MS = 8000;

/**
 * MQTT ingestion, whatever the payloads mean: other parts register a topic filter and a handler
 * (`subscribe`), and each message is acknowledged only after its handler resolved, i.e. after the commit.
 *  - MQTT_URL unset: the service's own broker (aedes, MQTT 3.1.1) on HOST:MQTT_PORT handles a client's PUBLISH before
 *    it answers it (OwnBroker);
 *  - MQTT_URL set: a client of that broker with a persistent session and QoS 1 subscriptions (BrokerConnection);
 *  - MQTT_URL=off: nothing.
 * Started when the application has bootstrapped (every module registered its topics in onModuleInit), stopped at
 * shutdown while the database still runs (beforeApplicationShutdown, and Database.closeBefore at the latest).
 */
export class MqttIngest {
  private readonly router: MessageRouter;
  private readonly broker?: OwnBroker;
  private readonly connection?: BrokerConnection;
  private started?: Promise<void>;
  private stopped?: Promise<void>;

  constructor(readonly settings: MqttSettings, private readonly log: Logger, opts: { shutdownGraceMs?: number; minBackoffMs?: number } = {}) {
    this.router = new MessageRouter(log);
    this.graceMs = opts.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
    if (settings.mode === 'own') this.broker = new OwnBroker(settings, this.router, log);
    if (settings.mode === 'external') this.connection = new BrokerConnection({ ...settings, minBackoffMs: opts.minBackoffMs }, this.router, log);
  }

  private readonly graceMs: number;

  get mode(): MqttSettings['mode'] {
    return this.settings.mode;
  }

  /** The own broker's port (MQTT_URL unset), once started. */
  get brokerPort(): number | undefined {
    return this.broker?.port;
  }

  /**
   * Where SensorThings clients reach the broker (18-088 §9.2.1 serverSettings, the MQTT classes' `endpoints`): the own
   * broker on the site's host name, or MQTT_URL without its credentials; none when MQTT is off.
   */
  endpoints(siteUrl: string): string[] {
    if (this.settings.mode === 'own') {
      const port = this.broker?.port ?? this.settings.port;
      return [`mqtt://${new URL(siteUrl).hostname}:${port}`];
    }
    if (this.settings.mode === 'external') {
      const u = new URL(this.settings.url);
      u.username = '';
      u.password = '';
      return [u.toString().replace(/\/$/, '')];
    }
    return [];
  }

  /**
   * Delivers every message on a topic matching `topicFilter` (`+`, `#` allowed) to `handler`, at QoS 1. Register in
   * onModuleInit; later registrations take effect at once. With MQTT_URL=off nothing ever arrives. Returns what ends
   * the subscription (at once; at an external broker too once no other handler uses the filter).
   */
  subscribe(topicFilter: string, handler: MqttHandler): () => void {
    const sub = this.router.add(topicFilter, handler);
    this.connection?.subscribeNow(topicFilter);
    return () => {
      this.router.remove(sub);
      void this.connection?.unsubscribeNow(topicFilter);
    };
  }

  /**
   * Lets the own broker's clients log in with an API token as the MQTT password (token publishers, who write only what
   * the token's owner may edit). Call before the start (onModuleInit). Without the own broker: nothing (an external
   * broker's ACLs decide who publishes).
   */
  useTokens<H>(tokens: TokenLogins<H>): void {
    this.broker?.useTokens(tokens as TokenLogins<unknown>);
  }

  /** Nest: every module has registered its topics by now. */
  onApplicationBootstrap(): Promise<void> {
    return this.start();
  }

  start(): Promise<void> {
    this.started ??= (async () => {
      if (this.broker) await this.broker.start();
      this.connection?.start();
      if (this.settings.mode === 'off') this.log.info('MQTT is off (MQTT_URL=off)');
    })();
    return this.started;
  }

  /** Resolves once messages can flow: the own broker listens, or the connection to MQTT_URL was made once. */
  async ready(): Promise<void> {
    await this.start();
    await this.connection?.connected();
  }

  /**
   * Whether an update published under `prefix` could reach anyone: with the own broker, whether a client subscribed to
   * something there; an external broker's subscribers are unknown here, so always (unless MQTT is off).
   */
  mayHaveSubscribersUnder(prefix: string): boolean {
    if (this.broker) return this.broker.hasSubscribersUnder(prefix);
    return this.connection !== undefined;
  }

  /** The topic filters the own broker's clients hold under `prefix`; none known with an external broker. */
  subscribedUnder(prefix: string): string[] {
    return this.broker ? this.broker.filtersUnder(prefix) : [];
  }

  /**
   * Publishes a message of the service's own (SensorThings "receive updates"); never taken for a new observation.
   * Returns whether it went out (false: MQTT off, not connected, or a topic 3.1.1 cannot publish on safely).
   */
  async publishOwn(topic: string, payload: Buffer): Promise<boolean> {
    if (this.broker) {
      await this.broker.publish(topic, payload);
      return true;
    }
    return this.connection ? this.connection.publish(topic, payload) : false;
  }

  /** Nest, at shutdown, while the database and the HTTP server still run. */
  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await this.started?.catch(() => undefined);
      await this.broker?.stop(this.graceMs);
      await this.connection?.stop(this.graceMs);
    })();
    return this.stopped;
  }
}
