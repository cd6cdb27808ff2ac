import { jsonTooDeep, MAX_JSON_DEPTH } from './json-depth';

describe('jsonTooDeep', () => {
  const nested = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;

  it('allows nesting up to the cap and refuses one level more', () => {
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonTooDeep(`{"a":${nested(MAX_JSON_DEPTH - 1)}}`)).toBe(false);
    expect(jsonTooDeep(`{"a":${nested(MAX_JSON_DEPTH)}}`)).toBe(true);
  });

  it('counts depth, not the number of lists', () => {
    expect(jsonTooDeep(`[${Array.from({ length: 10_000 }, () => '[[1]]').join(',')}]`)).toBe(false);
  });

  it('ignores brackets inside strings, including after escaped quotes and backslashes', () => {
    expect(jsonTooDeep(JSON.stringify({ a: '['.repeat(1000) }))).toBe(false);
    expect(jsonTooDeep(JSON.stringify({ a: `\\"${'{'.repeat(1000)}` }))).toBe(false);
    expect(jsonTooDeep(JSON.stringify({ a: `x\\`, b: '['.repeat(1000) }))).toBe(false);
  });

  it('judges a 200,000-deep list without recursion', () => {
    expect(jsonTooDeep(nested(200_000))).toBe(true);
  });
});
