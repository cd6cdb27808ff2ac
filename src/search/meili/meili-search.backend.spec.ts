import { readClauses } from '../../auth/visibility';
import { and, or, QNode } from '../query/ast';
import { parseLucene } from '../query/solr-parser';
import { clausesQuery, SearchRequest } from '../search-request';
import { facetCounts, filterOf, MeiliSearchBackend } from './meili-search.backend';

const now = new Date('2025-06-01T00:00:00Z');

describe('Meilisearch filters and facets for vocabulary tags (vocab_<vocabulary name>)', () => {
  it('filters an exact vocabulary tag on the shared vocab_tags attribute, also negated and combined', () => {
    expect(filterOf(parseLucene('vocab_thema:Wasser'), now)).toBe('vocab_tags = "thema:Wasser"');
    expect(filterOf(parseLucene('vocab_thema:"Wasser"'), now)).toBe('vocab_tags = "thema:Wasser"');
    expect(filterOf(parseLucene('-vocab_thema:Klima'), now)).toBe('NOT (vocab_tags = "thema:Klima")');
    const both: QNode = and(parseLucene('tags:Pegel'), or(parseLucene('vocab_a\\:b:x'), parseLucene('vocab_länder:Sachsen')));
    expect(filterOf(both, now)).toBe('(tags = "Pegel") AND ((vocab_tags = "a:b:x") OR (vocab_tags = "länder:Sachsen"))');
  });

  it('leaves patterns, presence and ranges over a vocabulary to PostgreSQL (filterOf refuses them)', () => {
    for (const q of ['vocab_thema:Was*', 'vocab_thema:*', 'vocab_thema:[* TO *]', 'vocab_thema:[A TO M]']) {
      expect(() => filterOf(parseLucene(q), now)).toThrow();
    }
  });

  it('counts a vocabulary facet from its own entries only, and other facets as they come', () => {
    const distribution = {
      vocab_tags: { 'thema:Wasser': 3, 'thema:Klima': 1, 'thema:alt:Wasser': 7, 'themen:Luft': 2 },
      tags: { Pegel: 4 },
    };
    expect(facetCounts('vocab_thema', distribution)).toEqual(new Map([['Wasser', 3], ['Klima', 1]]));
    expect(facetCounts('vocab_thema:alt', distribution)).toEqual(new Map([['Wasser', 7]]));
    expect(facetCounts('vocab_fehlt', distribution)).toEqual(new Map());
    expect(facetCounts('tags', distribution)).toEqual(new Map([['Pegel', 4]]));
    expect(facetCounts('tags', undefined)).toEqual(new Map());
  });
});

describe('Meilisearch filters for the read rule with access levels (issue 14)', () => {
  it("filters a platform member's internal clause and an organization's shared clause on access_level and shared_with", () => {
    const filter = filterOf(clausesQuery(readClauses({ all: false, userId: 'u-1', readOrgIds: ['org-b'], editOrgIds: [], collaboratorOf: [], editorOf: [], inPlatformOrg: true })), now);
    expect(filter).toContain('(state = "active") AND (access_level = "internal")');
    expect(filter).toContain('(state = "active") AND (access_level = "shared") AND (shared_with = "org-b")');
  });

  it('adds neither clause for a user in no organization', () => {
    const filter = filterOf(clausesQuery(readClauses({ all: false, userId: 'u-1', readOrgIds: [], editOrgIds: [], collaboratorOf: [], editorOf: [] })), now);
    expect(filter).not.toContain('access_level');
    expect(filter).not.toContain('shared_with');
  });
});

describe('Meilisearch and ext_bbox', () => {
  const box: QNode = { kind: 'bbox', box: [7.5, 49.9, 8.5, 1e-7] };
  it('filters an intersecting extent, edges included, on the box corners (a dataset without one matches none)', () => {
    expect(filterOf(box, now)).toBe('bbox_minx <= 8.5 AND bbox_maxx >= 7.5 AND bbox_miny <= 0.0000001 AND bbox_maxy >= 49.9');
    expect(filterOf({ kind: 'not', child: box }, now)).toBe('NOT (bbox_minx <= 8.5 AND bbox_maxx >= 7.5 AND bbox_miny <= 0.0000001 AND bbox_maxy >= 49.9)');
  });

  it('leaves a box ranked by overlap (a score order) to PostgreSQL, and answers it in another order', () => {
    const req = (sort: string): SearchRequest => ({
      q: { kind: 'free', words: [{ text: 'karte', phrase: false, required: false, excluded: false }] }, filters: [box], sortText: sort,
      sort: sort.split(', ').map((p) => ({ field: p.split(' ')[0], desc: p.endsWith('desc') })), rows: 10, start: 0, facetFields: [], facetLimit: 50, facetMincount: 1,
    });
    const canAnswer = (r: SearchRequest): boolean => MeiliSearchBackend.prototype.canAnswer.call({}, r);
    expect(canAnswer(req('score desc, metadata_modified desc'))).toBe(false);
    expect(canAnswer(req('name asc'))).toBe(true);
  });
});

describe('Meilisearch and the metadata quality fields (issue 16)', () => {
  it('leaves quality_score and quality_rating, which its index does not hold, to PostgreSQL (filterOf refuses them)', () => {
    for (const q of ['quality_score:50', 'quality_score:[150 TO *]', 'quality_rating:good', 'quality_rating:*']) {
      expect(() => filterOf(parseLucene(q), now)).toThrow();
    }
    expect(filterOf(parseLucene('num_resources:[2 TO *]'), now)).toBe('num_resources >= 2');
  });
});
