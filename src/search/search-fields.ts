/**
 * The fields package_search understands, as CKAN's Solr schema defines them: exact keyword
 * fields (Solr `string`), multi-valued keyword fields, analysed text, dates and numbers, a vocabulary's tags
 * (`vocab_<vocabulary name>`, multi-valued exact, as CKAN's `vocab_*` dynamic field); every other name is an extra
 * (`extras_<key>` analysed, `<key>` exact).
 */
export type FieldType = 'keyword' | 'keywords' | 'text' | 'texts' | 'date' | 'int' | 'extra-text' | 'extra-keyword' | 'vocab';

export interface SearchField {
  name: string;
  type: FieldType;
  /** search_document column (or expression) holding it. */
  column: string;
  /** For text fields: the tsvector weights it was indexed under (A title, B tags/groups/org, C notes, D the rest). */
  weights?: string;
  /** The in-memory document store holds it (filter, facet and sort without SQL). */
  inMemory: boolean;
  /** For extras: the key; for `vocab_<name>`: the vocabulary's name. */
  key?: string;
}

const f = (name: string, type: FieldType, column: string, inMemory: boolean, weights?: string): SearchField => ({ name, type, column, inMemory, weights });

const FIELDS: SearchField[] = [
  f('id', 'keyword', 'id::text', true),
  f('name', 'keyword', 'name', true),
  f('title', 'text', 'title', false, 'A'),
  f('title_string', 'keyword', 'title', true),
  f('notes', 'text', 'notes', false, 'C'),
  f('text', 'text', 'tsv', false, 'ABCD'),
  f('tags', 'keywords', 'tags', true),
  f('groups', 'keywords', 'groups', true),
  f('organization', 'keyword', 'organization', true),
  f('owner_org', 'keyword', 'owner_org::text', true),
  f('res_format', 'keywords', 'res_format', true),
  f('res_name', 'texts', 'res_name', false),
  f('res_description', 'texts', 'res_description', false),
  f('res_url', 'keywords', 'res_url', false),
  f('res_type', 'keywords', 'res_type', false),
  f('license_id', 'keyword', 'license_id', true),
  f('license', 'keyword', 'license_id', true),
  f('state', 'keyword', 'state', true),
  f('capacity', 'keyword', 'capacity', true),
  // Issue 14: the read rule's access fields (src/auth/visibility.ts); shared_with holds the sharing organizations' ids.
  f('access_level', 'keyword', 'access_level', true),
  f('shared_with', 'keywords', 'shared_with', true),
  f('type', 'keyword', 'type', true),
  f('dataset_type', 'keyword', 'type', true),
  f('author', 'texts', 'author', false),
  f('maintainer', 'texts', 'maintainer', false),
  f('version', 'keyword', 'version', false),
  f('url', 'keyword', 'url', false),
  f('creator_user_id', 'keyword', 'creator_user_id::text', true),
  f('metadata_modified', 'date', 'metadata_modified', true),
  f('metadata_created', 'date', 'metadata_created', true),
  f('num_resources', 'int', 'num_resources', true),
  f('num_tags', 'int', 'num_tags', true),
  // Issue 16: the metadata quality DCAT's write check computes (package_show's `quality`): its score rounded to a whole
  // point (PostgreSQL answers it), and its rating (the in-memory store filters and counts it too). Meilisearch hands
  // queries on either to PostgreSQL.
  f('quality_score', 'int', 'quality_score', false),
  f('quality_rating', 'keyword', 'quality_rating', true),
  // Issue 16: the terms of the hvd_category extra, each as written (a generated column); its facet is counted per term
  // IRI by the search service (TERM_LIST_FACETS). Meilisearch's index does not hold it: PostgreSQL answers.
  f('hvd_category', 'keywords', 'hvd_category', true),
];

const BY_NAME = new Map(FIELDS.map((x) => [x.name, x]));

/** Fields that are always true for our documents (Solr bookkeeping CKAN adds itself). */
export const CONSTANT_FIELDS: Record<string, string[]> = { entity_type: ['package'], site_id: ['*'] };

/**
 * CKAN indexes a dataset's vocabulary tags not in `tags` but as `vocab_<vocabulary name>` (ckan/lib/search/index.py).
 * The search store keeps them in one list (search_document.vocab_tags) of `<vocabulary name>:<tag name>`: tag names
 * have no colon, so the last colon separates the two.
 */
export const VOCAB_PREFIX = 'vocab_';

/** A vocabulary tag as the search store holds it. */
export const vocabEntry = (vocabulary: string, tag: string): string => `${vocabulary}:${tag}`;

/** The tag of a stored entry if it belongs to `vocabulary`, else null. */
export function vocabTagOf(vocabulary: string, entry: string): string | null {
  if (!entry.startsWith(`${vocabulary}:`)) return null;
  const tag = entry.slice(vocabulary.length + 1);
  return tag.includes(':') ? null : tag;
}

/** The field definition for a name used in a query, a facet or a sort. */
export function searchField(name: string): SearchField {
  const known = BY_NAME.get(name);
  if (known) return known;
  if (name.startsWith(VOCAB_PREFIX)) return { name, type: 'vocab', column: 'vocab_tags', inMemory: false, key: name.slice(VOCAB_PREFIX.length) };
  if (name.startsWith('extras_')) return { name, type: 'extra-text', column: 'extras', inMemory: false, key: name.slice('extras_'.length) };
  return { name, type: 'extra-keyword', column: 'extras', inMemory: false, key: name };
}

/** Fields a facet may be built on in memory. */
export const IN_MEMORY_FACETS = new Set(['organization', 'groups', 'tags', 'res_format', 'license_id', 'license', 'state', 'capacity', 'access_level', 'quality_rating', 'type', 'dataset_type', 'owner_org', 'name', 'creator_user_id', 'num_resources', 'num_tags']);
