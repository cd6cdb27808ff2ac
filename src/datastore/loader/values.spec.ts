import { integerType, isMissingMarker, parseBoolean, parseDate, parseNumber, parseTimestamp } from './values';

describe('reading one cell as a number', () => {
  it.each([
    ['1.234,56', '1234.56', null],
    ['-3,5', '-3.5', null],
    ['1.234.567', '1234567', null],
    ['1,234.56', null, '1234.56'],
    ['3.5', null, '3.5'],
    ['1,234,567', null, '1234567'],
    ['1.234', '1234', '1.234'],
    ['1,500', '1.500', '1500'],
    ['42', '42', '42'],
    ['+7', '7', '7'],
    [',5', '.5', null],
    ['1.5e3', null, '1.5e3'],
    ['12a', null, null],
    ['1.23.4', null, null],
    ['01067', null, null],
    ['0,5', '0.5', null],
    ['e5', null, null],
  ])('%s reads %s in German and %s in English notation', (text, de, en) => {
    expect(parseNumber(text, 'de')).toBe(de);
    expect(parseNumber(text, 'en')).toBe(en);
  });

  it.each([
    ['2147483647', 'int4'],
    ['-2147483648', 'int4'],
    ['2147483648', 'int8'],
    ['9223372036854775807', 'int8'],
    ['9223372036854775808', 'numeric'],
    ['1.5', null],
  ])('%s fits %s', (n, type) => expect(integerType(n)).toBe(type));
});

describe('reading one cell as a date, time or boolean', () => {
  it.each([
    ['31.12.2023', '2023-12-31'],
    ['1.2.24', '2024-02-01'],
    ['1.2.95', '1995-02-01'],
    ['2024-02-29', '2024-02-29'],
    ['29.02.2023', null],
    ['31.04.2024', null],
    ['2024-13-01', null],
    ['12/31/2023', null],
  ])('%s is the date %s', (text, date) => expect(parseDate(text)).toBe(date));

  it.each([
    ['31.12.2023 14:30', { local: '2023-12-31 14:30:00', zone: null }],
    ['1.2.24 7:05:09', { local: '2024-02-01 07:05:09', zone: null }],
    ['2023-12-31T14:30:15.25+01:00', { local: '2023-12-31 14:30:15.25', zone: '+01:00' }],
    ['2023-12-31 14:30Z', { local: '2023-12-31 14:30:00', zone: '+00:00' }],
    ['2023-12-31T14:30:00-0530', { local: '2023-12-31 14:30:00', zone: '-05:30' }],
    ['2023-12-31', { local: '2023-12-31 00:00:00', zone: null }],
    ['31.12.2023 25:00', null],
  ])('%s is the time %j', (text, time) => expect(parseTimestamp(text)).toEqual(time));

  it.each([
    ['ja', 't'],
    ['Nein', 'f'],
    ['WAHR', 't'],
    ['falsch', 'f'],
    ['true', 't'],
    ['x', null],
    ['1', null],
  ])('%s is the boolean %s', (text, bool) => expect(parseBoolean(text)).toBe(bool));

  it.each(['-', '.', 'n/a', 'k.A.', 'K. A.', 'x', '#NV', '...'])('%s marks a missing value', (m) => expect(isMissingMarker(m)).toBe(true));
  it.each(['0', 'nichts', 'xx'])('%s is no missing marker', (m) => expect(isMissingMarker(m)).toBe(false));
});
