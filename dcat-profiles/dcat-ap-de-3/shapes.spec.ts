import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Quad } from '@rdfjs/types';
import { Parser, Store } from 'n3';
import { Finding, loadQuadsFromTurtle, ShaclValidator } from '../../src/dcat/shacl-validator';
import { vocabularyQuads } from '../../src/dcat/vocabulary-quads';
import { loadOfficialValidator, OfficialValidator } from '../../test/dcat-official';

/**
 * Our DCAT-AP.de 3.0 shapes against the official ones, case by case. Each file in
 * fixtures/shacl-cases/ is a synthetic municipal dataset; its header says which (focus node, path)
 * must be reported as a violation ("expect:"), or "no violations". Both sides must report it:
 * ours (with our vocabulary quads) and the official shapes, i.e. the union of the DCAT-AP.de 3.0
 * profile and the 2.0 set with GovData's conventions (test/dcat-official.ts). Beyond that the two
 * violation sets must be equal, except for lines the case documents: "official-also: <focus> <path>
 * -- why" (the official sets report it too, ours does not need to) and "ours-stricter: ... -- why".
 */

const SHARED = path.resolve(__dirname, '../../../shared/dcat-ap-de');
const CASES_DIR = path.join(__dirname, 'fixtures/shacl-cases');
const read = (p: string): string => readFileSync(p, 'utf8');

const PREFIXES: Record<string, string> = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dcatde: 'http://dcat-ap.de/def/dcatde/',
  dcterms: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  schema: 'http://schema.org/',
  time: 'http://www.w3.org/2006/time#',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
};

/** `prefix:name` or `<iri>` → iri; `(a|b)` → `(iri|iri)` sorted, as Finding.path writes alternatives. */
function expandPath(text: string): string {
  const one = (t: string): string => {
    if (t.startsWith('<')) return t.slice(1, -1);
    const [prefix, local] = t.split(':');
    if (!PREFIXES[prefix]) throw new Error(`unknown prefix in case header: ${t}`);
    return PREFIXES[prefix] + local;
  };
  if (!text.startsWith('(')) return one(text);
  return `(${text.slice(1, -1).split('|').map(one).sort().join('|')})`;
}
const expandFocus = (t: string): string => (t.startsWith('<') ? t.slice(1, -1) : t);

interface Case {
  file: string;
  quads: Quad[];
  /** `focus path` keys; empty for a good case. */
  expect: string[];
  officialAlso: string[];
  oursStricter: string[];
}

function pairs(header: string, label: string): string[] {
  return [...header.matchAll(new RegExp(`^# ${label}: (\\S+) (\\S+)`, 'gm'))].map((m) => `${expandFocus(m[1])} ${expandPath(m[2])}`);
}

function loadCase(file: string): Case {
  const text = read(path.join(CASES_DIR, file));
  const header = text.slice(0, text.indexOf('@base'));
  const expect = /^# expect: no violations$/m.test(header) ? [] : pairs(header, 'expect');
  if (!expect.length && !/no violations/.test(header)) throw new Error(`${file}: no "# expect:" line`);
  // Blank node labels as written (_:contact), so a header can name them.
  const quads = new Parser({ blankNodePrefix: '' }).parse(text) as Quad[];
  return { file, quads, expect, officialAlso: pairs(header, 'official-also'), oursStricter: pairs(header, 'ours-stricter') };
}

const CASES = readdirSync(CASES_DIR).filter((f) => f.endsWith('.ttl')).sort().map(loadCase);
const GOOD = CASES.filter((c) => !c.expect.length);
const BROKEN = CASES.filter((c) => c.expect.length);

const violations = (findings: Finding[]): Set<string> =>
  new Set(findings.filter((f) => f.severity === 'violation').map((f) => `${f.focusNode} ${f.path ?? ''}`));

const ours = ShaclValidator.fromTurtle([read(path.join(__dirname, 'shapes.ttl'))]);
const euShapes = ShaclValidator.fromTurtle([read(path.join(__dirname, '../dcat-ap-eu-3/shapes.ttl'))]);

describe('fixtures/shacl-cases', () => {
  it('hold two good cases and at least 15 broken ones', () => {
    expect(GOOD.length).toBeGreaterThanOrEqual(2);
    expect(BROKEN.length).toBeGreaterThanOrEqual(15);
  });
});

describe('our DCAT-AP.de 3.0 shapes', () => {
  it.each(GOOD.map((c) => [c.file, c] as const))('%s: no violations', async (_f, c) => {
    const findings = await ours.validate(c.quads, vocabularyQuads());
    expect(findings.filter((f) => f.severity === 'violation')).toEqual([]);
  });

  it.each(BROKEN.map((c) => [c.file, c] as const))('%s: reports exactly the broken rule', async (_f, c) => {
    const found = violations(await ours.validate(c.quads, vocabularyQuads()));
    expect([...found].sort()).toEqual([...new Set([...c.expect, ...c.oursStricter])].sort());
  });

  it('say what to do in German and English wherever they report something', async () => {
    for (const file of ['shapes.ttl', '../dcat-ap-eu-3/shapes.ttl']) {
      const store = new Store(loadQuadsFromTurtle(read(path.join(__dirname, file))));
      const SH = 'http://www.w3.org/ns/shacl#';
      // Every shape with a severity, and every named property shape (the anonymous ones sit inside
      // the membership building blocks, whose results are reported by the shape that uses them).
      const named = store.getSubjects(`${SH}path`, null, null).filter((t) => t.termType === 'NamedNode');
      const reporting = [...new Map([...store.getSubjects(`${SH}severity`, null, null), ...named].map((t) => [t.value, t])).values()];
      expect(reporting.length).toBeGreaterThan(20);
      for (const shape of reporting) {
        const langs = store.getObjects(shape, `${SH}message`, null).map((m) => (m.termType === 'Literal' ? m.language : ''));
        expect({ shape: shape.value, langs: langs.sort() }).toEqual({ shape: shape.value, langs: ['de', 'en'] });
      }
    }
    // And the findings carry both.
    const c = BROKEN.find((b) => b.file === 'licence-not-in-list.ttl')!;
    const licence = (await ours.validate(c.quads, vocabularyQuads())).find((f) => f.severity === 'violation')!;
    expect(licence.message.de).toMatch(/genau eine Lizenz aus der DCAT-AP.de-Liste/);
    expect(licence.message.en).toMatch(/exactly one licence from the DCAT-AP.de list/);
    expect(licence).toMatchObject({ value: 'http://dcat-ap.de/def/licenses/dl-by-de/2.0/', shape: 'urn:catalog:shapes:dcat-ap-de-3:Distribution-license' });
  });

  it('find list members only through the vocabulary data', async () => {
    const good = GOOD[0];
    const withoutVocabulary = violations(await ours.validate(good.quads));
    expect([...withoutVocabulary].some((k) => k.endsWith(' http://purl.org/dc/terms/license'))).toBe(true);
    expect([...withoutVocabulary].some((k) => k.endsWith(' http://www.w3.org/ns/dcat#theme'))).toBe(true);
    // Background data given at construction works the same as per-call extra data.
    const vocabTurtle = vocabularyQuads()
      .map((q) => `<${q.subject.value}> <${q.predicate.value}> <${q.object.value}> .`)
      .join('\n');
    const withData = ShaclValidator.fromTurtle([read(path.join(__dirname, 'shapes.ttl'))], [vocabTurtle]);
    expect(violations(await withData.validate(good.quads)).size).toBe(0);
  });
});

describe('our EU DCAT-AP 3 shapes', () => {
  it.each(GOOD.map((c) => [c.file, c] as const))('%s: no violations', async (_f, c) => {
    expect([...violations(await euShapes.validate(c.quads, vocabularyQuads()))]).toEqual([]);
  });

  it('check EU rules and none of the German additions', async () => {
    const verdict = async (file: string): Promise<string[]> =>
      [...violations(await euShapes.validate(CASES.find((c) => c.file === file)!.quads, vocabularyQuads()))];
    expect(await verdict('no-access-url.ttl')).toEqual(BROKEN.find((c) => c.file === 'no-access-url.ttl')!.expect);
    expect(await verdict('format-not-eu-file-type.ttl')).toEqual(BROKEN.find((c) => c.file === 'format-not-eu-file-type.ttl')!.expect);
    for (const german of ['no-publisher.ttl', 'distribution-without-licence.ttl', 'licence-not-in-list.ttl', 'contributor-id-not-in-list.ttl', 'contact-phone-only.ttl', 'date-german-format.ttl']) {
      expect({ german, violations: await verdict(german) }).toEqual({ german, violations: [] });
    }
  });
});

const sharedPresent = existsSync(SHARED);
if (!sharedPresent) {
  console.warn(`DCAT-AP.de equivalence with the official shapes SKIPPED: ${path.relative(process.cwd(), SHARED)} is not present`);
}

(sharedPresent ? describe : describe.skip)('equivalence with the official shapes (DCAT-AP.de 3.0 + 2.0 conventions)', () => {
  let official: OfficialValidator[] = [];

  beforeAll(async () => {
    const loaded = await Promise.all([loadOfficialValidator('v3', SHARED), loadOfficialValidator('v2-konv', SHARED)]);
    official = loaded.filter((v): v is OfficialValidator => v !== null);
    expect(official).toHaveLength(2);
  });

  const officialViolations = async (c: Case): Promise<Set<string>> => {
    const sets = await Promise.all(official.map(async (v) => violations(await v.validate(c.quads))));
    return new Set(sets.flatMap((s) => [...s]));
  };

  it.each(GOOD.map((c) => [c.file, c] as const))('%s: no violations in either', async (_f, c) => {
    expect([...(await officialViolations(c))]).toEqual([]);
    expect([...violations(await ours.validate(c.quads, vocabularyQuads()))]).toEqual([]);
  });

  it.each(BROKEN.map((c) => [c.file, c] as const))('%s: both report the same violation', async (_f, c) => {
    const theirs = await officialViolations(c);
    const mine = violations(await ours.validate(c.quads, vocabularyQuads()));
    for (const key of c.expect) {
      expect({ key, official: theirs.has(key), ours: mine.has(key) }).toEqual({ key, official: true, ours: true });
    }
    const onlyOfficial = [...theirs].filter((k) => !mine.has(k) && !c.officialAlso.includes(k));
    const onlyOurs = [...mine].filter((k) => !theirs.has(k) && !c.oursStricter.includes(k));
    expect({ onlyOfficial, onlyOurs }).toEqual({ onlyOfficial: [], onlyOurs: [] });
  });
});
