/**
 * Secrets in a sensor source's config (passwords, tokens, keys, the password of a broker URL) never leave the service:
 * every answer masks them, and a client that sends the mask back (show, edit, update) keeps the stored value.
 */

/** A dict (not a list or a scalar). */
const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a secret reads as in every answer; sent back unchanged on update, it keeps the stored secret. */
export const MASK = '********';
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|credential|private[-_]?key/i;

/** The config with every secret masked: keys that name one, and the password of a URL (`mqtt://user:pw@host`). */
export function maskSecrets(config: unknown): unknown {
  if (Array.isArray(config)) return config.map(maskSecrets);
  if (isDict(config)) {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, SECRET_KEY.test(k) && v !== null && v !== '' ? MASK : maskSecrets(v)]));
  }
  if (typeof config === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]+@/i.test(config)) {
    try {
      const u = new URL(config);
      if (u.password) {
        u.password = MASK;
        return u.toString();
      }
    } catch {
      return config;
    }
  }
  return config;
}

/**
 * The config a client sent, with each masked secret put back from the stored one (a client that shows a source and
 * sends it back unchanged keeps its password), key by key at any depth.
 */
export function restoreSecrets(sent: unknown, stored: unknown): unknown {
  if (sent === MASK) return stored;
  if (Array.isArray(sent)) return sent.map((v, i) => restoreSecrets(v, Array.isArray(stored) ? stored[i] : undefined));
  if (isDict(sent)) {
    const old = isDict(stored) ? stored : {};
    return Object.fromEntries(Object.entries(sent).map(([k, v]) => [k, restoreSecrets(v, old[k])]));
  }
  if (typeof sent === 'string' && typeof stored === 'string' && sent.includes(`:${encodeURIComponent(MASK)}@`)) {
    try {
      const s = new URL(sent);
      const o = new URL(stored);
      if (decodeURIComponent(s.password) === MASK) {
        s.password = o.password;
        return s.toString();
      }
    } catch {
      return sent;
    }
  }
  return sent;
}
