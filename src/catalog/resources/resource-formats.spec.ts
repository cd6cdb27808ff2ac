import { cleanFormat, guessFormatFromUrl } from './resource-formats';

describe('resource formats', () => {
  it('normalises known formats case-insensitively and by MIME type', () => {
    expect(cleanFormat('csv')).toBe('CSV');
    expect(cleanFormat('text/csv')).toBe('CSV');
    expect(cleanFormat('geojson')).toBe('GeoJSON');
    expect(cleanFormat('.xlsx')).toBe('XLSX');
  });

  it('keeps unknown formats as given', () => {
    expect(cleanFormat('Mein Format')).toBe('Mein Format');
  });

  it('guesses from the URL’s extension, ignoring query strings', () => {
    expect(guessFormatFromUrl('https://example.org/data/pegel.csv?x=1')).toBe('CSV');
    expect(guessFormatFromUrl('daten.geojson')).toBe('GeoJSON');
    expect(guessFormatFromUrl('https://example.org/')).toBeUndefined();
    expect(guessFormatFromUrl('https://example.org/api')).toBeUndefined();
  });
});
