import { Aedes, type AedesOptions } from 'aedes';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { freePort } from './free-port';

export { freePort };

/** A port nobody listens on right now. */

/**
 * An in-process MQTT 3.1.1 broker (aedes) on a free port of 127.0.0.1, for the tests. `restart()` closes it (every
 * connection drops) and starts it again on the same port with the same broker id and the same in-memory persistence
 * object, so sessions, subscriptions and unacknowledged QoS 1 messages survive, as they do with a broker that keeps
 * them on disk.
 */
export class TestBroker {
  private server?: Server;
  private persistence?: unknown;

  private constructor(readonly port: number, public aedes: Aedes, private readonly opts: AedesOptions) {}

  static async start(opts: AedesOptions = {}): Promise<TestBroker> {
    const port = await freePort();
    const b = new TestBroker(port, await Aedes.createBroker(opts), opts);
    await b.listen();
    return b;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  private async listen(): Promise<void> {
    this.persistence = (this.aedes as unknown as { persistence: unknown }).persistence;
    const aedes = this.aedes;
    if (process.env.MQTT_TEST_DEBUG) {
      aedes.on('clientError', (c, err) => console.log(`broker: client ${c.id} error: ${err.message}`));
      aedes.on('connectionError', (c, err) => console.log(`broker: connection ${c.id} error: ${err.message}`));
      aedes.on('clientDisconnect', (c) => console.log(`broker: client ${c.id} disconnected`));
      aedes.on('client', (c) => console.log(`broker: client ${c.id} connected`));
    }
    const server = createServer((socket) => aedes.handle(socket));
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(this.port, '127.0.0.1', () => ok());
    });
    this.server = server;
  }

  /** Closes the broker and every connection. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await new Promise<void>((ok) => this.aedes.close(() => ok()));
    if (server) await new Promise<void>((ok) => server.close(() => ok()));
  }

  /** Stops, waits `downMs`, starts again on the same port with the same state (`forget`: with none, as a broker that lost its disk). */
  async restart(downMs = 0, opts: { forget?: boolean } = {}): Promise<void> {
    await this.stop();
    if (downMs) await new Promise((r) => setTimeout(r, downMs));
    this.aedes = await Aedes.createBroker(opts.forget ? this.opts : { ...this.opts, id: this.aedes.id, persistence: this.persistence });
    await this.listen();
  }
}

/**
 * A Mosquitto broker (MQTT 5 with shared subscriptions and No Local, which aedes lacks) on a free port of 127.0.0.1,
 * from the machine's mosquitto binary (Debian's package `mosquitto`), started for one test file with the configuration
 * docker-compose.yml gives it (persistence in a temporary folder).
 */
export class TestMosquitto {
  private constructor(readonly port: number, private readonly child: ChildProcess, private readonly dir: string) {}

  static binary(): string {
    const found = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => existsSync(p));
    if (!found) throw new Error('these tests need the mosquitto binary (apt-get install mosquitto)');
    return found;
  }

  static async start(): Promise<TestMosquitto> {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'catalog-mosquitto-'));
    const conf = join(dir, 'mosquitto.conf');
    await chmod(dir, 0o777); // mosquitto started as root writes its database as the mosquitto user
    const settings = composeMosquittoConfig()
      .map((line) => (line.startsWith('listener ') ? `listener ${port} 127.0.0.1` : line.startsWith('persistence_location ') ? `persistence_location ${dir}/` : line));
    await writeFile(conf, [...settings, 'log_dest stderr', 'log_type error', ''].join('\n'));
    const child = spawn(TestMosquitto.binary(), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited: ${stderr}`);
      const up = await new Promise<boolean>((ok) => {
        const s = createConnection(port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), ok(true)));
        s.once('error', () => ok(false));
      });
      if (up) break;
      if (Date.now() > deadline) throw new Error(`mosquitto did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return new TestMosquitto(port, child, dir);
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The Mosquitto configuration docker-compose.yml writes (the lines between <<'CONF' and CONF), so tests run what ships. */
export function composeMosquittoConfig(): string[] {
  const compose = parse(readFileSync(resolve(__dirname, '../docker-compose.yml'), 'utf8')) as { services: { mosquitto: { command: string[] } } };
  const script = compose.services.mosquitto.command.join('\n');
  const m = /<<'CONF'\n([\s\S]*?)\nCONF/.exec(script);
  if (!m) throw new Error('docker-compose.yml: the mosquitto command no longer writes its configuration with <<\'CONF\'');
  return m[1].split('\n').map((l) => l.trim()).filter(Boolean);
}

/** An MQTT client as a sensor or a SensorThings reader would be, connected. */
export async function testClient(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  const client = connect(url, { reconnectPeriod: 100, connectTimeout: 5000, ...opts });
  await new Promise<void>((ok, fail) => {
    client.once('connect', () => ok());
    client.once('error', fail);
  });
  return client;
}

/**
 * Publishes at QoS 1 until the broker acknowledged, as a sensor does: mqtt.js fails a publish whose connection closed
 * before it was stored for resending ("Connection closed"); such a message was never acknowledged, and is sent again.
 */
export async function publishUntilAcked(client: MqttClient, topic: string, payload: string, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      await client.publishAsync(topic, payload, { qos: 1 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Polls until `check` holds (or fails after ms). */
export async function eventually(check: () => boolean, ms = 10_000, what: string | (() => string) = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
