import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Quad, Term } from '@rdfjs/types';
import { DataFactory, Parser as N3Parser, Writer as TurtleWriter } from 'n3';
import { DOMParser } from '@xmldom/xmldom';
import * as $rdf from 'rdflib';
import { DEFAULT_PROFILE } from '../../dcat-profiles';
import { Dict, HarvestError, HarvestTools, ParsedCatalog } from '../harvest/harvester';
import { jsonLdToNQuads } from './jsonld-quads';
import { DcatGraphReader, GraphView, preferred } from './dcat-graph';
import { iri, NamedNode, NS, Prefix } from './profile';

/**
 * Reads a remote DCAT document for the harvesters (`HarvestTools.parseCatalog`): Turtle, N-Triples, N-Quads, TriG,
 * N3 and JSON-LD by n3's parser (JSON-LD turned into N-Quads by jsonld.js first), RDF/XML by rdflib's; the statements
 * go into one n3 store, and each dcat:Dataset is read back through the DCAT-AP.de profile (which also reads the 2.0
 * terms). Each dataset comes with its own statements as Turtle, written the same way every time (statements sorted,
 * blank nodes labelled by their content), so the runner can tell an unchanged dataset by its content.
 */

type Syntax = 'Turtle' | 'N-Triples' | 'N-Quads' | 'TriG' | 'N3' | 'RDF/XML' | 'JSON-LD';

const BY_MEDIA_TYPE: Record<string, Syntax> = {
  'text/turtle': 'Turtle', 'application/x-turtle': 'Turtle', 'application/turtle': 'Turtle',
  'application/n-triples': 'N-Triples', 'application/n-quads': 'N-Quads', 'application/nquads': 'N-Quads', 'application/trig': 'TriG',
  'text/n3': 'N3', 'text/rdf+n3': 'N3', 'application/rdf+xml': 'RDF/XML', 'application/ld+json': 'JSON-LD', 'application/json': 'JSON-LD',
};

/** DCAT-AP.de 1.0's namespaces (and its two property names 2.0 renamed), read as today's. */
const OLD_DCATDE = ['http://dcat-ap.de/def/dcatde/1_0/', 'http://dcat-ap.de/def/dcatde/1.0.1/'];
const RENAMED_DCATDE: Record<string, string> = { legalbasisText: 'legalBasis', geocodingText: 'geocodingDescription' };

const RDF_TYPE = iri('rdf', 'type');
const DCAT_DATASET = iri('dcat', 'Dataset');
const DCAT_SERIES = iri('dcat', 'DatasetSeries');
const DCAT_SERVICE = iri('dcat', 'DataService');
const ACCESS_SERVICE = iri('dcat', 'accessService').value;
const CATALOG_SERVICE = iri('dcat', 'service').value;
const HYDRA = NS.hydra;
/** Written with these prefixes in each dataset's Turtle. */
const TURTLE_PREFIXES: Prefix[] = [...new Set<Prefix>([...DEFAULT_PROFILE.prefixes, 'dcatde', 'geodcatap', 'locn', 'owl'])];
const PREFIX_MAP = Object.fromEntries(TURTLE_PREFIXES.map((p) => [p, NS[p]]));
/** How many hops of named nodes (distributions, agents, their checksums) a dataset's own statements reach. */
const NAMED_HOPS = 2;

/** The syntax a document is in: by its media type, else by its first characters. */
export function syntaxOf(body: string, contentType: string | null): Syntax {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const head = body.slice(0, 4096).replace(/^\uFEFF/, '').trimStart();
  const looksHtml = /^(<!doctype html|<html[\s>])/i.test(head);
  const known = BY_MEDIA_TYPE[media];
  if (known) return known;
  if (looksHtml || media === 'text/html' || media === 'application/xhtml+xml') {
    throw new HarvestError(`the document is an HTML page${media ? ` (${media})` : ''}, not RDF: is the source URL the catalog's RDF endpoint (e.g. /catalog.ttl)?`);
  }
  if (head.startsWith('<')) {
    if (/rdf:RDF|22-rdf-syntax-ns#/.test(head)) return 'RDF/XML';
    throw new HarvestError(`the document is XML${media ? ` (${media})` : ''} but not RDF/XML (no rdf:RDF element)`);
  }
  if (head.startsWith('{') || head.startsWith('[')) return 'JSON-LD';
  return 'Turtle'; // N-Triples is Turtle too
}

@Injectable()
export class DcatCatalogParser implements HarvestTools {
  private readonly reader = new DcatGraphReader(DEFAULT_PROFILE);

  async parseCatalog(body: string, contentType: string | null, baseIri: string): Promise<ParsedCatalog> {
    const syntax = syntaxOf(body, contentType);
    let quads: Quad[];
    try {
      quads = await readQuads(body, syntax, baseIri);
    } catch (e) {
      if (e instanceof HarvestError) throw e;
      throw new HarvestError(`not valid ${syntax}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const graph = new DocumentGraph();
    for (const q of quads) graph.add(renamed(q));
    const view = graph;

    const datasets: ParsedDataset[] = [];
    const taken = new Set<string>();
    // Datasets, and the data services that stand on their own: listed by a catalog as dcat:service and neither a
    // distribution's dcat:accessService nor a part of a dataset of this document (an IRI under the dataset's, `…#api`).
    const ownerOf = (t: Term): string => t.value.split('#')[0].replace(/\/resource\/[^/]+$/, '');
    const standaloneServices = view.subjects(RDF_TYPE, DCAT_SERVICE).filter((n) => n.termType === 'NamedNode' && graph.catalogServices.has(n.value)
      && !graph.accessServices.has(n.value) && !graph.isA(n, DCAT_DATASET) && !(n.value.includes('#') && graph.isA(DataFactory.namedNode(ownerOf(n)), DCAT_DATASET)));
    for (const node of [...view.subjects(RDF_TYPE, DCAT_DATASET), ...standaloneServices]) {
      let uri = node.value;
      if (node.termType === 'BlankNode') {
        const skolem = skolemFor(view, node, baseIri);
        if (!skolem) continue; // neither dct:identifier nor title: nothing could ever name it, nor import it
        uri = skolem;
        for (let n = 2; taken.has(uri); n++) uri = `${skolem}-${n}`;
      } else if (node.termType !== 'NamedNode') continue;
      if (taken.has(uri)) continue;
      taken.add(uri);
      datasets.push(new ParsedDataset(uri, this.reader, graph, node));
    }
    // Series first, data services last: a member's in_series and a service's serves_dataset then name what is already imported.
    const rank = (d: ParsedDataset): number => (graph.isA(d.node, DCAT_SERIES) ? 0 : graph.isA(d.node, DCAT_SERVICE) ? 2 : 1);
    datasets.sort((a, b) => rank(a) - rank(b));
    return { datasets, ...paging(graph, baseIri) };
  }

}

/**
 * One dataset of a parsed document. Its dict and Turtle are read when first asked: an incremental run asks them only
 * of the datasets whose `modified` changed, and reading them is most of the cost of a page.
 */
class ParsedDataset {
  readonly identifier?: string;
  readonly modified?: string;
  private dictRead?: Dict;
  private turtleWritten?: string;

  constructor(readonly uri: string, private readonly reader: DcatGraphReader, private readonly graph: DocumentGraph, readonly node: Term) {
    const literal = (p: NamedNode): string | undefined => {
      const t = graph.objects(node, p)[0];
      return t?.termType === 'Literal' && t.value.trim() ? t.value.trim() : undefined;
    };
    this.identifier = literal(iri('dcterms', 'identifier'));
    this.modified = literal(iri('dcterms', 'modified'));
  }

  get dict(): Dict {
    if (!this.dictRead) {
      this.dictRead = this.reader.dataset(this.graph, this.node);
      this.dictRead.uri = this.uri;
    }
    return this.dictRead;
  }

  get turtle(): string {
    return (this.turtleWritten ??= ownTurtle(this.graph, this.node, this.uri));
  }
}

async function readQuads(body: string, syntax: Syntax, baseIri: string): Promise<Quad[]> {
  if (syntax === 'RDF/XML') return rdfXmlQuads(body, baseIri);
  if (syntax === 'JSON-LD') {
    try {
      JSON.parse(body);
    } catch (e) {
      throw new HarvestError(`not valid JSON-LD: ${e instanceof Error ? e.message : String(e)}`);
    }
    return new N3Parser({ format: 'N-Quads' }).parse(await jsonLdToNQuads(body, baseIri)).map(toDefaultGraph);
  }
  const quads = new N3Parser({ baseIRI: baseIri, format: syntax }).parse(body) as Quad[];
  return syntax === 'N-Quads' || syntax === 'TriG' ? quads.map(toDefaultGraph) : quads;
}

/** Statements of named graphs count as the document's (a catalog is one graph to us). */
const toDefaultGraph = (q: Quad): Quad => (q.graph.termType === 'DefaultGraph' ? q : (DataFactory.quad(q.subject, q.predicate, q.object) as Quad));

/** RDF/XML by rdflib's parser (synchronous) on xmldom's DOM (which we ask to throw, not log, on bad XML), as n3 terms. */
function rdfXmlQuads(body: string, baseIri: string): Quad[] {
  let problem: string | undefined;
  let dom: unknown;
  try {
    dom = new DOMParser({
      onError: (level, message) => {
        if (level === 'warning') return;
        problem ??= message.replace(/\s+/g, ' ').replace(/@#\[line:(\d+),col:(\d+)\]/, 'at line $1, column $2').trim();
        throw new Error(problem);
      },
    }).parseFromString(body, 'application/xml');
  } catch (e) {
    throw new Error(problem ?? (e instanceof Error ? e.message : String(e)), { cause: e });
  }
  const kb = $rdf.graph();
  new $rdf.RDFParser(kb).parse(dom as never, baseIri, kb.sym(baseIri));
  const term = (t: $rdf.Node): Term => {
    if (t.termType === 'NamedNode') return DataFactory.namedNode(t.value);
    if (t.termType === 'BlankNode') return DataFactory.blankNode(`x${t.value}`);
    const l = t as $rdf.Literal;
    return DataFactory.literal(l.value, l.language || DataFactory.namedNode(l.datatype.value));
  };
  return kb.statements.map((s) => DataFactory.quad(term(s.subject) as Quad['subject'], term(s.predicate) as Quad['predicate'], term(s.object as $rdf.Node) as Quad['object']) as Quad);
}

/** The statement with a DCAT-AP.de 1.0 predicate read as today's; any other statement itself (no copy: ten thousand datasets a run). */
function renamed(q: Quad): Quad {
  const p = q.predicate.value;
  if (!p.startsWith('http://dcat-ap.de/def/dcatde/1')) return q;
  const old = OLD_DCATDE.find((ns) => p.startsWith(ns));
  if (!old) return q;
  const local = p.slice(old.length);
  return DataFactory.quad(q.subject, DataFactory.namedNode(NS.dcatde + (RENAMED_DCATDE[local] ?? local)), q.object) as Quad;
}

/**
 * A blank-node dataset's stable name, as ckanext-dcat falls back to dct:identifier, then the title: an IRI under
 * the source's `/.well-known/genid/` (RDF 1.1 skolemization), the same on every run while identifier (or title) stay.
 */
function skolemFor(view: GraphView, node: Term, baseIri: string): string | undefined {
  const identifier = view.objects(node, iri('dcterms', 'identifier'))[0]?.value.trim();
  const title = view.objects(node, iri('dcterms', 'title'))[0]?.value.trim();
  const key = identifier ? `identifier:${identifier}` : title ? `title:${title}` : undefined;
  if (!key) return undefined;
  let origin: string;
  try {
    origin = new URL(baseIri).origin;
  } catch {
    origin = 'urn:x-harvest:';
  }
  return `${origin}/.well-known/genid/dcat-dataset-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

/** hydra:next (PartialCollectionView) or hydra:nextPage (PagedCollection, the older design), absolute; hydra:totalItems. */
function paging(graph: DocumentGraph, baseIri: string): Pick<ParsedCatalog, 'nextPage' | 'totalItems'> {
  const next = DataFactory.namedNode(`${HYDRA}next`);
  const nextPage = DataFactory.namedNode(`${HYDRA}nextPage`);
  let target: Term | undefined;
  for (const type of ['PartialCollectionView', 'PagedCollection']) {
    for (const node of graph.subjects(RDF_TYPE, DataFactory.namedNode(HYDRA + type))) {
      target ??= graph.objects(node, next)[0] ?? graph.objects(node, nextPage)[0];
    }
  }
  // A view whose type the publisher left out still pages.
  target ??= graph.hydra.find((q) => q.predicate.equals(next))?.object ?? graph.hydra.find((q) => q.predicate.equals(nextPage))?.object;
  const out: Pick<ParsedCatalog, 'nextPage' | 'totalItems'> = {};
  if (target && target.termType !== 'BlankNode') {
    try {
      out.nextPage = new URL(target.value.trim(), baseIri).href;
    } catch {
      throw new HarvestError(`hydra next page "${target.value}" is not a URL`);
    }
  }
  const total = graph.hydra.find((q) => q.predicate.value === `${HYDRA}totalItems`)?.object;
  if (total && /^\s*\d+\s*$/.test(total.value)) out.totalItems = Number(total.value);
  return out;
}

const keyOf = (t: Term): string => (t.termType === 'BlankNode' ? `_:${t.value}` : t.value);
const NONE: Term[] = [];
const statementKey = (q: Pick<Quad, 'predicate' | 'object'>): string =>
  `${q.predicate.value} ${q.object.termType === 'Literal' ? `"${q.object.value}"@${q.object.language}^^${q.object.datatype.value}` : keyOf(q.object)}`;

/**
 * The document's statements indexed by subject, all a reader of DCAT asks (objects of a subject, subjects of a
 * type): cheaper to build and ask than a full triple store, which matters at ten thousand datasets a run.
 */
class DocumentGraph implements GraphView {
  private readonly bySubject = new Map<string, Quad[]>();
  private readonly byType = new Map<string, Term[]>();
  private readonly longLists = new Map<string, Set<string>>();
  /** Statements of the hydra vocabulary, for paging. */
  readonly hydra: Quad[] = [];
  /** Objects of dcat:accessService (services that belong to a distribution) and of a catalog's dcat:service. */
  readonly accessServices = new Set<string>();
  readonly catalogServices = new Set<string>();

  add(q: Quad): void {
    const { subject: s, predicate: p, object: o } = q;
    const sk = keyOf(s);
    const list = this.bySubject.get(sk);
    // A statement said twice counts once: a subject's few statements are compared, a long list (a catalog's
    // dcat:dataset of a whole unpaged catalog) is looked up.
    if (list && list.length > 64) {
      let keys = this.longLists.get(sk);
      if (!keys) this.longLists.set(sk, (keys = new Set(list.map(statementKey))));
      const k = statementKey({ predicate: p, object: o });
      if (keys.has(k)) return;
      keys.add(k);
    } else if (list?.some((x) => x.predicate.value === p.value && x.object.equals(o))) return;
    if (list) list.push(q);
    else this.bySubject.set(sk, [q]);
    if (p.value === RDF_TYPE.value) {
      const subjects = this.byType.get(o.value);
      if (subjects) subjects.push(s);
      else this.byType.set(o.value, [s]);
    }
    if (p.value.startsWith(HYDRA)) this.hydra.push(q);
    else if (p.value === ACCESS_SERVICE) this.accessServices.add(o.value);
    else if (p.value === CATALOG_SERVICE) this.catalogServices.add(o.value);
  }

  statementsOf(s: Term): Quad[] {
    return this.bySubject.get(keyOf(s)) ?? [];
  }

  objects(s: Term, p: NamedNode): Term[] {
    const list = this.bySubject.get(keyOf(s));
    if (!list) return NONE;
    let out: Term[] | undefined;
    for (const q of list) if (q.predicate.value === p.value) (out ??= []).push(q.object);
    return out ? preferred(out) : NONE;
  }

  /** Subjects of (p, o); asked only for rdf:type. */
  subjects(p: NamedNode, o: Term): Term[] {
    if (p.value === RDF_TYPE.value) return this.byType.get(o.value) ?? NONE;
    const out: Term[] = [];
    for (const list of this.bySubject.values()) for (const q of list) if (q.predicate.value === p.value && q.object.equals(o)) out.push(q.subject);
    return out;
  }

  isA(t: Term, type: NamedNode): boolean {
    return this.statementsOf(t).some((q) => q.predicate.value === RDF_TYPE.value && q.object.value === type.value);
  }
}

/**
 * The dataset's own statements: its own, those of the blank nodes it reaches, and of named nodes up to NAMED_HOPS
 * away (distributions, publisher, contact point, checksums), but never another dataset's or a catalog's.
 */
function ownStatements(graph: DocumentGraph, root: Term): Quad[] {
  const out: Quad[] = [];
  const done = new Set<string>();
  const queue: [Term, number][] = [[root, 0]];
  const CATALOG = iri('dcat', 'Catalog');
  const isCollection = (t: Term): boolean => graph.isA(t, DCAT_DATASET) || graph.isA(t, CATALOG);
  for (let i = 0; i < queue.length; i++) {
    const [s, hops] = queue[i];
    const key = keyOf(s);
    if (done.has(key)) continue;
    done.add(key);
    for (const q of graph.statementsOf(s)) {
      out.push(q);
      const o = q.object;
      if (o.termType === 'BlankNode') queue.push([o, hops]);
      else if (o.termType === 'NamedNode' && hops < NAMED_HOPS && !q.predicate.equals(RDF_TYPE) && !isCollection(o)) queue.push([o, hops + 1]);
    }
  }
  return out;
}

/** Those statements as Turtle, the same text for the same statements (sorted; blank nodes labelled by their content). */
function ownTurtle(graph: DocumentGraph, root: Term, uri: string): string {
  const quads = ownStatements(graph, root);
  const bySubject = new Map<string, Quad[]>();
  for (const q of quads) {
    const k = keyOf(q.subject);
    const list = bySubject.get(k);
    if (list) list.push(q);
    else bySubject.set(k, [q]);
  }
  const termText = (t: Term, depth: number): string => {
    if (t.termType === 'BlankNode') return `[${signature(t, depth + 1)}]`;
    if (t.termType === 'Literal') return `"${t.value}"@${t.language}^^${t.datatype.value}`;
    return `<${t.value}>`;
  };
  const signature = (t: Term, depth: number): string =>
    depth > 4 ? '…' : (bySubject.get(keyOf(t)) ?? []).map((q) => `${q.predicate.value} ${termText(q.object, depth)}`).sort().join(' ; ');

  // Subjects in a fixed order: the dataset, named nodes by IRI, blank nodes by content.
  const subjects = [...bySubject.values()].map((list) => list[0].subject);
  const rank = (t: Term): number => (t.equals(root) ? 0 : t.termType === 'NamedNode' ? 1 : 2);
  const sortKey = new Map(subjects.map((t) => [keyOf(t), t.termType === 'BlankNode' && !t.equals(root) ? signature(t, 0) : t.value]));
  subjects.sort((a, b) => rank(a) - rank(b) || (sortKey.get(keyOf(a))! < sortKey.get(keyOf(b))! ? -1 : sortKey.get(keyOf(a))! > sortKey.get(keyOf(b))! ? 1 : 0));
  const labels = new Map<string, Term>();
  const root2 = DataFactory.namedNode(uri);
  let n = 0;
  const relabel = (t: Term): Term => {
    if (t.equals(root)) return root2;
    if (t.termType !== 'BlankNode') return t;
    const k = keyOf(t);
    let l = labels.get(k);
    if (!l) labels.set(k, (l = DataFactory.blankNode(`b${++n}`)));
    return l;
  };
  for (const s of subjects) relabel(s);
  const out: Quad[] = [];
  for (const s of subjects) {
    const objectKey = (q: Quad): string => `${q.predicate.value} ${termText(q.object, 0)}`;
    const list = bySubject.get(keyOf(s))!.map((q) => [objectKey(q), q] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, q]) => {
        const s2 = relabel(q.subject);
        const o2 = relabel(q.object);
        return s2 === q.subject && o2 === q.object ? q : (DataFactory.quad(s2 as Quad['subject'], q.predicate, o2 as Quad['object']) as Quad);
      });
    out.push(...list);
  }
  const body = LINE_WRITER.quadsToString(out);
  return PREFIX_LINES.filter(([p]) => body.includes(`${p}:`)).map(([, line]) => line).join('') + body;
}

/** One statement a line with prefixed names (building a pretty writer per dataset cost more than the rest). */
const LINE_WRITER = new TurtleWriter({ prefixes: PREFIX_MAP });
const PREFIX_LINES = Object.entries(PREFIX_MAP).map(([p, ns]) => [p, `@prefix ${p}: <${ns}> .\n`] as const);
