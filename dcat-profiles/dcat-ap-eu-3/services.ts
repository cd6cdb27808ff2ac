import { publisherNode } from './publisher';
import { HVD_LEGISLATION } from '../vocabularies/hvd-categories';
import { serviceKindByStandard, serviceKindOf } from '../vocabularies/service-types';
import { DATA_SERVICE_TYPE, DATASET_SERIES_TYPE, Dict, iri, literal, named, NamedNode, ReadScope, ResourceScope, Term, WriteScope } from '../../src/dcat/profile';

/**
 * DCAT-AP 3's data services and dataset series, as CKAN dicts say them (ckanext-dcat's field names):
 *  - a resource's `access_services` (a list of dicts: uri, title, description, endpoint_url[], endpoint_description,
 *    conforms_to[], serves_dataset[], access_rights, applicable_legislation[], hvd_category[]) are dcat:DataService
 *    nodes the distribution links by dcat:accessService; a resource whose `format` names an OGC service (WMS, WFS, WCS,
 *    WMTS, OGC API Features, SensorThings) is one even without them, described from its URL;
 *  - a dataset of `type: "data_service"` stands alone in the catalog (dcat:service), with the same keys as extras;
 *  - a dataset of `type: "dataset_series"` is a dcat:DatasetSeries; a member names it in `in_series` (id, name or identifier).
 * Every DataService written is listed by the catalog as dcat:service.
 */

const RDF_TYPE = iri('rdf', 'type');
const HVD_CATEGORY_BASE = 'http://data.europa.eu/bna/';
const FILE_TYPE_BASE = 'http://publications.europa.eu/resource/authority/file-type/';
const DCAT_SERVICE = iri('dcat', 'DataService');

/** What a dcat:DataService node says (all optional but title and endpoint, which validation asks for). */
export interface ServiceDescription {
  title?: string;
  description?: string;
  endpoints: string[];
  endpointDescription?: string;
  conformsTo?: string[];
  /** Nodes of the datasets it serves. */
  serves: Term[];
  accessRights?: string;
  applicableLegislation?: string[];
  hvdCategory?: string[];
  /** false: its licence and publisher are not the dataset's (a standalone service writes its own through the dataset rows). */
  inherit?: boolean;
}

const hvdCategoryIri = (v: string): string => (/^https?:\/\//.test(v) ? v : `${HVD_CATEGORY_BASE}${v}`);

/**
 * One dcat:DataService: endpoint(s), self-description, standards, the datasets it serves, HVD legislation and
 * categories; and, unless `inherit` is false, the dataset's publisher (DCAT-AP.de requires one) and licence.
 */
export function writeDataService(s: WriteScope, node: NamedNode, d: ServiceDescription): void {
  // A standalone service's own node is typed and listed by the writer already.
  if (!node.equals(s.node)) {
    s.add(node, RDF_TYPE, DCAT_SERVICE);
    s.listService(node);
  }
  if (d.title) s.add(node, iri('dcterms', 'title'), literal(d.title));
  if (d.description) s.add(node, iri('dcterms', 'description'), literal(d.description));
  const iriOf = (v: string): Term | undefined => s.value('iri', v);
  for (const e of d.endpoints) {
    const t = iriOf(e);
    if (t) s.add(node, iri('dcat', 'endpointURL'), t);
  }
  const desc = d.endpointDescription && iriOf(d.endpointDescription);
  if (desc) s.add(node, iri('dcat', 'endpointDescription'), desc);
  for (const c of d.conformsTo ?? []) {
    const t = iriOf(c);
    if (t) s.add(node, iri('dcterms', 'conformsTo'), t);
  }
  for (const served of d.serves) s.add(node, iri('dcat', 'servesDataset'), served);
  const rights = d.accessRights && s.value({ vocab: 'accessRights' }, d.accessRights);
  if (rights) s.add(node, iri('dcterms', 'accessRights'), rights);
  for (const l of d.applicableLegislation ?? []) {
    const t = iriOf(l);
    if (t) s.add(node, iri('dcatap', 'applicableLegislation'), t);
  }
  for (const c of d.hvdCategory ?? []) {
    const t = s.value({ vocab: 'hvdCategory' }, c) ?? iriOf(hvdCategoryIri(c));
    if (t) s.add(node, iri('dcatap', 'hvdCategory'), t);
  }
  if (d.inherit === false) return;
  // DCAT-AP.de 3.0 requires a DataService's publisher: the dataset's own (described where the dataset names it).
  const publisher = publisherNode(s);
  if (publisher) s.add(node, iri('dcterms', 'publisher'), publisher.node);
  const license = s.dataset.license_id as string | undefined;
  const l = license ? s.value({ vocab: 'license' }, license) : undefined;
  if (l) s.add(node, iri('dcterms', 'license'), l);
  writeHvdService(s, node, d);
}

/**
 * A service of a high-value dataset carries what the HVD shapes ask of a data service: applicable legislation and HVD
 * categories (its own, else the dataset's), its documentation (the endpoint's description) and a contact point (the
 * dataset's e-mail or page, else its organization's or publisher's).
 */
function writeHvdService(s: WriteScope, node: NamedNode, d: ServiceDescription): void {
  // The dataset's fields, also where the service belongs to one of its distributions (whose scope reads the resource).
  const field = (f: string): string | undefined => ('getDataset' in s ? (s as ResourceScope).getDataset(f, { inherit: true }) : s.get(f, { inherit: true }));
  const fields = (f: string): string[] => many(s.dataset[f] ?? extraOf(s.dataset, f));
  const legislation = fields('applicable_legislation');
  if (!legislation.some((v) => v.replace(/^https:/, 'http:').replace(/\/+$/, '') === HVD_LEGISLATION)) return;
  if (!d.applicableLegislation?.length) {
    for (const v of legislation) {
      const t = s.value('iri', v);
      if (t) s.add(node, iri('dcatap', 'applicableLegislation'), t);
    }
  }
  if (!d.hvdCategory?.length) {
    for (const v of fields('hvd_category')) {
      const t = s.value({ vocab: 'hvdCategory' }, v);
      if (t) s.add(node, iri('dcatap', 'hvdCategory'), t);
    }
  }
  const documentation = d.endpointDescription && s.value('iri', d.endpointDescription);
  if (documentation) s.add(node, iri('foaf', 'page'), documentation);
  const email = field('contact_email') ?? field('maintainer_email') ?? field('publisher_email');
  const url = field('contact_url') ?? field('publisher_url');
  const e = email ? s.value('iri', email.startsWith('mailto:') ? email : `mailto:${email.trim()}`) : undefined;
  const u = url ? s.value('iri', url) : undefined;
  if (!e && !u) return;
  const kind = s.blank();
  s.add(node, iri('dcat', 'contactPoint'), kind);
  s.add(kind, RDF_TYPE, iri('vcard', 'Organization'));
  const name = field('contact_name') ?? publisherNode(s)?.name;
  if (name) s.add(kind, iri('vcard', 'fn'), literal(name));
  if (e) s.add(kind, iri('vcard', 'hasEmail'), e);
  if (u) s.add(kind, iri('vcard', 'hasURL'), u);
}

/** An extra's value of a dict (`extras: [{key, value}]`). */
function extraOf(dict: Dict, key: string): unknown {
  return ((dict.extras as { key: string; value: unknown }[] | undefined) ?? []).find((e) => e?.key === key)?.value;
}

/** Several values of a key of an access_services entry (a list, a JSON list, or one string). */
function many(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (Array.isArray(v)) return v.filter((x) => typeof x === 'string' && x.trim()).map((x: string) => x.trim());
  if (typeof v !== 'string') return [];
  const t = v.trim();
  if (t.startsWith('[')) {
    try {
      const parsed = JSON.parse(t) as unknown;
      if (Array.isArray(parsed)) return many(parsed);
    } catch {
      /* one value */
    }
  }
  return t ? [t] : [];
}
const one = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** A resource's `access_services` as dicts (ckanext-dcat without scheming stores the list as a JSON string). */
export function accessServicesOf(resource: Dict): Dict[] {
  let v = resource.access_services;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      return [];
    }
  }
  return Array.isArray(v) ? v.filter((x): x is Dict => !!x && typeof x === 'object' && !Array.isArray(x)) : [];
}

/** The node of the dataset a resource belongs to. */
const datasetNode = (s: WriteScope): NamedNode => named(`${s.siteUrl}/dataset/${String(s.dataset.id)}`);

/** The nodes of the datasets a `serves_dataset` list names (refs the publisher could not resolve are left out). */
const servedNodes = (s: WriteScope, refs: string[]): Term[] => refs.map((r) => s.relatedNode(r)).filter((t): t is NamedNode => !!t);

/**
 * The resource's data services: each `access_services` entry, else (a resource whose format is an OGC service) one
 * described from its URL. Both linked by dcat:accessService; they serve the resource's dataset unless the entry says which.
 */
export function writeResourceServices(s: ResourceScope): void {
  const entries = accessServicesOf(s.resource);
  entries.forEach((e, i) => {
    const uri = one(e.uri);
    const node = (uri && /^https?:\/\//.test(uri) ? s.value('iri', uri) : undefined) as NamedNode | undefined ?? named(`${s.node.value}#service-${i + 1}`);
    s.add(s.node, iri('dcat', 'accessService'), node);
    const served = many(e.serves_dataset);
    writeDataService(s, node, {
      title: one(e.title) ?? s.get('name') ?? s.getDataset('title'),
      description: one(e.description),
      endpoints: many(e.endpoint_url),
      endpointDescription: one(e.endpoint_description),
      conformsTo: many(e.conforms_to),
      serves: served.length ? servedNodes(s, served) : [datasetNode(s)],
      accessRights: one(e.access_rights),
      applicableLegislation: many(e.applicable_legislation),
      hvdCategory: many(e.hvd_category),
    });
  });
  if (entries.length) return;
  const kind = serviceKindOf(s.get('format'));
  const url = s.get('url');
  if (!kind || !url || !/^https?:\/\//.test(url)) return;
  const { endpoint, description } = kind.describe(url);
  const node = named(`${s.node.value}#service`);
  s.add(s.node, iri('dcat', 'accessService'), node);
  writeDataService(s, node, {
    title: s.get('name') ?? kind.title,
    description: s.get('description'),
    endpoints: [endpoint],
    endpointDescription: description,
    conformsTo: [kind.standard],
    serves: [datasetNode(s)],
  });
}

/**
 * dcterms:format: an EU file type (a service format as its _SRVC code where the table has one); a service the table
 * has no code for (WMTS, OGC API Features, SensorThings) publishes none: its DataService's standard says what it is.
 */
export function writeFormat(s: ResourceScope): void {
  const raw = s.get('format');
  if (!raw) return;
  const kind = serviceKindOf(raw);
  if (kind && !kind.fileType) return;
  const t = s.value({ vocab: 'fileType' }, kind?.fileType ?? raw);
  if (t) s.add(s.node, iri('dcterms', 'format'), t);
}

/** A standalone data service (`type: "data_service"`): its endpoint, description, standards and the datasets it serves. */
export function writeStandaloneService(s: WriteScope): void {
  if (s.dataset.type !== DATA_SERVICE_TYPE) return;
  writeDataService(s, s.node, {
    endpoints: s.getMany('endpoint_url'),
    endpointDescription: s.get('endpoint_description'),
    serves: servedNodes(s, s.getMany('serves_dataset')),
    hvdCategory: s.getMany('hvd_category'),
    // title, notes, conforms_to, access_rights, applicable_legislation, licence, publisher: the dataset rows and writers.
    inherit: false,
  });
  const license = s.dataset.license_id as string | undefined;
  const l = license ? s.value({ vocab: 'license' }, license) : undefined;
  if (l) s.add(s.node, iri('dcterms', 'license'), l);
}

/** dcat:inSeries from `in_series` (ids, names or identifiers of series of this catalog, or a series' IRI). */
export function writeInSeries(s: WriteScope): void {
  for (const ref of s.getMany('in_series')) {
    const t = s.relatedNode(ref);
    if (t) s.add(s.node, iri('dcat', 'inSeries'), t);
  }
}

/** Another dataset's reference as a harvester keeps it: its dct:identifier where the document says it, else its IRI. */
function referenceOf(r: ReadScope, node: Term): string {
  const id = r.one(node, iri('dcterms', 'identifier'));
  return id?.termType === 'Literal' && id.value.trim() ? id.value.trim() : node.value;
}

/** `type` (dataset_series, data_service), `in_series`, and a standalone service's own keys, back from the graph. */
export function readSeriesAndService(r: ReadScope): void {
  const types = r.objects(r.node, RDF_TYPE).map((t) => t.value);
  if (types.includes(`${DCAT_SERVICE.value}`) && !types.includes(iri('dcat', 'Dataset').value)) {
    r.set('type', DATA_SERVICE_TYPE);
    r.set('endpoint_url', r.objects(r.node, iri('dcat', 'endpointURL')).map((t) => t.value));
    r.set('endpoint_description', r.text(r.one(r.node, iri('dcat', 'endpointDescription'))));
    r.set('serves_dataset', r.objects(r.node, iri('dcat', 'servesDataset')).map((t) => referenceOf(r, t)));
    r.set('hvd_category', r.objects(r.node, iri('dcatap', 'hvdCategory')).map((t) => t.value));
    return;
  }
  if (types.includes(iri('dcat', 'DatasetSeries').value)) r.set('type', DATASET_SERIES_TYPE);
  const series = r.objects(r.node, iri('dcat', 'inSeries')).map((t) => referenceOf(r, t));
  if (series.length) r.set('in_series', series);
}

/**
 * A distribution's dcat:accessService nodes back into `access_services` (ckanext-dcat's keys), except the one a
 * service format's resource gets from its URL anyway (so a WMS resource reads back as it was written); and the
 * `format` of a service the EU table has no code for, from its standard.
 */
export function readAccessServices(r: ReadScope): void {
  const out: Dict[] = [];
  let formatFromStandard: string | undefined;
  const fileType = r.text(r.one(r.node, iri('dcterms', 'format')));
  const url = r.text(r.one(r.node, iri('dcat', 'accessURL')));
  // In a fixed order (by node), so every serialization gives the same list.
  for (const node of [...r.objects(r.node, iri('dcat', 'accessService'))].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))) {
    const list = (p: NamedNode): string[] => r.objects(node, p).map((t) => t.value).sort();
    const e: Dict = {};
    if (node.termType === 'NamedNode' && !node.value.includes('#service')) e.uri = node.value;
    const put = (k: string, v: string | string[] | undefined): void => {
      if (v !== undefined && (!Array.isArray(v) || v.length)) e[k] = v;
    };
    put('title', r.text(r.one(node, iri('dcterms', 'title'))));
    put('description', r.text(r.one(node, iri('dcterms', 'description'))));
    put('endpoint_url', list(iri('dcat', 'endpointURL')));
    put('endpoint_description', r.text(r.one(node, iri('dcat', 'endpointDescription'))));
    put('conforms_to', list(iri('dcterms', 'conformsTo')));
    // The distribution's own dataset is what an entry serves unless it says otherwise: not repeated.
    put('serves_dataset', r.objects(node, iri('dcat', 'servesDataset')).filter((t) => !r.node.value.startsWith(`${t.value}/resource/`)).map((t) => referenceOf(r, t)));
    put('access_rights', r.text(r.one(node, iri('dcterms', 'accessRights'))));
    put('applicable_legislation', list(iri('dcatap', 'applicableLegislation')));
    put('hvd_category', list(iri('dcatap', 'hvdCategory')));
    const kind = (e.conforms_to as string[] | undefined)?.map(serviceKindByStandard).find(Boolean);
    if (kind && !fileType) formatFromStandard ??= kind.format;
    // The service a service format's resource is described by anyway: not an access_services entry of its own.
    const ownKind = serviceKindOf(fileType?.replace(FILE_TYPE_BASE, '') ?? formatFromStandard);
    if (ownKind && kind === ownKind && url && node.value.endsWith('#service')) {
      const derived = ownKind.describe(url);
      const endpoints = (e.endpoint_url as string[] | undefined) ?? [];
      if (endpoints.length === 1 && endpoints[0] === derived.endpoint && e.endpoint_description === derived.description && !e.hvd_category && !e.applicable_legislation) continue;
    }
    out.push(e);
  }
  if (formatFromStandard && !fileType) r.set('format', formatFromStandard);
  if (out.length) r.setValue('access_services', out);
}

/** dcterms:format back (an EU file type's IRI; dcat-graph turns it into its code). */
export function readFormat(r: ReadScope): void {
  r.set('format', r.text(r.one(r.node, iri('dcterms', 'format'))));
}
