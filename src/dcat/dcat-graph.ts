import type { NamedNode, Quad, Term } from '@rdfjs/types';
import type { Store as N3Store } from 'n3';
import type * as $rdf from 'rdflib';
import { findLicense } from '../../dcat-profiles/vocabularies/licenses';
import { resolveTerm, VocabularyName } from '../../dcat-profiles/vocabularies';
import { toRdflib } from './rdf-formats';
import {
  CatalogInfo, DATA_SERVICE_TYPE, DATASET_SERIES_TYPE, DcatProfile, Dict, FieldRule, iri, LiveFacts, literal, named, NamedNode as ProfileNode, OrganizationInfo, ReadScope, RelatedDatasets, ResourceScope,
  statement, typedLiteral, ValueKind, WriteScope,
} from './profile';

const RDF_TYPE = iri('rdf', 'type');
const XSD = 'http://www.w3.org/2001/XMLSchema#';
// What Turtle's IRIREF allows: no spaces, controls (U+0000–U+0020), <>"{}|\^` (N-Triples and RDF/XML then hold it too).
// eslint-disable-next-line no-control-regex -- control characters are what an IRI may not hold
const IRI_LIKE = /^(https?:\/\/[^\u0000-\u0020<>"{}|\\^`]+|mailto:[^\u0000-\u0020<>"{}|\\^`]+|tel:\+?[\d-]+|urn:[^\u0000-\u0020<>"{}|\\^`]+)$/i;
const CKAN_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** The dataset's IRI: from its id, so a rename never changes it. */
export const datasetIri = (siteUrl: string, id: string): string => `${siteUrl}/dataset/${id}`;
export const distributionIri = (siteUrl: string, datasetId: string, resourceId: string): string => `${siteUrl}/dataset/${datasetId}/resource/${resourceId}`;

/** Several values from a JSON list string, a comma list, or an array (of strings or {name}). */
export function splitMany(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x ? String((x as Dict).name ?? (x as Dict).display_name ?? '') : String(x))).filter(Boolean);
  const s = String(v).trim();
  if (s.startsWith('[')) {
    try {
      const parsed = JSON.parse(s) as unknown;
      if (Array.isArray(parsed)) return parsed.map(String).filter(Boolean);
    } catch {
      /* not JSON: a plain value */
    }
  }
  return s.includes(',') && !IRI_LIKE.test(s) ? s.split(',').map((x) => x.trim()).filter(Boolean) : [s];
}

function extrasOf(d: Dict): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of (d.extras as { key: string; value: unknown }[] | undefined) ?? []) out[e.key] = typeof e.value === 'string' ? e.value : JSON.stringify(e.value);
  return out;
}

const nonEmpty = (v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  const s = typeof v === 'string' ? v.trim() : Array.isArray(v) ? (v.length ? JSON.stringify(v) : '') : String(v);
  return s === '' ? undefined : s;
};

/** A date as xsd:date / dateTime / gYear(Month); anything else stays a plain literal (and fails validation). */
export function dateLiteral(raw: string): Term {
  const v = raw.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return typedLiteral(v, `${XSD}date`);
  if (CKAN_TIMESTAMP.test(v)) return typedLiteral(v.length === 16 ? `${v}:00` : v, `${XSD}dateTime`);
  if (/^\d{4}$/.test(v)) return typedLiteral(v, `${XSD}gYear`);
  if (/^\d{4}-\d{2}$/.test(v)) return typedLiteral(v, `${XSD}gYearMonth`);
  return literal(v);
}

/** A value of a field as RDF; undefined when it cannot be one (e.g. a non-IRI where an IRI belongs). */
export function valueTerm(kind: ValueKind, raw: string): Term | undefined {
  const v = raw.trim();
  if (!v) return undefined;
  if (kind === 'literal') return literal(v);
  if (kind === 'date') return dateLiteral(v);
  if (kind === 'iri') return IRI_LIKE.test(v) ? named(v) : undefined;
  if (kind === 'integer') return /^\d+$/.test(v) ? typedLiteral(v, `${XSD}nonNegativeInteger`) : undefined;
  const entry = resolveTerm(kind.vocab as VocabularyName, v);
  if (entry) return named(entry.iri);
  // Unknown: an IRI stays an IRI, anything else a literal, so validation names the field.
  return IRI_LIKE.test(v) ? named(v) : literal(v);
}

/** Builds RDF statements (RDF/JS quads) for datasets with one profile. */
export class DcatGraphWriter {
  /**
   * `inCatalog`: the datasets are written for a catalog page, whose catalog node lists every dcat:DataService they
   * describe as dcat:service (a single dataset's document says nothing about the catalog).
   */
  constructor(readonly profile: DcatProfile, readonly catalog: CatalogInfo, readonly inCatalog = false) {}

  /**
   * One dataset (with its distributions) as quads; `live`: what the publisher found of a live dataset's data;
   * `related`: the local datasets its references (in_series, serves_dataset) name. A `data_service` is written as a
   * dcat:DataService (no distributions), a `dataset_series` as a dcat:Dataset that is also a dcat:DatasetSeries.
   */
  dataset(dataset: Dict, organization: OrganizationInfo | null, out: Quad[] = [], live?: LiveFacts, related?: RelatedDatasets): Quad[] {
    const siteUrl = this.catalog.siteUrl;
    const node = named(datasetIri(siteUrl, String(dataset.id)));
    const catalogNode = named(siteUrl);
    const extras = extrasOf(dataset);
    let nested = 0;
    const add = (s: Term, p: NamedNode, o: Term): void => void out.push(statement(s, p, o));
    const datasetField = (field: string, opts?: { inherit?: boolean }): string | undefined =>
      nonEmpty(field in dataset && field !== 'extras' ? dataset[field] : undefined) ?? nonEmpty(extras[field]) ?? (opts?.inherit ? nonEmpty(organization?.extras[field]) : undefined);
    const manyOf = (raw: unknown): string[] => splitMany(raw);
    const scope: WriteScope = {
      siteUrl,
      dataset,
      organization,
      catalog: this.catalog,
      node,
      add,
      get: datasetField,
      getMany: (field, opts) => {
        const own = field in dataset && field !== 'extras' && nonEmpty(dataset[field]) !== undefined ? dataset[field] : extras[field];
        const values = manyOf(own);
        return values.length || !opts?.inherit ? values : manyOf(organization?.extras[field]);
      },
      value: valueTerm,
      // Nested nodes (contact point, period, agents, checksums) get IRIs under the dataset's: the same in
      // every serialization (rdflib's RDF/XML writer mishandles shared blank nodes) and stable across exports.
      blank: () => named(`${node.value}#n${++nested}`),
      live,
      relatedNode: (ref) => relatedNode(siteUrl, ref, related),
      listService: (service: ProfileNode) => {
        if (this.inCatalog) add(catalogNode, iri('dcat', 'service'), service);
      },
    };
    const isService = dataset.type === DATA_SERVICE_TYPE;
    add(node, RDF_TYPE, iri('dcat', isService ? 'DataService' : 'Dataset'));
    if (dataset.type === DATASET_SERIES_TYPE) add(node, RDF_TYPE, iri('dcat', 'DatasetSeries'));
    if (isService) scope.listService(node);
    this.rows(this.profile.dataset, scope, add);
    if (!datasetField('identifier')) add(node, iri('dcterms', 'identifier'), literal(String(dataset.id)));
    if (!datasetField('issued') && dataset.metadata_created) add(node, iri('dcterms', 'issued'), dateLiteral(String(dataset.metadata_created)));
    if (!datasetField('modified') && dataset.metadata_modified) add(node, iri('dcterms', 'modified'), dateLiteral(String(dataset.metadata_modified)));
    for (const w of this.profile.datasetWriters) w(scope);

    for (const resource of isService ? [] : (dataset.resources as Dict[] | undefined) ?? []) {
      const dist = named(distributionIri(siteUrl, String(dataset.id), String(resource.id)));
      add(node, iri('dcat', 'distribution'), dist);
      add(dist, RDF_TYPE, iri('dcat', 'Distribution'));
      const rscope: ResourceScope = {
        ...scope,
        resource,
        node: dist,
        get: (field) => nonEmpty(resource[field]),
        getMany: (field) => manyOf(resource[field]),
        getDataset: datasetField,
        licenseNeedsAttribution: (id) => findLicense(id)?.attribution ?? false,
      };
      this.rows(this.profile.distribution, rscope, add);
      for (const w of this.profile.distributionWriters) w(rscope);
    }
    return out;
  }

  private rows(rules: FieldRule[], scope: WriteScope, add: (s: Term, p: NamedNode, o: Term) => void): void {
    for (const rule of rules) {
      const values = rule.many ? scope.getMany(rule.field) : [scope.get(rule.field)].filter((v): v is string => v !== undefined);
      for (const v of values) {
        const term = valueTerm(rule.kind, v);
        if (term) add(scope.node, rule.predicate, term);
      }
    }
  }

  /** The catalog node: its metadata from configuration, and the datasets of this page. */
  catalogNode(datasetIds: string[], modified: string | undefined, out: Quad[] = []): Quad[] {
    const c = this.catalog;
    const node = named(c.siteUrl);
    const add = (s: Term, p: NamedNode, o: Term): void => void out.push(statement(s, p, o));
    add(node, RDF_TYPE, iri('dcat', 'Catalog'));
    add(node, iri('dcterms', 'title'), literal(c.title));
    add(node, iri('dcterms', 'description'), literal(c.description));
    add(node, iri('foaf', 'homepage'), named(c.homepage));
    const lang = valueTerm({ vocab: 'language' }, c.language);
    if (lang) add(node, iri('dcterms', 'language'), lang);
    if (c.license) {
      const l = valueTerm({ vocab: 'license' }, c.license);
      if (l) add(node, iri('dcterms', 'license'), l);
    }
    add(node, iri('dcat', 'themeTaxonomy'), named('http://publications.europa.eu/resource/authority/data-theme'));
    if (modified) add(node, iri('dcterms', 'modified'), dateLiteral(modified));
    const publisher = named(`${c.siteUrl}/catalog/publisher`);
    add(node, iri('dcterms', 'publisher'), publisher);
    add(publisher, RDF_TYPE, iri('foaf', 'Agent'));
    add(publisher, iri('foaf', 'name'), literal(c.publisherName));
    if (c.publisherUrl) add(publisher, iri('foaf', 'homepage'), named(c.publisherUrl));
    if (c.publisherEmail) add(publisher, iri('foaf', 'mbox'), named(`mailto:${c.publisherEmail}`));
    if (c.publisherType) add(publisher, iri('dcterms', 'type'), named(`http://purl.org/adms/publishertype/${c.publisherType}`));
    for (const id of datasetIds) add(node, iri('dcat', 'dataset'), named(datasetIri(c.siteUrl, id)));
    return out;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A reference to another dataset (id, name, identifier or IRI) as its node; see WriteScope.relatedNode. */
function relatedNode(siteUrl: string, ref: string, related?: RelatedDatasets): NamedNode | undefined {
  const v = ref.trim();
  const local = related?.get(v);
  if (local) return named(datasetIri(siteUrl, local));
  if (/^https?:\/\//.test(v) && IRI_LIKE.test(v)) return named(v);
  // An id needs no look-up (the publisher resolves only names and identifiers).
  if (UUID.test(v) && !related) return named(datasetIri(siteUrl, v.toLowerCase()));
  return undefined;
}

/** What the reader needs of a graph, so it reads rdflib's store and n3's alike. */
export interface GraphView {
  /** Objects of (s, p); literals in the order a reader prefers them (German, untagged, English, others). */
  objects(s: Term, p: NamedNode): Term[];
  subjects(p: NamedNode, o: Term): Term[];
}

const LANG_RANK: Record<string, number> = { de: 0, '': 1, en: 2 };
const langRank = (t: Term): number => (t.termType === 'Literal' ? LANG_RANK[t.language.toLowerCase().split('-')[0]] ?? 3 : 1);
/** Several language versions of one text: the German one first (a stable sort keeps the document's order otherwise). */
export const preferred = (terms: Term[]): Term[] => (terms.length > 1 ? [...terms].sort((a, b) => langRank(a) - langRank(b)) : terms);

/** rdflib's store as a GraphView. */
export function rdflibView(store: $rdf.IndexedFormula): GraphView {
  return {
    objects: (s, p) => preferred(store.each(toRdflib(s) as never, toRdflib(p) as never, undefined) as unknown as Term[]),
    subjects: (p, o) => store.each(undefined, toRdflib(p) as never, toRdflib(o) as never) as unknown as Term[],
  };
}

/** n3's store (fast indexes, what the harvester parses into) as a GraphView. */
export function n3View(store: N3Store): GraphView {
  return {
    objects: (s, p) => preferred(store.getObjects(s as never, p, null)),
    subjects: (p, o) => store.getSubjects(p, o as never, null),
  };
}

const FILE_TYPE_BASE = 'http://publications.europa.eu/resource/authority/file-type/';

/** Reads datasets back from a graph into CKAN dicts (the fields the profile maps). */
export class DcatGraphReader {
  constructor(readonly profile: DcatProfile) {}

  /** Every dcat:Dataset in the store, as a CKAN dict. */
  datasets(store: $rdf.IndexedFormula | GraphView): Dict[] {
    const view = viewOf(store);
    return view.subjects(RDF_TYPE, iri('dcat', 'Dataset')).map((node) => this.dataset(view, node));
  }

  /**
   * One dataset as a CKAN dict. Licences come back as the catalog's licence ids ('dl-by-de/2.0', as ckanext-dcat maps
   * them to CKAN's licence register) and EU file types as their codes ('CSV'); other vocabulary terms stay IRIs.
   */
  dataset(store: $rdf.IndexedFormula | GraphView, node: Term): Dict {
    const view = viewOf(store);
    const dict: Dict = { uri: node.value, extras: [] as { key: string; value: string }[], resources: [] as Dict[] };
    // CKAN's own package fields stay top-level (package_create refuses an extra of the same name); the rest are extras.
    const core = new Set(['title', 'notes', 'url', 'version', 'author', 'author_email', 'maintainer', 'maintainer_email', 'type']);
    const setOn = (target: Dict, extrasTarget: { key: string; value: string }[] | null) => (field: string, value: string | string[] | undefined): void => {
      if (value === undefined || (Array.isArray(value) && !value.length)) return;
      // Several values are a set in RDF: sorted, so every serialization of a graph gives the same dict.
      if (Array.isArray(value) && value.length > 1) value = [...new Set(value)].sort();
      if (field === 'tags') {
        target.tags = (Array.isArray(value) ? value : [value]).map((name) => ({ name }));
        return;
      }
      const v = Array.isArray(value) ? (value.length === 1 ? value[0] : JSON.stringify(value)) : value;
      if (extrasTarget && !core.has(field)) {
        const i = extrasTarget.findIndex((e) => e.key === field);
        if (i >= 0) extrasTarget[i].value = v;
        else extrasTarget.push({ key: field, value: v });
      } else target[field] = v;
    };
    const scopeFor = (n: Term, set: ReadScope['set'], target: Dict): ReadScope => ({
      node: n,
      objects: (s, p) => view.objects(s, p),
      one: (s, p) => view.objects(s, p)[0],
      text: (t) => (t ? t.value : undefined),
      set,
      setValue: (field, value) => {
        if (value !== undefined) target[field] = value;
      },
    });
    const set = setOn(dict, dict.extras as { key: string; value: string }[]);
    const scope = scopeFor(node, set, dict);
    this.readRows(this.profile.dataset, scope);
    for (const r of this.profile.datasetReaders) r(scope);

    for (const dist of scope.objects(node, iri('dcat', 'distribution'))) {
      const res: Dict = { uri: dist.value };
      const rscope = scopeFor(dist, setOn(res, null), res);
      this.readRows(this.profile.distribution, rscope);
      for (const r of this.profile.distributionReaders) r(rscope);
      if (typeof res.license === 'string') res.license = findLicense(res.license)?.id ?? res.license;
      if (typeof res.format === 'string' && res.format.startsWith(FILE_TYPE_BASE)) res.format = resolveTerm('fileType', res.format)?.code ?? res.format;
      (dict.resources as Dict[]).push(res);
    }
    const licenses = (dict.resources as Dict[]).map((r) => r.license).filter(Boolean);
    // The distributions' licence (DCAT-AP.de puts it there), else one a publisher put on the dataset itself.
    const own = scope.one(node, iri('dcterms', 'license'));
    if (licenses.length) dict.license_id = licenses[0];
    else if (own) dict.license_id = findLicense(own.value)?.id ?? own.value;
    return dict;
  }

  private readRows(rules: FieldRule[], scope: ReadScope): void {
    for (const rule of rules) {
      if (rule.readAs === false) continue;
      const values = scope.objects(scope.node, rule.predicate).map((t) => t.value);
      if (!values.length) continue;
      scope.set(rule.readAs ?? rule.field, rule.many ? values : values[0]);
    }
  }
}

const viewOf = (store: $rdf.IndexedFormula | GraphView): GraphView => ('statements' in store ? rdflibView(store) : (store as GraphView));
