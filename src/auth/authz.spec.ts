import { roleAllows } from './authz';

describe('CKAN roles', () => {
  it.each([
    ['admin', 'membership', true], ['admin', 'update', true], ['admin', 'create_dataset', true],
    ['editor', 'create_dataset', true], ['editor', 'update_dataset', true], ['editor', 'read', true], ['editor', 'membership', false], ['editor', 'update', false],
    ['member', 'read', true], ['member', 'manage_group', true], ['member', 'create_dataset', false],
    ['king', 'read', false],
  ] as const)('%s may %s: %s', (role, permission, allowed) => {
    expect(roleAllows(role, permission)).toBe(allowed);
  });
});
