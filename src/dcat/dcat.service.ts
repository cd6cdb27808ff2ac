import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Quad } from '@rdfjs/types';
import type { ActionContext } from '../api/action-context';
import { ActionRegistry } from '../api/action-registry';
import { Dispatcher } from '../api/dispatcher';
import { NotAuthorized, NotFound, ValidationError } from '../api/errors';
import { APP_CONFIG, AppConfig } from '../config/env';
import { DCAT_PROFILES, DEFAULT_PROFILE } from '../../dcat-profiles';
import { DcatGraphWriter, datasetIri, splitMany } from './dcat-graph';
import { iri, named, statement, typedLiteral, CatalogInfo, DATA_SERVICE_TYPE, DcatProfile, Dict, LiveFacts, OrganizationInfo, Prefix, RelatedDatasets, Term } from './profile';
import { isTurtleLike, RdfFormat, serializeQuads, turtleFragment } from './rdf-formats';

export interface CatalogPageQuery {
  page?: number;
  modified_since?: string;
  q?: string;
  fq?: string;
  profile?: string;
}

/** The action of the sensor datasets that says since when a dataset has observations (src/sensors). */
const SENSOR_PERIOD = 'sensor_dataset_period';

/** Builds the DCAT graphs the catalog publishes: catalog pages (public, active datasets only) and single datasets. */
@Injectable()
export class DcatService {
  readonly catalogInfo: CatalogInfo;

  constructor(private readonly dispatcher: Dispatcher, private readonly registry: ActionRegistry, @Inject(APP_CONFIG) private readonly config: AppConfig) {
    const c = config;
    this.catalogInfo = {
      siteUrl: c.SITE_URL,
      title: c.CATALOG_TITLE ?? c.SITE_TITLE,
      description: c.CATALOG_DESCRIPTION ?? c.SITE_DESCRIPTION,
      language: c.CATALOG_LANGUAGE,
      publisherName: c.CATALOG_PUBLISHER_NAME ?? c.SITE_TITLE,
      publisherUrl: c.CATALOG_PUBLISHER_URL,
      publisherEmail: c.CATALOG_PUBLISHER_EMAIL,
      publisherType: c.CATALOG_PUBLISHER_TYPE,
      license: c.CATALOG_LICENSE,
      homepage: c.SITE_URL,
      contributorId: c.CATALOG_CONTRIBUTOR_ID,
    };
  }

  profile(id?: string): DcatProfile {
    if (!id) return DEFAULT_PROFILE;
    const p = DCAT_PROFILES[id];
    if (!p) throw new ValidationError({ profile: [`Unknown profile "${id}"; choose one of: ${Object.keys(DCAT_PROFILES).join(', ')}`] });
    return p;
  }

  writer(profile: DcatProfile, inCatalog = false): DcatGraphWriter {
    return new DcatGraphWriter(profile, this.catalogInfo, inCatalog);
  }

  /**
   * The datasets a dataset names (its `in_series`, a data service's `serves_dataset`, its resources' access_services'
   * `serves_dataset`), each by id, name or `identifier` (how a harvested member names its harvested series), looked up
   * as the caller: what the caller may not read is not found. IRIs need no look-up and are left out.
   */
  async relatedDatasets(ctx: ActionContext, dataset: Dict): Promise<Map<string, { id: string; type: string }>> {
    const out = new Map<string, { id: string; type: string }>();
    for (const ref of referencesOf(dataset)) {
      if (/^https?:\/\//.test(ref)) continue;
      const found = await ctx.memo(`dcat:related:${ref}`, () => this.findDataset(ctx, ref));
      if (found) out.set(ref, found);
    }
    return out;
  }

  private async findDataset(ctx: ActionContext, ref: string): Promise<{ id: string; type: string } | null> {
    const shown = await ctx.call<Dict>('package_show', { id: ref }).catch((e: unknown) => {
      if (e instanceof NotFound || e instanceof NotAuthorized || e instanceof ValidationError) return null;
      throw e;
    });
    if (shown) return { id: String(shown.id), type: String(shown.type ?? 'dataset') };
    const quoted = ref.replace(/["\\]/g, '\\$&');
    const hit = await ctx.call<{ results: Dict[] }>('package_search', { fq: `identifier:"${quoted}"`, rows: 1, facet: 'false', include_private: true }).catch(() => ({ results: [] as Dict[] }));
    const d = hit.results[0];
    return d ? { id: String(d.id), type: String(d.type ?? 'dataset') } : null;
  }

  private async relatedIds(ctx: ActionContext, dataset: Dict): Promise<RelatedDatasets> {
    return new Map([...(await this.relatedDatasets(ctx, dataset))].map(([ref, d]) => [ref, d.id]));
  }

  private orgCache = new Map<string, { at: number; info: OrganizationInfo | null }>();
  /** Catalog pages' Turtle of each dataset, by profile, format, the dataset's dict and its organization (fingerprints). */
  private readonly texts = new TextCache(() => this.config.DCAT_CACHE_MB * 1024 * 1024);

  /**
   * Organization metadata (title, extras) for the given ids, through organization_show. `maxAgeMs`
   * lets catalog pages reuse what they read a moment ago; validation on write reads it fresh, once per
   * action run (choosing the mode and building the graph share that read).
   */
  async organizations(ctx: ActionContext, ids: string[], maxAgeMs = 0): Promise<Map<string, OrganizationInfo>> {
    const out = new Map<string, OrganizationInfo>();
    const now = Date.now();
    for (const id of new Set(ids.filter(Boolean))) {
      const hit = this.orgCache.get(id);
      if (hit && maxAgeMs > 0 && now - hit.at <= maxAgeMs) {
        if (hit.info) out.set(id, hit.info);
        continue;
      }
      const info = await ctx.memo(`dcat:organization:${id}`, () => this.readOrganization(ctx, id));
      if (info) out.set(id, info);
      this.orgCache.set(id, { at: now, info });
      if (this.orgCache.size > 10_000) this.orgCache.clear();
    }
    return out;
  }

  private async readOrganization(ctx: ActionContext, id: string): Promise<OrganizationInfo | null> {
    const o = await ctx
      .call<Dict>('organization_show', {
        id, include_datasets: false, include_dataset_count: false, include_extras: true, include_users: false, include_groups: false, include_tags: false, include_followers: false,
      })
      .catch(() => null);
    if (!o) return null;
    const extras: Record<string, string> = {};
    for (const e of (o.extras as { key: string; value: string }[] | undefined) ?? []) extras[e.key] = e.value;
    return { id: String(o.id), name: String(o.name), title: String(o.title || o.name), extras };
  }

  /** One dataset's graph, for whoever may read it (package_show's rule). */
  async datasetQuads(ctx: ActionContext, id: string, profile: DcatProfile): Promise<{ quads: Quad[]; dataset: Dict }> {
    const dataset = await ctx.call<Dict>('package_show', { id });
    return { quads: await this.quadsFor(ctx, dataset, profile), dataset };
  }

  /**
   * A dataset dict (stored or not) as quads, with its organization's inherited metadata and (unless `live` is false)
   * what the publisher finds of a live dataset's data.
   */
  async quadsFor(ctx: ActionContext, dataset: Dict, profile: DcatProfile, live = true): Promise<Quad[]> {
    const orgId = (dataset.owner_org as string | undefined) ?? ((dataset.organization as Dict | undefined)?.id as string | undefined);
    const orgs = orgId ? await this.organizations(ctx.withIgnoreAuth(), [orgId]) : new Map();
    const related = await this.relatedIds(ctx, dataset);
    return this.writer(profile).dataset(dataset, orgId ? orgs.get(orgId) ?? null : null, [], live ? await this.liveFacts(ctx, dataset) : undefined, related);
  }

  /**
   * Since when a sensor dataset has observations, through the sensors' action sensor_dataset_period (one cheap query),
   * asked as the caller: a dict handed to dcat_validate may carry any dataset's id, and must not learn a private one's.
   * Nothing for other datasets, one not stored (or not the caller's to read), or where no part serves that action.
   */
  private async liveFacts(ctx: ActionContext, dataset: Dict): Promise<LiveFacts | undefined> {
    if (dataset.type !== 'sensor' || typeof dataset.id !== 'string' || !this.registry.get(SENSOR_PERIOD)) return undefined;
    try {
      const period = await ctx.call<{ start: string | null }>(SENSOR_PERIOD, { id: dataset.id });
      return { firstObservationAt: period.start };
    } catch (e) {
      // A dict's id that names no readable dataset (or is no id at all, for dcat_validate) gives no facts.
      if (e instanceof NotFound || e instanceof NotAuthorized || e instanceof ValidationError) return undefined;
      throw e;
    }
  }

  /**
   * One page of the catalog: only public, active datasets (searched as an anonymous caller, whoever asks),
   * newest change first, with hydra paging links as absolute URLs.
   */
  async catalogPage(format: RdfFormat, query: CatalogPageQuery, pageUrl: (page: number) => string): Promise<string> {
    const profile = this.profile(query.profile);
    const page = query.page ?? 1;
    if (!Number.isInteger(page) || page < 1) throw new ValidationError({ page: ['"page" must be a positive integer'] });
    const rows = this.config.DCAT_PAGE_SIZE;
    // Harvest sources are datasets of type `harvest` but no data: left out as ckanext-dcat does (-dataset_type:harvest).
    const fq: string[] = ['-dataset_type:harvest'];
    if (query.fq) fq.push(`(${query.fq})`);
    if (query.modified_since) {
      const since = new Date(query.modified_since);
      if (Number.isNaN(since.getTime())) throw new ValidationError({ modified_since: ['Use an ISO 8601 date, e.g. 2025-05-01T08:59:03'] });
      fq.push(`metadata_modified:[${since.toISOString()} TO *]`);
    }
    const anonymous = this.dispatcher.context(null);
    const result = await anonymous.call<{ count: number; results: Dict[] }>('package_search', {
      q: query.q ?? '*:*', ...(fq.length ? { fq: fq.join(' AND ') } : {}),
      sort: 'metadata_modified desc', rows, start: (page - 1) * rows, include_private: false, include_drafts: false, facet: 'false',
    });
    const orgs = await this.organizations(anonymous.withIgnoreAuth(), result.results.map((d) => String(d.owner_org ?? '')), 5000);
    const writer = this.writer(profile, true);
    const quads: Quad[] = [];
    const prefixes: Prefix[] = [...profile.prefixes, 'hydra'];
    const newest = result.results[0]?.metadata_modified as string | undefined;
    // A data service is the catalog's dcat:service (its writer lists it), not one of its datasets.
    writer.catalogNode(result.results.filter((d) => d.type !== DATA_SERVICE_TYPE).map((d) => String(d.id)), page === 1 ? newest : undefined, quads);
    if (isTurtleLike(format) && this.config.DCAT_CACHE_MB > 0) {
      // Turtle in parts: the catalog node and paging, then each dataset's own text, kept while the dataset is unchanged.
      this.paging(quads, result.count, page, rows, pageUrl);
      const parts = [await serializeQuads(quads, format, prefixes)];
      const orgKeys = new Map<string, string>();
      for (const d of result.results) {
        const org = orgs.get(String(d.owner_org)) ?? null;
        const live = await this.liveFacts(anonymous, d);
        const related = await this.relatedIds(anonymous, d);
        const orgKey = orgKeys.get(String(d.owner_org)) ?? fingerprint(org);
        orgKeys.set(String(d.owner_org), orgKey);
        // The dict whole, not only its metadata_modified: a DataStore load changes a resource without touching that.
        // A live dataset's facts change without its dict: written anew each time.
        // What its references name changes without its dict too (a series created after its member): part of the key.
        const key = live ? undefined : `${profile.id} ${format.mediaType} ${fingerprint(d)} ${orgKey} ${related.size ? fingerprint([...related]) : ''}`;
        let text = key ? this.texts.get(key) : undefined;
        if (text === undefined) {
          const own: Quad[] = [];
          writer.dataset(d, org, own, live, related);
          text = await turtleFragment(own, format, prefixes);
          if (key) this.texts.set(key, text);
        }
        parts.push(text);
      }
      return parts.join('');
    }
    for (const d of result.results) writer.dataset(d, orgs.get(String(d.owner_org)) ?? null, quads, await this.liveFacts(anonymous, d), await this.relatedIds(anonymous, d));
    this.paging(quads, result.count, page, rows, pageUrl);
    return serializeQuads(quads, format, prefixes);
  }

  /** hydra:PagedCollection (ckanext-dcat's form, read by GovData's harvester) with next/previous/first/last. */
  private paging(quads: Quad[], total: number, page: number, rows: number, pageUrl: (page: number) => string): void {
    const last = Math.max(1, Math.ceil(total / rows));
    const node = named(pageUrl(page));
    const add = (p: string, o: Term): void => void quads.push(statement(node, iri('hydra', p), o));
    const int = (n: number): Term => typedLiteral(String(n), 'http://www.w3.org/2001/XMLSchema#integer');
    quads.push(statement(node, iri('rdf', 'type'), iri('hydra', 'PagedCollection')));
    add('totalItems', int(total));
    add('itemsPerPage', int(rows));
    for (const [terms, target] of [[['first', 'firstPage'], 1], [['last', 'lastPage'], last], [['next', 'nextPage'], page < last ? page + 1 : 0], [['previous', 'previousPage'], page > 1 ? page - 1 : 0]] as const) {
      if (!target) continue;
      for (const t of terms) add(t, named(pageUrl(target)));
    }
  }

  /** A dataset as RDF text. */
  async datasetDocument(ctx: ActionContext, id: string, format: RdfFormat, profileId?: string): Promise<string> {
    const profile = this.profile(profileId);
    const { quads } = await this.datasetQuads(ctx, id, profile);
    return serializeQuads(quads, format, profile.prefixes);
  }

  datasetIri(id: string): string {
    return datasetIri(this.config.SITE_URL, id);
  }
}

/** A dataset's references to other datasets: in_series, serves_dataset, and its resources' access_services' serves_dataset. */
export function referencesOf(dataset: Dict): string[] {
  const extras = new Map(((dataset.extras as { key: string; value: unknown }[] | undefined) ?? []).map((e) => [e.key, e.value]));
  const field = (k: string): unknown => (dataset[k] !== undefined && dataset[k] !== '' ? dataset[k] : extras.get(k));
  const refs = [...splitMany(field('in_series')), ...splitMany(field('serves_dataset'))];
  for (const r of (dataset.resources as Dict[] | undefined) ?? []) {
    let services = r.access_services;
    if (typeof services === 'string') {
      try {
        services = JSON.parse(services) as unknown;
      } catch {
        services = [];
      }
    }
    if (Array.isArray(services)) for (const s of services as Dict[]) if (s && typeof s === 'object') refs.push(...splitMany(s.serves_dataset));
  }
  return [...new Set(refs.map((r) => r.trim()).filter(Boolean))];
}

const fingerprint = (v: unknown): string => createHash('sha1').update(JSON.stringify(v)).digest('base64');

/** Strings by key, the least recently used dropped once their characters pass a budget (a byte a character: V8 keeps ASCII text so). */
class TextCache {
  private readonly entries = new Map<string, string>();
  private chars = 0;

  constructor(private readonly budgetBytes: () => number) {}

  get(key: string): string | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  set(key: string, value: string): void {
    const old = this.entries.get(key);
    if (old !== undefined) this.chars -= old.length + key.length;
    this.entries.delete(key);
    this.entries.set(key, value);
    this.chars += value.length + key.length;
    const budget = this.budgetBytes();
    for (const [k, v] of this.entries) {
      if (this.chars <= budget) break;
      this.entries.delete(k);
      this.chars -= v.length + k.length;
    }
  }
}
