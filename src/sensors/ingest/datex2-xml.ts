import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { IngestError } from '../readings';
import { decodePayload } from './json-input';

/** Small readers shared by the DATEX II adapters, and the one XML parse they all go through. */

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const arr = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
/** An element's text, whether it came as a string, a number or an object with attributes. */
export function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isObject(v)) return text(v['#text'] ?? v.value);
  return undefined;
}
export const localName = (qname: string | undefined): string | undefined => qname?.replace(/^.*:/, '');
export const finite = (v: unknown): number | undefined => {
  const t = text(v);
  const n = t === undefined ? NaN : Number(t);
  return Number.isFinite(n) ? n : undefined;
};

// ---------------------------------------------------------------------------------------------------------------
// XML

export interface XmlDocument {
  /** The root element's local name and namespace URI. */
  root: string;
  namespace: string | undefined;
  /** The root element with namespace prefixes removed from element and attribute names (`@_type`, `@_id`). */
  node: Record<string, unknown>;
}

function stripPrefixes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripPrefixes);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, child] of Object.entries(v)) {
    if (k === '@_xmlns' || k.startsWith('@_xmlns:')) continue;
    const name = k.startsWith('@_') ? `@_${localName(k.slice(2))}` : k.startsWith('#') || k.startsWith('?') ? k : (localName(k) as string);
    const value = stripPrefixes(child);
    out[name] = name in out ? [...arr(out[name]), ...arr(value)] : value;
  }
  return out;
}

/**
 * Parses XML with fast-xml-parser (htmlEntities: also character references such as &#252;, which it otherwise leaves
 * as they are) (a maintained, dependency-light parser; these documents are a few MB at most, so a
 * tree is simpler than streaming). A DOCTYPE is refused outright: DATEX II never has one, and refusing it closes
 * the door to entity expansion attacks. Malformed XML refuses the payload naming line and column.
 */
export function parseXml(input: string | Buffer, what: string): XmlDocument {
  const xml = decodePayload(input, what);
  if (/<!DOCTYPE/i.test(xml)) throw new IngestError('malformed', `${what}: XML mit DOCTYPE wird nicht gelesen.`, `byte ${Buffer.byteLength(xml.slice(0, xml.search(/<!DOCTYPE/i)))}`);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new IngestError('malformed', `${what}: kein wohlgeformtes XML: ${msg}`, `line ${line}, column ${col}`);
  }
  const tree = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, parseAttributeValue: false, processEntities: true, htmlEntities: true }).parse(xml) as Record<string, unknown>;
  const rootKey = Object.keys(tree).find((k) => !k.startsWith('?') && !k.startsWith('#'));
  if (!rootKey || !isObject(tree[rootKey])) throw new IngestError('malformed', `${what}: kein Wurzelelement.`, 'byte 0');
  const rootNode = tree[rootKey] as Record<string, unknown>;
  const prefix = rootKey.includes(':') ? rootKey.slice(0, rootKey.indexOf(':')) : undefined;
  const namespace = text(rootNode[prefix ? `@_xmlns:${prefix}` : '@_xmlns']);
  return { root: localName(rootKey) as string, namespace, node: stripPrefixes(rootNode) as Record<string, unknown> };
}
