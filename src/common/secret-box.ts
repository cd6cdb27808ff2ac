import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Version byte in front of every box, so the format can change without guessing. */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts small secrets (a harvest source's API key) for storage: AES-256-GCM, a fresh random IV per box, the box
 * being version ‖ iv ‖ tag ‖ ciphertext. A box opened with another key, or altered, throws instead of returning garbage.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** A box with a key given as base64 of 32 bytes (SECRETS_KEY). */
  static fromBase64(key: string): SecretBox {
    const raw = Buffer.from(key, 'base64');
    if (raw.length !== 32) throw new Error('SECRETS_KEY must be base64 of exactly 32 bytes');
    return new SecretBox(raw);
  }

  /**
   * The key at `path`, made once (random, mode 0600) when the file does not exist yet. `wx` makes two processes
   * starting together agree on one key: the second one's write fails and it reads the first one's.
   */
  static fromKeyFile(path: string): SecretBox {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
      chmodSync(path, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return SecretBox.fromBase64(readFileSync(path, 'utf8').trim());
  }

  seal(plain: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  open(box: Buffer): string {
    if (box.length < 1 + IV_BYTES + TAG_BYTES || box[0] !== VERSION) throw new Error('not a sealed secret');
    const iv = box.subarray(1, 1 + IV_BYTES);
    const tag = box.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(box.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
