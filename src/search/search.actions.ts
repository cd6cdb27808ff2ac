import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, defineAction } from '../api/action';
import { PackageSearchInput } from './search-request';
import { SearchService } from './search.service';

/** package_search. */
@Injectable()
export class SearchActions implements ActionProvider {
  constructor(private readonly search: SearchService) {}

  readonly packageSearch = defineAction({
    name: 'package_search',
    help: `Search datasets. Returns {count, results (full dataset dicts), facets, search_facets, sort}.

Params: q (Solr syntax; without a colon: free text over titles, tags, descriptions, resources, in German with stemming, folded
accents, prefix matching and typo tolerance), fq, fq_list (filters in Solr syntax: field:value, "phrases", ranges [a TO b],
AND/OR/NOT, +/-), sort (default "score desc, metadata_modified desc"; also name, title_string, metadata_modified,
metadata_created, id with asc/desc), rows (default 10, at most 1000), start, facet ("false" to switch off), facet.field
(a JSON list), facet.limit (default 50, negative for all), facet.mincount (default 1), fl, include_private (the private datasets
of your organizations; all for sysadmins), include_drafts, ext_bbox (ckanext-spatial's map search: "minx,miny,maxx,maxy" in WGS 84
degrees; datasets whose extent, their spatial extra's box or their Land's, intersects the box, edges included; under a score
sort ranked by overlap as ckanext-spatial's solr-bbox ranks; a malformed box is 409 "Wrong bounding box provided"). Unknown parameters are refused. Paging with a growing start stays
exact while datasets change (each client's position is remembered for an hour). Limits: at most 100 facet.field, fq_list
and fl entries each, 1024 terms per query string, groups and NOT nested at most 100 deep (409 naming the parameter).`,
    example: { q: 'Pegel', fq: 'tags:Hochwasser', 'facet.field': ['organization', 'tags', 'res_format'], sort: 'metadata_modified desc', rows: 10 },
    sideEffectFree: true,
    anonymous: true,
    input: PackageSearchInput,
    auth: async () => allow(),
    handler: (ctx, input) => this.search.search(ctx, input),
  });

  all = (): AnyAction[] => [this.packageSearch];
}
