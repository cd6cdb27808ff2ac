import {
  Dict, GatherItem, Harvester, HarvestError, HarvestRun, ImportDecision, RemoteRecord, RemoteResponse,
} from '../../src/harvest/harvester';
import { CkanHarvestConfig, parseCkanConfig } from './ckan-config';

/**
 * Harvests a remote CKAN (2.x, or another instance of this service) through its action API, as ckanext-harvest's
 * CKANHarvester reads a portal (../shared/specs/ckan-api.md §5.1): `package_search` only, `sort=id asc`, paged by
 * `start` until an empty page, `fq` built from the organization and group filters and, on an incremental run,
 * `metadata_modified:[<since − 1 h, six fractional digits>Z TO *]`; `include_private` never sent. The search results
 * are the records (no fetch stage).
 *
 * Beyond ckanext-harvest, for deletions: an incremental run first lists every identity with `fl=id` (cheap), and
 * every run says `complete` only when the listing is whole (the distinct ids seen match the count the remote gave at
 * the end), so a source changed while being paged, or answering nothing at all, never withdraws datasets here.
 */
export class CkanHarvester implements Harvester {
  readonly type = 'ckan';
  readonly info = { name: 'ckan', title: 'CKAN', description: 'Harvests remote CKAN instances', form_config_interface: 'Text' };
  readonly secretKeys = ['api_key'] as const;

  /** Rows asked per page: CKAN's default `ckan.search.rows_max`; a site capping lower is followed (start moves by what came). */
  constructor(private readonly rows = 1000) {}

  parseConfig(raw: Dict): Dict {
    return parseCkanConfig(raw ?? {});
  }

  async *gather(run: HarvestRun): AsyncIterable<GatherItem> {
    const config = configOf(run);
    const remote = new RemoteCkan(run, config, this.rows);
    const filters = filterTerms(config);
    const since = config.force_all || !run.since ? null : sinceTerm(run.since);

    if (since === null) {
      let done = 0;
      for await (const page of remote.search(filters, { full: true })) {
        const fresh = page.results.filter((d) => !page.duplicate.has(d));
        for (const dict of fresh) yield { record: toRecord(dict) };
        done += fresh.length;
        run.progress(done, page.count);
        yield { present: fresh.map((d) => String(d.id)) };
      }
      const whole = remote.lastListing;
      if (whole.seen === 0) throw new HarvestError(`No datasets found at CKAN: ${remote.base}`);
      if (whole.consistent) yield { complete: true };
      return;
    }

    // Incremental: every identity first (for deletions), then what changed.
    for await (const page of remote.search(filters, { full: false })) {
      yield { present: page.results.filter((d) => !page.duplicate.has(d)).map((d) => String(d.id)) };
    }
    const identities = remote.lastListing;
    if (identities.seen === 0) throw new HarvestError(`No datasets found at CKAN: ${remote.base}`);

    let done = 0;
    const count = (n: number) => (done += n);
    let changed = remote.search([...filters, since], { full: true });
    let first: IteratorResult<SearchPage, void>;
    try {
      // The first page is asked apart, so a remote that refuses the date query can be asked for everything instead.
      first = await changed.next();
    } catch (e) {
      if (!(e instanceof SearchRefused)) throw e;
      // ckanext-harvest: "Searching for datasets changed since last time gave an error" → a full harvest.
      changed = remote.search(filters, { full: true });
      first = await changed.next();
    }
    if (!first.done) {
      yield* this.records(first.value, run, count);
      for await (const page of changed) yield* this.records(page, run, count);
    }
    if (identities.consistent) yield { complete: true };
  }

  private *records(page: SearchPage, run: HarvestRun, count: (n: number) => number): Generator<GatherItem> {
    const fresh = page.results.filter((d) => !page.duplicate.has(d));
    for (const dict of fresh) yield { record: toRecord(dict) };
    run.progress(count(fresh.length), page.count);
  }

  /** The search results carry the whole dataset: nothing to fetch. */
  fetch(record: RemoteRecord): Promise<RemoteRecord> {
    return Promise.resolve(record);
  }

  toPackage(record: RemoteRecord, run: HarvestRun): ImportDecision {
    const config = configOf(run);
    const remote = (record.data as Dict | undefined) ?? parseContent(record);
    if (remote.type === 'harvest') return { action: 'skip', reason: 'Remote dataset is a harvest source' };
    if (remote.state !== undefined && remote.state !== null && remote.state !== 'active') {
      return { action: 'skip', reason: `Remote dataset is ${String(remote.state)}, not active` };
    }
    return mapPackage(remote, config, run);
  }
}

/** The run's config, parsed once per run rather than once per record. */
const CONFIGS = new WeakMap<Dict, CkanHarvestConfig>();
function configOf(run: HarvestRun): CkanHarvestConfig {
  let config = CONFIGS.get(run.source.config);
  if (!config) CONFIGS.set(run.source.config, (config = parseCkanConfig(run.source.config)));
  return config;
}

/** One page of a listing: its dataset dicts, those already seen on an earlier page, and the remote's count. */
interface SearchPage {
  results: Dict[];
  duplicate: Set<Dict>;
  count: number | undefined;
}

/** A remote `success:false` answer with a 4xx: the remote understood the request and refused the query. */
class SearchRefused extends HarvestError {}

/** The remote CKAN's package_search, as ckanext-harvest asks it. */
class RemoteCkan {
  readonly base: string;
  private readonly searchUrl: string;
  private readonly headers: Record<string, string>;
  /** The last listing's outcome: distinct ids seen, and whether they match the remote's final count. */
  lastListing = { seen: 0, consistent: false };

  constructor(private readonly run: HarvestRun, config: CkanHarvestConfig, private readonly rows: number) {
    this.base = run.source.url.trim().replace(/\/+$/, '');
    if (!/^https?:\/\//i.test(this.base)) throw new HarvestError(`Not an http(s) URL: ${this.base}`);
    this.searchUrl = `${this.base}/api/3/action/package_search`;
    this.headers = {
      ...(config.api_key ? { Authorization: config.api_key } : {}),
      ...(config.user_agent ? { 'User-Agent': config.user_agent } : {}),
    };
  }

  /**
   * Pages `package_search` (sort=id asc, by start) until a page comes back empty; `full: false` asks ids only
   * (`fl=id`). Ids met on an earlier page (datasets added while paging shift the pages) are marked duplicate.
   */
  async *search(fqTerms: string[], opts: { full: boolean }): AsyncGenerator<SearchPage, void, undefined> {
    const seen = new Set<string>();
    this.lastListing = { seen: 0, consistent: false };
    let start = 0;
    let previous: string | null = null;
    let count: number | undefined;
    for (;;) {
      this.run.signal.throwIfAborted();
      const params = new URLSearchParams({ rows: String(this.rows), start: String(start), sort: 'id asc' });
      if (fqTerms.length) params.set('fq', fqTerms.join(' '));
      if (!opts.full) params.set('fl', 'id');
      const url = `${this.searchUrl}?${params.toString()}`;
      const response = await this.run.fetch(url, { accept: 'application/json', headers: this.headers });
      this.run.signal.throwIfAborted();
      const text = response.text();
      if (previous !== null && text === previous) throw new HarvestError(`The paging doesn't seem to work: ${url} answered the same page twice`);
      previous = text;
      const result = searchResult(response, text, url);
      count = result.count ?? count;
      const results = result.results;
      if (!results.length) break;
      const duplicate = new Set<Dict>();
      for (const dict of results) {
        const id = String(dict.id);
        if (seen.has(id)) duplicate.add(dict);
        seen.add(id);
      }
      this.lastListing = { seen: seen.size, consistent: false };
      yield { results, duplicate, count };
      start += results.length;
    }
    this.lastListing = { seen: seen.size, consistent: count === undefined || count === seen.size };
  }
}

/** The `result` of a package_search answer, or a HarvestError saying what was wrong with it. */
function searchResult(response: RemoteResponse, text: string, url: string): { count?: number; results: Dict[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const status = response.status >= 200 && response.status < 300 ? '' : `HTTP ${response.status}, `;
    throw new HarvestError(`Response from remote CKAN was not JSON (${status}${response.contentType ?? 'no content type'}): ${url}: ${snippet(text)}`);
  }
  const envelope = body as { success?: unknown; result?: unknown; error?: Dict };
  if (!envelope || typeof envelope !== 'object' || envelope.success === false) {
    const error = envelope?.error;
    const kind = error && typeof error.__type === 'string' ? error.__type : 'Error';
    const message = error && typeof error.message === 'string' ? error.message : JSON.stringify(error ?? body).slice(0, 300);
    const text = `Remote CKAN refused the search (HTTP ${response.status}, ${kind}: ${message}): ${url}`;
    if (response.status >= 400 && response.status < 500 && envelope?.success === false) throw new SearchRefused(text);
    throw new HarvestError(text);
  }
  if (response.status < 200 || response.status >= 300) throw new HarvestError(`Remote CKAN answered HTTP ${response.status}: ${url}`);
  const result = envelope.result as { count?: unknown; results?: unknown } | undefined;
  if (!result || typeof result !== 'object' || !Array.isArray(result.results)) {
    throw new HarvestError(`Response JSON did not contain result.results: ${url}: ${snippet(text)}`);
  }
  const results = result.results.map((r) => (typeof r === 'string' ? { id: r } : r)) as unknown[];
  if (results.some((r) => !r || typeof r !== 'object' || typeof (r as Dict).id !== 'string' || !(r as Dict).id)) {
    throw new HarvestError(`Remote CKAN returned a dataset without an id: ${url}`);
  }
  return { count: typeof result.count === 'number' ? result.count : undefined, results: results as Dict[] };
}

function snippet(text: string): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}

/** ckanext-harvest's fq terms for the organization and group filters (names were checked by parseConfig). */
function filterTerms(config: CkanHarvestConfig): string[] {
  const terms: string[] = [];
  const { organizations_filter_include: orgsIn = [], organizations_filter_exclude: orgsOut = [], groups_filter_include: groupsIn = [], groups_filter_exclude: groupsOut = [] } = config;
  if (orgsIn.length) terms.push(orgsIn.map((o) => `organization:${o}`).join(' OR '));
  else terms.push(...orgsOut.map((o) => `-organization:${o}`));
  if (groupsIn.length) terms.push(groupsIn.map((g) => `groups:${g}`).join(' OR '));
  else terms.push(...groupsOut.map((g) => `-groups:${g}`));
  return terms;
}

/** `metadata_modified:[<since − 1 hour>Z TO *]`, the time with six fractional digits as ckanext-harvest writes it. */
export function sinceTerm(since: string): string {
  const t = Date.parse(since);
  if (Number.isNaN(t)) throw new HarvestError(`Not a time: ${since}`);
  const iso = new Date(t - 3600_000).toISOString(); // 2025-05-01T07:59:03.512Z
  return `metadata_modified:[${iso.slice(0, 23)}000Z TO *]`;
}

/** CKAN's metadata_modified (naive UTC, microseconds) as ISO 8601 with its zone: `2025-05-01T08:59:03.512345Z`. */
export function normalizeModified(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) return undefined;
  const fraction = (m[3] ?? '').slice(0, 6).padEnd(6, '0');
  const zone = m[4];
  if (!zone || zone === 'Z' || /^[+-]00:?00$/.test(zone)) return `${m[1]}T${m[2]}.${fraction}Z`;
  const t = Date.parse(`${m[1]}T${m[2]}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
  if (Number.isNaN(t)) return undefined;
  return `${new Date(t).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** The dataset's identity across sources: its DCAT-AP.de `identifier` (top level or extra), else the remote id. */
export function identifierOf(dict: Dict): string {
  const top = dict.identifier;
  if (typeof top === 'string' && top.trim()) return top.trim();
  const extra = extrasOf(dict).find((e) => e.key === 'identifier');
  if (extra && typeof extra.value === 'string' && extra.value.trim()) return extra.value.trim();
  return String(dict.id);
}

function toRecord(dict: Dict): RemoteRecord {
  const modified = normalizeModified(dict.metadata_modified);
  return {
    guid: String(dict.id),
    identifier: identifierOf(dict),
    ...(modified ? { modified } : {}),
    content: JSON.stringify(dict),
    data: dict,
  };
}

function parseContent(record: RemoteRecord): Dict {
  try {
    const dict = JSON.parse(record.content ?? '') as unknown;
    if (dict && typeof dict === 'object' && !Array.isArray(dict)) return dict as Dict;
  } catch {
    // reported below
  }
  throw new HarvestError('Empty or malformed content', record.guid);
}

function extrasOf(dict: Dict): { key: string; value: unknown }[] {
  const extras = dict.extras;
  if (!Array.isArray(extras)) return [];
  return extras.filter((e): e is { key: string; value: unknown } => !!e && typeof e === 'object' && typeof (e as Dict).key === 'string');
}

/** Core package fields taken over as they are. */
const KEPT = ['name', 'title', 'notes', 'url', 'version', 'author', 'author_email', 'maintainer', 'maintainer_email', 'license_id', 'type'];

/**
 * Top-level keys of a remote dict that are the remote's own bookkeeping, derived values, or handled apart; any other
 * top-level scalar (a ckanext-scheming field such as DCAT-AP.de's `identifier`, `issued`, `contributorID`) becomes an
 * extra, as this catalog keeps such fields.
 */
const NOT_EXTRAS = new Set([
  ...KEPT, 'id', 'revision_id', 'metadata_created', 'metadata_modified', 'organization', 'owner_org', 'creator_user_id', 'num_resources', 'num_tags',
  'private', 'access_level', 'state', 'isopen', 'license_title', 'license_url', 'tags', 'extras', 'groups', 'resources', 'relationships_as_object',
  'relationships_as_subject', 'tracking_summary', 'approval', 'plugin_data', 'tag_string', 'display_name', 'status',
]);

/** Resource keys that are the remote's state (ids, uploads, caches, DataStore), not the resource's description. */
const RESOURCE_DROPPED = new Set([
  'id', 'package_id', 'position', 'state', 'url_type', 'revision_id', 'metadata_modified', 'cache_url', 'cache_last_updated', 'datastore_active',
  'datastore_contains_all_records_of_source_file', 'tracking_summary', 'upload', 'clear_upload', 'extras', 'has_views', 'on_same_domain', 'ignore_hash',
  'original_url', 'revision_timestamp', 'position_info',
]);

function mapPackage(remote: Dict, config: CkanHarvestConfig, run: HarvestRun): ImportDecision {
  const pkg: Dict = {};
  for (const key of KEPT) {
    const v = remote[key];
    if (v !== undefined && v !== null) pkg[key] = v;
  }
  pkg.private = false;

  const tags: string[] = [];
  const addTag = (name: string) => {
    const t = config.clean_tags ? mungeTag(name) : name;
    if (t && !tags.includes(t)) tags.push(t);
  };
  for (const t of Array.isArray(remote.tags) ? remote.tags : []) {
    const name = typeof t === 'string' ? t : t && typeof t === 'object' ? (t as Dict).name : undefined;
    // Vocabulary tags belong to a remote vocabulary this catalog does not have.
    if (typeof name === 'string' && name.trim() && !(t as Dict).vocabulary_id) addTag(name.trim());
  }
  for (const t of config.default_tags) addTag(t);
  pkg.tags = tags.map((name) => ({ name }));

  const extras = new Map<string, unknown>();
  for (const e of extrasOf(remote)) {
    if (e.key.startsWith('harvest_') || (e as Dict).deleted) continue;
    extras.set(e.key, e.value);
  }
  for (const [key, value] of Object.entries(remote)) {
    if (NOT_EXTRAS.has(key) || extras.has(key) || key.startsWith('harvest_') || value === null || value === undefined || value === '') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') extras.set(key, String(value));
    else if (Array.isArray(value) && value.length && value.every((x) => typeof x === 'string')) extras.set(key, JSON.stringify(value));
  }
  const base = run.source.url.trim().replace(/\/+$/, '');
  for (const [key, template] of Object.entries(config.default_extras)) {
    if (extras.has(key) && !config.override_extras) continue;
    const value = template
      .replaceAll('{harvest_source_id}', run.source.id)
      .replaceAll('{harvest_source_url}', base)
      .replaceAll('{dataset_id}', String(remote.id));
    extras.delete(key);
    extras.set(key, value);
  }
  pkg.extras = [...extras].map(([key, value]) => ({ key, value }));

  pkg.resources = (Array.isArray(remote.resources) ? remote.resources : [])
    .filter((r): r is Dict => !!r && typeof r === 'object' && (r as Dict).state !== 'deleted')
    .map((r) => {
      const out: Dict = {};
      for (const [key, value] of Object.entries(r)) {
        if (RESOURCE_DROPPED.has(key) || value === null || value === undefined) continue;
        if (key !== 'size' && typeof value === 'object') continue;
        out[key] = value;
      }
      out.url = typeof r.url === 'string' ? r.url : '';
      return out;
    });

  if (config.remote_groups || config.default_groups.length) {
    const groups: Dict[] = [];
    const names = new Set<string>();
    const add = (name: string) => {
      if (!names.has(name)) groups.push({ name });
      names.add(name);
    };
    if (config.remote_groups) {
      for (const g of Array.isArray(remote.groups) ? remote.groups : []) {
        const name = g && typeof g === 'object' ? (g as Dict).name : undefined;
        if (typeof name === 'string' && name) add(name);
      }
    }
    for (const g of config.default_groups) add(g);
    pkg.groups = groups;
  }

  const org = remote.organization as Dict | null | undefined;
  if (config.remote_orgs && org && typeof org === 'object' && typeof org.name === 'string' && org.name) {
    const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    const remoteOrganization = {
      name: org.name,
      ...(str(org.title) ? { title: str(org.title) } : {}),
      ...(str(org.description) ? { description: str(org.description) } : {}),
      ...(str(org.image_url) ? { image_url: str(org.image_url) } : {}),
    };
    return { action: 'import', package: pkg, remoteOrganization };
  }
  return { action: 'import', package: pkg };
}

/**
 * CKAN's munge_tag: ASCII equivalents (as CKAN's substitute_ascii_equivalents: `ä` → `a`, `ß` → `ss`, so tags read as
 * they did under ckanext-harvest), lower case, only letters, digits, `-` and spaces (then `-`), padded to 2, cut at 100.
 */
export function mungeTag(tag: string): string {
  const ascii = tag
    .replace(/ß/g, 'ss').replace(/[æÆ]/g, 'ae').replace(/[þÞ]/g, 'th').replace(/[øØ]/g, 'o').replace(/[đĐ]/g, 'd')
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  let t = ascii.toLowerCase().trim().replace(/[^a-z0-9\- ]/g, '').replace(/ /g, '-');
  if (t.length < 2) t = t.padEnd(2, '_');
  return t.slice(0, 100);
}
