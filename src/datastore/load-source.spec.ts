import { sourceOf, tableHint } from './load-source';

const r = (o: Record<string, unknown>) => ({ id: 'r', package_id: 'p', ...o });

describe('which resources the loader takes on its own', () => {
  it('reads the format, then the media type, then the file name', () => {
    expect(tableHint(r({ format: 'CSV' }))).toBe('csv');
    expect(tableHint(r({ format: 'http://publications.europa.eu/resource/authority/file-type/TSV' }))).toBe('tsv');
    expect(tableHint(r({ format: 'XLSX' }))).toBe('xlsx');
    expect(tableHint(r({ format: '', mimetype: 'text/csv; charset=windows-1252' }))).toBe('csv');
    expect(tableHint(r({ url: 'https://stadt.example/daten/haushalt.xlsx?download=1' }))).toBe('xlsx');
  });

  it('leaves other files alone', () => {
    expect(tableHint(r({ format: 'PDF', url: 'https://stadt.example/bericht.pdf' }))).toBeUndefined();
    expect(tableHint(r({ format: 'JSON', mimetype: 'application/json' }))).toBeUndefined();
    expect(tableHint(r({ url: 'https://stadt.example/liesmich.txt', mimetype: 'text/plain' }))).toBeUndefined();
  });

  it('tells an upload by its file and a link by its URL, and has no source for DataStore resources', () => {
    expect(sourceOf(r({ url: 'http://catalog/x/download/a.csv', url_type: 'upload', hash: 'abc' }))).toBe('upload:abc:http://catalog/x/download/a.csv');
    expect(sourceOf(r({ url: 'https://stadt.example/a.csv', url_type: null }))).toBe('link:https://stadt.example/a.csv');
    expect(sourceOf(r({ url: '', url_type: 'datastore' }))).toBeUndefined();
    expect(sourceOf(r({ url: '' }))).toBeUndefined();
  });
});
