import { pickLang, translator } from './i18n/i18n';
import { safeHref } from './dataset-fields';
import { dictFromState, stateFromForm } from './dataset-form';
import { localMessage } from './validation-messages';
import { filterClause, parseSearch, searchHref } from './search-params';

describe('page language', () => {
  it('takes ?lang first, then the cookie, then Accept-Language, else German', () => {
    expect(pickLang('en', 'lang=de', 'de')).toEqual({ lang: 'en', fromQuery: true });
    expect(pickLang(undefined, 'a=1; lang=en', 'de')).toEqual({ lang: 'en', fromQuery: false });
    expect(pickLang('fr', 'lang=xx', 'fr-CH, en;q=0.8, de;q=0.7').lang).toBe('en');
    expect(pickLang(undefined, undefined, undefined).lang).toBe('de');
  });

  it('fills placeholders', () => {
    expect(translator('de')('paging.page', { page: 2, pages: 7 })).toBe('Seite 2 von 7');
    expect(translator('en')('paging.page', { page: 2, pages: 7 })).toBe('Page 2 of 7');
  });
});

describe('search addresses', () => {
  it('reads CKAN parameters and their sort strings, and odd values as defaults', () => {
    expect(parseSearch({ q: ' Pegel ', tags: ['a', 'b', 'a'], sort: 'title_string asc', page: '3' })).toEqual({
      q: 'Pegel', filters: [['tags', 'a'], ['tags', 'b']], sort: 'name', page: 3,
    });
    expect(parseSearch({ sort: 'nonsense', page: '-1' })).toMatchObject({ sort: 'relevance', page: 1 });
    expect(parseSearch({ page: '1e9' }).page).toBe(500);
    expect(parseSearch({ organization: 'x' }, ['organization']).filters).toEqual([]);
  });

  it('quotes filter values and matches HVD categories by code', () => {
    expect(filterClause('tags', 'say "hi" \\')).toBe('tags:"say \\"hi\\" \\\\"');
    expect(filterClause('hvd_category', 'http://data.europa.eu/bna/c_dd313021')).toBe('hvd_category:*c_dd313021*');
  });

  it('writes links with only what differs from the defaults', () => {
    const s = parseSearch({ q: 'a b', res_format: 'CSV' });
    expect(searchHref('/dataset', s)).toBe('/dataset?q=a+b&res_format=CSV');
    expect(searchHref('/dataset', s, { page: 2, sort: 'modified' })).toBe('/dataset?q=a+b&res_format=CSV&sort=modified&page=2');
    expect(searchHref('/dataset', parseSearch({}))).toBe('/dataset');
  });
});

describe('link targets from stored text', () => {
  it('keeps web, FTP, e-mail and own paths and drops script and data addresses', () => {
    for (const ok of ['https://a.example/x.csv', 'HTTP://a.example', 'ftp://f.example/a', 'mailto:a@b.example', '/dataset/x']) expect(safeHref(ok)).toBe(ok);
    for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<b>', '//evil.example', 'vbscript:x', '', undefined]) expect(safeHref(bad)).toBeUndefined();
  });
});

describe('dataset form input', () => {
  it('keeps line breaks as the steward typed them, not as the browser encodes them (CRLF)', () => {
    const s = stateFromForm(new URLSearchParams({ notes: 'Erste Zeile\r\n\r\nZweite', spatial: '{"type":\r\n"Point", "coordinates": [7, 50]}', documentation: 'https://a.example\r\nhttps://b.example' }));
    expect(s.values.notes).toEqual(['Erste Zeile\n\nZweite']);
    expect(s.values.spatial).toEqual(['{"type":\n"Point", "coordinates": [7, 50]}']);
    expect(s.values.documentation).toEqual(['https://a.example', 'https://b.example']);
  });
});

describe('form messages', () => {
  it('reads CKAN\'s and the source actions\' messages in German on German pages, and as the API wrote them on English ones', () => {
    expect(localMessage('Invalid URL: only absolute http and https URLs are harvested', 'de')).toBe('Nur vollständige http- und https-Adressen können geerntet werden.');
    expect(localMessage('Invalid URL: only absolute http and https URLs are harvested', 'en')).toBe('Invalid URL: only absolute http and https URLs are harvested');
    expect(localMessage('Missing value', 'de')).toBe('Bitte ausfüllen.');
    expect(localMessage('Pflichtfeld fehlt / Required field missing', 'en')).toBe('Required field missing');
    expect(localMessage('Something nobody translated', 'de')).toBe('Something nobody translated');
  });
});

describe('dataset form output', () => {
  const stored = { id: 'd1', name: 'd', owner_org: 'org-a', private: true, organization: { id: 'org-a', name: 'stadt-a' } };
  const form = (o: Record<string, string>): ReturnType<typeof stateFromForm> => stateFromForm(new URLSearchParams({ title: 'T', name: 'd', ...o }));

  it('leaves the organization and the visibility out of an edit when the steward did not change them, so package_patch keeps them', () => {
    const dict = dictFromState(form({ owner_org: 'org-a', private: 'true' }), stored);
    expect(dict).not.toHaveProperty('owner_org');
    expect(dict).not.toHaveProperty('private');
    expect(dictFromState(form({}), stored)).not.toHaveProperty('private');
  });

  it('sends them when the steward changed them, and always for a new dataset', () => {
    expect(dictFromState(form({ owner_org: 'org-b', private: 'false' }), stored)).toMatchObject({ owner_org: 'org-b', private: false });
    expect(dictFromState(form({ owner_org: 'org-a', private: 'true' }))).toMatchObject({ owner_org: 'org-a', private: true });
  });
});
