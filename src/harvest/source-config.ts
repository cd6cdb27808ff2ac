import { Inject, Injectable } from '@nestjs/common';
import { join } from 'node:path';
import { ValidationError } from '../api/errors';
import { SecretBox } from '../common/secret-box';
import { APP_CONFIG, AppConfig } from '../config/env';
import { Dict, Harvester, HarvestConfigError } from './harvester';

/** What harvest_source_show shows in place of a secret. */
export const SECRET_MASK = '********';

/** A source's config as stored: the JSON string with secrets masked, and the secrets sealed apart. */
export interface StoredConfig {
  config: string;
  secrets: Buffer | null;
}

/**
 * A source's `config` (ckanext-harvest: a JSON string): parsed, checked by the plug-in, and split into what is shown
 * (secret values masked) and what is sealed (the plug-in's `secretKeys`, AES-256-GCM). A secret sent back masked keeps
 * the stored value, so a client can send back what harvest_source_show gave it.
 */
@Injectable()
export class SourceConfigs {
  private box?: SecretBox;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private secretBox(): SecretBox {
    this.box ??= this.config.SECRETS_KEY ? SecretBox.fromBase64(this.config.SECRETS_KEY) : SecretBox.fromKeyFile(join(this.config.DATA_DIR, 'secrets.key'));
    return this.box;
  }

  /** The config string parsed, or a 409 on `config`. */
  parse(text: string | undefined): Dict {
    if (text === undefined || text.trim() === '') return {};
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new ValidationError({ config: [`Error parsing the configuration options: ${(err as Error).message}`] });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ValidationError({ config: ['Error parsing the configuration options: not a JSON object'] });
    return value as Dict;
  }

  /** Checks and splits a new config; `previous` supplies secrets sent back masked. */
  store(harvester: Harvester, text: string | undefined, previous: StoredConfig | null): StoredConfig {
    const raw = this.parse(text);
    const kept = previous ? this.secrets(previous) : {};
    const secrets: Dict = {};
    for (const key of harvester.secretKeys) {
      if (!(key in raw)) continue;
      const v = raw[key];
      if (v === SECRET_MASK) {
        if (key in kept) secrets[key] = kept[key];
        else throw new ValidationError({ config: [`${key}: send the secret itself, not the mask`] });
      } else secrets[key] = v;
    }
    try {
      harvester.parseConfig({ ...raw, ...secrets });
    } catch (err) {
      if (err instanceof HarvestConfigError) throw new ValidationError({ config: err.problems });
      throw err;
    }
    const shown = { ...raw };
    for (const key of Object.keys(secrets)) shown[key] = SECRET_MASK;
    const hasSecrets = Object.keys(secrets).length > 0;
    return { config: text === undefined || text.trim() === '' ? '' : JSON.stringify(shown), secrets: hasSecrets ? this.secretBox().seal(JSON.stringify(secrets)) : null };
  }

  secrets(stored: StoredConfig): Dict {
    return stored.secrets ? (JSON.parse(this.secretBox().open(stored.secrets)) as Dict) : {};
  }

  /** The config for a run: the shown one with the secrets put back, checked by the plug-in. */
  forRun(harvester: Harvester, stored: StoredConfig): Dict {
    return harvester.parseConfig({ ...this.parse(stored.config), ...this.secrets(stored) });
  }
}
