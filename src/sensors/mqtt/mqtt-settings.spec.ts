import 'reflect-metadata';
import { ConfigError, loadConfig } from '../../config/env';
import { mqttSettings } from './mqtt-settings';

describe('MQTT settings', () => {
  it('runs its own broker on HOST and port 1884 when MQTT_URL is unset', () => {
    expect(mqttSettings(loadConfig({}))).toEqual({ mode: 'own', host: '127.0.0.1', port: 1884, username: undefined, password: undefined });
  });

  it('connects to MQTT_URL with MQTT 5 and a client id of this host unless told otherwise', () => {
    const s = mqttSettings(loadConfig({ MQTT_URL: 'mqtt://mosquitto:1883', MQTT_SHARED_GROUP: 'catalog' }));
    expect(s).toMatchObject({ mode: 'external', url: 'mqtt://mosquitto:1883', protocolVersion: 5, sharedGroup: 'catalog', clientId: expect.stringMatching(/^catalog-.+/) });
    expect(mqttSettings(loadConfig({ MQTT_URL: 'mqtts://b:8883', MQTT_PROTOCOL_VERSION: '4', MQTT_CLIENT_ID: 'catalog-1' }))).toMatchObject({ protocolVersion: 4, clientId: 'catalog-1' });
  });

  it('turns MQTT off with MQTT_URL=off', () => {
    expect(mqttSettings(loadConfig({ MQTT_URL: 'off' }))).toEqual({ mode: 'off' });
  });

  it('stops the start naming the key for a URL without a broker scheme, version 3 or a group with a slash', () => {
    expect(() => loadConfig({ MQTT_URL: 'localhost:1883' })).toThrow(/MQTT_URL: MQTT_URL must be a broker URL/);
    expect(() => loadConfig({ MQTT_PROTOCOL_VERSION: '3' })).toThrow(/MQTT_PROTOCOL_VERSION: MQTT_PROTOCOL_VERSION must be 4/);
    expect(() => loadConfig({ MQTT_SHARED_GROUP: 'a/b' })).toThrow(ConfigError);
  });
});
