import { createServer } from 'node:net';
import { hostname } from 'node:os';
import type { AppConfig } from '../../config/env';

/** How the service speaks MQTT, from the settings. */
export type MqttSettings =
  | { mode: 'off' }
  /** Its own broker (aedes) on host:port; publishing needs these credentials when set. */
  | { mode: 'own'; host: string; port: number; username?: string; password?: string }
  /** A client of the broker at url, with a persistent session under clientId. */
  | {
      mode: 'external';
      url: string;
      clientId: string;
      username?: string;
      password?: string;
      protocolVersion: 4 | 5;
      sharedGroup?: string;
    };

export function mqttSettings(config: AppConfig): MqttSettings {
  const url = config.MQTT_URL;
  if (url?.toLowerCase() === 'off') return { mode: 'off' };
  if (!url) return { mode: 'own', host: config.HOST, port: config.MQTT_PORT, username: config.MQTT_USERNAME, password: config.MQTT_PASSWORD };
  return {
    mode: 'external',
    url,
    clientId: config.MQTT_CLIENT_ID ?? `catalog-${hostname()}`,
    username: config.MQTT_USERNAME,
    password: config.MQTT_PASSWORD,
    protocolVersion: config.MQTT_PROTOCOL_VERSION,
    sharedGroup: config.MQTT_SHARED_GROUP,
  };
}

/**
 * Why the own broker could not listen (one line a person can act on), or undefined when it can or there is none.
 * Checked before the database starts, as the HTTP port is.
 */
export async function ownBrokerPortProblem(config: AppConfig): Promise<string | undefined> {
  const s = mqttSettings(config);
  if (s.mode !== 'own' || s.port === 0) return undefined;
  const code = await new Promise<string | undefined>((done) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    probe.listen({ port: s.port, host: s.host, exclusive: true }, () => probe.close(() => done(undefined)));
  });
  return code === undefined ? undefined : ownBrokerListenProblem(s.host, s.port, code);
}

/** The message for a listen error of the own broker. */
export function ownBrokerListenProblem(host: string, port: number, code: string): string {
  switch (code) {
    case 'EADDRINUSE':
      return `Port ${port} on ${host} for the built-in MQTT broker is already in use (another broker, or the catalog already running?): set MQTT_PORT to another port, MQTT_URL to use a broker that runs there (e.g. mqtt://127.0.0.1:${port}), or MQTT_URL=off.`;
    case 'EACCES':
      return `Not allowed to listen on port ${port} on ${host} for the built-in MQTT broker: ports below 1024 need privileges; set MQTT_PORT to a higher port.`;
    default:
      return `The built-in MQTT broker cannot listen on ${host}:${port} (${code}): set MQTT_PORT, or MQTT_URL to use another broker.`;
  }
}
