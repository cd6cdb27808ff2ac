import { SearchError, SearchQueryError, ValidationError } from '../../api/errors';
import { minimumShouldMatch } from './ast';
import { MAX_QUERY_DEPTH, MAX_QUERY_TERMS, parseFreeText, parseLucene, parseQ } from './solr-parser';

const term = (field: string | null, value: string, wildcard = false) => ({ kind: 'term', field, value, wildcard });

describe('the Solr query grammar', () => {
  it('reads match-all in its spellings', () => {
    for (const q of ['*:*', '', '  ', '""', "''"]) expect(parseLucene(q)).toEqual({ kind: 'all' });
    expect(parseQ(undefined)).toEqual({ kind: 'all' });
  });

  it('reads field terms, phrases and an implicit AND', () => {
    expect(parseLucene('tags:Wasser organization:stadt-speyer')).toEqual({ kind: 'and', children: [term('tags', 'Wasser'), term('organization', 'stadt-speyer')] });
    expect(parseLucene('title:"Pegel am Rhein"')).toEqual({ kind: 'phrase', field: 'title', value: 'Pegel am Rhein' });
  });

  it('reads field names in any script, and escaped characters as part of a name (vocab_<vocabulary name>)', () => {
    expect(parseLucene('vocab_länder:Sachsen')).toEqual(term('vocab_länder', 'Sachsen'));
    expect(parseLucene('vocab_region\\:alt:Ost')).toEqual(term('vocab_region:alt', 'Ost'));
    expect(parseLucene('vocab_mit\\ leerzeichen:x')).toEqual(term('vocab_mit leerzeichen', 'x'));
    expect(() => parseLucene('1abc:x')).toThrow(SearchQueryError);
  });

  it('gives NOT and AND precedence over OR', () => {
    expect(parseLucene('a:1 OR b:2 AND NOT c:3')).toEqual({
      kind: 'or',
      children: [term('a', '1'), { kind: 'and', children: [term('b', '2'), { kind: 'not', child: term('c', '3') }] }],
    });
  });

  it('reads +/- prefixes as required and excluded clauses, not inside words', () => {
    expect(parseLucene('+tags:Wasser -organization:stadt-speyer')).toEqual({
      kind: 'and',
      children: [term('tags', 'Wasser'), { kind: 'not', child: term('organization', 'stadt-speyer') }],
    });
  });

  it('reads the CKAN harvester’s filters', () => {
    expect(parseLucene('organization:a OR organization:b')).toEqual({ kind: 'or', children: [term('organization', 'a'), term('organization', 'b')] });
    expect(parseLucene('-groups:g1 -groups:g2')).toEqual({ kind: 'and', children: [{ kind: 'not', child: term('groups', 'g1') }, { kind: 'not', child: term('groups', 'g2') }] });
    expect(parseLucene('metadata_modified:[2025-05-01T08:59:03.512345Z TO *]')).toEqual({
      kind: 'range', field: 'metadata_modified', lo: '2025-05-01T08:59:03.512345Z', hi: null, loInclusive: true, hiInclusive: true,
    });
  });

  it('reads exclusive and mixed ranges, and quoted bounds', () => {
    expect(parseLucene('num_resources:{1 TO 5]')).toMatchObject({ lo: '1', hi: '5', loInclusive: false, hiInclusive: true });
    expect(parseLucene('metadata_created:["2020-01-01T00:00:00Z" TO NOW-1DAY}')).toMatchObject({ lo: '2020-01-01T00:00:00Z', hi: 'NOW-1DAY', hiInclusive: false });
  });

  it('applies a field to a parenthesised group, and reads wildcards and escapes', () => {
    expect(parseLucene('tags:(Wasser OR Boden)')).toEqual({ kind: 'or', children: [term('tags', 'Wasser'), term('tags', 'Boden')] });
    expect(parseLucene('name:pegel*')).toEqual(term('name', 'pegel*', true));
    expect(parseLucene('url:http\\://example.org')).toEqual(term('url', 'http://example.org'));
    expect(parseLucene('license_id:*')).toMatchObject({ kind: 'range', field: 'license_id', lo: null, hi: null });
  });

  it('ignores boosts and proximity', () => {
    expect(parseLucene('title:pegel^4 "a b"~2')).toEqual({ kind: 'and', children: [term('title', 'pegel'), { kind: 'phrase', field: null, value: 'a b' }] });
  });

  it.each([
    ['(tags:a', 'a closing ")" is missing'],
    ['tags:a)', 'unexpected ")"'],
    ['title:"open', 'unterminated quotes'],
    ['tags:', 'field "tags" has no value'],
    ['a:1 AND', 'the query ends where a term was expected'],
    ['metadata_modified:[2020 2021]', 'a range needs "TO" between its bounds'],
    ['metadata_modified:[2020 TO 2021', 'a range must end with "]" or "}"'],
    ['[a TO b]', 'a range needs a field'],
    [':x', 'a field name is missing'],
  ])('refuses %j with a Search Query Error naming the problem', (q, message) => {
    expect(() => parseLucene(q)).toThrow(SearchQueryError);
    expect(() => parseLucene(q)).toThrow(message);
  });

  it('refuses local parameters as CKAN does', () => {
    expect(() => parseLucene('{!lucene}title:x')).toThrow(SearchError);
  });
});

describe('free text (DisMax mode)', () => {
  it('is chosen for a q without a colon', () => {
    expect(parseQ('Pegel Rhein')).toEqual({ kind: 'free', words: [
      { text: 'Pegel', phrase: false, required: false, excluded: false },
      { text: 'Rhein', phrase: false, required: false, excluded: false },
    ] });
    expect(parseQ('tags:x').kind).toBe('term');
  });

  it('reads phrases, +required, -excluded and NOT', () => {
    expect(parseFreeText('"Pegel am Rhein" +Mainz -Wiesbaden NOT Köln AND Bingen')).toEqual({ kind: 'free', words: [
      { text: 'Pegel am Rhein', phrase: true, required: false, excluded: false },
      { text: 'Mainz', phrase: false, required: true, excluded: false },
      { text: 'Wiesbaden', phrase: false, required: false, excluded: true },
      { text: 'Köln', phrase: false, required: false, excluded: true },
      { text: 'Bingen', phrase: false, required: false, excluded: false },
    ] });
  });

  it('refuses nesting deeper than the cap as a field error, without recursing that deep', () => {
    const deep = (n: number) => `${'('.repeat(n)}a:1${')'.repeat(n)}`;
    expect(parseLucene(deep(MAX_QUERY_DEPTH))).toEqual(term('a', '1'));
    expect(() => parseLucene(deep(MAX_QUERY_DEPTH + 1))).toThrow(ValidationError);
    for (const q of [`${'NOT '.repeat(100_000)}a:1`, `${'-'.repeat(1)}${'(+'.repeat(50_000)}a:1`, `a:${'('.repeat(50_000)}x`]) {
      expect(() => parseLucene(q, 'fq_list')).toThrow(expect.objectContaining({ fields: { fq_list: [`Nested more than ${MAX_QUERY_DEPTH} levels deep`] } }));
    }
  });

  it('refuses more terms than Solr’s maxBooleanClauses, in Lucene syntax and free text', () => {
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`);
    expect(() => parseLucene(words(MAX_QUERY_TERMS).map((w) => `a:${w}`).join(' '))).not.toThrow();
    expect(() => parseLucene(words(MAX_QUERY_TERMS + 1).map((w) => `a:${w}`).join(' '))).toThrow(expect.objectContaining({ fields: { fq: [`At most ${MAX_QUERY_TERMS} terms in a query`] } }));
    expect(() => parseQ(words(MAX_QUERY_TERMS + 1).join(' '))).toThrow(expect.objectContaining({ fields: { q: [`At most ${MAX_QUERY_TERMS} terms in a query`] } }));
    expect(() => parseFreeText(words(MAX_QUERY_TERMS).join(' '))).not.toThrow();
  });

  it('computes CKAN’s minimum match: all of 2, all but one of 3–5, 80% above', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(minimumShouldMatch)).toEqual([1, 2, 2, 3, 4, 4, 8]);
  });
});
