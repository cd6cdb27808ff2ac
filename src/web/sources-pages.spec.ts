import { sourceMessages, withSecret } from './sources-pages';

describe('source forms', () => {
  it('puts the secret field into the config under its key, keeping the other settings', () => {
    expect(JSON.parse(withSecret('{"default_tags": ["a"]}', 'k-1', 'api_key'))).toEqual({ default_tags: ['a'], api_key: 'k-1' });
    expect(JSON.parse(withSecret('', 'pw', 'password'))).toEqual({ password: 'pw' });
  });

  it('leaves the config as typed without a secret, or when it is no JSON object (the action then says why)', () => {
    expect(withSecret('{"a": 1}', '', 'api_key')).toBe('{"a": 1}');
    expect(withSecret('{kaputt', 'pw', 'password')).toBe('{kaputt');
    expect(withSecret('[1]', 'pw', 'password')).toBe('[1]');
  });

  it('flattens a setting\'s errors under config to "setting: message", in German where CKAN\'s message is known', () => {
    const m = sourceMessages({ config: { format: ['Missing value'], stations: { 0: ['Unknown station'] } }, name: ['Missing value'], source_id: ['There already is an unrun job'] }, 'de');
    expect(m.get('config')).toEqual(['format: Bitte ausfüllen.', 'stations: 0: Unknown station']);
    expect(m.get('name')).toEqual(['Bitte ausfüllen.']);
    expect(m.get('_')).toEqual(['There already is an unrun job']);
  });
});
