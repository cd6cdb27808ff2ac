import { defaultCascadeRoles, roleAllows } from './authz';
import { loadConfig } from '../config/env';

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

describe('AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS', () => {
  it.each([
    ['admin', ['admin']], ['admin, editor', ['admin', 'editor']], ['member editor,admin', ['member', 'editor', 'admin']], ['none', []], ['admin admin', ['admin']],
  ] as const)('%s cascades %j', (value, roles) => {
    expect(defaultCascadeRoles({ AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS: value })).toEqual(roles);
  });

  it('defaults to CKAN\'s "admin" without a configuration', () => {
    expect(defaultCascadeRoles()).toEqual(['admin']);
  });
});

describe('AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS at start-up', () => {
  it('accepts roles or none, and refuses anything else naming the key', () => {
    expect(loadConfig({ AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS: 'admin,editor' }).AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS).toBe('admin,editor');
    expect(loadConfig({ AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS: 'none' }).AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS).toBe('none');
    expect(loadConfig({}).AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS).toBe('admin');
    expect(() => loadConfig({ AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS: 'owner' })).toThrow(/AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS/);
  });
});
