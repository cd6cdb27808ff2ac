import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Index, MeiliSearch } from 'meilisearch';
import { DataSource, EntityManager } from 'typeorm';
import type { ActionContext } from '../../api/action-context';
import { SearchError } from '../../api/errors';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { DatasetChanges } from '../../catalog/datasets/dataset-changes';
import { JobQueue } from '../../jobs/job-queue';
import { SearchDocumentRepository } from '../pg/search-document.repository';
import { MeiliOutboxRepository } from './meili-outbox.repository';
import { isInMemoryFacet } from '../memory/doc-store';
import { minimumShouldMatch, QNode } from '../query/ast';
import { resolveDate } from '../query/date-math';
import { SearchBackend, SearchHits, SearchQuery } from '../search-backend';
import { searchField, vocabEntry, vocabTagOf } from '../search-fields';
import { SearchRequest } from '../search-request';

export const MEILI_BACKEND = Symbol('MEILI_BACKEND');
/** The job that pushes search_outbox to Meilisearch. */
export const MEILI_DRAIN_JOB = 'search.meili-drain';

const FILTERABLE = ['id', 'name', 'title_string', 'tags', 'vocab_tags', 'groups', 'organization', 'owner_org', 'res_format', 'license_id', 'state', 'capacity', 'type',
  'creator_user_id', 'access_level', 'shared_with', 'metadata_modified_ts', 'metadata_created_ts', 'num_resources', 'num_tags',
  'bbox_minx', 'bbox_miny', 'bbox_maxx', 'bbox_maxy'];
const SORTABLE: Record<string, string> = {
  id: 'id', name: 'name', title_string: 'title_string', metadata_modified: 'metadata_modified_ts', metadata_created: 'metadata_created_ts',
  num_resources: 'num_resources', num_tags: 'num_tags',
};
const ALIASES: Record<string, string> = { license: 'license_id', dataset_type: 'type' };

/** What a search document looks like in Meilisearch. */
interface MeiliDoc {
  id: string;
  name: string;
  name_words: string;
  title: string;
  title_string: string;
  notes: string;
  tags: string[];
  /** Vocabulary tags as `<vocabulary name>:<tag name>` (see vocabEntry): one filterable attribute for every vocabulary. */
  vocab_tags: string[];
  groups: string[];
  organization: string | null;
  organization_title: string | null;
  owner_org: string | null;
  res_format: string[];
  res_name: string[];
  res_description: string[];
  license_id: string | null;
  state: string;
  capacity: string;
  /** Issue 14: the read rule's access fields. */
  access_level: string;
  shared_with: string[];
  type: string;
  creator_user_id: string | null;
  metadata_modified_ts: number;
  metadata_created_ts: number;
  num_resources: number;
  num_tags: number;
  author: string | null;
  maintainer: string | null;
  extras_text: string;
  /** The vocabulary tags' names, for free text. */
  vocab_words: string;
  /** The extent's corners (search_document.bbox), null without one: ext_bbox filters on them. */
  bbox_minx: number | null;
  bbox_miny: number | null;
  bbox_maxx: number | null;
  bbox_maxy: number | null;
}

/** Milliseconds since the epoch (with microseconds as the fraction): Meilisearch filters and sorts numbers. */
const timestamp = (normalized: string): number => Date.parse(`${normalized.slice(0, 23)}Z`) + Number(normalized.slice(23, 26) || 0) / 1000;

/**
 * Meilisearch as the search backend, when MEILI_URL is set: relevance, typo tolerance and facets
 * for text queries. It receives every committed change through search_outbox, which the writing
 * transaction fills together with a drain job, so nothing is lost if the process dies before
 * Meilisearch has taken it: the job runs in whichever process is alive, is retried with back-off
 * while Meilisearch is away, and a drain scheduled every minute picks up whatever is left.
 * Queries it cannot express (wildcards, extras, exclusions, Lucene field text) and structured
 * queries with exact paging go to the PostgreSQL backend, which always has the same data.
 */
@Injectable()
export class MeiliSearchBackend implements SearchBackend, OnModuleInit, OnApplicationShutdown {
  readonly name = 'meilisearch';
  private readonly client: MeiliSearch;
  private readonly index: Index<MeiliDoc>;
  private draining: Promise<void> = Promise.resolve();
  /** Transactions that have their drain job already (one is enough however many datasets they change). */
  private readonly enqueuedIn = new WeakSet<EntityManager>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: MeiliOutboxRepository,
    private readonly documentsRepo: SearchDocumentRepository,
    private readonly changes: DatasetChanges,
    private readonly jobs: JobQueue,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.client = new MeiliSearch({ host: config.MEILI_URL!, apiKey: config.MEILI_API_KEY });
    this.index = this.client.index<MeiliDoc>(config.MEILI_INDEX);
  }

  async onModuleInit(): Promise<void> {
    await this.configure();
    this.follow();
  }

  /** Files every committed change for Meilisearch: the outbox row and its drain job, in the writing transaction. */
  follow(): void {
    this.jobs.register(MEILI_DRAIN_JOB, { retry: { limit: 20, delaySeconds: 2, backoff: true }, handler: () => this.drain() });
    // The safety net: leftovers of a drain that gave up, or of one lost with its process before its job was retried.
    this.jobs.schedule(MEILI_DRAIN_JOB, '* * * * *');
    this.changes.onWrite(async (ctx, ids) => {
      await this.outbox.file(ctx.db, ids);
      if (ctx.inTransaction && this.enqueuedIn.has(ctx.db)) return;
      if (ctx.inTransaction) this.enqueuedIn.add(ctx.db);
      await this.jobs.enqueue(MEILI_DRAIN_JOB, {}, { transaction: ctx });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.draining.catch(() => undefined);
  }

  private async configure(): Promise<void> {
    await this.client.createIndex(this.index.uid, { primaryKey: 'id' }).waitTask().catch(() => undefined);
    const task = await this.index
      .updateSettings({
        // Vocabulary tag names last: CKAN finds them through its plain `text` field only, not its boosted `tags`.
        searchableAttributes: ['title', 'name_words', 'tags', 'groups', 'organization_title', 'notes', 'res_name', 'res_description', 'author', 'maintainer', 'extras_text', 'vocab_words'],
        filterableAttributes: FILTERABLE,
        sortableAttributes: Object.values(SORTABLE),
        pagination: { maxTotalHits: 10_000_000 },
        faceting: { maxValuesPerFacet: 10_000 },
      })
      .waitTask();
    if (task.status !== 'succeeded') throw new Error(`Meilisearch refused the index settings: ${JSON.stringify(task.error)}`);
  }

  /** Whether this backend can answer a request exactly; otherwise PostgreSQL does. */
  canAnswer(req: SearchRequest): boolean {
    if (req.q.kind !== 'free' || req.q.words.some((w) => w.excluded)) return false;
    if (req.rows > 0 && req.start % req.rows !== 0) return false;
    if (!req.facetFields.every((f) => searchField(f).type === 'vocab' || (isInMemoryFacet(f) && FILTERABLE.includes(ALIASES[f] ?? f)))) return false;
    if (!req.sort.every((s) => s.field === 'score' || SORTABLE[s.field])) return false;
    // Meilisearch cannot rank by an ext_bbox's overlap (ckanext-spatial's ordering), so a score order with a box goes to PostgreSQL.
    if (req.sort.some((s) => s.field === 'score') && req.filters.some(hasBox)) return false;
    try {
      req.filters.forEach((f) => filterOf(f, new Date()));
      return true;
    } catch {
      return false;
    }
  }

  async search(_ctx: ActionContext, query: SearchQuery): Promise<SearchHits> {
    if (query.q.kind !== 'free') throw new SearchError('Meilisearch answers free-text queries only');
    const words = query.q.words;
    const optional = words.filter((w) => !w.required).length;
    const text = words.map((w) => (w.phrase ? `"${w.text.replace(/"/g, '')}"` : w.text)).join(' ');
    const now = new Date();
    const filter = query.filters.map((f) => `(${filterOf(f, now)})`).join(' AND ');
    const sort = query.sort.filter((s) => s.field !== 'score').map((s) => `${SORTABLE[s.field]}:${s.desc ? 'desc' : 'asc'}`);
    const rows = Math.max(query.rows, 1);
    const res = await this.index.search(text, {
      filter: filter || undefined,
      facets: query.facetFields.length ? [...new Set(query.facetFields.map(facetAttribute))] : undefined,
      sort: sort.length ? [...sort, 'id:asc'] : undefined,
      hitsPerPage: rows,
      page: Math.floor(query.start / rows) + 1,
      attributesToRetrieve: ['id'],
      // CKAN's minimum match: all words of two, otherwise Meilisearch may leave the last ones out.
      matchingStrategy: minimumShouldMatch(optional) >= optional ? 'all' : 'last',
    });
    const facets = new Map<string, Map<string, number>>();
    for (const f of query.facetFields) facets.set(f, facetCounts(f, res.facetDistribution));
    return { count: res.totalHits, ids: query.rows === 0 ? [] : res.hits.map((h) => h.id), facets };
  }

  /**
   * Pushes committed changes from search_outbox until it is empty; drains of this process run one after
   * another. Throws when Meilisearch does not take a batch (the batch stays in the outbox; the job retries).
   */
  drain(): Promise<void> {
    const next = this.draining.catch(() => undefined).then(async () => {
      while (await this.drainBatch());
    });
    this.draining = next;
    return next;
  }

  /** One batch, in a transaction that commits only after Meilisearch has taken it. */
  private async drainBatch(): Promise<boolean> {
    return this.dataSource.transaction(async (db) => {
      const ids = await this.outbox.take(db, 500);
      if (!ids.length) return false;
      const docs = await this.documents(db, ids);
      const present = new Set(docs.map((d) => d.id));
      const gone = ids.filter((id) => !present.has(id));
      if (docs.length) await this.expect(this.index.addDocuments(docs).waitTask());
      if (gone.length) await this.expect(this.index.deleteDocuments(gone).waitTask());
      return true;
    });
  }

  private async expect(task: Promise<{ status: string; error?: unknown }>): Promise<void> {
    const t = await task;
    if (t.status !== 'succeeded') throw new Error(`Meilisearch task ${t.status}: ${JSON.stringify(t.error)}`);
  }

  async flush(): Promise<void> {
    await this.drain();
  }

  /** Rebuilds the whole Meilisearch index from search_document, reporting progress. */
  async reindex(progress: (done: number, total: number) => void): Promise<void> {
    await this.configure();
    await this.expect(this.index.deleteAllDocuments().waitTask());
    const n = await this.documentsRepo.count(this.dataSource.manager);
    let done = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const ids = await this.documentsRepo.idsAfter(this.dataSource.manager, after, 2000);
      if (!ids.length) break;
      after = ids[ids.length - 1];
      const docs = await this.documents(this.dataSource.manager, ids);
      await this.expect(this.index.addDocuments(docs).waitTask());
      done += docs.length;
      progress(done, n);
    }
  }

  private async documents(db: EntityManager, ids: string[]): Promise<MeiliDoc[]> {
    const rows = await this.outbox.documentRows(db, ids);
    return rows.map((r) => ({
      id: r.id as string,
      name: r.name as string,
      name_words: String(r.name).replace(/[-_]/g, ' '),
      title: (r.title as string) ?? '',
      title_string: (r.title as string) ?? '',
      notes: (r.notes as string) ?? '',
      tags: r.tags as string[],
      vocab_tags: r.vocab_tags as string[],
      groups: r.groups as string[],
      organization: r.organization as string | null,
      organization_title: r.organization_title as string | null,
      owner_org: r.owner_org as string | null,
      res_format: r.res_format as string[],
      res_name: r.res_name as string[],
      res_description: r.res_description as string[],
      license_id: r.license_id as string | null,
      state: r.state as string,
      capacity: r.capacity as string,
      access_level: r.access_level as string,
      shared_with: r.shared_with as string[],
      type: r.type as string,
      creator_user_id: r.creator_user_id as string | null,
      metadata_modified_ts: timestamp(r.modified as string),
      metadata_created_ts: timestamp(r.created as string),
      num_resources: r.num_resources as number,
      num_tags: r.num_tags as number,
      author: r.author as string | null,
      maintainer: r.maintainer as string | null,
      extras_text: (r.extras_text as string) ?? '',
      vocab_words: (r.vocab_tags as string[]).map((e) => e.slice(e.lastIndexOf(':') + 1)).join(' '),
      bbox_minx: (r.bbox as number[] | null)?.[0] ?? null,
      bbox_miny: (r.bbox as number[] | null)?.[1] ?? null,
      bbox_maxx: (r.bbox as number[] | null)?.[2] ?? null,
      bbox_maxy: (r.bbox as number[] | null)?.[3] ?? null,
    }));
  }
}

/**
 * The attribute a facet field is counted on: vocabularies all share vocab_tags, so their tags together count against
 * maxValuesPerFacet (10,000), as a catalog's free tags do.
 */
const facetAttribute = (f: string): string => (searchField(f).type === 'vocab' ? 'vocab_tags' : (ALIASES[f] ?? f));

/** A facet field's counts from Meilisearch's facetDistribution: a vocabulary's are its own entries of vocab_tags. */
export function facetCounts(field: string, distribution: Record<string, Record<string, number>> | undefined): Map<string, number> {
  const counts = Object.entries(distribution?.[facetAttribute(field)] ?? {});
  const f = searchField(field);
  if (f.type !== 'vocab') return new Map(counts);
  const own = new Map<string, number>();
  for (const [entry, n] of counts) {
    const tag = vocabTagOf(f.key!, entry);
    if (tag !== null) own.set(tag, n);
  }
  return own;
}

/** A number as Meilisearch's filter reads it: plain decimals, no exponent (1e-7 becomes 0.0000001). */
const decimal = (n: number): string => (/e/i.test(String(n)) ? n.toFixed(20).replace(/\.?0+$/, '') : String(n));

/** Whether a filter holds an ext_bbox. */
const hasBox = (node: QNode): boolean =>
  node.kind === 'bbox' || ((node.kind === 'and' || node.kind === 'or') && node.children.some(hasBox)) || (node.kind === 'not' && hasBox(node.child));

/** A value in Meilisearch filter syntax. */
const lit = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A structured query tree as a Meilisearch filter; throws for what the filter language cannot say. */
export function filterOf(node: QNode, now: Date): string {
  switch (node.kind) {
    case 'all':
      return 'id EXISTS';
    case 'and':
      return node.children.map((c) => `(${filterOf(c, now)})`).join(' AND ');
    case 'or':
      return node.children.map((c) => `(${filterOf(c, now)})`).join(' OR ');
    case 'not':
      return `NOT (${filterOf(node.child, now)})`;
    case 'free':
      throw new Error('free text in a filter');
    case 'bbox': {
      // Intersects, edges included; a document without an extent has null corners, which no comparison matches.
      const [minx, miny, maxx, maxy] = node.box.map(decimal);
      return `bbox_minx <= ${maxx} AND bbox_maxx >= ${minx} AND bbox_miny <= ${maxy} AND bbox_maxy >= ${miny}`;
    }
    case 'term':
    case 'phrase': {
      const field = ALIASES[node.field ?? ''] ?? node.field;
      if (!field || (node.kind === 'term' && node.wildcard)) throw new Error('not expressible');
      const f = searchField(field);
      // Exact only: "some tag of this vocabulary" (a pattern, a presence test) has no filter in Meilisearch.
      if (f.type === 'vocab') return `vocab_tags = ${lit(vocabEntry(f.key!, node.value))}`;
      if (f.type === 'date') return `${field}_ts = ${timestamp(resolveDate(node.value, now))}`;
      // Every other field only if the index holds it as filterable (quality_score, issue 16, it does not).
      if (!FILTERABLE.includes(field)) throw new Error('not filterable');
      if (f.type === 'int') return `${field} = ${Number(node.value)}`;
      return `${field} = ${lit(node.value)}`;
    }
    case 'range': {
      const field = ALIASES[node.field] ?? node.field;
      const f = searchField(field);
      if (node.lo === null && node.hi === null) {
        if (!FILTERABLE.includes(field) && f.type !== 'date') throw new Error('not filterable');
        const attr = f.type === 'date' ? `${field}_ts` : field;
        return `${attr} EXISTS AND NOT ${attr} IS NULL AND NOT ${attr} IS EMPTY`;
      }
      if (f.type !== 'date' && f.type !== 'int') throw new Error('string ranges are not expressible');
      const attr = f.type === 'date' ? `${field}_ts` : field;
      if (!FILTERABLE.includes(attr)) throw new Error('not filterable');
      const val = (v: string): number => (f.type === 'date' ? timestamp(resolveDate(v, now)) : Number(v));
      const parts: string[] = [];
      if (node.lo !== null) parts.push(`${attr} ${node.loInclusive ? '>=' : '>'} ${val(node.lo)}`);
      if (node.hi !== null) parts.push(`${attr} ${node.hiInclusive ? '<=' : '<'} ${val(node.hi)}`);
      return parts.join(' AND ');
    }
  }
}
