import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Quad } from '@rdfjs/types';
import { Parser } from 'n3';
import { isomorphic } from 'rdf-isomorphic';
import { DcatGraphReader, DcatGraphWriter } from '../../src/dcat/dcat-graph';
import type { CatalogInfo, Dict, LiveFacts, OrganizationInfo } from '../../src/dcat/profile';
import { formatByExt, parseRdf, serializeQuads } from '../../src/dcat/rdf-formats';
import { ShaclValidator } from '../../src/dcat/shacl-validator';
import { vocabularyQuads } from '../../src/dcat/vocabulary-quads';
import { loadOfficialValidator } from '../../test/dcat-official';
import { dcatApDe3 } from './profile';

/**
 * Profile fixtures: each `fixtures/cases/<case>.input.json` (a dataset dict as package_show returns it, its
 * organization and the catalog's settings) is written with this profile and compared with `<case>.expected.ttl` as
 * graphs (isomorphism, never as text), read back into a dict, and checked against our shapes and the official ones.
 */

const CASES_DIR = path.join(__dirname, 'fixtures/cases');
const SHARED = path.resolve(__dirname, '../../../shared/dcat-ap-de');
const CATALOG_DEFAULTS: CatalogInfo = { siteUrl: 'http://catalog.test', title: 'Test', description: 'Test', language: 'de', publisherName: 'Test', homepage: 'http://catalog.test' };

interface FixtureCase {
  name: string;
  catalog: CatalogInfo;
  organization: OrganizationInfo | null;
  dataset: Dict;
  /** What the publisher looks up of a live dataset's data (DcatService), for a sensor case. */
  live?: LiveFacts;
  expected: Quad[];
}

const CASES: FixtureCase[] = readdirSync(CASES_DIR)
  .filter((f) => f.endsWith('.input.json'))
  .sort()
  .map((f) => {
    const name = f.replace(/\.input\.json$/, '');
    const input = JSON.parse(readFileSync(path.join(CASES_DIR, f), 'utf8')) as { catalog?: Partial<CatalogInfo>; organization?: OrganizationInfo; dataset: Dict; live?: LiveFacts };
    const expected = new Parser({ baseIRI: 'http://catalog.test/' }).parse(readFileSync(path.join(CASES_DIR, `${name}.expected.ttl`), 'utf8')) as Quad[];
    return { name, catalog: { ...CATALOG_DEFAULTS, ...input.catalog }, organization: input.organization ?? null, dataset: input.dataset, live: input.live, expected };
  });

const write = (c: FixtureCase): Quad[] => new DcatGraphWriter(dcatApDe3, c.catalog).dataset(c.dataset, c.organization, [], c.live);
const violationsOf = (findings: { severity: string; focusNode: string; path?: string; message: unknown }[]): string[] =>
  findings.filter((f) => f.severity === 'violation').map((f) => `${f.focusNode} ${f.path ?? ''}: ${JSON.stringify(f.message)}`);

describe('DCAT-AP.de 3.0 profile fixtures', () => {
  it('has a case for a sensor dataset', () => {
    expect(CASES.map((c) => c.name)).toContain('sensor-gauge');
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: writes the expected graph', (_n, c) => {
    const quads = write(c);
    const describe = (q: Quad): string => `${q.subject.value} ${q.predicate.value} ${q.object.value}`;
    // The triples without blank nodes first, so a difference reads as a list; then the whole graph.
    expect(quads.map(describe).sort()).toEqual(c.expected.map(describe).sort());
    expect(isomorphic(quads, c.expected)).toBe(true);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: reads back into the dict it came from', async (_n, c) => {
    const text = await serializeQuads(write(c), formatByExt('ttl')!, dcatApDe3.prefixes);
    const [back] = new DcatGraphReader(dcatApDe3).datasets(await parseRdf(text, 'text/turtle', c.catalog.siteUrl));
    expect(back.title).toBe(c.dataset.title);
    const extras = Object.fromEntries((back.extras as { key: string; value: string }[]).map((e) => [e.key, e.value]));
    const original = Object.fromEntries(((c.dataset.extras ?? []) as { key: string; value: string }[]).map((e) => [e.key, e.value]));
    if (original.spatial) expect(JSON.parse(extras.spatial)).toEqual(JSON.parse(original.spatial));
    if (original.frequency) expect(extras.frequency).toBe(original.frequency);
    // A live dataset's period comes back as the temporal coverage a harvester of this catalog stores.
    if (c.live?.firstObservationAt) expect(extras.temporal_start).toBe(c.live.firstObservationAt);
    expect((back.resources as Dict[]).map((r) => r.url).sort()).toEqual(((c.dataset.resources ?? []) as Dict[]).map((r) => r.url).sort());
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: passes our shapes with no violation', async (_n, c) => {
    const ours = ShaclValidator.fromTurtle([readFileSync(path.join(__dirname, 'shapes.ttl'), 'utf8')]);
    expect(violationsOf(await ours.validate(write(c), vocabularyQuads()))).toEqual([]);
  });

  (existsSync(SHARED) ? it.each(CASES.map((c) => [c.name, c] as const)) : it.skip.each(CASES.map((c) => [c.name, c] as const)))(
    '%s: passes the official DCAT-AP.de 3.0 shapes and the GovData 2.0 conventions with no violation',
    async (_n, c) => {
      for (const profile of ['v3', 'v2-konv'] as const) {
        const official = await loadOfficialValidator(profile, SHARED);
        expect(official).not.toBeNull();
        expect({ profile, violations: violationsOf(await official!.validate(write(c))) }).toEqual({ profile, violations: [] });
      }
    },
  );
});
