import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = SecretBox.fromBase64(randomBytes(32).toString('base64'));

  it('opens what it sealed, and the sealed bytes do not contain the secret', () => {
    const sealed = box.seal('api-key-12345');
    expect(sealed.includes(Buffer.from('api-key-12345'))).toBe(false);
    expect(box.open(sealed)).toBe('api-key-12345');
  });

  it('seals the same secret differently each time (fresh IV)', () => {
    expect(box.seal('x').equals(box.seal('x'))).toBe(false);
  });

  it('refuses a box altered or sealed under another key', () => {
    const sealed = box.seal('secret');
    const altered = Buffer.from(sealed);
    altered[altered.length - 1] ^= 1;
    expect(() => box.open(altered)).toThrow();
    expect(() => SecretBox.fromBase64(randomBytes(32).toString('base64')).open(sealed)).toThrow();
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => SecretBox.fromBase64(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });

  it('generates a key file once, readable by its owner only, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-box-'));
    try {
      const path = join(dir, 'data', 'secrets.key');
      const sealed = SecretBox.fromKeyFile(path).seal('s');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const key = readFileSync(path, 'utf8');
      expect(SecretBox.fromKeyFile(path).open(sealed)).toBe('s');
      expect(readFileSync(path, 'utf8')).toBe(key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
