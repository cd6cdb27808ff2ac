import { DcatProfile, extendProfile, iri, named, NS, ReadScope, ResourceScope, typedLiteral, WriteScope } from '../../src/dcat/profile';
import { dcatAp3, emailTerm } from '../dcat-ap-eu-3/profile';

/**
 * DCAT-AP.de 3.0, the default: EU DCAT-AP 3 plus the German additions, with the CKAN extras of
 * GovData's own mapping (ckanext-dcatde). Besides the 3.0 terms it writes the deprecated 2.0
 * `dcatde:` terms GovData's importer still reads (contributorID, politicalGeocodingURI/LevelURI,
 * maintainer/originator, legalBasis), so both generations of harvester understand us; the official
 * shapes report those as deprecation warnings, never as violations.
 *
 * Organization-level values (contributorID, political geocoding, publisher_*, contact_*) are
 * inherited by the organization's datasets unless a dataset sets its own.
 */

const RDF_TYPE = iri('rdf', 'type');

/**
 * An agent from `<prefix>_name/_email/_url` extras, written under each of the given predicates. CKAN's own `maintainer`
 * and `author` fields name it when no `_name` extra does (their e-mail is the field `<prefix>_email` already).
 */
function writeAgent(s: WriteScope, prefix: string, predicates: ReturnType<typeof iri>[]): void {
  const name = s.get(`${prefix}_name`) ?? (prefix === 'maintainer' || prefix === 'author' ? s.get(prefix) : undefined);
  if (!name) return;
  const agent = s.blank();
  for (const p of predicates) s.add(s.node, p, agent);
  s.add(agent, RDF_TYPE, iri('foaf', 'Agent'));
  s.add(agent, iri('foaf', 'name'), s.value('literal', name)!);
  const email = s.get(`${prefix}_email`);
  if (email) s.add(agent, iri('foaf', 'mbox'), emailTerm(s, email));
  const url = s.get(`${prefix}_url`);
  const home = url && s.value('iri', url);
  if (home) s.add(agent, iri('foaf', 'homepage'), home);
}

/** contributorID: the dataset's, else its organization's, else the platform's (GovData needs one per dataset). */
function writeContributor(s: WriteScope): void {
  const ids = s.getMany('contributorID', { inherit: true });
  if (!ids.length && s.catalog.contributorId) ids.push(s.catalog.contributorId);
  for (const id of ids) {
    const t = s.value({ vocab: 'contributor' }, id);
    if (t) s.add(s.node, iri('dcatde', 'contributorID'), t);
  }
}

/** Political geocoding: the level, and the Regionalschlüssel IRIs, both deprecated 2.0 term and 3.0 dcterms:spatial (a dcterms:Location). */
function writeGeocoding(s: WriteScope): void {
  for (const level of s.getMany('politicalGeocodingLevelURI', { inherit: true })) {
    const t = s.value({ vocab: 'geocodingLevel' }, level);
    if (t) s.add(s.node, iri('dcatde', 'politicalGeocodingLevelURI'), t);
  }
  const ownSpatial = new Set(s.getMany('spatial_uri'));
  for (const uri of s.getMany('politicalGeocodingURI', { inherit: true })) {
    const t = s.value('iri', uri);
    if (!t) continue;
    s.add(s.node, iri('dcatde', 'politicalGeocodingURI'), t);
    if (ownSpatial.has(uri)) continue; // already the dataset's dcterms:spatial, typed as a Location
    s.add(s.node, iri('dcterms', 'spatial'), t);
    s.add(t, RDF_TYPE, iri('dcterms', 'Location'));
  }
}

/** Attribution text: required by attribution licences; the resource's, the dataset's, else the publisher's name. */
function writeAttribution(s: ResourceScope): void {
  const text = s.get('licenseAttributionByText') ?? s.getDataset('licenseAttributionByText');
  const licenseId = s.get('license') ?? (s.dataset.license_id as string | undefined);
  const needsIt = licenseId ? s.licenseNeedsAttribution(licenseId) : false;
  const value = text ?? (needsIt ? s.getDataset('publisher_name', { inherit: true }) ?? s.organization?.title : undefined);
  if (value) s.add(s.node, iri('dcatde', 'licenseAttributionByText'), s.value('literal', value)!);
}

const FREQUENCY = 'http://publications.europa.eu/resource/authority/frequency/';
/**
 * The EU frequencies finer than a day, with the interval they stand for. They are members of the current EU table, but
 * the copy GovData's validator checks against (2018) lacks them, so there they are a violation. Published for
 * DCAT-AP.de as what they say: updated continuously (CONT), with data every so often (dcat:temporalResolution).
 */
const INTERVAL_CODES: Record<string, string> = {
  '1MIN': 'PT1M', '5MIN': 'PT5M', '10MIN': 'PT10M', '15MIN': 'PT15M', '30MIN': 'PT30M', HOURLY: 'PT1H', BIHOURLY: 'PT2H', TRIHOURLY: 'PT3H', '12HRS': 'PT12H',
};

/** dcterms:accrualPeriodicity from `frequency` (short form, alias or IRI), an interval code as CONT plus its resolution. */
function writeFrequency(s: WriteScope): void {
  const raw = s.get('frequency');
  const t = raw && s.value({ vocab: 'frequency' }, raw);
  if (!t) return;
  const duration = t.termType === 'NamedNode' && t.value.startsWith(FREQUENCY) ? INTERVAL_CODES[t.value.slice(FREQUENCY.length)] : undefined;
  s.add(s.node, iri('dcterms', 'accrualPeriodicity'), duration ? named(`${FREQUENCY}CONT`) : t);
  if (duration) s.add(s.node, iri('dcat', 'temporalResolution'), typedLiteral(duration, `${NS.xsd}duration`));
}

/** The frequency back: CONT with an interval's resolution is that interval's code again. */
function readFrequency(r: ReadScope): void {
  const f = r.text(r.one(r.node, iri('dcterms', 'accrualPeriodicity')));
  if (!f) return;
  const resolution = r.text(r.one(r.node, iri('dcat', 'temporalResolution')));
  const code = f === `${FREQUENCY}CONT` && resolution ? Object.entries(INTERVAL_CODES).find(([, d]) => d === resolution)?.[0] : undefined;
  r.set('frequency', code ? FREQUENCY + code : f);
}

function readGerman(r: ReadScope): void {
  const ids = r.objects(r.node, iri('dcatde', 'contributorID')).map((t) => t.value);
  if (ids.length) r.set('contributorID', ids);
  const levels = r.objects(r.node, iri('dcatde', 'politicalGeocodingLevelURI')).map((t) => t.value);
  if (levels.length) r.set('politicalGeocodingLevelURI', levels[0]);
  const geo = r.objects(r.node, iri('dcatde', 'politicalGeocodingURI')).map((t) => t.value);
  if (geo.length) r.set('politicalGeocodingURI', geo);
  const legal = r.objects(r.node, iri('dcatde', 'legalBasis')).map((t) => t.value);
  if (legal.length) r.set('legalbasisText', legal);
  // 3.0's geodcatap:originator / custodian, else DCAT-AP.de 2.0's dcatde:originator / maintainer.
  for (const [prefix, p, p2] of [['originator', iri('geodcatap', 'originator'), iri('dcatde', 'originator')], ['maintainer', iri('geodcatap', 'custodian'), iri('dcatde', 'maintainer')]] as const) {
    const agent = r.one(r.node, p) ?? r.one(r.node, p2);
    if (!agent) continue;
    r.set(`${prefix}_name`, r.text(r.one(agent, iri('foaf', 'name'))));
    // CKAN's own maintainer field too (its e-mail is maintainer_email, read just below), as GovData's ckanext-dcatde.
    if (prefix === 'maintainer') r.set('maintainer', r.text(r.one(agent, iri('foaf', 'name'))));
    r.set(`${prefix}_email`, r.text(r.one(agent, iri('foaf', 'mbox')))?.replace(/^mailto:/, ''));
    r.set(`${prefix}_url`, r.text(r.one(agent, iri('foaf', 'homepage'))));
  }
  // dct:creator back into CKAN's own author and author_email, as GovData's ckanext-dcatde reads it (its page, an extra).
  const creator = r.one(r.node, iri('dcterms', 'creator'));
  if (creator) {
    r.set('author', r.text(r.one(creator, iri('foaf', 'name'))));
    r.set('author_email', r.text(r.one(creator, iri('foaf', 'mbox')))?.replace(/^mailto:/, ''));
    r.set('author_url', r.text(r.one(creator, iri('foaf', 'homepage'))));
  }
}

/**
 * What DCAT-AP.de 2.0 documents (and DCAT-AP 1.1/2 ones they build on) say with terms 3.0 replaced: read when the
 * 3.0 term is absent, so a town still publishing 2.0 maps to the same dict. (dcatde:originator / maintainer: readGerman.)
 */
function readDcatDe2(r: ReadScope): void {
  // Identifiers earlier portals gave the dataset (literals, or adms:Identifier nodes with a skos:notation), kept as
  // GovData's conventions ask of every portal that passes a dataset on.
  const ids = r.objects(r.node, iri('adms', 'identifier')).map((t) => (t.termType === 'Literal' ? t.value : r.text(r.one(t, iri('skos', 'notation'))))).filter((v): v is string => !!v);
  if (ids.length) r.set('alternate_identifier', ids);
  if (!r.one(r.node, iri('dcat', 'version'))) r.set('version', r.text(r.one(r.node, iri('owl', 'versionInfo'))));
  const period = r.one(r.node, iri('dcterms', 'temporal'));
  if (period) {
    for (const [key, p, old] of [['temporal_start', 'startDate', 'startDate'], ['temporal_end', 'endDate', 'endDate']] as const) {
      if (!r.one(period, iri('dcat', p))) r.set(key, r.text(r.one(period, named(`http://schema.org/${old}`)) ?? r.one(period, named(`https://schema.org/${old}`))));
    }
  }
}

/** dcatde:plannedAvailability (2.0; removed in 3.0 in favour of dcatap:availability, which the table reads). */
function readDistributionDcatDe2(r: ReadScope): void {
  r.set('plannedAvailability', r.text(r.one(r.node, iri('dcatde', 'plannedAvailability'))));
}

export const dcatApDe3: DcatProfile = extendProfile(dcatAp3, {
  id: 'dcat_ap_de_3',
  title: 'DCAT-AP.de 3.0 (with the 2.0 terms GovData reads)',
  prefixes: ['dcatde', 'geodcatap'],
  dataset: [
    { field: 'legalbasisText', predicate: iri('dcatde', 'legalBasis'), kind: 'literal', many: true, readAs: false },
    { field: 'geocodingText', predicate: iri('dcatde', 'geocodingDescription'), kind: 'literal', many: true },
    { field: 'qualityProcessURI', predicate: iri('dcatde', 'qualityProcessURI'), kind: 'iri' },
  ],
  distribution: [],
  drop: [iri('dcterms', 'accrualPeriodicity')],
  datasetWriters: [
    writeFrequency,
    writeContributor,
    writeGeocoding,
    // 3.0 geodcatap:originator / custodian, and the deprecated dcatde:originator / maintainer beside them.
    (s) => writeAgent(s, 'originator', [iri('geodcatap', 'originator'), iri('dcatde', 'originator')]),
    (s) => writeAgent(s, 'maintainer', [iri('geodcatap', 'custodian'), iri('dcatde', 'maintainer')]),
    (s) => writeAgent(s, 'author', [iri('dcterms', 'creator')]),
  ],
  distributionWriters: [writeAttribution],
  datasetReaders: [readGerman, readFrequency, readDcatDe2],
  distributionReaders: [(r) => r.set('licenseAttributionByText', r.text(r.one(r.node, iri('dcatde', 'licenseAttributionByText')))), readDistributionDcatDe2],
});

