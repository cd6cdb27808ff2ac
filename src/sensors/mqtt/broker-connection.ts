import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from '../../common/logger';
import type { MessageRouter } from './message-router';
import { brokerFilter } from './topic-filter';

export interface BrokerConnectionOptions {
  url: string;
  /** The key of the persistent session: one per instance, the same at every start. */
  clientId: string;
  username?: string;
  password?: string;
  protocolVersion: 4 | 5;
  /** Subscribe as $share/<group>/<filter>, so that instances in one group split the messages. */
  sharedGroup?: string;
  /** MQTT 5: how long the broker keeps the session (and queues QoS 1 messages) while the service is away. */
  sessionExpirySeconds?: number;
  /** First and largest wait before reconnecting, doubled at every failure in a row. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Messages handled at the same time (on MQTT 5 also the Receive Maximum the broker is told); default 100. */
  maxInFlight?: number;
}

/**
 * MQTT 5 user property on every update message the service publishes. A message carrying it is never ingested: on
 * MQTT 5 the No Local option already keeps our own messages from our own connection, and this covers what No Local
 * cannot, shared subscriptions (where it is not allowed) and the other instances of a group.
 */
export const OWN_UPDATE_PROPERTY = 'catalog-update-from';

const WEEK_SECONDS = 7 * 24 * 3600;

/** A message handed to its handler whose PUBACK (QoS 1) is not sent yet. */
interface InFlight {
  /** QoS 1: the id to acknowledge; QoS 0: none. */
  messageId?: number;
  /** The connection it came in on. */
  stream: unknown;
  state: 'running' | 'ok' | 'failed';
  error?: unknown;
  topic?: string;
}

/** Tells mqtt.js to go on without sending the PUBACK: it is sent by flush(), once due. */
const DEFERRED = new Error('acknowledged once handled');
const NOT_NOW = new Error('not handled now; the broker delivers it again');

/**
 * The service as a client of an external broker (MQTT_URL): MQTT 3.1.1 or 5, a persistent session (clean: false;
 * on 5 a session expiry of a week) and QoS 1 subscriptions, so QoS 1 messages that arrive while the service is away
 * wait at the broker. A message is acknowledged only after its handler resolved, i.e. after the commit; up to
 * maxInFlight messages are handled at once and acknowledged in the order they came (see handleMessage). A handler that fails for a
 * passing reason (the database away) leaves the message unacknowledged and drops the connection; the broker sends
 * unacknowledged messages again when the session resumes (MQTT 3.1.1 §4.4, 5.0 §4.4), after a backoff that doubles
 * while failures go on. Subscriptions are made again whenever the broker has no session for us.
 */
export class BrokerConnection {
  private client?: MqttClient;
  private stopping = false;
  private stopped?: Promise<void>;
  /** Messages handed to handlers, in the order they came, until acknowledged. */
  private inFlight: InFlight[] = [];
  private readonly maxInFlight: number;
  /** mqtt.js waiting for room to read on. */
  private resume?: () => void;
  /** Failures in a row: connection attempts, and handlers that failed for a passing reason. */
  private connectFailures = 0;
  private handlerFailures = 0;
  /** The current connection saw a handler fail: its remaining messages are left for the redelivery. */
  private broken = false;
  private wasConnected = false;
  private readonly warnedTopics = new Set<string>();
  private connectedOnce?: { promise: Promise<void>; resolve: () => void };

  constructor(private readonly opts: BrokerConnectionOptions, private readonly router: MessageRouter, private readonly log: Logger) {
    this.maxInFlight = opts.maxInFlight ?? 100;
  }

  get v5(): boolean {
    return this.opts.protocolVersion === 5;
  }

  /** Connects (in the background: a broker that is away is retried with backoff, the service starts anyway). */
  start(): void {
    if (this.client) return;
    let resolve!: () => void;
    this.connectedOnce = { promise: new Promise<void>((r) => (resolve = r)), resolve };
    const options: IClientOptions = {
      clientId: this.opts.clientId,
      username: this.opts.username,
      password: this.opts.password,
      protocolVersion: this.opts.protocolVersion,
      clean: false,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: this.backoff(),
      // Our subscriptions are made on every connect without a session (below); QoS 0 updates are not worth queueing.
      resubscribe: false,
      queueQoSZero: false,
      // A broker that refuses us (unavailable, or credentials not yet set up there) is tried again, with the backoff.
      reconnectOnConnackError: true,
      properties: this.v5 ? { sessionExpiryInterval: this.opts.sessionExpirySeconds ?? WEEK_SECONDS, receiveMaximum: this.maxInFlight } : undefined,
    };
    const client = connect(this.opts.url, options);
    this.client = client;
    client.handleMessage = (packet, callback) => this.handleMessage(packet, callback);
    // Runs before mqtt.js's own close handler, which schedules the reconnect with reconnectPeriod.
    client.prependListener('close', () => {
      if (this.wasConnected && !this.stopping) this.log.warn({ url: this.redactedUrl }, 'MQTT connection lost; reconnecting');
      this.wasConnected = false;
      if (!this.stopping) this.connectFailures++;
      // What came in on this connection and is not acknowledged yet is the broker's to send again.
      this.inFlight = [];
      this.resume = undefined;
      client.options.reconnectPeriod = this.backoff();
    });
    client.on('connect', (connack) => {
      this.connectFailures = 0;
      this.broken = false;
      this.wasConnected = true;
      client.options.reconnectPeriod = this.backoff();
      this.log.info({ url: this.redactedUrl, clientId: this.opts.clientId, sessionPresent: connack.sessionPresent, protocolVersion: this.opts.protocolVersion }, 'MQTT connected');
      this.subscribeAll(connack.sessionPresent);
      this.connectedOnce?.resolve();
    });
    client.on('error', (err) => {
      // Once per outage at warn level; the retries at debug.
      if (this.connectFailures <= 1) this.log.warn({ err, url: this.redactedUrl }, `MQTT: ${err.message}`);
      else this.log.debug({ err, url: this.redactedUrl }, `MQTT: ${err.message}`);
    });
  }

  /** Resolves at the first successful connection (tests, diagnostics). */
  connected(): Promise<void> {
    if (!this.connectedOnce) throw new Error('the MQTT connection has not been started');
    return this.connectedOnce.promise;
  }

  get isConnected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Subscribes to a filter registered after the start (those before are subscribed at every connect). */
  subscribeNow(pattern: string): void {
    const filter = brokerFilter(pattern);
    if (this.client?.connected && !this.subscribed.has(filter)) this.subscribe([filter]);
  }

  /**
   * Ends the broker's subscription to a filter no handler uses any more (a source deleted, paused or moved to another
   * topic): the persistent session would otherwise keep receiving, and queueing, its messages.
   */
  unsubscribeNow(pattern: string): Promise<void> {
    const filter = brokerFilter(pattern);
    if (this.router.filters().includes(filter)) return Promise.resolve();
    if (this.client?.connected) return this.unsubscribe([filter]);
    // A resumed session may still hold it: subscribeAll ends it at the next connect.
    this.subscribed.delete(filter);
    this.unwanted.add(filter);
    return Promise.resolve();
  }

  private subscribeAll(sessionPresent: boolean): void {
    // A resumed session keeps what the broker granted; without one (first start, or the broker lost it) all again.
    if (!sessionPresent) this.subscribed.clear();
    const wanted = this.router.filters();
    const missing = wanted.filter((f) => !this.subscribed.has(f));
    if (missing.length) this.subscribe(missing);
    // Given up while we were away: the resumed session still has them.
    const stale = sessionPresent ? [...this.unwanted].filter((f) => !wanted.includes(f)) : [];
    this.unwanted.clear();
    if (stale.length) void this.unsubscribe(stale);
  }

  /** Filters given up since the session was last in reach. */
  private readonly unwanted = new Set<string>();

  /** Filters the broker granted in the current session. */
  private readonly subscribed = new Set<string>();

  private subscribe(filters: string[]): void {
    const client = this.client;
    if (!client) return;
    const shared = this.opts.sharedGroup;
    // No Local (5 only) keeps our own update messages away from our own connection; it is a protocol error on a shared
    // subscription, where the OWN_UPDATE_PROPERTY check does the job. Retain Handling 1: retained messages only for a
    // subscription that is new to the broker.
    const subOpts = this.v5 ? { qos: 1 as const, nl: !shared, rh: 1 } : { qos: 1 as const };
    const topics = filters.map((f) => (shared ? `$share/${shared}/${f}` : f));
    client.subscribe(topics, subOpts, (err, granted) => {
      if (err) return this.log.error({ err, topics }, 'MQTT subscribe failed');
      (granted ?? []).forEach((g, i) => {
        if (g.qos === 128 || g.qos > 2) return this.log.error({ topic: g.topic, code: g.qos }, `MQTT broker refused the subscription to ${g.topic}`);
        if (g.qos < 1) this.log.warn({ topic: g.topic }, `MQTT broker granted only QoS 0 for ${g.topic}: messages there may be lost`);
        this.subscribed.add(filters[i]);
      });
      this.log.info({ topics }, 'MQTT subscribed');
    });
  }

  /** Resolves once the broker confirmed (or refused: logged). */
  private unsubscribe(filters: string[]): Promise<void> {
    const client = this.client;
    if (!client) return Promise.resolve();
    const shared = this.opts.sharedGroup;
    for (const f of filters) this.subscribed.delete(f);
    const topics = filters.map((f) => (shared ? `$share/${shared}/${f}` : f));
    return new Promise((resolve) => {
      client.unsubscribe(topics, (err) => {
        if (err) this.log.warn({ err, topics }, 'MQTT unsubscribe failed');
        else this.log.info({ topics }, 'MQTT unsubscribed');
        resolve();
      });
    });
  }

  /**
   * mqtt.js hands messages over one at a time and sends a QoS 1 message's PUBACK when this calls back. Waiting for each
   * commit there would ingest one message per commit. Instead every message is handed to its handler at once (up to
   * maxInFlight), mqtt.js is let on to the next one without a PUBACK (called back with DEFERRED), and the PUBACKs are
   * sent here, in the order the messages came (MQTT 3.1.1 §4.6), each once its handler resolved and those before it too.
   */
  private handleMessage(packet: IPublishPacket, callback: (err?: Error) => void): void {
    // Stopping, or this connection already failed a message: leave it unacknowledged for the redelivery.
    if (this.stopping || this.broken) return callback(NOT_NOW);
    const userProperties = packet.properties?.userProperties;
    const entry: InFlight = { messageId: packet.qos > 0 ? packet.messageId : undefined, stream: this.client?.stream, state: 'running' };
    this.inFlight.push(entry);
    if (userProperties?.[OWN_UPDATE_PROPERTY] !== undefined) {
      entry.state = 'ok'; // our own update: acknowledged, never ingested
    } else {
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      this.router
        .dispatch(packet.topic, payload, { qos: packet.qos, retain: packet.retain, dup: packet.dup, userProperties })
        .then(
          () => {
            this.handlerFailures = 0;
            entry.state = 'ok';
          },
          (err: unknown) => {
            if (packet.qos === 0) {
              this.log.warn({ err, topic: packet.topic }, `MQTT message on ${packet.topic} (QoS 0) not handled and lost`);
              entry.state = 'ok';
              return;
            }
            entry.state = 'failed';
            entry.error = err;
            entry.topic = packet.topic;
          },
        )
        .finally(() => this.flush());
    }
    this.flush();
    // Backpressure: mqtt.js reads the next message only once called back.
    if (this.inFlight.length < this.maxInFlight) callback(DEFERRED);
    else this.resume = () => callback(DEFERRED);
  }

  /** Sends the PUBACKs that are due, in order; a failure at the head drops the connection for the redelivery. */
  private flush(): void {
    const client = this.client;
    while (this.inFlight.length && this.inFlight[0].state !== 'running') {
      const e = this.inFlight.shift()!;
      // The PUBACK must go out on the connection the message came in on. mqtt.js would queue it while disconnected and
      // send it on the next connection, where the broker may have given the packet id to another message (aedes numbers
      // redeliveries anew): that one would count as acknowledged without ever being handled.
      const sameConnection = client !== undefined && client.connected && client.stream === e.stream;
      if (e.state === 'failed') {
        this.handlerFailures++;
        this.broken = true;
        const wait = this.backoff();
        this.log.warn({ err: e.error, topic: e.topic, retryInMs: wait }, `MQTT message on ${e.topic} not handled; left unacknowledged, the broker delivers it again after reconnecting`);
        this.inFlight = [];
        // Only a new session makes the broker send an unacknowledged message again.
        if (client && sameConnection) {
          client.options.reconnectPeriod = wait;
          client.stream.destroy();
        }
        break;
      }
      if (e.messageId !== undefined && sameConnection) client['_sendPacket']({ cmd: 'puback', messageId: e.messageId, reasonCode: 0 });
    }
    if (this.resume && this.inFlight.length < this.maxInFlight) {
      const resume = this.resume;
      this.resume = undefined;
      resume();
    }
  }

  /**
   * Publishes a message of the service's own (a SensorThings update). On MQTT 3.1.1 a message on a topic the service
   * ingests from is not sent at all: nothing in 3.1.1 would tell it from a new observation (see README, MQTT).
   * Returns whether it was sent.
   */
  async publish(topic: string, payload: Buffer, opts: { qos?: 0 | 1; retain?: boolean } = {}): Promise<boolean> {
    const client = this.client;
    if (!client || this.stopping) return false;
    if (!this.v5 && this.router.handles(topic)) {
      if (!this.warnedTopics.has(topic)) {
        this.warnedTopics.add(topic);
        this.log.warn({ topic }, `MQTT 3.1.1: no update is published on ${topic}, which the service also ingests from; use MQTT 5 or the built-in broker`);
      }
      return false;
    }
    if (!client.connected) return false;
    await client.publishAsync(topic, payload, {
      qos: opts.qos ?? 0,
      retain: opts.retain ?? false,
      properties: this.v5 ? { userProperties: { [OWN_UPDATE_PROPERTY]: this.opts.clientId } } : undefined,
    });
    return true;
  }

  /**
   * Takes no more messages, lets the one being handled finish (its PUBACK goes out) for up to graceMs, and
   * disconnects; the session stays at the broker, which keeps what arrives meanwhile.
   */
  stop(graceMs: number): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      const client = this.client;
      if (!client) return;
      const settled = await this.router.settled(graceMs);
      // The PUBACKs of what finished (flush also runs as each handler settles; this makes sure before DISCONNECT).
      this.flush();
      await new Promise((r) => setImmediate(r));
      if (!settled) this.log.warn('an MQTT message still being handled at shutdown is left unacknowledged; the broker delivers it again');
      await client.endAsync(!settled || !client.connected);
      this.log.info('MQTT disconnected');
    })();
    return this.stopped;
  }

  private backoff(): number {
    const min = this.opts.minBackoffMs ?? 1000;
    const max = this.opts.maxBackoffMs ?? 30_000;
    const n = Math.max(this.connectFailures, this.handlerFailures);
    return Math.min(max, min * 2 ** Math.max(0, n - 1));
  }

  private get redactedUrl(): string {
    try {
      const u = new URL(this.opts.url);
      if (u.password) u.password = '***';
      return u.toString();
    } catch {
      return this.opts.url;
    }
  }
}
