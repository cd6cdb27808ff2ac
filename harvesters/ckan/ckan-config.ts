import { Dict, HarvestConfigError } from '../../src/harvest/harvester';

/**
 * The CKAN harvester's source config: ckanext-harvest's CKANHarvester keys (harvesters/ckanharvester.py,
 * validate_config), checked the same way and a little stricter where a wrong value would silently do something else.
 * Keys it does not know are ignored, as ckanext-harvest ignores them (and kept in the returned config, so nothing an
 * operator wrote is lost).
 */
export interface CkanHarvestConfig {
  /** Sent as `Authorization` (a secret: stored encrypted). Never widens what is harvested: include_private is never sent. */
  api_key?: string;
  user_agent?: string;
  /** ckanext-harvest checks it is an integer and otherwise ignores it (action API 3 is always used). */
  api_version?: number;
  /** Tag names added to every dataset (ckanext-harvest: a list of `{name}` dicts; plain names are taken too). */
  default_tags: string[];
  /** Group names or ids added to every dataset (the runner resolves them locally). */
  default_groups: string[];
  /** Extras set on every dataset unless it has the key (or always, with override_extras); `{dataset_id}` etc. replaced. */
  default_extras: Record<string, string>;
  override_extras: boolean;
  /** Keep the remote datasets' groups: `only_local` (those that exist here), `create` (create missing ones). */
  remote_groups?: 'only_local' | 'create';
  /** Put datasets in their remote organization: `only_local` (if it exists here), `create` (create it). */
  remote_orgs?: 'only_local' | 'create';
  /** Always gather everything, never only what changed since the last run. */
  force_all: boolean;
  read_only?: boolean;
  /** Tags munged to CKAN's tag alphabet (munge_tag), so a remote tag this catalog would refuse does not fail the dataset. */
  clean_tags: boolean;
  organizations_filter_include?: string[];
  organizations_filter_exclude?: string[];
  groups_filter_include?: string[];
  groups_filter_exclude?: string[];
}

const KNOWN = new Set([
  'api_key', 'user_agent', 'api_version', 'default_tags', 'default_groups', 'default_extras', 'override_extras', 'remote_groups', 'remote_orgs',
  'force_all', 'read_only', 'clean_tags', 'organizations_filter_include', 'organizations_filter_exclude', 'groups_filter_include', 'groups_filter_exclude',
]);

/** A CKAN name (organization, group): what may go into the remote's `fq` unquoted. */
const CKAN_NAME = /^[a-z0-9_-]{1,100}$/;

/** Placeholders of default_extras values this harvester can fill (ckanext-harvest also knows harvest_source_title, harvest_job_id, harvest_object_id). */
export const EXTRA_PLACEHOLDERS = ['harvest_source_id', 'harvest_source_url', 'dataset_id'] as const;
const UNAVAILABLE_PLACEHOLDERS = ['harvest_source_title', 'harvest_job_id', 'harvest_object_id'];

export function parseCkanConfig(raw: Dict): CkanHarvestConfig & Dict {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new HarvestConfigError(['config must be a JSON object']);
  const problems: string[] = [];
  const out: Dict = {};
  for (const [key, value] of Object.entries(raw)) if (!KNOWN.has(key)) out[key] = value;

  const str = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') problems.push(`${key} must be a string`);
    else if (v.trim()) return v.trim();
    return undefined;
  };
  const bool = (key: string): boolean | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') problems.push(`${key} must be boolean`);
    else return v;
    return undefined;
  };
  const names = (key: string): string[] => {
    const v = raw[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      problems.push(`${key} must be a list of names`);
      return [];
    }
    const bad = (v as string[]).filter((x) => !CKAN_NAME.test(x));
    if (bad.length) problems.push(`${key}: not a CKAN name (lowercase letters, digits, - and _): ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
    return v as string[];
  };
  const mapping = (key: string): 'only_local' | 'create' | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (v !== 'only_local' && v !== 'create') problems.push(`${key} must be "only_local" or "create"`);
    else return v;
    return undefined;
  };

  const api_key = str('api_key');
  const user_agent = str('user_agent');
  let api_version: number | undefined;
  if (raw.api_version !== undefined) {
    const n = typeof raw.api_version === 'string' && /^\s*\d+\s*$/.test(raw.api_version) ? Number(raw.api_version) : raw.api_version;
    if (typeof n !== 'number' || !Number.isInteger(n)) problems.push('api_version must be an integer');
    else api_version = n;
  }

  let default_tags: string[] = [];
  if (raw.default_tags !== undefined) {
    const v = raw.default_tags;
    if (!Array.isArray(v)) problems.push('default_tags must be a list');
    else {
      const tags = v.map((t) => (typeof t === 'string' ? t : t && typeof t === 'object' && typeof (t as Dict).name === 'string' ? ((t as Dict).name as string) : null));
      if (tags.some((t) => t === null || !t.trim())) problems.push('default_tags must be a list of dictionaries with a name ({"name": "..."})');
      else default_tags = (tags as string[]).map((t) => t.trim());
    }
  }

  let default_groups: string[] = [];
  if (raw.default_groups !== undefined) {
    const v = raw.default_groups;
    if (!Array.isArray(v)) problems.push('default_groups must be a *list* of group names/ids');
    else if (v.some((g) => typeof g !== 'string' || !g.trim())) problems.push('default_groups must be a list of group names/ids (i.e. strings)');
    else default_groups = v as string[];
  }

  const default_extras: Record<string, string> = {};
  if (raw.default_extras !== undefined) {
    const v = raw.default_extras;
    if (!v || typeof v !== 'object' || Array.isArray(v)) problems.push('default_extras must be a dictionary');
    else {
      for (const [key, value] of Object.entries(v as Dict)) {
        if (!key.trim()) problems.push('default_extras: an extra needs a key');
        else if (typeof value === 'string') {
          const unavailable = UNAVAILABLE_PLACEHOLDERS.filter((p) => value.includes(`{${p}}`));
          if (unavailable.length) problems.push(`default_extras.${key}: {${unavailable.join('}, {')}} cannot be filled here; use {${EXTRA_PLACEHOLDERS.join('}, {')}}`);
          else default_extras[key] = value;
        } else if (typeof value === 'number' || typeof value === 'boolean') default_extras[key] = String(value);
        else problems.push(`default_extras.${key} must be a string`);
      }
    }
  }

  const organizations_filter_include = names('organizations_filter_include');
  const organizations_filter_exclude = names('organizations_filter_exclude');
  const groups_filter_include = names('groups_filter_include');
  const groups_filter_exclude = names('groups_filter_exclude');
  // Both keys given: refused as ckanext-harvest does. (This function's output leaves empty lists out, so it parses again.)
  const both = (a: string[], b: string[], ka: string, kb: string) => raw[ka] !== undefined && raw[kb] !== undefined && (a.length > 0 || b.length > 0);
  if (both(organizations_filter_include, organizations_filter_exclude, 'organizations_filter_include', 'organizations_filter_exclude')) {
    problems.push('Harvest configuration cannot contain both organizations_filter_include and organizations_filter_exclude');
  }
  if (both(groups_filter_include, groups_filter_exclude, 'groups_filter_include', 'groups_filter_exclude')) {
    problems.push('Harvest configuration cannot contain both groups_filter_include and groups_filter_exclude');
  }

  const config: CkanHarvestConfig = {
    ...(api_key !== undefined ? { api_key } : {}),
    ...(user_agent !== undefined ? { user_agent } : {}),
    ...(api_version !== undefined ? { api_version } : {}),
    default_tags,
    default_groups,
    default_extras,
    override_extras: bool('override_extras') ?? false,
    ...(mapping('remote_groups') ? { remote_groups: mapping('remote_groups') } : {}),
    ...(mapping('remote_orgs') ? { remote_orgs: mapping('remote_orgs') } : {}),
    force_all: bool('force_all') ?? false,
    ...(raw.read_only !== undefined ? { read_only: bool('read_only') } : {}),
    clean_tags: bool('clean_tags') ?? false,
    ...(organizations_filter_include.length ? { organizations_filter_include } : {}),
    ...(organizations_filter_exclude.length ? { organizations_filter_exclude } : {}),
    ...(groups_filter_include.length ? { groups_filter_include } : {}),
    ...(groups_filter_exclude.length ? { groups_filter_exclude } : {}),
  };
  const unique = [...new Set(problems)];
  if (unique.length) throw new HarvestConfigError(unique);
  return { ...out, ...config };
}
