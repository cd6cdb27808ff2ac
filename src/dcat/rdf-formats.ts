import type { Quad } from '@rdfjs/types';
import { Writer as TurtleWriter } from 'n3';
import * as $rdf from 'rdflib';
import { NS, Prefix } from './profile';

/** The RDF serializations we publish: URL extension, media type, and what an Accept header may name. */
export interface RdfFormat {
  ext: string;
  mediaType: string;
  rdflibType: string;
  accepts: string[];
}

export const RDF_FORMATS: readonly RdfFormat[] = [
  { ext: 'rdf', mediaType: 'application/rdf+xml', rdflibType: 'application/rdf+xml', accepts: ['application/rdf+xml'] },
  { ext: 'xml', mediaType: 'application/rdf+xml', rdflibType: 'application/rdf+xml', accepts: ['application/xml', 'text/xml'] },
  { ext: 'ttl', mediaType: 'text/turtle', rdflibType: 'text/turtle', accepts: ['text/turtle', 'application/x-turtle'] },
  { ext: 'jsonld', mediaType: 'application/ld+json', rdflibType: 'application/ld+json', accepts: ['application/ld+json'] },
  { ext: 'n3', mediaType: 'text/n3', rdflibType: 'text/n3', accepts: ['text/n3', 'text/rdf+n3'] },
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
 * Serializes quads. Turtle is written by n3's streaming writer (fast: the whole catalog goes
 * through here page by page); RDF/XML, N3 and JSON-LD by rdflib's serializers.
 */
export async function serializeQuads(quads: Quad[], format: RdfFormat, prefixes: Prefix[], base?: string): Promise<string> {
  if (format.mediaType === 'text/turtle') {
    const writer = new TurtleWriter({ prefixes: prefixMap(prefixes) });
    writer.addQuads(quads as never);
    return new Promise((resolve, reject) => writer.end((err, out) => (err ? reject(err) : resolve(out))));
  }
  const store = new $rdf.Formula();
  for (const q of quads) store.add(q.subject as never, q.predicate as never, q.object as never);
  if (format.mediaType === 'application/ld+json') {
    return new Promise((resolve, reject) =>
      $rdf.serialize(null, store as never, base ?? null, format.rdflibType, (err, out) => (err ? reject(err) : resolve(out ?? '')), { namespaces: prefixMap(prefixes) } as never),
    );
  }
  const sz = $rdf.Serializer(store as never);
  sz.suggestNamespaces(prefixMap(prefixes));
  if (base) sz.setBase(base);
  const statements = (store as unknown as { statements: $rdf.Statement[] }).statements;
  return format.mediaType === 'application/rdf+xml' ? sz.statementsToXML(statements) : sz.statementsToN3(statements);
}

/** Parses RDF text into an rdflib store (tests, `dcat_validate` of RDF input). */
export function parseRdf(text: string, mediaType: string, base: string): Promise<$rdf.IndexedFormula> {
  const store = $rdf.graph();
  return new Promise((resolve, reject) => {
    $rdf.parse(text, store, base, mediaType, (err) => (err ? reject(err) : resolve(store)));
  });
}
