/**
 * What the audit trail keeps of a write's input: enough to say what was asked, never a secret and never bulk data.
 *  - keys that hold secrets (passwords, tokens, keys) are replaced by "[redacted]";
 *  - lists of rows (datastore_upsert's records, sensor_push's observations, ...) by a count: {"[rows]": n};
 *  - files and other non-JSON values by "[file]" or their kind; long strings are cut;
 *  - a summary that is still too large becomes {"[truncated]": true, "keys": [...]}.
 */

const SECRET_KEY = /pass(word)?|secret|token|api_?key|reset_key|authorization|credential/i;
/** Keys whose lists are data rows, not metadata. */
const ROW_KEYS = new Set(['records', 'observations', 'rows', 'values', 'data', 'readings']);
const MAX_STRING = 2_000;
const MAX_LIST = 200;
const MAX_DEPTH = 6;
const MAX_BYTES = 32_000;

export type Summary = Record<string, unknown>;

function summarise(value: unknown, key: string, depth: number): unknown {
  if (key && SECRET_KEY.test(key) && value !== null && value !== undefined && value !== '') return '[redacted]';
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  // A batch sent as text (sensor_push's CSV `data`): its size, not its readings.
  if (typeof value === 'string' && ROW_KEYS.has(key) && value.length > 200) return { '[lines]': value.split('\n').length, '[characters]': value.length };
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… [${value.length} characters]` : value;
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (Array.isArray(value)) {
    if (ROW_KEYS.has(key) || value.length > MAX_LIST) return { '[rows]': value.length };
    if (depth >= MAX_DEPTH) return { '[items]': value.length };
    return value.map((v) => summarise(v, '', depth + 1) ?? null);
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    // Uploaded files, streams and buffers: only that there was one.
    if (proto !== Object.prototype && proto !== null) return '[file]';
    if (ROW_KEYS.has(key) && depth > 0) return { '[keys]': Object.keys(value).length };
    if (depth >= MAX_DEPTH) return { '[keys]': Object.keys(value).length };
    const out: Summary = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const s = summarise(v, k, depth + 1);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }
  return String(value);
}

/** The summary of a write's data dict as the audit trail stores it. */
export function summariseInput(data: Record<string, unknown>): Summary {
  const s = (summarise(data, '', 0) ?? {}) as Summary;
  const text = JSON.stringify(s);
  if (text.length <= MAX_BYTES) return s;
  return { '[truncated]': true, bytes: text.length, keys: Object.keys(data).slice(0, 100) };
}
