import { checkStringKey, checkValue, filterGlobMatch, resolveStringKey, ReviseDataError, updateMergeDict, updateMergeStringKey } from './dataset-revise';

const pkg = () => ({
  id: 'p1',
  name: 'pegel',
  notes: 'alt',
  tags: [{ name: 'a' }, { name: 'b' }],
  resources: [
    { id: '1492a000-0000', name: 'eins', url: 'http://e/1' },
    { id: '77bcd000-0000', name: 'zwei', url: 'http://e/2' },
  ],
});

describe('package_revise dict functions', () => {
  it('lists the paths whose values differ, missing keys and list items included', () => {
    expect(checkValue(pkg(), { name: 'pegel', notes: 'neu', resources: [{ name: 'eins' }, { name: 'x' }, { name: 'drei' }], title: 'T' })).toEqual([
      ['notes'], ['resources', 1, 'name'], ['resources', 2], ['title'],
    ]);
    expect(checkValue(pkg(), { tags: { name: 'a' } })).toEqual([['tags']]);
  });

  it('resolves indexes, negative indexes and id prefixes of 5 characters or more', () => {
    expect(resolveStringKey(pkg(), 'resources__-1__name')).toEqual({ value: 'zwei', path: ['resources', -1, 'name'] });
    expect(resolveStringKey(pkg(), 'resources__77bcd').path).toEqual(['resources', 1]);
    expect(() => resolveStringKey(pkg(), 'resources__77bc')).toThrow(new ReviseDataError('Unmatched key resources__77bc'));
    expect(() => resolveStringKey(pkg(), 'resources__2')).toThrow('Unmatched key resources__2');
    expect(() => resolveStringKey(pkg(), 'notes__x')).toThrow('Unmatched key notes__x');
    expect(checkStringKey(pkg(), 'resources__1492a', { name: 'eins', url: 'http://e/x' })).toEqual([['resources', 0, 'url']]);
  });

  it('filters with -key, +key and *, the first protecting pattern winning', () => {
    const a = pkg();
    filterGlobMatch(a, ['+resources', '-*']);
    expect(Object.keys(a)).toEqual(['resources']);
    const b = pkg();
    filterGlobMatch(b, ['-resources__0', '-tags__*', '-notes']);
    expect(b.resources.map((r) => r.name)).toEqual(['zwei']);
    expect(b.tags).toEqual([]);
    expect('notes' in b).toBe(false);
    const c = pkg();
    filterGlobMatch(c, ['+resources__1492a__id', '-resources__1492a__*']);
    expect(c.resources).toEqual([{ id: '1492a000-0000' }, { id: '77bcd000-0000', name: 'zwei', url: 'http://e/2' }]);
    const d = pkg();
    filterGlobMatch(d, ['-resources__-1', '-nothing__here']);
    expect(d.resources.map((r) => r.name)).toEqual(['eins']);
  });

  it('merges dicts by key and lists by position, and refuses a mismatched type', () => {
    const a: Record<string, unknown> = pkg();
    updateMergeDict(a, { notes: 'neu', resources: [{}, { description: 'zwei' }, { name: 'drei' }], extra: 1 });
    expect(a).toMatchObject({ notes: 'neu', extra: 1, resources: [{ name: 'eins' }, { name: 'zwei', description: 'zwei' }, { name: 'drei' }] });
    expect(() => updateMergeDict(pkg(), { resources: { name: 'x' } })).toThrow('Expected list for resources');
    expect(() => updateMergeDict(pkg(), { resources: ['x'] })).toThrow('Expected dict for resources__0');
  });

  it('applies flattened keys, extend included', () => {
    const a: Record<string, unknown> = pkg();
    updateMergeStringKey(a, 'resources__extend', [{ name: 'drei' }]);
    updateMergeStringKey(a, 'resources__-1__url', 'http://e/3');
    updateMergeStringKey(a, 'resources__77bcd', { name: 'ZWEI' });
    updateMergeStringKey(a, 'notes', 'neu');
    expect(a).toMatchObject({ notes: 'neu', resources: [{ name: 'eins' }, { name: 'ZWEI' }, { name: 'drei', url: 'http://e/3' }] });
    expect(() => updateMergeStringKey(pkg(), 'resources__extend', { name: 'x' })).toThrow('Expected list for resources');
    expect(() => updateMergeStringKey(pkg(), 'notes__x', 1)).toThrow('Expected list or dict for notes');
  });
});
