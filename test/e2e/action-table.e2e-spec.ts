import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import request from 'supertest';
import { ActionRegistry } from '../../src/api/action-registry';
import { TestApp } from '../test-app';

/**
 * The README's action table is the public list of what a CKAN client may call. It must name exactly the actions the
 * service registers, and every action of CKAN 2.11's core must be either registered or named as left out on purpose.
 */

/**
 * The public actions of CKAN 2.11's core: every `def` without a leading `_` in ckan/logic/action/{get,create,update,
 * patch,delete}.py of ckan-2.11.5 (ckanext actions such as activity, datastore or datapusher are not core).
 */
const CKAN_2_11_CORE = {
  get: [
    'package_list', 'current_package_list_with_resources', 'member_list', 'package_collaborator_list',
    'package_collaborator_list_for_user', 'group_list', 'organization_list', 'group_list_authz', 'organization_list_for_user',
    'license_list', 'tag_list', 'user_list', 'package_relationships_list', 'package_show', 'resource_show', 'resource_view_show',
    'resource_view_list', 'group_show', 'organization_show', 'group_package_show', 'tag_show', 'user_show', 'package_autocomplete',
    'format_autocomplete', 'user_autocomplete', 'group_autocomplete', 'organization_autocomplete', 'package_search',
    'resource_search', 'tag_search', 'tag_autocomplete', 'task_status_show', 'term_translation_show', 'get_site_user',
    'status_show', 'vocabulary_list', 'vocabulary_show', 'user_follower_count', 'dataset_follower_count', 'group_follower_count',
    'organization_follower_count', 'user_follower_list', 'dataset_follower_list', 'group_follower_list',
    'organization_follower_list', 'am_following_user', 'am_following_dataset', 'am_following_group', 'followee_count',
    'user_followee_count', 'dataset_followee_count', 'group_followee_count', 'organization_followee_count', 'followee_list',
    'user_followee_list', 'dataset_followee_list', 'group_followee_list', 'organization_followee_list', 'member_roles_list',
    'help_show', 'config_option_show', 'config_option_list', 'job_list', 'job_show', 'api_token_list',
  ],
  create: [
    'package_create', 'resource_create', 'resource_view_create', 'resource_create_default_resource_views',
    'package_create_default_resource_views', 'package_relationship_create', 'member_create', 'package_collaborator_create',
    'group_create', 'organization_create', 'user_create', 'user_invite', 'vocabulary_create', 'tag_create', 'follow_user',
    'follow_dataset', 'group_member_create', 'organization_member_create', 'follow_group', 'api_token_create',
  ],
  update: [
    'resource_update', 'resource_view_update', 'resource_view_reorder', 'package_update', 'package_revise',
    'package_resource_reorder', 'package_relationship_update', 'group_update', 'organization_update', 'user_update',
    'task_status_update', 'task_status_update_many', 'term_translation_update', 'term_translation_update_many',
    'vocabulary_update', 'package_owner_org_update', 'bulk_update_private', 'bulk_update_public', 'bulk_update_delete',
    'config_option_update',
  ],
  patch: ['package_patch', 'resource_patch', 'group_patch', 'organization_patch', 'user_patch'],
  delete: [
    'user_delete', 'package_delete', 'dataset_purge', 'resource_delete', 'resource_view_delete', 'resource_view_clear',
    'package_relationship_delete', 'member_delete', 'package_collaborator_delete', 'group_delete', 'organization_delete',
    'group_purge', 'organization_purge', 'task_status_delete', 'vocabulary_delete', 'tag_delete', 'unfollow_user',
    'unfollow_dataset', 'group_member_delete', 'organization_member_delete', 'unfollow_group', 'job_clear', 'job_cancel',
    'api_token_revoke',
  ],
};
const CORE = Object.values(CKAN_2_11_CORE).flat();

const ACTION_NAME = /^[a-z][a-z0-9_]*$/;
const PATTERN = /^[a-z][a-z0-9_]*\*$/;

/** The lines of README.md from a heading to the next heading of the same or a higher level. */
function section(readme: string, heading: string): string[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`README.md has no heading "${heading}"`);
  const level = heading.indexOf(' ');
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && l.indexOf(' ') <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

const backticked = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** The action names in the first column of the first table under "## CKAN actions and endpoints" (routes are skipped). */
function tableActions(readme: string): string[] {
  const lines = section(readme, '## CKAN actions and endpoints');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  return lines.slice(start + 2, end < 0 ? undefined : end)
    .flatMap((l) => backticked(l.split(' | ')[0]))
    .filter((name) => ACTION_NAME.test(name));
}

/**
 * The names and `prefix_*` patterns of the "Actions left out" item under "### Where we differ from CKAN on purpose",
 * outside parentheses.
 */
function leftOut(readme: string): string[] {
  const lines = section(readme, '### Where we differ from CKAN on purpose');
  const start = lines.findIndex((l) => l.startsWith('- Actions left out'));
  if (start < 0) throw new Error('README.md lists no "Actions left out"');
  const end = lines.findIndex((l, i) => i > start && l.startsWith('- '));
  // Names in parentheses are references ("see `job_list`"), not actions left out.
  const text = lines.slice(start, end < 0 ? undefined : end).join(' ').replace(/\([^()]*\)/g, '');
  return backticked(text).filter((n) => ACTION_NAME.test(n) || PATTERN.test(n));
}

const matches = (pattern: string, name: string): boolean => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern);

describe('the README’s action table', () => {
  let t: TestApp;
  let registered: string[];
  let table: string[];
  let omitted: string[];

  beforeAll(async () => {
    // datastore_search_sql is registered only when enabled.
    t = await TestApp.start({ DATASTORE_SQL_ENABLED: 'true' });
    registered = t.app.get(ActionRegistry).names();
    const readme = await readFile(resolve(__dirname, '../../README.md'), 'utf8');
    table = tableActions(readme);
    omitted = leftOut(readme);
  });
  afterAll(() => t.stop());

  it('names every action the service answers', () => {
    expect(registered.filter((name) => !table.includes(name))).toEqual([]);
  });

  it('names only actions the service answers', () => {
    expect(table.filter((name) => !registered.includes(name))).toEqual([]);
  });

  it('names each action once', () => {
    expect(table.filter((name, i) => table.indexOf(name) !== i)).toEqual([]);
  });

  it('has every action of CKAN 2.11’s core either answered or listed as left out on purpose', () => {
    const missing = CORE.filter((name) => !registered.includes(name) && !omitted.some((p) => matches(p, name)));
    expect(missing).toEqual([]);
  });

  it('lists as left out only CKAN core actions the service does not answer', () => {
    for (const pattern of omitted) {
      const core = CORE.filter((name) => matches(pattern, name));
      expect({ pattern, core: core.length > 0 }).toEqual({ pattern, core: true });
      expect({ pattern, registered: registered.filter((name) => matches(pattern, name)) }).toEqual({ pattern, registered: [] });
    }
  });

  it('answers every action left out on purpose with CKAN’s 400 "Action name not known"', async () => {
    const names = CORE.filter((name) => omitted.some((p) => matches(p, name)));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const res = await request(t.http).post(`/api/3/action/${name}`).set('Authorization', t.sysadmin.token).send({});
      expect({ name, status: res.status, body: res.body }).toEqual({ name, status: 400, body: `Bad request - Action name not known: ${name}` });
    }
  });
});
