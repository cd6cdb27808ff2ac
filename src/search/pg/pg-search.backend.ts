import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ActionContext } from '../../api/action-context';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { ChangedIds, DatasetChanges } from '../../catalog/datasets/dataset-changes';
import { DocStore, inMemoryCapable, isInMemoryFacet, MatchContext, SortKey, SORT_KEYS } from '../memory/doc-store';
import { and, fieldsOf, QNode } from '../query/ast';
import { CursorTuple, SearchBackend, SearchHits, SearchQuery } from '../search-backend';
import { searchField } from '../search-fields';
import { SortField } from '../search-request';
import { SearchDocumentRepository } from './search-document.repository';
import { SqlCompiler } from './sql-compiler';
import { TextResolution, textTokens, TokenInfo } from '../text-analysis';

/**
 * The default search backend: PostgreSQL full text (German configuration, folded accents,
 * prefix matching, trigram typo tolerance) over search_document, which every write refreshes
 * inside its own transaction. While the in-memory DocStore is in step with the database it
 * answers whatever it can express — filters, free text (with PostgreSQL's analysis of the
 * query's words), facets, sorts — and counts facets for the rest; SQL answers everything else,
 * and everything while the store cannot be trusted. Both score text matches the same way.
 */
@Injectable()
export class PgSearchBackend implements SearchBackend, OnModuleInit {
  readonly name = 'postgres';
  readonly docs = new DocStore();
  /** Refreshes run one after another, so an older read never overwrites a newer one. */
  private queue: Promise<void> = Promise.resolve();
  private reloadWanted = false;
  /** Changed datasets not yet read into the store. */
  private readonly pendingIds = new Set<string>();
  /** PostgreSQL's analysis of query tokens, until the next catalog change. */
  private readonly tokenCache = new Map<string, TokenInfo>();
  private tokenGeneration = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: SearchDocumentRepository,
    private readonly changes: DatasetChanges,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    this.changes.onChange((ids) => {
      this.tokenGeneration++;
      this.tokenCache.clear();
      return this.config.SEARCH_IN_MEMORY ? this.refresh(ids) : undefined;
    });
    if (this.config.SEARCH_IN_MEMORY) await this.refresh('all');
  }

  /** The store answers only while it has heard every committed change. */
  get memoryReady(): boolean {
    return this.config.SEARCH_IN_MEMORY && this.docs.ready && this.changes.live && !this.reloadWanted;
  }

  /**
   * Brings the store up to date with committed changes. Ids that arrive while a refresh is running
   * are gathered and read in one query by the next; "all" reloads everything in batches.
   */
  refresh(ids: ChangedIds): Promise<void> {
    if (ids === 'all') {
      this.reloadWanted = true;
      this.docs.invalidate();
    } else for (const id of ids) this.pendingIds.add(id);
    this.queue = this.queue.then(async () => {
      try {
        if (this.reloadWanted) await this.reload();
        else if (this.pendingIds.size && this.docs.ready) {
          const batch = [...this.pendingIds];
          this.pendingIds.clear();
          const rows = await this.repo.byIds(this.dataSource.manager, batch);
          this.docs.apply(batch, rows);
        }
      } catch (err) {
        this.log.error({ err }, 'could not refresh the in-memory search documents; searching with SQL until the next reload');
        this.docs.invalidate();
        this.reloadWanted = true;
        // A timer, not a job: what failed is this process's own memory, which only this process can
        // reload, and which dies with it, so there is nothing to share or to keep; SQL answers meanwhile.
        setTimeout(() => void this.refresh('all'), 5000).unref();
      }
    });
    return this.queue;
  }

  /** Reads every search document afresh, in batches (changes committed meanwhile are applied after it). */
  private async reload(): Promise<void> {
    this.reloadWanted = false;
    this.pendingIds.clear();
    const n = await this.repo.count(this.dataSource.manager);
    this.docs.beginReset(n);
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      if (this.reloadWanted) return; // another reload was asked for: it runs next
      const rows = await this.repo.batchAfter(this.dataSource.manager, after, 5000);
      if (!rows.length) break;
      this.docs.load(rows);
      after = rows[rows.length - 1].id;
    }
    this.docs.endReset();
  }

  async flush(): Promise<void> {
    await this.queue;
  }

  async search(ctx: ActionContext, query: SearchQuery): Promise<SearchHits> {
    const tree = and(query.q, ...query.filters);
    const now = new Date();
    const ranked = hasText(tree) || hasOverlap(tree);
    // Without text every document scores the same: a score sort falls through to the next key.
    const sort = query.sort.filter((s) => !(s.field === 'score' && !ranked) && s.field !== 'views_recent' && s.field !== 'views_total');
    const memSort = singleKeySort(sort);
    const memFacets = query.facetFields.filter(isInMemoryFacet);
    const sqlFacets = query.facetFields.filter((f) => !isInMemoryFacet(f));
    const memory = this.memoryReady;

    const plan = memory ? memoryPlan(sort) : undefined;
    let text: TextResolution | undefined;
    if (plan && inMemoryCapable(tree)) {
      text = ranked ? await this.resolveText(ctx, tree) : new Map();
      const analysed = text;
      // Words PostgreSQL could not analyse (unusual characters) are searched in SQL, which stems them itself.
      if ([...textTokens(tree)].every((t) => analysed.has(t))) {
        const m: MatchContext = { now, text, rankers: [] };
        const mask = this.docs.match(tree, m);
        const r = this.docs.scan({
          mask, score: plan.score ? this.docs.scores(mask, m.rankers, m.overlap) : undefined, sort: plan,
          start: query.start, rows: query.rows, after: plan.score ? undefined : query.after, facetFields: memFacets,
        });
        if (sqlFacets.length) {
          const c = new SqlCompiler(text, now);
          const where = c.compile(tree);
          for (const [f, counts] of await this.repo.facets(ctx.db, c, where, sqlFacets)) r.facets.set(f, counts);
        }
        return r;
      }
    }

    const c = new SqlCompiler(text ?? (await this.resolveText(ctx, tree)), now);
    const where = c.compile(tree);
    const facets = new Map<string, Map<string, number>>();
    let count: number;
    let ids: string[];
    let last: CursorTuple | undefined;

    if (memory && (memFacets.length || (memSort && !sort.some((s) => s.field === 'score')))) {
      // PostgreSQL finds the matches; the store counts their facets and, for structured orders, pages them.
      const all = await this.repo.matchingIds(ctx.db, where, c.params);
      const matched = this.docs.maskOf(all);
      count = all.length;
      for (const [f, counts] of this.docs.countFacets(matched, memFacets)) facets.set(f, counts);
      if (memSort && !sort.some((s) => s.field === 'score')) {
        const page = this.docs.scan({ mask: matched, sort: memSort, start: query.start, rows: query.rows, after: query.after, facetFields: [] });
        ids = page.ids;
        last = page.last;
      } else {
        ids = await this.repo.page(ctx.db, c, where, sort, query);
      }
    } else {
      const page = await this.repo.pageWithCount(ctx.db, c, where, sort, query, memSort);
      ({ count, ids, last } = page);
      for (const [f, counts] of await this.repo.facets(ctx.db, c, where, memFacets)) facets.set(f, counts);
    }
    for (const [f, counts] of await this.repo.facets(ctx.db, c, where, sqlFacets)) facets.set(f, counts);
    return { count, ids, last, facets };
  }

  /**
   * For each query token, PostgreSQL's analysis: folding, stop word or not, stems, whether an
   * indexed word starts with it, and near misses with their stems. Answers are kept until the
   * next change to the catalog (the vocabulary grows with writes).
   */
  private async resolveText(ctx: ActionContext, tree: QNode): Promise<TextResolution> {
    const toks = [...textTokens(tree)];
    const out: TextResolution = new Map();
    const missing: string[] = [];
    // Only while every change is heard, and outside write transactions (which may have grown the vocabulary).
    const cacheable = this.changes.live && !ctx.inTransaction;
    for (const t of toks) {
      const hit = cacheable ? this.tokenCache.get(t) : undefined;
      if (hit) out.set(t, hit);
      else missing.push(t);
    }
    if (!missing.length) return out;
    const generation = this.tokenGeneration;
    const rows = await this.repo.analyseTokens(ctx.db, missing);
    for (const r of rows) {
      const info: TokenInfo = {
        folded: r.folded, meaningful: r.meaningful, stems: r.stems, known: r.known, similar: r.similar,
        similarStems: r.similar_stems.map((x) => (x ? x.split(' ') : [])),
      };
      out.set(r.t, info);
      if (cacheable && generation === this.tokenGeneration) {
        if (this.tokenCache.size >= 10_000) this.tokenCache.clear();
        this.tokenCache.set(r.t, info);
      }
    }
    return out;
  }

}

/** An order the store can page: by score first or not, then one pre-sorted key (ties by id in its direction). */
function memoryPlan(sort: SortField[]): { key: SortKey; desc: boolean; score: boolean } | undefined {
  if (sort[0]?.field === 'score') {
    if (!sort[0].desc) return undefined;
    if (sort.length === 1) return { key: 'id', desc: true, score: true };
    const rest = singleKeySort(sort.slice(1));
    return rest && { ...rest, score: true };
  }
  const only = singleKeySort(sort);
  return only && { ...only, score: false };
}

/** A sort the store holds pre-sorted: one key (ties by id), or by id alone. */
function singleKeySort(sort: SortField[]): { key: SortKey; desc: boolean } | undefined {
  if (sort.length === 0) return { key: 'id', desc: false };
  const fields = sort.filter((s, i) => !(s.field === 'id' && i > 0 && sort[i - 1].desc === s.desc));
  if (fields.length !== 1) return undefined;
  const key = fields[0].field as SortKey;
  return SORT_KEYS.includes(key) ? { key, desc: fields[0].desc } : undefined;
}

/** Whether a tree ranks by an ext_bbox's overlap (a box that is not negated). */
function hasOverlap(node: QNode, negated = false): boolean {
  switch (node.kind) {
    case 'bbox': return !negated;
    case 'and': case 'or': return node.children.some((c) => hasOverlap(c, negated));
    case 'not': return hasOverlap(node.child, !negated);
    default: return false;
  }
}

/** Whether a tree searches text (and so has meaningful scores). */
function hasText(tree: QNode): boolean {
  if (tree.kind === 'free') return true;
  for (const f of fieldsOf(tree)) if (searchField(f).type === 'text') return true;
  return false;
}
