import type { Quad, Term } from '@rdfjs/types';
import { DataFactory, Parser } from 'n3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadQuadsFromTurtle, ShaclValidator } from './shacl-validator';
import { vocabularyQuads } from './vocabulary-quads';

/**
 * The compiled shapes (shacl-compiled.ts) validate every dataset write; shacl-engine is the reference they are held
 * to: for our profiles' shapes, over every fixture case and hundreds of variants made from them by random edits,
 * both must report exactly the same findings in the same order.
 */

const { namedNode, literal, blankNode, quad } = DataFactory;
const PROFILES = join(__dirname, '../../dcat-profiles');
const CASES_DIR = join(PROFILES, 'dcat-ap-de-3/fixtures/shacl-cases');
const SHAPES = {
  'dcat-ap-de-3': readFileSync(join(PROFILES, 'dcat-ap-de-3/shapes.ttl'), 'utf8'),
  'dcat-ap-eu-3': readFileSync(join(PROFILES, 'dcat-ap-eu-3/shapes.ttl'), 'utf8'),
};
const CASES = readdirSync(CASES_DIR).filter((f) => f.endsWith('.ttl')).sort()
  .map((file) => ({ file, quads: new Parser({ blankNodePrefix: '' }).parse(readFileSync(join(CASES_DIR, file), 'utf8')) as Quad[] }));
const VOCABULARY = vocabularyQuads();
/** Members of each code list, by the scheme they are in. */
const MEMBERS = new Map<string, Quad['object'][]>();
for (const q of VOCABULARY) if (q.predicate.value.endsWith('#inScheme')) MEMBERS.set(q.object.value, [...(MEMBERS.get(q.object.value) ?? []), q.subject]);
const schemeOf = (t: Term): string | undefined => VOCABULARY.find((q) => q.subject.equals(t) && q.predicate.value.endsWith('#inScheme'))?.object.value;

const XSD = 'http://www.w3.org/2001/XMLSchema#';
const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dcterms: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
};
const TYPE = namedNode(`${NS.rdf}type`);
const CLASSES = [
  `${NS.foaf}Agent`, `${NS.foaf}Organization`, `${NS.foaf}Person`, 'http://www.w3.org/ns/org#Organization', `${NS.vcard}Kind`,
  `${NS.vcard}Organization`, `${NS.dcterms}Location`, `${NS.dcterms}PeriodOfTime`, 'http://www.w3.org/ns/adms#Identifier',
  'http://spdx.org/rdf/terms#Checksum', `${NS.dcat}Dataset`, `${NS.dcat}Distribution`, `${NS.dcat}Catalog`, `${NS.dcat}DataService`,
  'http://www.w3.org/2006/time#Instant', 'urn:catalog:shapes:dcat-ap-de-3:InLicenceList', 'urn:catalog:shapes:dcat-ap-de-3:DatasetShape',
].map((c) => namedNode(c));
const IRIS = [
  'http://dcat-ap.de/def/licenses/dl-by-de/2.0', 'http://dcat-ap.de/def/licenses/cc-by/4.0/', 'http://dcat-ap.de/def/contributors/openNRW',
  'http://dcat-ap.de/def/contributors/unknown', 'http://publications.europa.eu/resource/authority/file-type/CSV',
  'http://publications.europa.eu/resource/authority/file-type/NOPE', 'http://publications.europa.eu/resource/authority/data-theme/TRAN',
  'http://publications.europa.eu/resource/authority/language/DEU', 'http://publications.europa.eu/resource/authority/language/deu',
  'https://www.iana.org/assignments/media-types/text/csv', 'HTTP://WWW.IANA.ORG/assignments/media-types/x', 'mailto:info@example.org',
  'tel:+49621', 'http://purl.org/adms/publishertype/LocalAuthority', 'http://dcat-ap.de/def/politicalGeocoding/Level/municipality',
  'http://dcat-ap.de/def/politicalGeocoding/regionalKey/073180000000', 'http://spdx.org/rdf/terms#checksumAlgorithm_sha256',
  'https://example.org/page',
].map((i) => namedNode(i));
const LITERALS = [
  literal('2025-01-15', namedNode(`${XSD}date`)), literal('2025-13-45', namedNode(`${XSD}date`)), literal('2025-01-15T08:00:00+01:00', namedNode(`${XSD}dateTime`)),
  literal('2025', namedNode(`${XSD}gYear`)), literal('2025-02', namedNode(`${XSD}gYearMonth`)), literal('15.01.2025'), literal('12', namedNode(`${XSD}decimal`)),
  literal('zwölf', namedNode(`${XSD}decimal`)), literal('PT15M', namedNode(`${XSD}duration`)), literal('-3', namedNode(`${XSD}nonNegativeInteger`)),
  literal('48213', namedNode(`${XSD}nonNegativeInteger`)), literal('ff00', namedNode(`${XSD}hexBinary`)), literal('xyz', namedNode(`${XSD}hexBinary`)),
  literal('Titel', 'de'), literal('Title', 'en'), literal('mailto:info@example.org'), literal('http://dcat-ap.de/def/licenses/dl-by-de/2.0'),
];

/** A small deterministic generator (mulberry32), so a failing variant can be found again by its number. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One to four random edits of the kinds that make findings: drop, repeat, retype, swap kinds and values. */
function variant(quads: Quad[], seed: number): Quad[] {
  const rnd = random(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const out = [...quads];
  const nodes = (): Term[] => [...new Map(out.flatMap((q) => [q.subject, q.object]).filter((t) => t.termType !== 'Literal').map((t) => [t.termType + t.value, t])).values()];
  const edits = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < edits && out.length; i++) {
    const at = Math.floor(rnd() * out.length);
    const q = out[at];
    switch (Math.floor(rnd() * 8)) {
      case 7: {
        // Another member of the same code list beside the first (two licences, two contributor IDs).
        const scheme = schemeOf(q.object);
        if (scheme) out.push(quad(q.subject, q.predicate, pick(MEMBERS.get(scheme)!)));
        break;
      }
      case 0: out.splice(at, 1); break;
      case 1: out.push(quad(q.subject, q.predicate, pick([...IRIS, ...LITERALS]))); break;
      case 2: out[at] = quad(q.subject, q.predicate, pick(LITERALS)); break;
      case 3: out[at] = quad(q.subject, q.predicate, pick(IRIS)); break;
      case 4: out[at] = quad(q.subject, q.predicate, q.object.termType === 'Literal' ? namedNode(q.object.value) : literal(q.object.value)); break;
      case 5: {
        // A type for an untyped node (a node of two targeted classes meets shacl-engine's cache; see the test below).
        const untyped = nodes().filter((n) => !out.some((x) => x.subject.equals(n) && x.predicate.equals(TYPE)));
        if (untyped.length) out.push(quad(pick(untyped) as Quad['subject'], TYPE, pick(CLASSES)));
        break;
      }
      default: out[at] = quad(q.subject, q.predicate, blankNode(`b${seed}x${i}`)); break;
    }
  }
  return out;
}

describe('compiled SHACL shapes', () => {
  for (const [profile, text] of Object.entries(SHAPES)) {
    describe(`${profile} shapes`, () => {
      const shapes = loadQuadsFromTurtle(text);
      const compiled = new ShaclValidator(shapes);
      const reference = new ShaclValidator(shapes, { engine: 'shacl-engine' });

      it('are compiled (writes do not fall back to shacl-engine)', () => {
        expect(compiled.engineName).toBe('compiled');
        expect(reference.engineName).toBe('shacl-engine');
      });

      it('report exactly what shacl-engine reports for every fixture case', async () => {
        let findings = 0;
        for (const c of CASES) {
          const expected = await reference.validate(c.quads, VOCABULARY);
          findings += expected.length;
          expect({ file: c.file, findings: await compiled.validate(c.quads, VOCABULARY) }).toEqual({ file: c.file, findings: expected });
        }
        expect(findings).toBeGreaterThan(0); // the cases do report things
      });

      // SHACL_VARIANTS=20000 npx jest shacl-compiled checks more variants (both profiles passed 15,000 when this was written).
      it('report exactly what shacl-engine reports for 600 randomly edited variants of the cases', async () => {
        const constraints = new Set<string>();
        for (let seed = 1; seed <= Number(process.env.SHACL_VARIANTS ?? 600); seed++) {
          const base = CASES[seed % CASES.length];
          const quads = variant(base.quads, seed);
          const expected = await reference.validate(quads, VOCABULARY);
          for (const f of expected) constraints.add(f.constraint ?? '');
          expect({ seed, file: base.file, findings: await compiled.validate(quads, VOCABULARY) }).toEqual({ seed, file: base.file, findings: expected });
        }
        // The variants reach the kinds of constraint the shapes use, not only missing values.
        for (const c of ['sh:MinCountConstraintComponent', 'sh:MaxCountConstraintComponent', 'sh:NodeKindConstraintComponent', 'sh:ClassConstraintComponent', 'sh:NodeConstraintComponent', 'sh:PatternConstraintComponent']) {
          expect(constraints).toContain(c);
        }
        if (profile === 'dcat-ap-de-3') for (const c of ['sh:DatatypeConstraintComponent', 'sh:QualifiedMinCountConstraintComponent', 'sh:QualifiedMaxCountConstraintComponent']) expect(constraints).toContain(c);
      });
    });
  }

  it('report a value outside a code list for every shape that checks it, also where shacl-engine\'s cache reports it once', async () => {
    // shacl-engine caches a nested shape's verdict per value and path but replays only the failing inner shape's
    // results, so a second shape reaching the same value through the same statement sees it conform. SHACL asks for
    // each shape's result; our graphs never type a node twice, so published graphs get the same findings either way.
    const validator = new ShaclValidator(loadQuadsFromTurtle(SHAPES['dcat-ap-de-3']));
    const data = loadQuadsFromTurtle(`<urn:x> a <http://www.w3.org/ns/dcat#Catalog>, <http://www.w3.org/ns/dcat#Distribution> ;
      <http://purl.org/dc/terms/license> <http://dcat-ap.de/def/licenses/dl-by-de/2.0/> .`);
    const shapes = (await validator.validate(data, VOCABULARY)).filter((f) => f.constraint === 'sh:NodeConstraintComponent').map((f) => f.shape);
    expect(shapes.sort()).toEqual(['urn:catalog:shapes:dcat-ap-de-3:Catalog-licenseList', 'urn:catalog:shapes:dcat-ap-de-3:Distribution-license']);
  });

  it('fall back to shacl-engine for shapes that use SHACL beyond what is compiled, with the same findings', async () => {
    const shapes = loadQuadsFromTurtle(`
      @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dcterms: <http://purl.org/dc/terms/> .
      <urn:s> a sh:NodeShape ; sh:targetClass dcat:Dataset ; sh:property [ sh:path dcterms:title ; sh:minLength 5 ] .`);
    const validator = new ShaclValidator(shapes);
    expect(validator.engineName).toBe('shacl-engine');
    const data = loadQuadsFromTurtle('<urn:d> a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> "kurz" .');
    expect((await validator.validate(data)).map((f) => f.constraint)).toEqual(['sh:MinLengthConstraintComponent']);
  });

  it('fall back to shacl-engine for recursive shapes', () => {
    const shapes = loadQuadsFromTurtle(`
      @prefix sh: <http://www.w3.org/ns/shacl#> .
      <urn:a> a sh:NodeShape ; sh:targetClass <urn:C> ; sh:property [ sh:path <urn:p> ; sh:node <urn:a> ] .`);
    expect(new ShaclValidator(shapes).engineName).toBe('shacl-engine');
  });

  it('give the default message, path and value of each constraint when a shape has no message of its own', async () => {
    const shapes = loadQuadsFromTurtle(`
      @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
      <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ;
        sh:property [ sh:path <urn:count> ; sh:minCount 2 ; sh:maxCount 0 ] ,
                    [ sh:path [ sh:alternativePath ( <urn:b> <urn:a> ) ] ; sh:datatype xsd:date ; sh:pattern "^x" ; sh:nodeKind sh:IRI ] ,
                    [ sh:path <urn:has> ; sh:hasValue "wert"@de ] .`);
    const data = loadQuadsFromTurtle('<urn:n> a <urn:C> ; <urn:count> 1 ; <urn:a> "2025-1-5"^^<http://www.w3.org/2001/XMLSchema#date> .');
    const compiled = await new ShaclValidator(shapes).validate(data);
    expect(compiled).toEqual(await new ShaclValidator(shapes, { engine: 'shacl-engine' }).validate(data));
    expect(compiled.map((f) => [f.constraint, f.path, f.value, f.message.en])).toEqual([
      ['sh:DatatypeConstraintComponent', '(urn:a|urn:b)', '2025-1-5', 'Value does not have datatype <http://www.w3.org/2001/XMLSchema#date>'],
      ['sh:NodeKindConstraintComponent', '(urn:a|urn:b)', '2025-1-5', 'Value does not have node kind <http://www.w3.org/ns/shacl#IRI>'],
      ['sh:PatternConstraintComponent', '(urn:a|urn:b)', '2025-1-5', 'Value does not match pattern "^x"'],
      ['sh:MaxCountConstraintComponent', 'urn:count', undefined, 'More than 0 values'],
      ['sh:MinCountConstraintComponent', 'urn:count', undefined, 'Less than 2 values'],
      ['sh:HasValueConstraintComponent', 'urn:has', undefined, 'Missing expected value "wert"@de'],
    ]);
  });
});
