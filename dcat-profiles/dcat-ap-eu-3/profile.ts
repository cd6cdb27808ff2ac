import { HVD_LEGISLATION } from '../vocabularies/hvd-categories';
import { publisherNode } from './publisher';
import { readAccessServices, readFormat, readSeriesAndService, writeFormat, writeInSeries, writeResourceServices, writeStandaloneService } from './services';
import { readSpatialGeometry, writeLiveDistribution, writeLiveServices, writeLiveTemporal, writeSpatialGeometry } from './live-data';
import { DcatProfile, iri, literal, named, NS, ReadScope, ResourceScope, Term, typedLiteral, WriteScope } from '../../src/dcat/profile';

/**
 * EU DCAT-AP 3.0 (SEMIC), without the German additions: the CKAN fields and extras of ckanext-dcat's
 * mapping (docs/mapping.md) to DCAT terms. Dataset and distribution IRIs are built from ids, so they
 * never change when a dataset is renamed.
 */

const RDF_TYPE = iri('rdf', 'type');
const FOAF_NAME = iri('foaf', 'name');

/** The publisher agent: the dataset's publisher_* extras, else the organization's, else the organization itself. */
function writePublisher(s: WriteScope): void {
  const p = publisherNode(s);
  if (!p) return;
  const { node: agent, name, own: ownPublisher } = p;
  s.add(s.node, iri('dcterms', 'publisher'), agent);
  s.add(agent, RDF_TYPE, iri('foaf', 'Agent'));
  s.add(agent, FOAF_NAME, s.value('literal', name)!);
  const inherit = { inherit: !ownPublisher };
  const email = s.get('publisher_email', inherit);
  if (email) s.add(agent, iri('foaf', 'mbox'), emailTerm(s, email));
  const url = s.get('publisher_url', inherit);
  const home = url && s.value('iri', url);
  if (home) s.add(agent, iri('foaf', 'homepage'), home);
  const type = s.get('publisher_type', inherit);
  if (type) {
    const t = s.value('iri', /^https?:/.test(type) ? type : `http://purl.org/adms/publishertype/${type}`);
    if (t) s.add(agent, iri('dcterms', 'type'), t);
  }
}

export const mailto = (email: string): string => (email.startsWith('mailto:') ? email : `mailto:${email.trim()}`);
/**
 * An e-mail address as a mailto: IRI; one that cannot be an IRI (a typo with spaces) stays the text
 * the steward typed, so the output stays well-formed and validation names the field.
 */
export const emailTerm = (s: WriteScope, email: string): Term => s.value('iri', mailto(email)) ?? literal(email);
const tel = (n: string): string => (n.startsWith('tel:') ? n : `tel:${n.replace(/[^\d+]/g, '')}`);

/** dcat:contactPoint from contact_* extras, falling back to maintainer, then author, then the organization's contact_*. */
function writeContact(s: WriteScope): void {
  const pick = (...keys: string[]): string | undefined => keys.map((k) => s.get(k)).find((v) => v);
  let name = pick('contact_name', 'maintainer', 'author');
  let email = pick('contact_email', 'maintainer_email', 'author_email');
  let url = pick('contact_url');
  let phone = pick('contact_tel', 'maintainer_tel');
  if (!email && !url && !phone) {
    name ??= s.get('contact_name', { inherit: true });
    email = s.get('contact_email', { inherit: true }) ?? s.get('publisher_email', { inherit: true });
    url = s.get('contact_url', { inherit: true }) ?? s.get('publisher_url', { inherit: true });
    phone = s.get('contact_tel', { inherit: true });
    name ??= s.organization?.title;
  }
  if (!name && !email && !url && !phone) return;
  const kind = s.blank();
  s.add(s.node, iri('dcat', 'contactPoint'), kind);
  s.add(kind, RDF_TYPE, iri('vcard', 'Organization'));
  if (name) s.add(kind, iri('vcard', 'fn'), s.value('literal', name)!);
  if (email) s.add(kind, iri('vcard', 'hasEmail'), emailTerm(s, email));
  const u = url && s.value('iri', url);
  if (u) s.add(kind, iri('vcard', 'hasURL'), u);
  if (phone) s.add(kind, iri('vcard', 'hasTelephone'), s.value('iri', tel(phone)) ?? literal(phone));
}

/** dcterms:temporal from temporal_start / temporal_end. */
function writeTemporal(s: WriteScope): void {
  const start = s.get('temporal_start');
  const end = s.get('temporal_end');
  if (!start && !end) return;
  const period = s.blank();
  s.add(s.node, iri('dcterms', 'temporal'), period);
  s.add(period, RDF_TYPE, iri('dcterms', 'PeriodOfTime'));
  const a = start && s.value('date', start);
  const b = end && s.value('date', end);
  if (a) s.add(period, iri('dcat', 'startDate'), a);
  if (b) s.add(period, iri('dcat', 'endDate'), b);
}

/**
 * The spatial coverage's IRIs are typed dcterms:Location (as ckanext-dcat does), so a vocabulary IRI such as a
 * Regionalschlüssel or a GeoNames place satisfies the shapes without a node of our own.
 */
function writeSpatialLocations(s: WriteScope): void {
  for (const uri of s.getMany('spatial_uri')) {
    const t = s.value('iri', uri);
    if (t) s.add(t, RDF_TYPE, iri('dcterms', 'Location'));
  }
}

/** Themes: groups named by an EU data-theme code (CKAN/GovData convention), plus a `theme` extra. */
function writeThemes(s: WriteScope): void {
  const groups = (s.dataset.groups as { name?: string }[] | undefined) ?? [];
  const codes = new Set([...groups.map((g) => g.name ?? ''), ...s.getMany('theme')]);
  for (const code of codes) {
    const t = code && s.value({ vocab: 'theme' }, code);
    if (t && t.termType === 'NamedNode' && t.value.startsWith('http://publications.europa.eu/resource/authority/data-theme/')) {
      s.add(s.node, iri('dcat', 'theme'), t);
    }
  }
}

/** Values of a resource key: a list, a JSON list or one value. */
const listOf = (v: unknown): string[] => {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== 'string' || !v.trim()) return [];
  try {
    const parsed = JSON.parse(v) as unknown;
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    /* one value */
  }
  return [v];
};

/**
 * The classes DCAT-AP 3 gives the values of dcatap:applicableLegislation (eli:LegalResource) and dcatap:hvdCategory
 * (skos:Concept), stated once per graph beside them, as ckanext-dcat does for spatial IRIs, so the published graph
 * satisfies the shapes' sh:class on its own: the dataset's values and its resources'. An unknown category stays
 * untyped (validation names it).
 */
export function writeHvdTypes(s: WriteScope): void {
  const resources = ((s.dataset.resources as Record<string, unknown>[] | undefined) ?? []).filter((r) => r.state !== 'deleted');
  const legislation = new Set([...s.getMany('applicable_legislation'), ...resources.flatMap((r) => listOf(r.applicable_legislation))]);
  if ((s.get('applicable_legislation') ?? '').includes(HVD_LEGISLATION)) legislation.add(HVD_LEGISLATION);
  const typed = new Set<string>();
  const type = (t: Term | undefined, cls: Term): void => {
    if (t?.termType !== 'NamedNode' || typed.has(t.value)) return;
    typed.add(t.value);
    s.add(t, RDF_TYPE, cls);
  };
  for (const raw of legislation) type(s.value('iri', raw), iri('eli', 'LegalResource'));
  for (const raw of [...s.getMany('hvd_category'), ...resources.flatMap((r) => listOf(r.hvd_category))]) {
    const t = s.value({ vocab: 'hvdCategory' }, raw);
    if (t?.value.startsWith('http://data.europa.eu/bna/c_')) type(t, iri('skos', 'Concept'));
  }
}

/**
 * A distribution of a high-value dataset that names no applicable legislation of its own carries the dataset's HVD
 * regulation (the HVD shapes require it on every distribution): stewards say it once, on the dataset.
 */
export function writeInheritedLegislation(s: ResourceScope): void {
  if (s.getMany('applicable_legislation').length) return;
  const raw = s.getDataset('applicable_legislation') ?? '';
  if (!raw.includes(HVD_LEGISLATION)) return;
  s.add(s.node, iri('dcatap', 'applicableLegislation'), named(HVD_LEGISLATION));
}

/** The file's checksum (our `hash` is the hex SHA-256 of an upload). */
function writeChecksum(s: ResourceScope): void {
  const hash = s.get('hash');
  if (!hash || !/^[0-9a-f]{64}$/i.test(hash)) return;
  const c = s.blank();
  s.add(s.node, iri('spdx', 'checksum'), c);
  s.add(c, RDF_TYPE, iri('spdx', 'Checksum'));
  s.add(c, iri('spdx', 'algorithm'), iri('spdx', 'checksumAlgorithm_sha256'));
  s.add(c, iri('spdx', 'checksumValue'), typedLiteral(hash.toLowerCase(), `${NS.xsd}hexBinary`));
}

/** The licence: the resource's own, else the dataset's license_id. */
function writeLicense(s: ResourceScope): void {
  const own = s.get('license');
  const id = own ?? (s.dataset.license_id as string | undefined);
  const t = id ? s.value({ vocab: 'license' }, id) : undefined;
  if (t) s.add(s.node, iri('dcterms', 'license'), t);
}

/** accessURL is required: the resource's access_url, else its url, else its page in the catalog. */
function writeAccess(s: ResourceScope): void {
  const url = s.get('access_url') ?? s.get('url');
  const access = (url && s.value('iri', url)) || named(`${s.siteUrl}/dataset/${String(s.dataset.id)}/resource/${String(s.resource.id)}`);
  s.add(s.node, iri('dcat', 'accessURL'), access);
  const download = s.get('download_url') ?? (s.get('url_type') === 'upload' ? s.get('url') : undefined);
  const d = download && s.value('iri', download);
  if (d) s.add(s.node, iri('dcat', 'downloadURL'), d);
  const mime = s.get('mimetype');
  if (mime && /^[\w.+-]+\/[\w.+-]+$/.test(mime)) s.add(s.node, iri('dcat', 'mediaType'), named(`https://www.iana.org/assignments/media-types/${mime.toLowerCase()}`));
}

function readAgent(r: ReadScope, prefix: string, predicate = iri('dcterms', 'publisher')): void {
  const agent = r.one(r.node, predicate);
  if (!agent) return;
  r.set(`${prefix}_name`, r.text(r.one(agent, FOAF_NAME)));
  r.set(`${prefix}_email`, r.text(r.one(agent, iri('foaf', 'mbox')))?.replace(/^mailto:/, ''));
  r.set(`${prefix}_url`, r.text(r.one(agent, iri('foaf', 'homepage'))));
  if (agent.termType === 'NamedNode') r.set(`${prefix}_uri`, agent.value);
  r.set(`${prefix}_type`, r.text(r.one(agent, iri('dcterms', 'type'))));
}

function readContact(r: ReadScope): void {
  const kind = r.one(r.node, iri('dcat', 'contactPoint'));
  if (!kind) return;
  r.set('contact_name', r.text(r.one(kind, iri('vcard', 'fn'))));
  r.set('contact_email', r.text(r.one(kind, iri('vcard', 'hasEmail')))?.replace(/^mailto:/, ''));
  r.set('contact_url', r.text(r.one(kind, iri('vcard', 'hasURL'))));
  r.set('contact_tel', r.text(r.one(kind, iri('vcard', 'hasTelephone')))?.replace(/^tel:/, ''));
}

function readTemporal(r: ReadScope): void {
  const period = r.one(r.node, iri('dcterms', 'temporal'));
  if (!period) return;
  r.set('temporal_start', r.text(r.one(period, iri('dcat', 'startDate'))));
  r.set('temporal_end', r.text(r.one(period, iri('dcat', 'endDate'))));
}

function readThemes(r: ReadScope): void {
  const themes = r.objects(r.node, iri('dcat', 'theme')).map((t) => t.value);
  if (themes.length) r.set('theme', themes);
}

function readDistribution(r: ReadScope): void {
  r.set('url', r.text(r.one(r.node, iri('dcat', 'downloadURL'))) ?? r.text(r.one(r.node, iri('dcat', 'accessURL'))));
  r.set('license', r.text(r.one(r.node, iri('dcterms', 'license'))));
  const media = r.text(r.one(r.node, iri('dcat', 'mediaType')));
  r.set('mimetype', media?.replace('https://www.iana.org/assignments/media-types/', ''));
  const checksum = r.one(r.node, iri('spdx', 'checksum'));
  if (checksum) r.set('hash', r.text(r.one(checksum, iri('spdx', 'checksumValue'))));
}

export const dcatAp3: DcatProfile = {
  id: 'dcat_ap_3',
  title: 'DCAT-AP 3.0 (EU)',
  prefixes: ['rdf', 'xsd', 'dcat', 'dcterms', 'foaf', 'vcard', 'adms', 'dcatap', 'spdx', 'skos', 'hydra', 'gsp', 'locn', 'eli'],
  dataset: [
    { field: 'title', predicate: iri('dcterms', 'title'), kind: 'literal' },
    { field: 'notes', predicate: iri('dcterms', 'description'), kind: 'literal' },
    { field: 'tags', predicate: iri('dcat', 'keyword'), kind: 'literal', many: true, readAs: 'tags' },
    { field: 'identifier', predicate: iri('dcterms', 'identifier'), kind: 'literal' },
    { field: 'alternate_identifier', predicate: iri('adms', 'identifier'), kind: 'literal', many: true, readAs: false },
    { field: 'issued', predicate: iri('dcterms', 'issued'), kind: 'date' },
    { field: 'modified', predicate: iri('dcterms', 'modified'), kind: 'date' },
    { field: 'url', predicate: iri('dcat', 'landingPage'), kind: 'iri' },
    { field: 'version', predicate: iri('dcat', 'version'), kind: 'literal' },
    { field: 'version_notes', predicate: iri('adms', 'versionNotes'), kind: 'literal' },
    { field: 'language', predicate: iri('dcterms', 'language'), kind: { vocab: 'language' }, many: true },
    { field: 'frequency', predicate: iri('dcterms', 'accrualPeriodicity'), kind: { vocab: 'frequency' } },
    { field: 'access_rights', predicate: iri('dcterms', 'accessRights'), kind: { vocab: 'accessRights' } },
    { field: 'conforms_to', predicate: iri('dcterms', 'conformsTo'), kind: 'iri', many: true },
    { field: 'documentation', predicate: iri('foaf', 'page'), kind: 'iri', many: true },
    { field: 'spatial_uri', predicate: iri('dcterms', 'spatial'), kind: 'iri', many: true },
    { field: 'references', predicate: iri('dcterms', 'references'), kind: 'iri', many: true },
    { field: 'used_datasets', predicate: iri('dcterms', 'relation'), kind: 'iri', many: true },
    { field: 'applicable_legislation', predicate: iri('dcatap', 'applicableLegislation'), kind: 'iri', many: true },
    { field: 'hvd_category', predicate: iri('dcatap', 'hvdCategory'), kind: { vocab: 'hvdCategory' }, many: true },
    { field: 'availability', predicate: iri('dcatap', 'availability'), kind: 'iri' },
  ],
  distribution: [
    { field: 'name', predicate: iri('dcterms', 'title'), kind: 'literal' },
    { field: 'description', predicate: iri('dcterms', 'description'), kind: 'literal' },
    { field: 'size', predicate: iri('dcat', 'byteSize'), kind: 'integer' },
    { field: 'created', predicate: iri('dcterms', 'issued'), kind: 'date', readAs: 'issued' },
    { field: 'last_modified', predicate: iri('dcterms', 'modified'), kind: 'date', readAs: 'modified' },
    { field: 'language', predicate: iri('dcterms', 'language'), kind: { vocab: 'language' }, many: true },
    { field: 'conforms_to', predicate: iri('dcterms', 'conformsTo'), kind: 'iri', many: true },
    { field: 'status', predicate: iri('adms', 'status'), kind: 'iri' },
    { field: 'availability', predicate: iri('dcatap', 'availability'), kind: 'iri' },
    { field: 'applicable_legislation', predicate: iri('dcatap', 'applicableLegislation'), kind: 'iri', many: true },
    { field: 'hvd_category', predicate: iri('dcatap', 'hvdCategory'), kind: { vocab: 'hvdCategory' }, many: true },
  ],
  datasetWriters: [
    writePublisher, writeContact, writeTemporal, writeLiveTemporal, writeThemes, writeSpatialLocations, writeSpatialGeometry, writeLiveServices,
    writeStandaloneService, writeInSeries, writeHvdTypes,
  ],
  distributionWriters: [writeFormat, writeAccess, writeLicense, writeChecksum, writeLiveDistribution, writeResourceServices, writeInheritedLegislation],
  datasetReaders: [(r) => readAgent(r, 'publisher'), readContact, readTemporal, readThemes, readSpatialGeometry, readSeriesAndService],
  distributionReaders: [readFormat, readDistribution, readAccessServices],
};

