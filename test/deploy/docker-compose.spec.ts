import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * The production-like stack as `docker compose` reads it: secrets come from the user's .env and
 * compose refuses to start without them; nothing unauthenticated listens on a public interface.
 */
interface Service {
  environment?: Record<string, string>;
  ports?: string[];
}

const compose = parse(readFileSync(resolve(__dirname, '../../docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const SECRETS = ['POSTGRES_PASSWORD', 'MEILI_MASTER_KEY', 'SYSADMIN_PASSWORD', 'MEILI_API_KEY'];

describe('docker-compose.yml', () => {
  it('takes every password and key from .env, failing with a message when one is missing, never from a fixed value', () => {
    const secrets: [string, string][] = [];
    for (const [service, s] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (SECRETS.includes(key)) secrets.push([`${service}.${key}`, value]);
        if (key === 'DATABASE_URL') secrets.push([`${service}.${key}`, value.replace(/^postgres:\/\/[^:]+:([^@]+)@.*$/, '$1')]);
      }
    }
    expect(secrets.map(([where]) => where).sort()).toEqual(['app.DATABASE_URL', 'app.MEILI_API_KEY', 'app.SYSADMIN_PASSWORD', 'meilisearch.MEILI_MASTER_KEY', 'postgres.POSTGRES_PASSWORD']);
    for (const [where, value] of secrets) expect([where, value]).toEqual([where, expect.stringMatching(/^\$\{[A-Z_]+:\?set [A-Z_]+ in \.env[^}]*\}$/)]);
  });

  it('publishes the unauthenticated MQTT broker on this machine only, and no database or search port at all', () => {
    expect(compose.services.mosquitto.ports?.every((p) => p.startsWith('127.0.0.1:'))).toBe(true);
    expect(compose.services.postgres.ports).toBeUndefined();
    expect(compose.services.meilisearch.ports).toBeUndefined();
  });

  it('lists each secret it needs in .env.example, without a value', () => {
    const example = readFileSync(resolve(__dirname, '../../.env.example'), 'utf8');
    for (const key of ['POSTGRES_PASSWORD', 'MEILI_MASTER_KEY', 'SYSADMIN_PASSWORD']) expect(example).toMatch(new RegExp(`^#?${key}=$`, 'm'));
  });
});
