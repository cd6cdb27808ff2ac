import { ALL_RELATIONSHIP_TYPES, pyRepr, reverseType, storedForm, toRelationshipDict } from './relationship.dto';

describe('relationship types and shapes', () => {
  it('knows CKAN\'s eight types, each the reverse of its partner', () => {
    expect(ALL_RELATIONSHIP_TYPES).toEqual(['depends_on', 'dependency_of', 'derives_from', 'has_derivation', 'links_to', 'linked_from', 'child_of', 'parent_of']);
    for (const t of ALL_RELATIONSHIP_TYPES) expect(reverseType(reverseType(t))).toBe(t);
    expect(reverseType('child_of')).toBe('parent_of');
    expect(reverseType('linked_from')).toBe('links_to');
  });

  it('stores a forward type as given and a reverse one turned round', () => {
    expect(storedForm('a', 'child_of', 'b')).toEqual({ subject: 'a', type: 'child_of', object: 'b' });
    expect(storedForm('a', 'parent_of', 'b')).toEqual({ subject: 'b', type: 'child_of', object: 'a' });
    expect(storedForm('a', 'has_derivation', 'b')).toEqual({ subject: 'b', type: 'derives_from', object: 'a' });
  });

  it('reads a relationship from its object\'s side turned round, otherwise as stored', () => {
    const row = { id: 'r', subject_package_id: 'A', object_package_id: 'B', type: 'depends_on', comment: 'c', state: 'active', subject_name: 'a', object_name: 'b' };
    expect(toRelationshipDict(row)).toEqual({ subject: 'a', type: 'depends_on', object: 'b', comment: 'c' });
    expect(toRelationshipDict(row, 'A')).toEqual({ subject: 'a', type: 'depends_on', object: 'b', comment: 'c' });
    expect(toRelationshipDict(row, 'B')).toEqual({ subject: 'b', type: 'dependency_of', object: 'a', comment: 'c' });
  });

  it('quotes references in messages as Python\'s repr does', () => {
    expect(pyRepr('pegel')).toBe("'pegel'");
    expect(pyRepr("o'neil")).toBe('"o\'neil"');
    expect(pyRepr('a\'b"c')).toBe("'a\\'b\"c'");
    expect(pyRepr('back\\slash')).toBe("'back\\\\slash'");
  });
});
