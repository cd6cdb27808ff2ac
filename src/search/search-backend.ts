import type { ActionContext } from '../api/action-context';
import type { QNode } from './query/ast';
import type { SortField } from './search-request';

/** Where a paging client's previous page ended: the sort value and id of its last row. */
export type CursorTuple = [string | number, string];

export interface SearchQuery {
  q: QNode;
  /** fq, fq_list and the visibility filter, all required. */
  filters: QNode[];
  sort: SortField[];
  start: number;
  rows: number;
  /** Continue after this row instead of skipping `start` rows. */
  after?: CursorTuple;
  facetFields: string[];
}

export interface SearchHits {
  count: number;
  ids: string[];
  /** Facet values with their counts (all of them; limit and mincount are applied by the caller). */
  facets: Map<string, Map<string, number>>;
  /** The cursor after the last row, when the order allows continuing from it. */
  last?: CursorTuple;
}

/** A search engine behind package_search. The contract suite holds every implementation to the same answers. */
export interface SearchBackend {
  readonly name: string;
  search(ctx: ActionContext, query: SearchQuery): Promise<SearchHits>;
  /** Waits until every committed change is searchable (tests, reindex). */
  flush(): Promise<void>;
}
