import { prefersHtml } from './dataset-html';

describe('which requests to /dataset/{id} get the page instead of RDF', () => {
  it('gives browsers the page', () => {
    expect(prefersHtml('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe(true); // Firefox, Chrome
    expect(prefersHtml('text/html')).toBe(true);
  });

  it('gives RDF clients, curl and requests without Accept RDF', () => {
    expect(prefersHtml('text/turtle')).toBe(false);
    expect(prefersHtml('application/rdf+xml, text/html;q=0.5')).toBe(false);
    expect(prefersHtml('text/html;q=0.9, text/n3')).toBe(false);
    expect(prefersHtml('*/*')).toBe(false);
    expect(prefersHtml(undefined)).toBe(false);
    expect(prefersHtml('text/html;q=0')).toBe(false);
  });
});
