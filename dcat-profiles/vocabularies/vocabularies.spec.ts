import { HVD_CATEGORIES, HVD_LEGISLATION } from './hvd-categories';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Quad } from '@rdfjs/types';
import { Parser as TurtleParser } from 'n3';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import { FREQUENCY_ADDED_CODES } from './frequencies';
import { regionalKeyIri } from './geocoding';
import { EU_OFFICIAL_LANGUAGES } from './languages';
import { DCAT_LICENSES, findLicense, licenseIri } from './licenses';
import { VOCABULARIES, choicesText, entryByIri, resolveTerm, type VocabularyName } from './index';

const iriOf = (name: VocabularyName, input: string) => resolveTerm(name, input)?.iri;
const EU = 'http://publications.europa.eu/resource/authority';

describe('resolveTerm', () => {
  it("a steward's 'monthly' resolves to the EU frequency MONTHLY IRI", () => {
    expect(iriOf('frequency', 'monthly')).toBe(`${EU}/frequency/MONTHLY`);
  });

  it.each([
    ['annually', 'ANNUAL'], ['Yearly', 'ANNUAL'], ['hourly', 'HOURLY'], ['continuous', 'CONT'], ['irregular', 'IRREG'], ['quarterly', 'QUARTERLY'],
    ['monatlich', 'MONTHLY'], ['Wöchentlich', 'WEEKLY'], ['täglich', 'DAILY'], ['jährlich', 'ANNUAL'], ['stündlich', 'HOURLY'],
    ['vierteljährlich', 'QUARTERLY'], ['kontinuierlich', 'CONT'], ['unregelmäßig', 'IRREG'], ['woechentlich', 'WEEKLY'],
  ])("the frequency word '%s' resolves to %s", (word, code) => {
    expect(resolveTerm('frequency', word)?.code).toBe(code);
  });

  it('a German word typed with a combining umlaut (NFD) still resolves', () => {
    expect(resolveTerm('frequency', 'wo\u0308chentlich')?.code).toBe('WEEKLY');
  });

  it('codes match in any case: a CKAN group name "envi" is the theme ENVI, "Csv" the file type CSV', () => {
    expect(iriOf('theme', 'envi')).toBe(`${EU}/data-theme/ENVI`);
    expect(iriOf('fileType', 'Csv')).toBe(`${EU}/file-type/CSV`);
    expect(resolveTerm('geocodingLevel', 'ADMINISTRATIVEDISTRICT')?.code).toBe('administrativeDistrict');
    expect(resolveTerm('contributor', 'opennrw')?.code).toBe('openNRW');
  });

  it('a licence id resolves in any case, and the two geoNutz licences that differ only by case and date stay apart', () => {
    expect(iriOf('license', 'DL-BY-DE/2.0')).toBe('http://dcat-ap.de/def/licenses/dl-by-de/2.0');
    expect(resolveTerm('license', 'geonutz/20130319')?.code).toBe('geonutz/20130319');
    expect(resolveTerm('license', 'geoNutz/20131001')?.code).toBe('geoNutz/20131001');
    expect(resolveTerm('license', 'GEONUTZ/20131001')?.code).toBe('geoNutz/20131001');
  });

  it('an IRI resolves as given, with https:// instead of http://, with a trailing slash, and with www.dcat-ap.de', () => {
    const dlBy = 'http://dcat-ap.de/def/licenses/dl-by-de/2.0';
    expect(iriOf('license', dlBy)).toBe(dlBy);
    expect(iriOf('license', 'https://dcat-ap.de/def/licenses/dl-by-de/2.0/')).toBe(dlBy);
    expect(iriOf('license', 'https://www.dcat-ap.de/def/licenses/dl-by-de/2.0')).toBe(dlBy);
    expect(iriOf('accessRights', `${EU.replace('http:', 'https:')}/access-right/PUBLIC/`)).toBe(`${EU}/access-right/PUBLIC`);
    expect(iriOf('contributor', 'http://dcat-ap.de/def/contributors/openNRW')).toBe('http://dcat-ap.de/def/contributors/openNRW');
  });

  it('an IRI whose code part is in the wrong case resolves to the member (…/file-type/csv → CSV)', () => {
    expect(iriOf('fileType', `${EU}/file-type/csv`)).toBe(`${EU}/file-type/CSV`);
  });

  it.each([
    ['geojson', 'GEOJSON'], ['xls', 'XLS'], ['XLSX', 'XLSX'], ['shp', 'SHP'], ['Shapefile', 'SHP'], ['ZIP  Shapefile', 'SHP'], ['json', 'JSON'],
    ['text/csv', 'CSV'], ['text/csv; charset=utf-8', 'CSV'], ['application/json', 'JSON'], ['application/pdf', 'PDF'],
    ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'XLSX'], ['application/geo+json', 'GEOJSON'],
    ['application/zip', 'ZIP'], ['application/xml', 'XML'], ['text/xml', 'XML'], ['text/html', 'HTML'],
  ])("what a steward types as format, '%s', resolves to the EU file type %s", (typed, code) => {
    expect(resolveTerm('fileType', typed)?.code).toBe(code);
  });

  it.each([
    ['de', 'DEU'], ['DE', 'DEU'], ['deu', 'DEU'], ['ger', 'DEU'], ['en', 'ENG'], ['fr', 'FRA'], ['fre', 'FRA'], ['uk', 'UKR'], ['hsb', 'HSB'],
  ])("the language code '%s' (ISO 639-1 or 639-2) resolves to the EU language %s", (typed, code) => {
    expect(iriOf('language', typed)).toBe(`${EU}/language/${code}`);
  });

  it('German words resolve for access rights and geocoding levels', () => {
    expect(resolveTerm('accessRights', 'öffentlich')?.code).toBe('PUBLIC');
    expect(resolveTerm('accessRights', 'Nicht öffentlich')?.code).toBe('NON_PUBLIC');
    expect(resolveTerm('geocodingLevel', 'Landkreis')?.code).toBe('administrativeDistrict');
    expect(resolveTerm('geocodingLevel', 'Kommune')?.code).toBe('municipality');
    expect(resolveTerm('geocodingLevel', 'Bund')?.code).toBe('federal');
  });

  it.each<[VocabularyName, string]>([
    ['frequency', ''], ['frequency', '   '], ['frequency', 'every now and then'], ['fileType', 'PARQUET'], ['fileType', 'LEG'],
    ['fileType', `${EU}/data-theme/ENVI`], ['theme', 'http://example.org/ENVI'], ['license', 'dl-by-de/2.0/extra'], ['language', 'xx'],
    ['contributor', 'http://dcat-ap.de/def/contributors/notAContributor'], ['accessRights', 'secret'],
  ])('an unknown value is undefined (%s: %j)', (name, input) => {
    expect(resolveTerm(name, input)).toBeUndefined();
  });

  it('a non-string input is undefined, not an exception', () => {
    expect(resolveTerm('theme', undefined as unknown as string)).toBeUndefined();
  });
});

describe('entryByIri', () => {
  it('finds an entry by its exact IRI only', () => {
    expect(entryByIri('theme', `${EU}/data-theme/TRAN`)?.code).toBe('TRAN');
    expect(entryByIri('theme', `${EU}/data-theme/TRAN/`)).toBeUndefined();
    expect(entryByIri('theme', 'https://publications.europa.eu/resource/authority/data-theme/TRAN')).toBeUndefined();
    expect(entryByIri('license', licenseIri(DCAT_LICENSES[0]))?.code).toBe(DCAT_LICENSES[0].id);
  });
});

describe('choicesText', () => {
  it('lists every theme when they fit, with the count and the scheme', () => {
    const text = choicesText('theme');
    expect(text).toBe(`AGRI, ECON, EDUC, ENER, ENVI, GOVE, HEAL, INTR, JUST, OP_DATPRO, REGI, SOCI, TECH, TRAN (14 in all, see ${EU}/data-theme)`);
  });

  it('lists the common file types first, at most 20 codes, then "… (N in all, see <scheme>)"', () => {
    const text = choicesText('fileType');
    expect(text.startsWith('CSV, XLSX, XLS, JSON, GEOJSON')).toBe(true);
    expect(text.endsWith(`, … (${VOCABULARIES.fileType.entries.length} in all, see ${EU}/file-type)`)).toBe(true);
    expect(text.split(' (')[0].split(', ').filter((c) => c !== '…')).toHaveLength(20);
  });

  it('honours max, and puts the licences GovData recommends first', () => {
    expect(choicesText('license', 3)).toBe(`dl-zero-de/2.0, dl-by-de/2.0, cc-by/4.0, … (${DCAT_LICENSES.length} in all, see http://dcat-ap.de/def/licenses)`);
    expect(choicesText('accessRights', 2)).toBe(`PUBLIC, RESTRICTED, … (3 in all, see ${EU}/access-right)`);
  });
});

describe('vocabulary tables', () => {
  const names = Object.keys(VOCABULARIES) as VocabularyName[];

  it.each(names)('%s: every IRI is base + code, base is scheme + "/", and codes, lower-case codes and IRIs are unique', (name) => {
    const v = VOCABULARIES[name];
    expect(v.name).toBe(name);
    // The HVD categories' scheme is one concept of the EU's "bna" namespace beside its members.
    if (name === 'hvdCategory') expect(v.scheme.startsWith(v.base)).toBe(true);
    else expect(v.base).toBe(`${v.scheme}/`);
    for (const e of v.entries) expect(e.iri).toBe(v.base + e.code);
    const unique = (xs: string[]) => new Set(xs).size === xs.length;
    expect(unique(v.entries.map((e) => e.code))).toBe(true);
    expect(unique(v.entries.map((e) => e.code.toLowerCase()))).toBe(true);
    expect(unique(v.entries.map((e) => e.iri))).toBe(true);
    for (const e of v.entries) expect(e.labels.de ?? e.labels.en).toBeTruthy();
  });

  it.each(names)('%s: every alias and every code resolves to its entry', (name) => {
    const v = VOCABULARIES[name];
    for (const [alias, code] of Object.entries(v.aliases ?? {})) expect(resolveTerm(name, alias)?.code).toBe(code);
    for (const e of v.entries) {
      expect(resolveTerm(name, e.code)).toBe(e);
      expect(resolveTerm(name, e.iri)).toBe(e);
      expect(entryByIri(name, e.iri)).toBe(e);
    }
  });

  it('no alias is also another entry\'s code (an alias never shadows a code)', () => {
    for (const name of names) {
      const v = VOCABULARIES[name];
      for (const [alias, code] of Object.entries(v.aliases ?? {})) {
        const other = v.entries.find((e) => e.code.toLowerCase() === alias.toLowerCase());
        if (other) expect(other.code).toBe(code);
      }
    }
  });

  it('the licence vocabulary is DCAT_LICENSES: same ids, IRIs by licenseIri, findLicense agrees', () => {
    const v = VOCABULARIES.license;
    expect(v.entries.map((e) => e.code)).toEqual(DCAT_LICENSES.map((l) => l.id));
    for (const l of DCAT_LICENSES) {
      expect(resolveTerm('license', l.id)?.iri).toBe(licenseIri(l));
      expect(findLicense(licenseIri(l))?.id).toBe(l.id);
    }
  });

  it('the language table holds the 24 official EU languages and the Sorbian languages', () => {
    for (const code of [...EU_OFFICIAL_LANGUAGES, 'DSB', 'HSB', 'TUR', 'RUS', 'ARA', 'UKR']) expect(resolveTerm('language', code)?.code).toBe(code);
    expect(EU_OFFICIAL_LANGUAGES).toHaveLength(24);
  });

  it('the four geocoding levels have the dcat-ap.de IRIs and German labels', () => {
    expect(VOCABULARIES.geocodingLevel.entries.map((e) => [e.iri, e.labels.de])).toEqual([
      ['http://dcat-ap.de/def/politicalGeocoding/Level/federal', 'Bund'],
      ['http://dcat-ap.de/def/politicalGeocoding/Level/state', 'Land'],
      ['http://dcat-ap.de/def/politicalGeocoding/Level/administrativeDistrict', 'Landkreis/Kreis'],
      ['http://dcat-ap.de/def/politicalGeocoding/Level/municipality', 'Kommune'],
    ]);
  });
});

describe('regionalKeyIri', () => {
  const B = 'http://dcat-ap.de/def/politicalGeocoding';
  it('builds the IRI of a key with the right number of digits for its kind', () => {
    expect(regionalKeyIri('stateKey', '07')).toBe(`${B}/stateKey/07`);
    expect(regionalKeyIri('governmentDistrictKey', '073')).toBe(`${B}/governmentDistrictKey/073`);
    expect(regionalKeyIri('districtKey', '07315')).toBe(`${B}/districtKey/07315`);
    expect(regionalKeyIri('municipalityKey', '07315000')).toBe(`${B}/municipalityKey/07315000`);
    expect(regionalKeyIri('municipalAssociationKey', '073150000')).toBe(`${B}/municipalAssociationKey/073150000`);
    expect(regionalKeyIri('regionalKey', '073150000000')).toBe(`${B}/regionalKey/073150000000`);
    expect(regionalKeyIri('municipalityKey', ' 07315000 ')).toBe(`${B}/municipalityKey/07315000`);
  });

  it('returns undefined for a malformed key or an unknown kind', () => {
    expect(regionalKeyIri('municipalityKey', '0731500')).toBeUndefined();
    expect(regionalKeyIri('municipalityKey', '073150000')).toBeUndefined();
    expect(regionalKeyIri('stateKey', '7')).toBeUndefined();
    expect(regionalKeyIri('districtKey', '07 315')).toBeUndefined();
    expect(regionalKeyIri('regionalKey', '07315000000x')).toBeUndefined();
    expect(regionalKeyIri('regionalKey', '')).toBeUndefined();
    expect(regionalKeyIri('countyKey' as 'stateKey', '07')).toBeUndefined();
    expect(regionalKeyIri('toString' as 'stateKey', '07')).toBeUndefined();
  });
});

// ---- Our tables held to the official vocabulary files (read by this test only, never by the service) ----

const SHARED = path.resolve(__dirname, '../../../shared/dcat-ap-de');
const SHARED_PRESENT = fs.existsSync(path.join(SHARED, 'vocabularies'));
if (!SHARED_PRESENT) {
  console.warn(`Vocabulary tables vs. official files SKIPPED: ../shared/dcat-ap-de is not present (looked for ${SHARED}/vocabularies)`);
}
const describeWithOfficialFiles = SHARED_PRESENT ? describe : describe.skip;

const SKOS = 'http://www.w3.org/2004/02/skos/core#';
const AUTHORITY = 'http://publications.europa.eu/ontology/authority/';

interface OfficialConcept {
  deprecated: boolean;
  labels: Record<string, string>;
}

function parseFile(file: string): Promise<Quad[]> {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.ttl')) return Promise.resolve(new TurtleParser().parse(text) as unknown as Quad[]);
  return new Promise((resolve, reject) => {
    const quads: Quad[] = [];
    const parser = new RdfXmlParser({ baseIRI: `file://${file}` });
    parser.on('data', (q: Quad) => quads.push(q));
    parser.on('error', reject);
    parser.on('end', () => resolve(quads));
    parser.end(text);
  });
}

/** The concepts of `scheme` in a file (subjects with skos:inScheme), whether deprecated, and their prefLabels by language. */
async function officialConcepts(relFile: string, scheme: string): Promise<Map<string, OfficialConcept>> {
  const quads = await parseFile(path.join(SHARED, relFile));
  const members = new Set(quads.filter((q) => q.predicate.value === `${SKOS}inScheme` && q.object.value === scheme && q.subject.termType === 'NamedNode').map((q) => q.subject.value));
  const out = new Map<string, OfficialConcept>();
  for (const iri of members) out.set(iri, { deprecated: false, labels: {} });
  for (const q of quads) {
    const c = out.get(q.subject.value);
    if (!c || q.subject.termType !== 'NamedNode') continue;
    if (q.predicate.value === `${AUTHORITY}deprecated` && q.object.value === 'true') c.deprecated = true;
    if (q.predicate.value === `${AUTHORITY}end.use`) c.deprecated = true;
    if (q.predicate.value === 'http://www.w3.org/2002/07/owl#deprecated' && q.object.value === 'true') c.deprecated = true;
    if (q.predicate.value === `${SKOS}prefLabel` && q.object.termType === 'Literal' && q.object.language) c.labels[q.object.language] = q.object.value;
  }
  return out;
}

const clean = (s: string | undefined) => s?.replace(/\s+/g, ' ').trim();

interface OfficialCase {
  name: VocabularyName;
  file: string;
  /** Every current concept of the file must be in our table. */
  complete: boolean;
  /** Codes in our table that the file (an older version) does not hold. */
  added?: readonly string[];
}

const OFFICIAL: OfficialCase[] = [
  { name: 'license', file: 'vocabularies/dcat-ap.de/licenses-open.rdf', complete: true },
  { name: 'contributor', file: 'vocabularies/dcat-ap.de/contributors.rdf', complete: true },
  { name: 'fileType', file: 'vocabularies/eu/filetypes-skos.rdf', complete: true },
  { name: 'theme', file: 'vocabularies/eu/data-theme-skos-ap-act.ttl', complete: true },
  { name: 'accessRights', file: 'vocabularies/eu/access-right-skos.rdf', complete: true },
  { name: 'frequency', file: 'vocabularies/eu/frequency.rdf', complete: true, added: FREQUENCY_ADDED_CODES },
];

describeWithOfficialFiles('vocabulary tables agree with the official files in ../shared/dcat-ap-de', () => {
  const loaded = new Map<VocabularyName, Map<string, OfficialConcept>>();
  beforeAll(async () => {
    for (const c of OFFICIAL) loaded.set(c.name, await officialConcepts(c.file, VOCABULARIES[c.name].scheme));
  });

  it.each(OFFICIAL)('$name: the file $file has concepts of our scheme', ({ name }) => {
    expect(loaded.get(name)!.size).toBeGreaterThan(0);
  });

  it.each(OFFICIAL)('$name: every IRI in our table is a current concept of $file (except codes we added from the newer list)', ({ name, added }) => {
    const official = loaded.get(name)!;
    const strays = VOCABULARIES[name].entries.filter((e) => !added?.includes(e.code) && !(official.has(e.iri) && !official.get(e.iri)!.deprecated)).map((e) => e.iri);
    expect(strays).toEqual([]);
    // The added codes really are missing from that file, so the list of additions stays honest.
    expect((added ?? []).filter((code) => official.has(VOCABULARIES[name].base + code))).toEqual([]);
  });

  it.each(OFFICIAL.filter((c) => c.complete))('$name: every current concept of $file is in our table', ({ name }) => {
    const missing = [...loaded.get(name)!].filter(([iri, c]) => !c.deprecated && !entryByIri(name, iri)).map(([iri]) => iri);
    expect(missing).toEqual([]);
  });

  it.each(OFFICIAL)('$name: our German and English labels are the prefLabels of $file where it has them', ({ name }) => {
    const official = loaded.get(name)!;
    const differ: string[] = [];
    for (const e of VOCABULARIES[name].entries) {
      const c = official.get(e.iri);
      if (!c) continue;
      for (const lang of ['de', 'en'] as const) {
        if (c.labels[lang] !== undefined && clean(c.labels[lang]) !== clean(e.labels[lang])) differ.push(`${e.code}@${lang}: ours ${JSON.stringify(e.labels[lang])}, file ${JSON.stringify(c.labels[lang])}`);
      }
    }
    expect(differ).toEqual([]);
  });

  it('deprecated file types (FMX2, FMX3, LEG) are left out', () => {
    const official = loaded.get('fileType')!;
    const deprecated = [...official].filter(([, c]) => c.deprecated).map(([iri]) => iri.split('/').pop());
    expect(deprecated.sort()).toEqual(['FMX2', 'FMX3', 'LEG']);
    for (const code of deprecated) expect(resolveTerm('fileType', code!)).toBeUndefined();
  });
});

describe('HVD categories', () => {
  const v = VOCABULARIES.hvdCategory;
  const top = HVD_CATEGORIES.filter((c) => !c.broader);

  it('hold the six categories of Regulation (EU) 2023/138 with their German and English names', () => {
    expect(top.map((c) => [c.iri, c.labels.de, c.labels.en])).toEqual([
      ['http://data.europa.eu/bna/c_ac64a52d', 'Georaum', 'Geospatial'],
      ['http://data.europa.eu/bna/c_dd313021', 'Erdbeobachtung und Umwelt', 'Earth observation and environment'],
      ['http://data.europa.eu/bna/c_164e0bf5', 'Meteorologie', 'Meteorological'],
      ['http://data.europa.eu/bna/c_e1da4e07', 'Statistik', 'Statistics'],
      ['http://data.europa.eu/bna/c_a9135398', 'Unternehmen und Eigentümerschaft von Unternehmen', 'Companies and company ownership'],
      ['http://data.europa.eu/bna/c_b79e35eb', 'Mobilität', 'Mobility'],
    ]);
    expect(v.scheme).toBe('http://data.europa.eu/bna/asd487ae75');
  });

  it('hold 96 concepts, each with an EU code, both labels and a broader concept of the table', () => {
    expect(HVD_CATEGORIES).toHaveLength(96);
    const codes = new Set(HVD_CATEGORIES.map((c) => c.code));
    for (const c of HVD_CATEGORIES) {
      expect(c.code).toMatch(/^c_[0-9a-f]{8}$/);
      expect({ code: c.code, de: !!c.labels.de, en: !!c.labels.en }).toEqual({ code: c.code, de: true, en: true });
      if (c.broader) expect(codes.has(c.broader)).toBe(true);
    }
    // 65 sub-categories of the six, 25 inland-waterway data sets under "Inland waterways datasets".
    expect(HVD_CATEGORIES.filter((c) => c.broader && top.some((t) => t.code === c.broader))).toHaveLength(65);
    expect(HVD_CATEGORIES.filter((c) => c.broader === 'c_b151a0ba')).toHaveLength(25);
  });

  it('resolve codes, IRIs and the categories\' names, in any case', () => {
    expect(resolveTerm('hvdCategory', 'c_c3de25e4')?.labels.en).toBe('Addresses');
    expect(resolveTerm('hvdCategory', 'https://data.europa.eu/bna/c_c3de25e4')?.code).toBe('c_c3de25e4');
    expect(resolveTerm('hvdCategory', 'georaum')?.code).toBe('c_ac64a52d');
    expect(resolveTerm('hvdCategory', 'Mobility')?.code).toBe('c_b79e35eb');
    expect(resolveTerm('hvdCategory', 'c_00000000')).toBeUndefined();
  });

  it('name HVD_LEGISLATION as the regulation\'s ELI', () => {
    expect(HVD_LEGISLATION).toBe('http://data.europa.eu/eli/reg_impl/2023/138/oj');
  });
});
