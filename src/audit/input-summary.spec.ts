import { summariseInput } from './input-summary';

describe('the audit trail input summary', () => {
  it('keeps ordinary fields as they were sent', () => {
    expect(summariseInput({ name: 'pegel', private: true, tags: [{ name: 'wasser' }], extras: { a: 1 } })).toEqual({
      name: 'pegel', private: true, tags: [{ name: 'wasser' }], extras: { a: 1 },
    });
  });

  it('never stores passwords, tokens or keys', () => {
    const s = summariseInput({ name: 'anna', password: 'correct horse', old_password: 'x', nested: { api_key: 'k', token: 't' } });
    expect(s).toEqual({ name: 'anna', password: '[redacted]', old_password: '[redacted]', nested: { api_key: '[redacted]', token: '[redacted]' } });
    expect(JSON.stringify(s)).not.toContain('correct horse');
  });

  it('counts bulk rows instead of storing them', () => {
    const records = Array.from({ length: 5000 }, (_, i) => ({ id: i, value: 'x'.repeat(10) }));
    expect(summariseInput({ resource_id: 'r', records, method: 'upsert' })).toEqual({ resource_id: 'r', records: { '[rows]': 5000 }, method: 'upsert' });
    expect(summariseInput({ observations: [{ t: 1 }] })).toEqual({ observations: { '[rows]': 1 } });
    const csv = ['zeit;wert', ...Array.from({ length: 99 }, (_, i) => `2026-01-01T00:${String(i % 60).padStart(2, '0')};${i}`)].join('\n');
    expect(summariseInput({ source: 'pegel', data: csv })).toEqual({ source: 'pegel', data: { '[lines]': 100, '[characters]': csv.length } });
  });

  it('names an uploaded file without its content and cuts long text', () => {
    class Upload { constructor(readonly bytes: Buffer) {} }
    const s = summariseInput({ upload: new Upload(Buffer.alloc(10)), notes: 'n'.repeat(5000) });
    expect(s.upload).toBe('[file]');
    expect(String(s.notes)).toMatch(/… \[5000 characters\]$/);
  });

  it('replaces a summary that is still too large by its keys', () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'.repeat(1000)]));
    expect(summariseInput(many)).toMatchObject({ '[truncated]': true, keys: expect.arrayContaining(['k0', 'k99']) });
  });
});
