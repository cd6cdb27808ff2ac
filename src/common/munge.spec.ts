import { mungeFilename } from './munge';

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
