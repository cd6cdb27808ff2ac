import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Quad } from '@rdfjs/types';
import { DataFactory, Parser, Store } from 'n3';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import { Finding, ShaclValidator, termToString } from '../src/dcat/shacl-validator';

/**
 * The official DCAT-AP.de shapes (published by others, in `../shared/dcat-ap-de/`, see SOURCES.md
 * there) as validators for tests. The service never reads that folder; tests compare our shapes and
 * our RDF output with these. When the folder is absent (a user's clone) every loader warns once and
 * returns null, and the caller skips the official half.
 *
 * - `v3`: GovData's ITB profile v30_de_spec: SEMIC DCAT-AP 3.0.0 plus the four DCAT-AP.de 3.0 files.
 * - `v2-konv`: ITB profile v20_de_spec_implr: the DCAT-AP.de 2.0 set (DCAT-AP 2.1.1 shapes, German
 *   additions, messages, deprecations) with the GovData conventions (dcat-ap-konventionen.ttl). The
 *   conventions file alone checks no date formats; the 2.1.1 shapes it runs with do.
 */

export type OfficialProfile = 'v3' | 'v2-konv';

export const DEFAULT_OFFICIAL_DIR = path.resolve(__dirname, '../../shared/dcat-ap-de');

const PROFILE_FILES: Record<OfficialProfile, string[]> = {
  v3: [
    'dcat-ap-eu/3.0.0/dcat-ap-SHACL.ttl',
    'v3.0/dcat-ap-SHACL-DE.ttl',
    'v3.0/dcat-ap-de-controlledvocabularies.ttl',
    'v3.0/dcat-ap-de-deprecated.ttl',
    'v3.0/dcat-ap-spec-german-additions.ttl',
  ],
  'v2-konv': [
    'v2.0/dcat-ap_2.1.1_shacl_shapes.ttl',
    'v2.0/dcat-ap-spec-german-additions.ttl',
    'v2.0/dcat-ap-spec-german-messages.ttl',
    'v2.0/dcat-ap-de-deprecated.ttl',
    'v2.0/dcat-ap-konventionen.ttl',
  ],
};

/**
 * Rules of the 2.0 set that DCAT-AP(.de) 3.0 replaced, switched off when it runs on 3.0 data (our
 * addition, in memory; the files stay as published). These two conflict with what 3.0 requires:
 * DCAT-AP 2.1.1 types dcat:byteSize as xsd:decimal, 3.0.0 as xsd:nonNegativeInteger; DCAT-AP.de 2.0
 * requires checksum algorithms from http://dcat-ap.de/def/hashAlgorithms, which 3.0 deprecates in
 * favour of the SPDX algorithms.
 */
const V2_SUPERSEDED_BY_V3 = [
  'http://data.europa.eu/r5r#Distribution_Property_dcat_byteSize',
  'http://dcat-ap.de/def/dcatde/Checksum_spdx_algorithm_v_List',
];

/**
 * Code lists no reachable repository publishes as a file. Like the validator script, an IRI under
 * such a namespace counts as a member (`<iri> skos:inScheme <scheme>` is added for the IRIs the data
 * uses), unless a file dropped into `vocabularies/` provides the real list.
 */
const NAMESPACE_LISTS: { namespace: string; scheme: string }[] = [
  ...['language', 'planned-availability', 'dataset-type', 'distribution-status'].map((l) => ({
    namespace: `http://publications.europa.eu/resource/authority/${l}/`,
    scheme: `http://publications.europa.eu/resource/authority/${l}`,
  })),
  ...['Level', 'municipalityKey', 'regionalKey', 'municipalAssociationKey', 'districtKey', 'governmentDistrictKey', 'stateKey'].map((l) => ({
    namespace: `http://dcat-ap.de/def/politicalGeocoding/${l}/`,
    scheme: `http://dcat-ap.de/def/politicalGeocoding/${l}`,
  })),
  { namespace: 'http://purl.org/adms/publishertype/', scheme: 'http://purl.org/adms/publishertype/1.0' },
  { namespace: 'http://purl.org/adms/status/', scheme: 'http://purl.org/adms/status/1.0' },
];

const SH = 'http://www.w3.org/ns/shacl#';
const SKOS_IN_SCHEME = DataFactory.namedNode('http://www.w3.org/2004/02/skos/core#inScheme');

const warned = new Set<string>();
function presentOrWarn(dir: string, what: string): boolean {
  if (existsSync(dir)) return true;
  const rel = path.relative(process.cwd(), dir) || dir;
  if (!warned.has(`${dir}|${what}`)) {
    warned.add(`${dir}|${what}`);
    console.warn(`${what} SKIPPED: ${rel} is not present`);
  }
  return false;
}

async function parseFile(file: string): Promise<Quad[]> {
  const baseIRI = `file://${file}`;
  if (!file.endsWith('.rdf')) return new Parser({ baseIRI }).parse(readFileSync(file, 'utf8')) as Quad[];
  const quads: Quad[] = [];
  const parser = new RdfXmlParser({ baseIRI });
  return new Promise((resolve, reject) => {
    parser.on('data', (q: Quad) => quads.push(q));
    parser.on('error', reject);
    parser.on('end', () => resolve(quads));
    parser.end(readFileSync(file));
  });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = path.join(dir, name);
      return statSync(p).isDirectory() ? filesUnder(p) : /\.(ttl|rdf|nt)$/.test(name) ? [p] : [];
    });
}

const cache = new Map<string, Promise<unknown>>();
function memo<T>(key: string, load: () => Promise<T>): Promise<T> {
  if (!cache.has(key)) cache.set(key, load());
  return cache.get(key) as Promise<T>;
}

const parseAll = async (files: string[]): Promise<Quad[]> => (await Promise.all(files.map(parseFile))).flat();
/** The ontology mirrors (FOAF, vCard, ORG): class hierarchy for sh:class. */
const mirrorQuads = (dir: string): Promise<Quad[]> => memo(`mirror|${dir}`, () => parseAll(filesUnder(path.join(dir, 'mirror'))));

/** Every quad under `vocabularies/` and `mirror/`, the data the official shapes are run with. */
export async function officialDataQuads(dir = DEFAULT_OFFICIAL_DIR): Promise<Quad[] | null> {
  if (!presentOrWarn(dir, 'official DCAT-AP.de vocabularies')) return null;
  return memo(`data|${dir}`, async () => [...(await parseAll(filesUnder(path.join(dir, 'vocabularies')))), ...(await mirrorQuads(dir))]);
}

export interface OfficialValidator {
  profile: OfficialProfile;
  /**
   * Validates `data` with the profile's shapes, the official data and namespace membership.
   * Results of a nested code-list check (`dcterms:license [ sh:property [ sh:path skos:inScheme ] ]`)
   * are reported where the value is used: focus = the resource, path = the outer property, value =
   * the code; the engine itself names the code as focus and skos:inScheme as path.
   */
  validate(data: Iterable<Quad>): Promise<Finding[]>;
}

/** The official shapes of `profile` as a validator, or null (with a warning) when `dir` is absent. */
export async function loadOfficialValidator(profile: OfficialProfile, dir = DEFAULT_OFFICIAL_DIR): Promise<OfficialValidator | null> {
  if (!presentOrWarn(dir, `official DCAT-AP.de shapes (${profile})`)) return null;
  return memo(`${profile}|${dir}`, async () => {
    const background = (await officialDataQuads(dir)) ?? [];
    const shapes = await parseAll(PROFILE_FILES[profile].map((f) => path.join(dir, f)));
    if (profile === 'v2-konv') {
      for (const s of V2_SUPERSEDED_BY_V3) {
        shapes.push(DataFactory.quad(DataFactory.namedNode(s), DataFactory.namedNode(`${SH}deactivated`), DataFactory.literal('true', DataFactory.namedNode('http://www.w3.org/2001/XMLSchema#boolean'))));
      }
    }
    // shacl-engine resolves rdfs:subClassOf (sh:class, sh:targetClass) in the shapes graph.
    const validator = new ShaclValidator([...shapes, ...(await mirrorQuads(dir))], { data: background });
    const nested = nestedShapePaths(shapes);
    const membership = namespaceMembership(background);
    return {
      profile,
      async validate(data: Iterable<Quad>): Promise<Finding[]> {
        const quads = [...data];
        const findings = await validator.validate(quads, membership(quads));
        return liftNested(findings, nested, quads);
      },
    };
  });
}

/** Property shapes nested in a property shape with a plain IRI path: child shape → parent path. */
function nestedShapePaths(shapes: Quad[]): Map<string, string> {
  const store = new Store(shapes);
  const out = new Map<string, string>();
  for (const q of store.getQuads(null, `${SH}property`, null, null)) {
    const parentPath = store.getObjects(q.subject, `${SH}path`, null)[0];
    if (parentPath?.termType === 'NamedNode') out.set(termToString(q.object), parentPath.value);
  }
  return out;
}

function liftNested(findings: Finding[], nested: Map<string, string>, data: Quad[]): Finding[] {
  return findings.flatMap((f) => {
    const outer = f.shape ? nested.get(f.shape) : undefined;
    if (!outer) return [f];
    const users = data.filter((q) => q.predicate.value === outer && termToString(q.object) === f.focusNode);
    if (!users.length) return [f];
    return users.map((q) => ({ ...f, focusNode: termToString(q.subject), path: outer, value: f.focusNode }));
  });
}

function namespaceMembership(background: Quad[]): (data: Quad[]) => Quad[] {
  const listed = new Set(background.filter((q) => q.predicate.equals(SKOS_IN_SCHEME)).map((q) => q.object.value));
  const lists = NAMESPACE_LISTS.filter((l) => !listed.has(l.scheme));
  return (data) => {
    const out: Quad[] = [];
    const seen = new Set<string>();
    for (const q of data) {
      if (q.object.termType !== 'NamedNode' || seen.has(q.object.value)) continue;
      seen.add(q.object.value);
      const list = lists.find((l) => q.object.value.startsWith(l.namespace));
      if (list) out.push(DataFactory.quad(q.object, SKOS_IN_SCHEME, DataFactory.namedNode(list.scheme)));
    }
    return out;
  };
}
