import { format, parse } from 'content-type';

/**
 * A resource's `mimetype` as one media type (RFC 9110 `type/subtype *(; name=value)`), parsed by the
 * `content-type` package (jshttp, the parser Express and body-parser use) rather than by a pattern of ours.
 */

export const MEDIA_TYPE_RULE = 'Must be one media type: type/subtype, optionally followed by ;name=value parameters (e.g. text/csv; charset=utf-8)';

// eslint-disable-next-line no-control-regex -- control characters are what this rejects
const CONTROL = /[\x00-\x1f\x7f]/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Why `value` cannot be a resource's mimetype, or null when it can. */
export function mediaTypeProblem(value: string): string | null {
  if (CONTROL.test(value)) return 'Must not contain line breaks or other control characters';
  if (value.trim() !== value) return 'Must not start or end with whitespace';
  if (!PRINTABLE_ASCII.test(value)) return MEDIA_TYPE_RULE;
  try {
    parse(value);
    return null;
  } catch {
    return MEDIA_TYPE_RULE;
  }
}

/**
 * A stored mimetype as a download sends it: `essence` (lower-case type/subtype) decides how, `header` is the
 * parsed value formatted again. Null for an empty value or one that is not a single media type, which may
 * still be stored from before writes were checked: such a value is never sent as a header.
 */
export function downloadMediaType(value: string | null): { essence: string; header: string } | null {
  if (!value || mediaTypeProblem(value)) return null;
  const parsed = parse(value);
  const header = format(parsed);
  return PRINTABLE_ASCII.test(header) ? { essence: parsed.type, header } : null;
}

const ACTIVE = new Set(['text/html', 'application/xhtml+xml', 'image/svg+xml', 'text/xml', 'application/xml', 'text/xsl', 'application/xslt+xml']);

/** Types a browser would open as a document that can run script: HTML, SVG and any XML, and multipart streams. */
export function isActiveMediaType(essence: string): boolean {
  return ACTIVE.has(essence) || essence.endsWith('+xml') || essence.startsWith('multipart/');
}
