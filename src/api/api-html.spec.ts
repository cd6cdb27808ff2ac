import { prefersHtmlToJson } from './api-html';

describe('which /api requests get the page', () => {
  it('gives browsers the page', () => {
    expect(prefersHtmlToJson('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe(true);
    expect(prefersHtmlToJson('application/xhtml+xml')).toBe(true);
    expect(prefersHtmlToJson('text/html, application/json')).toBe(true);
  });

  it("keeps CKAN's JSON for clients that do not ask for HTML first", () => {
    expect(prefersHtmlToJson(undefined)).toBe(false);
    expect(prefersHtmlToJson('')).toBe(false);
    expect(prefersHtmlToJson('*/*')).toBe(false);
    expect(prefersHtmlToJson('application/json')).toBe(false);
    expect(prefersHtmlToJson('application/json, text/html;q=0.5')).toBe(false);
    expect(prefersHtmlToJson('text/html;q=0')).toBe(false);
  });
});
