import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, defineAction } from '../api/action';
import { Field, ignoreEmpty, ignoreMissing, maxLength, naturalNumber, notMissing, unicodeSafe } from '../api/ckan-schema';
import { readableSql, Visibility } from '../auth/visibility';
import { PackageSearchInput } from './search-request';
import { SearchService } from './search.service';

class AutocompleteInput {
  @Field(notMissing, unicodeSafe, maxLength(200)) q!: string;
  @Field(ignoreEmpty, naturalNumber) limit?: number;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) vocabulary_id?: string;
}

const like = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`;

/** package_search and the autocomplete actions. */
@Injectable()
export class SearchActions implements ActionProvider {
  constructor(private readonly search: SearchService, private readonly visibility: Visibility) {}

  readonly packageSearch = defineAction({
    name: 'package_search',
    help: `Search datasets. Returns {count, results (full dataset dicts), facets, search_facets, sort}.

Params: q (Solr syntax; without a colon: free text over titles, tags, descriptions, resources, in German with stemming, folded
accents, prefix matching and typo tolerance), fq, fq_list (filters in Solr syntax: field:value, "phrases", ranges [a TO b],
AND/OR/NOT, +/-), sort (default "score desc, metadata_modified desc"; also name, title_string, metadata_modified,
metadata_created, id with asc/desc), rows (default 10, at most 1000), start, facet ("false" to switch off), facet.field
(a JSON list), facet.limit (default 50, negative for all), facet.mincount (default 1), fl, include_private (the private datasets
of your organizations; all for sysadmins), include_drafts. Unknown parameters are refused. Paging with a growing start stays
exact while datasets change (each client's position is remembered for an hour). Limits: at most 100 facet.field, fq_list
and fl entries each, 1024 terms per query string, groups and NOT nested at most 100 deep (409 naming the parameter).`,
    sideEffectFree: true,
    anonymous: true,
    input: PackageSearchInput,
    auth: async () => allow(),
    handler: (ctx, input) => this.search.search(ctx, input),
  });

  readonly tagAutocomplete = defineAction({
    name: 'tag_autocomplete',
    help: 'Return the names of tags containing q (of datasets you may read). Params: q, limit (default 10).',
    sideEffectFree: true,
    anonymous: true,
    input: AutocompleteInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      if (input.vocabulary_id) return [];
      const params: unknown[] = [like(input.q), `${input.q.toLowerCase()}%`, input.limit ?? 10];
      const readable = readableSql(await this.visibility.readerOf(ctx), params, 'p');
      const rows: { name: string }[] = await ctx.db.query(
        `SELECT t.name FROM tag t
          WHERE lower(t.name) LIKE $1
            AND EXISTS (SELECT 1 FROM package_tag pt JOIN package p ON p.id = pt.package_id
                         WHERE pt.tag_id = t.id AND p.state = 'active' AND ${readable})
          ORDER BY (lower(t.name) LIKE $2) DESC, t.name LIMIT $3`,
        params,
      );
      return rows.map((r) => r.name);
    },
  });

  readonly formatAutocomplete = defineAction({
    name: 'format_autocomplete',
    help: 'Return resource formats containing q, most used first, in lower case (as CKAN does). Params: q, limit (default 5).',
    sideEffectFree: true,
    anonymous: true,
    input: AutocompleteInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      const params: unknown[] = [like(input.q), input.limit ?? 5];
      const readable = readableSql(await this.visibility.readerOf(ctx), params, 'p');
      const rows: { format: string }[] = await ctx.db.query(
        `SELECT lower(r.format) AS format FROM resource r JOIN package p ON p.id = r.package_id
          WHERE r.state = 'active' AND p.state = 'active' AND ${readable}
            AND lower(r.format) LIKE $1
          GROUP BY lower(r.format) ORDER BY count(*) DESC, lower(r.format) LIMIT $2`,
        params,
      );
      return rows.map((r) => r.format);
    },
  });

  private groupAutocomplete(kind: 'organization' | 'group'): AnyAction {
    return defineAction({
      name: `${kind}_autocomplete`,
      help: `Return ${kind}s whose name or title contains q: [{id, name, title}]. Params: q, limit (default 20).`,
      sideEffectFree: true,
      anonymous: true,
      input: AutocompleteInput,
      auth: async () => allow(),
      handler: async (ctx, input) =>
        ctx.db.query(
          `SELECT id, name, title FROM catalog_group
            WHERE is_organization = $1 AND state = 'active' AND (lower(name) LIKE $2 OR lower(title) LIKE $2)
            ORDER BY title COLLATE "C", name LIMIT $3`,
          [kind === 'organization', like(input.q), input.limit ?? 20],
        ),
    });
  }

  all = (): AnyAction[] => [this.packageSearch, this.tagAutocomplete, this.formatAutocomplete, this.groupAutocomplete('organization'), this.groupAutocomplete('group')];
}
