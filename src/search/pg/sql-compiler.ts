import { SearchQueryError } from '../../api/errors';
import { FreeWord, minimumShouldMatch, QNode, QueryBox } from '../query/ast';
import { resolveDate } from '../query/date-math';
import { searchField, SearchField, vocabEntry } from '../search-fields';
import { searchTokens, TextResolution } from '../text-analysis';

/**
 * Compiles a query tree into a SQL condition over search_document, with bound parameters only.
 * Text matches use the weighted tsvector: every token matches as a prefix of its German stem
 * (partial words find compounds), and a token no indexed word starts with also matches its
 * closest indexed words (typo tolerance).
 *
 * The positive text matches are collected for ranking, scored as the in-memory index scores
 * them: each word by the best class all its tokens occur in (title or name 10, tags, groups or
 * organization 5, description 2, anything else 1), summed over the words.
 */
export class SqlCompiler {
  readonly params: unknown[] = [];
  /** The positive text matches (word, field classes), scored by `rankExpression`. */
  private readonly ranked: [string, string][] = [];
  /** The ext_bbox box whose overlap ranks (see overlapScore). */
  private overlap?: QueryBox;

  constructor(private readonly text: TextResolution, private readonly now: Date) {}

  param(v: unknown): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }

  compile(node: QNode, negated = false): string {
    switch (node.kind) {
      case 'all':
        return 'TRUE';
      case 'and':
        return `(${node.children.map((c) => this.compile(c, negated)).join(' AND ')})`;
      case 'or':
        return `(${node.children.map((c) => this.compile(c, negated)).join(' OR ')})`;
      case 'not':
        // IS NOT TRUE: a document without the field matches "-field:x", as in Lucene.
        return `((${this.compile(node.child, !negated)}) IS NOT TRUE)`;
      case 'free':
        return this.free(node.words, negated);
      case 'term':
      case 'phrase':
        return this.match(searchField(node.field ?? 'text'), node.value, node.kind === 'phrase', node.kind === 'term' && node.wildcard, negated);
      case 'range':
        return this.range(searchField(node.field), node.lo, node.hi, node.loInclusive, node.hiInclusive);
      case 'bbox':
        if (!negated) this.overlap = node.box;
        return this.intersects(node.box);
    }
  }

  /**
   * The extent intersects the box, edges included. `&&` finds candidates through the GiST index; its comparison
   * allows PostgreSQL's 1e-6 tolerance, so the exact test follows (the in-memory store and Meilisearch test exactly).
   */
  private intersects(q: QueryBox): string {
    const [minx, miny, maxx, maxy] = q.map((v) => `${this.param(v)}::float8`);
    return `(bbox && box(point(${minx}, ${miny}), point(${maxx}, ${maxy}))
      AND (bbox[1])[0] <= ${maxx} AND (bbox[0])[0] >= ${minx} AND (bbox[1])[1] <= ${maxy} AND (bbox[0])[1] >= ${miny})`;
  }

  /** overlapScore in SQL, with the same operations in the same order (bbox[1] is the low corner, bbox[0] the high one). */
  private overlapExpression(q: QueryBox, bind: (v: unknown) => string): string {
    const [minx, miny, maxx, maxy] = q.map((v) => `${bind(v)}::float8`);
    const area = `${bind((q[2] - q[0]) * (q[3] - q[1]))}::float8`;
    const ix = `greatest(0::float8, least(${maxx}, (bbox[0])[0]) - greatest(${minx}, (bbox[1])[0]))`;
    const iy = `greatest(0::float8, least(${maxy}, (bbox[0])[1]) - greatest(${miny}, (bbox[1])[1]))`;
    const sum = `(${area} + ((bbox[0])[0] - (bbox[1])[0]) * ((bbox[0])[1] - (bbox[1])[1]))`;
    return `coalesce(CASE WHEN ${sum} > 0 THEN (2 * (${ix} * ${iy})) / ${sum} ELSE 1 END, 0)`;
  }

  /** The tsquery text for one query word: each token as stem prefix (or its typo alternatives), all required. */
  private wordQuery(word: string, weights = ''): string | null {
    const parts = searchTokens(word, this.text).map((t) => {
      const lexemes = t.words.map((x) => `${x}:*${weights}`);
      return lexemes.length > 1 ? `(${lexemes.join(' | ')})` : lexemes[0];
    });
    return parts.length ? parts.join(' & ') : null;
  }

  private rank(word: string, fieldWeights: string): void {
    this.ranked.push([word, fieldWeights]);
  }

  /**
   * The score as SQL: per ranked word the best class level at which all its tokens occur (limited
   * to the field's classes), summed. Its parameters are bound with `bind`, so statements that do
   * not order by score do not carry them.
   */
  rankExpression(bind: (v: unknown) => string): string {
    const terms: string[] = [];
    for (const [word, fieldWeights] of this.ranked) {
      const allowed = fieldWeights || 'ABCD';
      const whens: string[] = [];
      let previous = '';
      for (const [level, score] of [['A', 10], ['AB', 5], ['ABC', 2], ['ABCD', 1]] as const) {
        const weights = [...level].filter((w) => allowed.includes(w)).join('');
        if (!weights || weights === previous) continue;
        previous = weights;
        const q = this.wordQuery(word, weights);
        if (q) whens.push(`WHEN tsv @@ to_tsquery('german', ${bind(q)}::text) THEN ${score}`);
      }
      if (whens.length) terms.push(`CASE ${whens.join(' ')} ELSE 0 END`);
    }
    // ckanext-spatial's solr-bbox adds the overlap to the text score (its `bf`); so do we.
    if (this.overlap) terms.push(this.overlapExpression(this.overlap, bind));
    return terms.length ? `(${terms.join(' + ')})` : '0::int';
  }

  private tsq(text: string): string {
    return `to_tsquery('german', ${this.param(text)})`;
  }

  private phraseTsq(phrase: string): string {
    return `phraseto_tsquery('german', catalog_fold(${this.param(phrase)}))`;
  }

  /** CKAN's DisMax: required and excluded words, and a minimum of the optional ones. */
  private free(words: FreeWord[], negated: boolean): string {
    const conds: string[] = [];
    const optional: string[] = [];
    let positive = 0;
    for (const w of words) {
      const q = w.phrase ? this.phraseTsq(w.text) : this.wordText(w.text);
      if (!q) continue;
      if (!w.excluded) positive++;
      const match = `tsv @@ ${q}`;
      if (w.excluded) conds.push(`(${match}) IS NOT TRUE`);
      else {
        if (!negated) this.rank(w.text, '');
        if (w.required) conds.push(match);
        else optional.push(q);
      }
    }
    if (optional.length) {
      const k = minimumShouldMatch(optional.length);
      if (k >= optional.length) conds.push(...optional.map((q) => `tsv @@ ${q}`));
      else {
        // Any of them finds candidates through the index; the count then applies the minimum.
        conds.push(`tsv @@ (${optional.join(' || ')})`);
        conds.push(`(${optional.map((q) => `(tsv @@ ${q})::int`).join(' + ')}) >= ${k}`);
      }
    }
    // Only stop words (or nothing searchable) left: like Solr's DisMax, that matches nothing.
    if (!positive) return 'FALSE';
    return `(${conds.join(' AND ')})`;
  }

  private wordText(word: string, weights = ''): string | null {
    const text = this.wordQuery(word, weights);
    return text ? this.tsq(text) : null;
  }

  private match(f: SearchField, value: string, phrase: boolean, wildcard: boolean, negated: boolean): string {
    switch (f.type) {
      case 'text': {
        const weights = f.weights === 'ABCD' ? '' : (f.weights ?? '');
        if (wildcard && /[?*].*\S/.test(value.replace(/\*$/, ''))) {
          // Inner wildcards: a pattern on the folded column text.
          const col = f.name === 'text' ? `concat_ws(' ', title, notes)` : f.column;
          return `catalog_fold(${col}) LIKE catalog_fold(${this.param(likePattern(value))})`;
        }
        const q = phrase ? this.phraseTsq(value) : this.wordText(value.replace(/\*$/, ''), weights);
        if (!q) return 'TRUE';
        if (!negated) this.rank(value.replace(/\*$/, ''), weights);
        if (phrase && weights) return `(tsv @@ ${q} AND to_tsvector('german', catalog_fold(coalesce(${f.column}, ''))) @@ ${q})`;
        return `tsv @@ ${q}`;
      }
      case 'texts': {
        const col = f.name === 'author' || f.name === 'maintainer' ? `coalesce(${f.column}, '')` : `array_to_string(${f.column}, ' ')`;
        const pattern = wildcard ? likePattern(value) : `%${escapeLike(value)}%`;
        return `catalog_fold(${col}) LIKE catalog_fold(${this.param(pattern)})`;
      }
      case 'keyword':
        if (wildcard) return `${f.column} LIKE ${this.param(likePattern(value))}`;
        return `${f.column} = ${this.param(value)}`;
      case 'keywords':
        if (wildcard) return `EXISTS (SELECT 1 FROM unnest(${f.column}) v WHERE v LIKE ${this.param(likePattern(value))})`;
        return `${f.column} @> ARRAY[${this.param(value)}]::text[]`;
      case 'date':
        return `${f.column} = ${this.param(`${resolveDate(value, this.now)}Z`)}::timestamptz`;
      case 'int':
        return `${f.column} = ${this.param(toInt(value, f.name))}`;
      case 'extra-keyword':
        if (wildcard) return `extras->>${this.param(f.key)} LIKE ${this.param(likePattern(value))}`;
        return `extras->>${this.param(f.key)} = ${this.param(value)}`;
      case 'extra-text':
        return `catalog_fold(extras->>${this.param(f.key)}) LIKE catalog_fold(${this.param(wildcard ? likePattern(value) : `%${escapeLike(value)}%`)})`;
      case 'vocab':
        if (wildcard) return this.anyVocabTag(f, (tag) => `${tag} LIKE ${this.param(likePattern(value))}`);
        // Exact: one containment test, which the GIN index on vocab_tags answers.
        return `vocab_tags @> ARRAY[${this.param(vocabEntry(f.key!, value))}]::text[]`;
    }
  }

  /** Some tag of the vocabulary `f` names satisfies `cond` (given the tag as an SQL expression). */
  private anyVocabTag(f: SearchField, cond: (tag: string) => string): string {
    return `EXISTS (SELECT 1 FROM unnest(vocab_tags) v WHERE ${cond(`(${vocabTagSql('v', f.key!, (x) => this.param(x))})`)})`;
  }

  private range(f: SearchField, lo: string | null, hi: string | null, loInc: boolean, hiInc: boolean): string {
    if (lo === null && hi === null) return this.present(f);
    const bound = (v: string, op: string, expr: string): string => {
      switch (f.type) {
        case 'date':
          return `${expr} ${op} ${this.param(`${resolveDate(v, this.now)}Z`)}::timestamptz`;
        case 'int':
          return `${expr} ${op} ${this.param(toInt(v, f.name))}`;
        default:
          return `${expr} COLLATE "C" ${op} ${this.param(v)}`;
      }
    };
    const conds = (expr: string): string =>
      [lo !== null ? bound(lo, loInc ? '>=' : '>', expr) : null, hi !== null ? bound(hi, hiInc ? '<=' : '<', expr) : null].filter(Boolean).join(' AND ');
    switch (f.type) {
      case 'keywords':
      case 'texts':
        return `EXISTS (SELECT 1 FROM unnest(${f.column}) v WHERE ${conds('v')})`;
      case 'extra-keyword':
      case 'extra-text':
        return conds(`(extras->>${this.param(f.key)})`);
      case 'vocab':
        return this.anyVocabTag(f, conds);
      case 'text':
        return conds(f.name === 'text' ? 'title' : f.column);
      default:
        return conds(f.column);
    }
  }

  /** `field:*` / `field:[* TO *]`: the field has a value. */
  private present(f: SearchField): string {
    switch (f.type) {
      case 'keywords':
      case 'texts':
        return f.name === 'author' || f.name === 'maintainer' ? `coalesce(${f.column}, '') <> ''` : `cardinality(${f.column}) > 0`;
      case 'extra-keyword':
      case 'extra-text':
        return `extras ? ${this.param(f.key)}`;
      case 'vocab':
        return this.anyVocabTag(f, (tag) => `${tag} IS NOT NULL`);
      case 'text':
        return f.name === 'text' ? 'TRUE' : `coalesce(${f.column}, '') <> ''`;
      case 'date':
      case 'int':
        return `${f.column} IS NOT NULL`;
      default:
        return `coalesce(${f.column}, '') <> ''`;
    }
  }
}

/**
 * The tag of the vocabulary named `vocabulary` in the search store's entry `entry` (an SQL expression), NULL for
 * another vocabulary's entry (see vocabEntry). Length in characters, as left() and substr() count.
 */
export function vocabTagSql(entry: string, vocabulary: string, param: (v: unknown) => string): string {
  const n = [...vocabulary].length + 1;
  return `CASE WHEN left(${entry}, ${param(n)}::int) = ${param(`${vocabulary}:`)} AND strpos(substr(${entry}, ${param(n + 1)}::int), ':') = 0
    THEN substr(${entry}, ${param(n + 1)}::int) END`;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A Solr wildcard pattern as SQL LIKE (`*` any run, `?` one character). */
function likePattern(pattern: string): string {
  return escapeLike(pattern).replace(/\*/g, '%').replace(/\?/g, '_');
}

function toInt(v: string, field: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new SearchQueryError(`'${v}' is not a number for field ${field}`);
  return n;
}
