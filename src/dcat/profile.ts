import type { Literal, NamedNode, Quad, Term } from '@rdfjs/types';
import { DataFactory } from 'n3';

/**
 * What a DCAT profile is: data (which CKAN field maps to which predicate, and how) plus small
 * functions for the structures a table cannot say (agents, contact points, periods). Profiles in
 * `dcat-profiles/` import only this file. `extendProfile` composes them: a new profile is a small file.
 */

export const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dcterms: 'http://purl.org/dc/terms/',
  dcatap: 'http://data.europa.eu/r5r/',
  dcatde: 'http://dcat-ap.de/def/dcatde/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  adms: 'http://www.w3.org/ns/adms#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  spdx: 'http://spdx.org/rdf/terms#',
  owl: 'http://www.w3.org/2002/07/owl#',
  locn: 'http://www.w3.org/ns/locn#',
  gsp: 'http://www.opengis.net/ont/geosparql#',
  geodcatap: 'http://data.europa.eu/930/',
  hydra: 'http://www.w3.org/ns/hydra/core#',
  eli: 'http://data.europa.eu/eli/ontology#',
} as const;

export type Prefix = keyof typeof NS;
/*
 * Terms and statements are plain RDF/JS objects from n3's DataFactory: light to make (a catalog page
 * builds a few hundred thousand), understood by n3's Turtle writer, the SHACL engine and the RDF/XML
 * writer; rdflib gets its own terms only where its serializers need them (see rdf-formats.ts).
 */
/** `iri('dcterms', 'title')` → the NamedNode. */
export const iri = (prefix: Prefix, local: string): NamedNode => DataFactory.namedNode(NS[prefix] + local);
export const named = (value: string): NamedNode => DataFactory.namedNode(value);
/** A plain string literal. */
export const literal = (value: string): Literal => DataFactory.literal(value);
/** A literal of the given XSD (or other) datatype IRI. */
export const typedLiteral = (value: string, datatype: string): Literal => DataFactory.literal(value, DataFactory.namedNode(datatype));
/** One statement (default graph). */
export const statement = (s: Term, p: NamedNode, o: Term): Quad => DataFactory.quad(s as NamedNode, p, o as NamedNode) as Quad;

/** A CKAN dict as the API returns it (dataset or resource). */
export type Dict = Record<string, unknown>;

/** Vocabulary lookups a profile may use, bound to our tables (see dcat-profiles/vocabularies). */
export type VocabName = 'license' | 'fileType' | 'theme' | 'frequency' | 'accessRights' | 'language' | 'contributor' | 'geocodingLevel' | 'hvdCategory';

/** How one value becomes RDF. */
export type ValueKind =
  | 'literal' // plain string
  | 'date' // xsd:date or xsd:dateTime, from CKAN timestamps or dates
  | 'iri' // an IRI (mailto:/tel:/http…); other strings are skipped
  | 'integer' // xsd:nonNegativeInteger
  | { vocab: VocabName }; // a short form or IRI resolved in a vocabulary; unknown values are kept as given (validation reports them)

/** One row of a mapping table: a CKAN field (core or extra) to a predicate. */
export interface FieldRule {
  /** CKAN key: a core field of the dict, else an extra of that key. */
  field: string;
  predicate: NamedNode;
  kind: ValueKind;
  /** The value may be a JSON list or a comma-separated list of several values. */
  many?: boolean;
  /** Read back (graph → dict) under this key instead of `field`; `false`: write-only. */
  readAs?: string | false;
}

/** Where a dataset's organization-level metadata comes from (inherited unless the dataset sets its own). */
export interface OrganizationInfo {
  id: string;
  name: string;
  title: string;
  extras: Record<string, string>;
}

/** The catalog's own metadata, from configuration. */
export interface CatalogInfo {
  siteUrl: string;
  title: string;
  description: string;
  language: string;
  publisherName: string;
  publisherUrl?: string;
  publisherEmail?: string;
  publisherType?: string;
  license?: string;
  homepage: string;
  /** The platform's GovData contributor ID, for datasets whose organization has none (short form or IRI). */
  contributorId?: string;
}

/**
 * What the publisher knows of a live (sensor) dataset's data beyond its dict, looked up when it writes the dataset:
 * the dict says what the data is, not since when it exists.
 */
export interface LiveFacts {
  /** The phenomenon time of its first observation (ISO 8601), null while it has none. */
  firstObservationAt: string | null;
}

/** CKAN dataset `type` of a DCAT-AP 3 dataset series (ckanext-dcat's): written as a dcat:Dataset that is also a dcat:DatasetSeries. */
export const DATASET_SERIES_TYPE = 'dataset_series';
/** CKAN dataset `type` of a data service standing on its own in the catalog (dcat:service): a dcat:DataService, not a dataset. */
export const DATA_SERVICE_TYPE = 'data_service';

/**
 * Other datasets a dataset names (`in_series`, `serves_dataset`) by id, name or `identifier`, as the publisher found them:
 * each reference to the local dataset's id. Looked up before writing (the writer reads no database).
 */
export type RelatedDatasets = ReadonlyMap<string, string>;

/** Everything a profile's functions may use while writing one dataset. */
export interface WriteScope {
  siteUrl: string;
  dataset: Dict;
  organization: OrganizationInfo | null;
  catalog: CatalogInfo;
  /** The dataset's node. */
  node: NamedNode;
  add(s: Term, p: NamedNode, o: Term): void;
  /** A field of the dataset (core or extra), falling back to the organization's extra of that key. */
  get(field: string, opts?: { inherit?: boolean }): string | undefined;
  /** Several values of a field (JSON list, comma list or array). */
  getMany(field: string, opts?: { inherit?: boolean }): string[];
  value(kind: ValueKind, raw: string): Term | undefined;
  blank(): Term;
  /** A live dataset's facts, when the publisher looked them up (sensor datasets); absent otherwise. */
  live?: LiveFacts;
  /**
   * The node of a dataset this one names (`in_series`, `serves_dataset`): a local dataset's IRI when the reference is
   * its id, name or identifier (as the publisher resolved it), an IRI as it is; undefined when it names nothing known.
   */
  relatedNode(ref: string): NamedNode | undefined;
  /** A dcat:DataService written for this dataset: the catalog lists it as dcat:service (on catalog pages). */
  listService(node: NamedNode): void;
}

export interface ResourceScope extends WriteScope {
  resource: Dict;
  /** The distribution's node. */
  node: NamedNode;
  /** A field of the resource (its own keys). */
  get(field: string): string | undefined;
  getMany(field: string): string[];
  /** A field of the dataset the resource belongs to. */
  getDataset(field: string, opts?: { inherit?: boolean }): string | undefined;
  /** Whether a licence (id or IRI) requires naming the source. */
  licenseNeedsAttribution(license: string): boolean;
}

/** Everything a profile's functions may use while reading one dataset back. */
export interface ReadScope {
  node: Term;
  objects(s: Term, p: NamedNode): Term[];
  one(s: Term, p: NamedNode): Term | undefined;
  /** A value back to CKAN's form (IRI, literal text, vocabulary IRI). */
  text(t: Term | undefined): string | undefined;
  set(field: string, value: string | string[] | undefined): void;
  /** A structured value (a list of dicts: a resource's access_services) set as it is. */
  setValue(field: string, value: unknown): void;
}

export interface DcatProfile {
  id: string;
  title: string;
  /** Prefixes written in Turtle / RDF/XML. */
  prefixes: Prefix[];
  dataset: FieldRule[];
  distribution: FieldRule[];
  /** Structures beyond a table: run after the table rows, in order. */
  datasetWriters: ((scope: WriteScope) => void)[];
  distributionWriters: ((scope: ResourceScope) => void)[];
  datasetReaders: ((scope: ReadScope) => void)[];
  distributionReaders: ((scope: ReadScope) => void)[];
}

export type ProfilePart = Partial<Omit<DcatProfile, 'id' | 'title'>> & { id: string; title: string };

/**
 * A profile that is `base` plus `part`: rows and functions are appended; a row of `part` for a field
 * and predicate the base already maps replaces that row; `drop` removes base rows by predicate.
 */
export function extendProfile(base: DcatProfile, part: ProfilePart & { drop?: NamedNode[] }): DcatProfile {
  const dropped = new Set((part.drop ?? []).map((p) => p.value));
  const merge = (a: FieldRule[], b: FieldRule[] = []): FieldRule[] => [
    ...a.filter((r) => !dropped.has(r.predicate.value) && !b.some((x) => x.field === r.field && x.predicate.equals(r.predicate))),
    ...b,
  ];
  return {
    id: part.id,
    title: part.title,
    prefixes: [...new Set([...base.prefixes, ...(part.prefixes ?? [])])],
    dataset: merge(base.dataset, part.dataset),
    distribution: merge(base.distribution, part.distribution),
    datasetWriters: [...base.datasetWriters, ...(part.datasetWriters ?? [])],
    distributionWriters: [...base.distributionWriters, ...(part.distributionWriters ?? [])],
    datasetReaders: [...base.datasetReaders, ...(part.datasetReaders ?? [])],
    distributionReaders: [...base.distributionReaders, ...(part.distributionReaders ?? [])],
  };
}

export type { Quad, Term, NamedNode };
