import xmlScribe from '@graphy/content.xml.scribe';
import type { Quad, Term } from '@rdfjs/types';
import * as jsonld from 'jsonld';
import { DataFactory, Writer as TurtleWriter } from 'n3';
import * as $rdf from 'rdflib';
import { NS, Prefix } from './profile';

/** The RDF serializations we publish: URL extension, media type, and what an Accept header may name. */
export interface RdfFormat {
  ext: string;
  mediaType: string;
  accepts: string[];
}

export const RDF_FORMATS: readonly RdfFormat[] = [
  { ext: 'rdf', mediaType: 'application/rdf+xml', accepts: ['application/rdf+xml'] },
  { ext: 'xml', mediaType: 'application/rdf+xml', accepts: ['application/xml', 'text/xml'] },
  { ext: 'ttl', mediaType: 'text/turtle', accepts: ['text/turtle', 'application/x-turtle'] },
  { ext: 'jsonld', mediaType: 'application/ld+json', accepts: ['application/ld+json'] },
  { ext: 'n3', mediaType: 'text/n3', accepts: ['text/n3', 'text/rdf+n3'] },
];

export const formatByExt = (ext: string): RdfFormat | undefined => RDF_FORMATS.find((f) => f.ext === ext.toLowerCase());

/**
 * The format an Accept header asks for, by its q-values; `undefined` when it names no RDF type
 * (a browser asking for HTML), so the caller can answer otherwise. Ties go to the first named.
 */
export function negotiate(accept: string | undefined): RdfFormat | undefined {
  if (!accept) return undefined;
  const ranges = accept
    .split(',')
    .map((part, i) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { type: type.trim(), q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((r) => r.q > 0 && !Number.isNaN(r.q))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    const f = RDF_FORMATS.find((x) => x.accepts.includes(r.type));
    if (f) return f;
  }
  return undefined;
}

const prefixMap = (prefixes: Prefix[]): Record<string, string> => Object.fromEntries(prefixes.map((p) => [p, NS[p]]));

/**
 * Serializes quads: Turtle and N3 by n3's writer, RDF/XML by graphy's scriber, JSON-LD by jsonld.js.
 * rdflib's serializers were slower (RDF/XML ran at 1,500 datasets/s: they index every statement
 * first) and wrote malformed N3 and JSON-LD for some text (astral characters as surrogate escapes,
 * a vertical tab as "\v"); rdflib still parses RDF for reading graphs back.
 */
export async function serializeQuads(quads: Quad[], format: RdfFormat, prefixes: Prefix[]): Promise<string> {
  if (format.mediaType === 'text/turtle' || format.mediaType === 'text/n3') {
    // Turtle is N3 too; rdflib's N3 writer escapes characters beyond the BMP as surrogate pairs and \v as "\v", which parsers reject.
    const writer = new TurtleWriter({ prefixes: prefixMap(prefixes), format: format.mediaType === 'text/n3' ? 'N3' : 'Turtle' });
    writer.addQuads(quads);
    return new Promise((resolve, reject) => writer.end((err, out) => (err ? reject(err) : resolve(out))));
  }
  if (format.mediaType === 'application/rdf+xml') return rdfXml(quads, prefixes);
  if (format.mediaType === 'application/ld+json') return jsonLd(quads, prefixes);
  throw new Error(`no serializer for ${format.mediaType}`);
}

/** The prefix lines n3's writer starts a document with, by format and prefixes. */
const PREFIX_LINES = new Map<string, string>();

/** Turtle and N3 (n3's writer) can be written in parts: statements written alone join into one document. */
export const isTurtleLike = (format: RdfFormat): boolean => format.mediaType === 'text/turtle' || format.mediaType === 'text/n3';

/**
 * Statements as Turtle (or N3) without the prefix lines, to follow a document that declares the same prefixes: n3's
 * writer starts with exactly the lines it writes for no statement at all, which are cut off.
 */
export async function turtleFragment(quads: Quad[], format: RdfFormat, prefixes: Prefix[]): Promise<string> {
  const headerKey = `${format.mediaType} ${prefixes.join(' ')}`;
  let header = PREFIX_LINES.get(headerKey);
  if (header === undefined) PREFIX_LINES.set(headerKey, (header = await serializeQuads([], format, prefixes)));
  const whole = await serializeQuads(quads, format, prefixes);
  if (!whole.startsWith(header)) throw new Error('n3 writer: a fragment does not start with the prefix lines');
  return whole.slice(header.length);
}

/**
 * JSON-LD by jsonld.js (the reference implementation): N-Quads from n3's writer, turned into JSON-LD
 * and compacted with our prefixes. (rdflib writes JSON-LD by re-parsing its own Turtle, which breaks
 * on characters such as a vertical tab.)
 */
async function jsonLd(quads: Quad[], prefixes: Prefix[]): Promise<string> {
  const writer = new TurtleWriter({ format: 'N-Quads' });
  writer.addQuads(quads);
  const nquads = await new Promise<string>((resolve, reject) => writer.end((err, out) => (err ? reject(err) : resolve(out))));
  const expanded = await jsonld.fromRDF(nquads, { format: 'application/n-quads' });
  return JSON.stringify(await jsonld.compact(expanded, prefixMap(prefixes)), null, 2);
}

/** RDF/XML with one rdf:Description per subject (statements of a subject gathered, in first-seen order). */
function rdfXml(quads: Quad[], prefixes: Prefix[]): Promise<string> {
  const bySubject = new Map<string, Quad[]>();
  for (const q of quads) {
    const key = q.subject.termType === 'BlankNode' ? `_:${q.subject.value}` : q.subject.value;
    const list = bySubject.get(key);
    if (list) list.push(q);
    else bySubject.set(key, [q]);
  }
  const ordered: Quad[] = [];
  for (const list of bySubject.values()) for (const q of list) ordered.push(xmlSafe(q));
  const writer = xmlScribe({ prefixes: prefixMap(prefixes) });
  const chunks: string[] = [];
  return new Promise((resolve, reject) => {
    writer.on('data', (c: string | Buffer) => chunks.push(String(c)));
    writer.on('error', reject);
    writer.on('end', () => resolve(chunks.join('')));
    // One write of all statements: graphy builds the text in one go instead of a stream event per statement.
    writer.write({ type: 'array', value: ordered });
    writer.end();
  });
}

/** Characters XML 1.0 cannot carry at all, not even as a character reference (C0 controls, U+FFFE/FFFF, lone surrogates). */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * A statement whose literal or IRIs hold such characters, with each replaced by U+FFFD: one pasted
 * control character must not make a whole catalog page unreadable for a harvester's XML parser.
 * (Turtle and JSON-LD escape them and keep them exactly.)
 */
function xmlSafe(q: Quad): Quad {
  const clean = (t: Term): Term | undefined => {
    NOT_XML.lastIndex = 0;
    if (!NOT_XML.test(t.value)) return undefined;
    const value = t.value.replace(NOT_XML, '\uFFFD');
    if (t.termType === 'Literal') return DataFactory.literal(value, t.language || t.datatype);
    return t.termType === 'NamedNode' ? DataFactory.namedNode(value) : t;
  };
  const s = clean(q.subject);
  const o = clean(q.object);
  return s || o ? (DataFactory.quad((s ?? q.subject) as Quad['subject'], q.predicate, (o ?? q.object) as Quad['object']) as Quad) : q;
}

/** The same term as rdflib's own class (its stores and serializers need those). */
export function toRdflib(term: Term): $rdf.Node {
  if (term instanceof $rdf.Node) return term;
  switch (term.termType) {
    case 'NamedNode':
      return $rdf.sym(term.value);
    case 'BlankNode':
      return $rdf.blankNode(term.value);
    case 'Literal':
      return $rdf.lit(term.value, term.language || undefined, term.language ? undefined : $rdf.sym(term.datatype.value));
    default:
      return $rdf.defaultGraph() as unknown as $rdf.Node;
  }
}

/** Parses RDF text into an rdflib store (tests, `dcat_validate` of RDF input). */
export function parseRdf(text: string, mediaType: string, base: string): Promise<$rdf.IndexedFormula> {
  const store = $rdf.graph();
  return new Promise((resolve, reject) => {
    $rdf.parse(text, store, base, mediaType, (err) => (err ? reject(err) : resolve(store)));
  });
}
