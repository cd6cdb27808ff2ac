import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Caller } from '../../api/action-context';
import { hasScope } from '../../api/token-scope';
import type { Logger } from '../../common/logger';
import type { MessageRouter } from './message-router';
import { ownBrokerListenProblem } from './mqtt-settings';

export interface OwnBrokerOptions {
  host: string;
  /** 0: a free port. */
  port: number;
  /** Set: a client must present these to publish; without credentials it may only subscribe (receive updates). */
  username?: string;
  password?: string;
}

/**
 * API token logins for publishers (src/auth's LiveTokens): `hold` checks a token's secret, `current` answers whom a
 * held token stands for now (null once revoked or expired: never again), `release` forgets it when the client goes.
 */
export interface TokenLogins<H = unknown> {
  hold(secret: string): Promise<H | null>;
  current(held: H): Promise<Caller | null>;
  release(held: H): void;
  /** Tells when a held token was found revoked (its connection is then closed at once). */
  onEnded(listener: (held: H) => void): void;
}

/** API token secrets carry this prefix (src/auth/tokens.ts): a password with it is always checked as a token. */
const TOKEN_PREFIX = 'odp_';

const MAY_PUBLISH = Symbol('mayPublish');
/** The API token a client logged in with (a token publisher); none for the site's publishers and for readers. */
const TOKEN = Symbol('token');
/**
 * Marks the service's own messages inside the broker. Clients speak MQTT 3.1.1 here, which has no properties, so no
 * client can send a message that carries it.
 */
const OWN = { userProperties: { 'catalog-own': '1' } };
const isOwn = (packet: { properties?: { userProperties?: Record<string, unknown> } }): boolean => packet.properties?.userProperties?.['catalog-own'] === '1';
type BrokerClient = Client & { [MAY_PUBLISH]?: boolean; [TOKEN]?: unknown };

const refusal = (returnCode: 3 | 4 | 5, message: string): AuthenticateError => {
  const err = new Error(message) as AuthenticateError;
  err.returnCode = returnCode;
  return err;
};

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || host.startsWith('127.');

const sameSecret = (a: string, b: Buffer | string | undefined): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b ?? '');
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The service's own MQTT broker (aedes, MQTT 3.1.1), run when MQTT_URL is unset, as FROST-Server runs its own.
 * A client's PUBLISH on a topic the service ingests is handled before the broker answers it: the PUBACK of a QoS 1
 * message goes out only after the handler resolved (its commit); a handler that fails for a passing reason closes the
 * publisher's connection without PUBACK, so the publisher sends the message again (MQTT 3.1.1 §4.4), and a payload
 * refused for good is acknowledged and logged. Nothing the broker acknowledged is therefore lost, even though its
 * own state lives in memory. The service's own update messages go out through `publish`, which bypasses that
 * hook: they can never be taken for new observations.
 */
export class OwnBroker {
  private aedes?: Aedes;
  private server?: Server;
  private listening?: AddressInfo;
  private stopping = false;
  /** Topic filters clients subscribed to and still hold, per client id (persistent sessions keep theirs while away). */
  private readonly subscriptions = new Map<string, Set<string>>();

  /** Set: clients may log in with an API token as their password (token publishers). */
  private tokens?: TokenLogins;

  constructor(private readonly opts: OwnBrokerOptions, private readonly router: MessageRouter, private readonly log: Logger) {}

  /** The connected token publishers, by the token each holds (every login holds its own). */
  private readonly tokenClients = new Map<unknown, BrokerClient>();

  /** Lets clients log in with API tokens (set before `start`). */
  useTokens(tokens: TokenLogins<unknown>): void {
    this.tokens = tokens;
    tokens.onEnded((held) => {
      const c = this.tokenClients.get(held);
      if (!c) return;
      this.log.info({ client: c.id }, 'an MQTT publisher\'s API token was revoked; disconnected');
      c.close();
    });
  }

  /**
   * A login with an API token as the password (any user name): refused with 4 when the token is unknown, revoked or
   * expired, with 5 ("not authorized") when it lacks the scope `ingest` (a client that brings a token means to
   * publish; as a reader it would need none). Answers the refusal, or nothing once the client is a token publisher.
   */
  private async tokenLogin(c: BrokerClient, secret: string): Promise<AuthenticateError | undefined> {
    const tokens = this.tokens!;
    const held = await tokens.hold(secret);
    if (!held) return refusal(4, 'bad user name or password: the API token is unknown, revoked or expired');
    const caller = await tokens.current(held);
    if (!caller || !hasScope(caller, 'ingest')) {
      tokens.release(held);
      return refusal(caller ? 5 : 4, caller ? 'not authorized: publishing needs an API token with the scope "ingest"' : 'bad user name or password');
    }
    if (c.closed) {
      tokens.release(held);
      return undefined;
    }
    c[TOKEN] = held;
    c[MAY_PUBLISH] = true;
    this.tokenClients.set(held, c);
    c.conn.once('close', () => {
      this.tokenClients.delete(held);
      tokens.release(held);
    });
    return undefined;
  }

  /** The port it listens on (known once started). */
  get port(): number {
    if (!this.listening) throw new Error('the MQTT broker has not been started');
    return this.listening.port;
  }

  async start(): Promise<void> {
    const credentials = this.opts.username !== undefined || this.opts.password !== undefined;
    const aedes = await Aedes.createBroker({
      // A subscriber that stops reading must not stall delivery to everybody else for long.
      drainTimeout: 10_000,
      authenticate: (client, username, password, done) => {
        const c = client as BrokerClient;
        const secret = password?.toString();
        if (credentials && sameSecret(this.opts.username ?? '', username) && sameSecret(this.opts.password ?? '', password)) {
          c[MAY_PUBLISH] = true; // the site's publisher
          return done(null, true);
        }
        if (this.tokens && secret && (credentials || secret.startsWith(TOKEN_PREFIX))) {
          return void this.tokenLogin(c, secret).then(
            (refused) => (refused ? done(refused, false) : done(null, true)),
            (err: unknown) => {
              this.log.warn({ err, client: c.id }, 'could not check an MQTT client\'s API token');
              done(refusal(3, 'the service cannot check API tokens right now'), false);
            },
          );
        }
        if (!credentials) {
          c[MAY_PUBLISH] = true;
          return done(null, true);
        }
        if (username === undefined && password === undefined) {
          c[MAY_PUBLISH] = false; // a reader: receives updates, publishes nothing
          return done(null, true);
        }
        done(refusal(4, 'bad user name or password'), false);
      },
      authorizePublish: (client, packet, done) => this.authorizePublish(client as BrokerClient | null, packet, done),
      // A client's message on a topic the service ingests goes to the service only: readers there get the service's
      // own update after the commit (the entity as stored, and only what the caller let them see: a private gauge's
      // readings must not reach anonymous readers). Other topics are forwarded as by any broker.
      authorizeForward: (_client, packet) => (isOwn(packet) || !this.router.handles(packet.topic) ? packet : null),
    });
    aedes.on('clientError', (client, err) => this.log.debug({ err, client: client.id }, 'MQTT client error'));
    aedes.on('subscribe', (subs, client) => {
      const held = this.subscriptions.get(client.id) ?? new Set<string>();
      for (const s of subs) held.add(s.topic);
      this.subscriptions.set(client.id, held);
    });
    aedes.on('unsubscribe', (topics, client) => {
      for (const t of topics) this.subscriptions.get(client.id)?.delete(t);
    });
    // A clean session's subscriptions end with its connection; a persistent one's stay, and messages wait for it.
    aedes.on('clientDisconnect', (client) => {
      if ((client as BrokerClient & { clean?: boolean }).clean !== false) this.subscriptions.delete(client.id);
    });
    this.aedes = aedes;
    const server = createServer((socket) => aedes.handle(socket));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: this.opts.host, port: this.opts.port, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await new Promise<void>((r) => aedes.close(() => r()));
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new Error(ownBrokerListenProblem(this.opts.host, this.opts.port, code), { cause: err });
    }
    server.on('error', (err) => this.log.error({ err }, 'the MQTT broker failed'));
    this.server = server;
    this.listening = server.address() as AddressInfo;
    this.log.info({ host: this.opts.host, port: this.port, publishNeedsCredentials: credentials }, `MQTT broker listening on ${this.opts.host}:${this.port}`);
    if (!credentials && !isLoopback(this.opts.host)) {
      this.log.warn({ host: this.opts.host }, `the MQTT broker on ${this.opts.host} lets anyone who reaches it publish observations: set MQTT_USERNAME and MQTT_PASSWORD`);
    }
  }

  private authorizePublish(client: BrokerClient | null, packet: PublishPacket, done: (err?: Error | null) => void): void {
    if (packet.topic.startsWith('$')) return done(new Error('topics starting with $ are reserved'));
    if (client && !client[MAY_PUBLISH]) return done(new Error('publishing needs the broker credentials (MQTT_USERNAME/MQTT_PASSWORD) or an API token with the scope "ingest"'));
    const held = client?.[TOKEN];
    if (held === undefined || !this.tokens) return this.dispatch(client, packet, undefined, done);
    this.tokens.current(held).then(
      (publisher) => {
        if (publisher) return this.dispatch(client, packet, publisher, done);
        // Revoked or expired since the login: cut off, this message unacknowledged and not stored; logging in again fails.
        this.log.info({ client: client?.id, topic: packet.topic }, 'an MQTT publisher\'s API token was revoked or expired; disconnected');
        done(new Error('the API token was revoked or has expired'));
      },
      (err: unknown) => {
        this.log.warn({ err, client: client?.id }, 'could not check an MQTT publisher\'s API token; the message is left unacknowledged');
        done(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  /** A message allowed on the broker: to the handlers when the service ingests its topic, else forwarded. */
  private dispatch(client: BrokerClient | null, packet: PublishPacket, publisher: Caller | undefined, done: (err?: Error | null) => void): void {
    if (!this.router.handles(packet.topic)) return done(null);
    // Shutting down: not acknowledged, so the publisher sends it again to whoever runs next.
    if (this.stopping) return done(new Error('the service is shutting down'));
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    this.router
      .dispatch(packet.topic, payload, { qos: packet.qos, retain: packet.retain, dup: packet.dup, clientId: client?.id, publisher })
      .then(
        () => {
          if (client) this.holdWrites(client);
          done(null);
        },
        (err: unknown) => {
          this.log.warn({ err, topic: packet.topic, client: client?.id, qos: packet.qos }, packet.qos > 0
            ? `MQTT message on ${packet.topic} not handled; the publisher is disconnected without an acknowledgement and sends it again`
            : `MQTT message on ${packet.topic} (QoS 0) not handled and lost`);
          // QoS 0 was never promised: closing the connection would bring nothing back.
          done(packet.qos > 0 ? (err instanceof Error ? err : new Error(String(err))) : null);
        },
      );
  }

  /** Client connections whose writes are held until the end of this turn of the event loop. */
  private readonly held = new Set<Client['conn']>();

  /**
   * Holds a client's writes until this turn's work is done: the PUBACKs of a group's messages, released together
   * after its commit, then leave in one write per client instead of one system call each (7 % of the CPU per
   * message). Nothing waits longer than the turn.
   */
  private holdWrites(client: Client): void {
    const conn = client.conn;
    if (this.held.has(conn)) return;
    conn.cork();
    this.held.add(conn);
    if (this.held.size === 1) {
      setImmediate(() => {
        for (const c of this.held) c.uncork();
        this.held.clear();
      });
    }
  }

  /**
   * Whether any client holds a subscription that could match a topic under `prefix` (`v1.1/`): filters starting with
   * it, or with a wildcard. Without one, an update would reach nobody, and is not worth making.
   */
  hasSubscribersUnder(prefix: string): boolean {
    for (const held of this.subscriptions.values()) {
      for (const f of held) if (f.startsWith(prefix) || f.startsWith('#') || f.startsWith('+') || prefix.startsWith(f.replace(/#$/, ''))) return true;
    }
    return false;
  }

  /** The topic filters clients hold that start with `prefix` (`v1.1/Things?`), each once. */
  filtersUnder(prefix: string): string[] {
    const out = new Set<string>();
    for (const held of this.subscriptions.values()) for (const f of held) if (f.startsWith(prefix)) out.add(f);
    return [...out];
  }

  /** Delivers a message of the service's own to the subscribers (never to the ingestion handlers). */
  publish(topic: string, payload: Buffer, opts: { qos?: 0 | 1; retain?: boolean } = {}): Promise<void> {
    const aedes = this.aedes;
    if (!aedes || aedes.closed) return Promise.resolve();
    const packet: PublishPacket = { cmd: 'publish', topic, payload, qos: opts.qos ?? 0, retain: opts.retain ?? false, dup: false, properties: OWN };
    return new Promise((resolve, reject) => aedes.publish(packet, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Takes no new connections, lets the messages being handled finish (their PUBACKs go out) for up to `graceMs`, then
   * closes every connection: a publisher whose message was not acknowledged sends it again elsewhere or later.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    const server = this.server;
    const aedes = this.aedes;
    this.server = undefined;
    this.aedes = undefined;
    const closed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    if (!(await this.router.settled(graceMs))) this.log.warn('MQTT messages still being handled at shutdown are left unacknowledged; their publishers send them again');
    if (aedes) await new Promise<void>((r) => aedes.close(() => r()));
    await closed;
  }
}
