import FileType from 'file-type';

/** How many leading bytes the sniffer looks at (enough for a ZIP's first entries, such as an XLSX's). */
export const SNIFF_BYTES = 64 * 1024;

/**
 * The MIME type of an uploaded file from its first bytes — never from what the client claims.
 * Binary formats are recognised by their signatures (the `file-type` package, which also looks
 * inside ZIP archives to tell XLSX, DOCX and ODS apart). Text has no signature, so its kind is
 * read from its shape: JSON (GeoJSON when it says so), XML by its root element, CSV when rows
 * split alike; the file name's extension only breaks ties between text kinds.
 */
export async function sniffMimetype(head: Buffer, filename: string): Promise<string> {
  if (head.length === 0) return 'application/octet-stream';
  const found = await FileType.fromBuffer(head);
  if (found) return found.ext === 'xml' ? xmlKind(decodeText(head) ?? '') : found.mime;
  const text = decodeText(head);
  if (text === null) return 'application/octet-stream';
  return textKind(text, extensionOf(filename), head.length >= SNIFF_BYTES);
}

function extensionOf(filename: string): string {
  const m = /\.([a-z0-9]+)$/i.exec(filename);
  return m ? m[1].toLowerCase() : '';
}

/** The sample as text, if it is text: valid UTF-8 (a character cut at the end is fine) without control bytes. */
function decodeText(b: Buffer): string | null {
  let end = b.length;
  // Do not judge a multi-byte character cut off by the sample's end.
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const c = b[end - i];
    if ((c & 0xc0) === 0xc0) {
      end -= i;
      break;
    }
    if ((c & 0x80) === 0) break;
  }
  const start = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(start, end));
  } catch {
    // Latin-1 text (old CSV exports) is still text, if it has no control characters.
    text = b.subarray(start, end).toString('latin1');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]/.test(text)) return null;
  return text;
}

function textKind(text: string, ext: string, cut: boolean): string {
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    if (/"type"\s*:\s*"(FeatureCollection|Feature)"/.test(t) || ext === 'geojson') return 'application/geo+json';
    if (/"@context"\s*:/.test(t) || ext === 'jsonld') return 'application/ld+json';
    return 'application/json';
  }
  if (t.startsWith('<')) return xmlKind(t);
  if (ext === 'tsv' || ext === 'tab') return 'text/tab-separated-values';
  if (ext === 'csv' || looksLikeCsv(t, cut)) return 'text/csv';
  if (ext === 'ttl') return 'text/turtle';
  return 'text/plain';
}

function xmlKind(text: string): string {
  const root = /<(?!\?|!)([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(text.replace(/<!--[\s\S]*?-->/g, ''));
  const name = root?.[2]?.toLowerCase() ?? '';
  const prefix = root?.[1]?.toLowerCase() ?? '';
  if (name === 'html') return 'text/html';
  if (name === 'svg') return 'image/svg+xml';
  if (name === 'kml') return 'application/vnd.google-earth.kml+xml';
  if (name === 'gpx') return 'application/gpx+xml';
  if (name === 'rdf' && prefix === 'rdf:') return 'application/rdf+xml';
  if (name === 'feed') return 'application/atom+xml';
  if (name === 'rss') return 'application/rss+xml';
  if (prefix === 'gml:' || /xmlns(:\w+)?="http:\/\/www\.opengis\.net\/gml/.test(text)) return 'application/gml+xml';
  return 'application/xml';
}

/** At least two lines, split by the same delimiter into the same number (> 1) of fields. */
function looksLikeCsv(text: string, cut: boolean): boolean {
  const all = text.split(/\r?\n/);
  if (cut) all.pop(); // the sample ends inside a line
  const lines = all.filter((l) => l.trim()).slice(0, 10);
  if (lines.length < 2) return false;
  return [',', ';', '\t', '|'].some((d) => {
    const n = lines[0].split(d).length;
    return n > 1 && lines.every((l) => l.split(d).length === n);
  });
}
