import { mungeFilename, mungeName } from './munge';

describe('mungeFilename (CKAN munge_filename)', () => {
  it.each([
    ['Test Data.csv', 'test-data.csv'],
    ['Übersicht Straßen 2024.XLSX', 'ubersicht-strassen-2024.xlsx'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\x\\bericht.pdf', 'bericht.pdf'],
    ['a\0b.txt', 'ab.txt'],
    ['..', '___'],
    ['.htaccess', 'htaccess'],
    ['x', 'x__'],
  ])('%s → %s', (input, expected) => {
    expect(mungeFilename(input)).toBe(expected);
  });

  it('keeps names within 100 characters and the extension', () => {
    const out = mungeFilename(`${'a'.repeat(300)}.csv`);
    expect(out).toHaveLength(100);
    expect(out.endsWith('.csv')).toBe(true);
  });
});

describe('mungeName (CKAN munge_name)', () => {
  it.each([
    ['SAARBRÜCKEN-ST. ARNUAL', 'saarbrucken-st-arnual'],
    ['B9 Koblenz-Nord, MQ0101', 'b9-koblenz-nord-mq0101'],
    ['  Bad Kreuznach  ', 'bad-kreuznach'],
    ['Straße_1', 'strasse_1'],
    ['x', 'x_'],
    ['!!!', '__'],
  ])('%s → %s', (input, expected) => {
    expect(mungeName(input)).toBe(expected);
  });

  it('keeps names within the bound, without a trailing dash', () => {
    const out = mungeName(`${'a'.repeat(95)} bbbbbbbbbb`);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.endsWith('-')).toBe(false);
  });
});
