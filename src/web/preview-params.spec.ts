import { parsePreview, previewQuery, previewSearchInput } from './preview-params';

describe('DataStore preview parameters', () => {
  it('reads page, sort, free text and filters; the form\'s column and value become one more filter', () => {
    const s = parsePreview({ page: '3', sort: 'Wert (m³) desc', q: ' Mosel\u0000 ', 'filter.Ort': ['Cochem', 'Mayen'], filter_field: 'Typ', filter_value: 'Pegel' });
    expect(s).toEqual({ page: 3, sort: { field: 'Wert (m³)', desc: true }, q: 'Mosel', filters: [['Ort', 'Cochem'], ['Ort', 'Mayen'], ['Typ', 'Pegel']] });
    expect(previewSearchInput('r1', s)).toEqual({
      resource_id: 'r1', limit: 25, offset: 50, include_total: true, sort: ['"Wert (m³)" desc'], q: 'Mosel', filters: { Ort: ['Cochem', 'Mayen'], Typ: ['Pegel'] },
    });
    expect(previewSearchInput('r1', s, false)).toEqual({ resource_id: 'r1', limit: 25, offset: 0, include_total: true });
  });

  it('reads odd values as defaults and never lets a quote out of the sort\'s column name', () => {
    for (const page of ['0', '-2', 'abc', '1e9', ['x', '2']]) expect(parsePreview({ page }).page).toBe(1);
    expect(parsePreview({ page: '999999' }).page).toBe(10000);
    expect(parsePreview({ sort: '' }).sort).toBeUndefined();
    expect(parsePreview({ filter_field: 'Ort' }).filters).toEqual([]);
    expect(previewSearchInput('r', parsePreview({ sort: 'a" ; DROP TABLE x asc' })).sort).toEqual(['"a ; DROP TABLE x" asc']);
  });

  it('writes the address back, leaving out the first page and unset parts', () => {
    const s = parsePreview({ q: 'a&b', 'filter.Ort': 'Köln', sort: 'Wert', page: '2' });
    expect(previewQuery(s)).toBe('?q=a%26b&filter.Ort=K%C3%B6ln&sort=Wert&page=2');
    expect(previewQuery(s, { page: 1, sort: { field: 'Wert', desc: true } })).toBe('?q=a%26b&filter.Ort=K%C3%B6ln&sort=Wert+desc');
    expect(previewQuery(parsePreview({}))).toBe('');
  });
});
