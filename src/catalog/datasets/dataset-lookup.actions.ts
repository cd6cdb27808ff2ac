import { Inject, Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, defineAction } from '../../api/action';
import { Field, ignoreEmpty, ignoreMissing, maxLength, naturalNumber, notEmpty, unicodeSafe } from '../../api/ckan-schema';
import { NotFound, ValidationError } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { Visibility } from '../../auth/visibility';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { RESOURCE_ORDER_COLUMNS, RESOURCE_SEARCH_COLUMNS, ResourceFilter, ResourceRepository } from '../resources/resource.repository';
import { authGroupShow } from '../organizations/group.auth';
import { GroupRepository } from '../organizations/group.repository';
import { PackageDict, ResourceDict, toResourceDict } from './dataset.dict';

export class GroupPackageShowInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreEmpty, naturalNumber) limit?: number;
}

/** At most this many resources per resource_search answer (CKAN has no bound). */
const MAX_RESOURCE_RESULTS = 1000;

export class ResourceSearchInput {
  @Field(ignoreMissing) query?: unknown;
  @Field(ignoreMissing) fields?: unknown;
  @Field(ignoreEmpty, unicodeSafe, maxLength(100)) order_by?: string;
  @Field(ignoreEmpty, naturalNumber) offset?: number;
  @Field(ignoreEmpty, naturalNumber) limit?: number;
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** resource_search's `query`/`fields` as field → terms, with CKAN's messages (strings, as CKAN raises them). */
function searchTerms(input: ResourceSearchInput): Map<string, string[]> {
  const { query, fields } = input;
  if (query === undefined && fields === undefined) throw new ValidationError({ query: 'Missing value' });
  if (query !== undefined && fields !== undefined) throw new ValidationError({ fields: 'Do not specify if using "query" parameter' });
  const out = new Map<string, string[]>();
  if (query !== undefined) {
    const pairs = Array.isArray(query) ? query : [query];
    for (const pair of pairs) {
      const i = typeof pair === 'string' ? pair.indexOf(':') : -1;
      if (i < 0) throw new ValidationError({ query: 'Must be <field>:<value> pair(s)' });
      out.set((pair as string).slice(0, i), [(pair as string).slice(i + 1)]); // a repeated field: the last wins, as CKAN's dict()
    }
    return out;
  }
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw new ValidationError({ fields: 'Must be a dict of field to terms' });
  for (const [field, terms] of Object.entries(fields as Record<string, unknown>)) {
    // the deprecated form splits a string on white space
    const list = typeof terms === 'string' ? terms.split(/\s+/).filter(Boolean) : Array.isArray(terms) ? terms.map(String) : [String(terms)];
    out.set(field, list);
  }
  return out;
}

function filtersOf(terms: Map<string, string[]>): ResourceFilter[] {
  const filters: ResourceFilter[] = [];
  for (const [field, list] of terms) {
    const match = Object.prototype.hasOwnProperty.call(RESOURCE_SEARCH_COLUMNS, field) ? RESOURCE_SEARCH_COLUMNS[field] : undefined;
    if (!match) throw new ValidationError({ query: `Field "${field}" not recognised in resource_search.` });
    for (const term of list) {
      if (match === 'equals') {
        const ok = field === 'size' ? /^-?\d{1,18}$/.test(term) : !Number.isNaN(Date.parse(term));
        if (!ok) throw new ValidationError({ query: `Invalid value for field "${field}": ${term}` });
        filters.push({ column: field, match, value: term });
      } else filters.push({ column: field, match, value: escapeLike(term) });
    }
  }
  return filters;
}

/** Lists of datasets and resources found by a group or by resource fields: group_package_show, resource_search. */
@Injectable()
export class DatasetLookupActions implements ActionProvider {
  constructor(
    private readonly groups: GroupRepository,
    private readonly authz: Authz,
    private readonly resources: ResourceRepository,
    private readonly visibility: Visibility,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  readonly groupPackageShow = defineAction({
    name: 'group_package_show',
    help: `The datasets of a group, newest change first, as package_show dicts. Params: id (id or name of the group), limit (default 10, as CKAN's package_search rows).
Only the datasets the caller may read (package_search's rule, private ones of the caller's organizations included). Who may call: as group_show.`,
    sideEffectFree: true,
    anonymous: true,
    input: GroupPackageShowInput,
    auth: async (ctx, input) => {
      const g = await this.groups.find(ctx.db, input.id);
      if (!g) throw new NotFound();
      return authGroupShow(ctx, this.authz, g);
    },
    handler: async (ctx, input) => {
      const g = await this.groups.find(ctx.db, input.id);
      if (!g) throw new NotFound();
      // CKAN searches `groups:<name>`, which an organization never matches: an organization's answer is [].
      const found = await ctx.call<{ results: PackageDict[] }>('package_search', {
        fq: `groups:"${g.name}"`, rows: input.limit || 10, sort: 'metadata_modified desc', include_private: true,
      });
      return found.results;
    },
  });

  readonly resourceSearch = defineAction({
    name: 'resource_search',
    help: `Search resources by their fields. Params: query ("field:term" or a list of them; every one must match), fields (deprecated: {field: terms}),
order_by (a resource field), offset, limit (at most ${MAX_RESOURCE_RESULTS}). Text fields match a term anywhere, case-insensitively; hash by prefix;
size and dates exactly. Fields: ${Object.keys(RESOURCE_SEARCH_COLUMNS).join(', ')}. Returns {count, results} (resource dicts).
Only resources of active datasets the caller may read. Anyone may call.`,
    sideEffectFree: true,
    anonymous: true,
    input: ResourceSearchInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      const filters = filtersOf(searchTerms(input));
      const orderBy = input.order_by && RESOURCE_ORDER_COLUMNS.has(input.order_by) ? input.order_by : undefined;
      const limit = Math.min(input.limit ?? MAX_RESOURCE_RESULTS, MAX_RESOURCE_RESULTS);
      const reader = await this.visibility.readerOf(ctx);
      const found = await this.resources.search(ctx.db, reader, filters, { orderBy, offset: input.offset ?? 0, limit });
      const results: ResourceDict[] = found.rows.map((r) => toResourceDict(r, this.config.SITE_URL));
      return { count: found.count, results };
    },
  });

  all = (): AnyAction[] => [this.groupPackageShow, this.resourceSearch];
}
