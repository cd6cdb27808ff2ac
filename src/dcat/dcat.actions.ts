import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, defineAction, deny } from '../api/action';
import { Field, ignore, ignoreMissing, jsonObject, maxLength, naturalNumber, notEmpty, oneOf, unicodeSafe } from '../api/ckan-schema';
import { NotFound, ValidationError } from '../api/errors';
import { DcatService } from './dcat.service';
import { DcatValidation, ValidationMode } from './dcat-validation';
import { MetadataQuality } from './metadata-quality.service';
import { Dict } from './profile';
import { formatByExt, RDF_FORMATS } from './rdf-formats';

const FORMATS = RDF_FORMATS.map((f) => f.ext).concat(['turtle', 'jsonld']);
const formatOf = (f?: string) => formatByExt(f === 'turtle' ? 'ttl' : f ?? 'xml')!;

class DcatDatasetShowInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreMissing, oneOf(FORMATS)) _format?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) profile?: string;
  @Field(ignore) profiles?: unknown;
}

class DcatCatalogShowInput {
  @Field(ignoreMissing, oneOf(FORMATS)) _format?: string;
  @Field(ignoreMissing, naturalNumber) page?: number;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) modified_since?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(2000)) q?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(2000)) fq?: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) profile?: string;
  @Field(ignore) profiles?: unknown;
}

class QualityRefreshInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
}

class DcatValidateInput {
  /** A stored dataset, by id or name… */
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) id?: string;
  /** …or a dataset dict as for package_create, not stored. */
  @Field(ignoreMissing, jsonObject) dataset?: Dict;
}

/** ckanext-dcat's actions (dcat_dataset_show, dcat_catalog_show) and our dcat_validate. */
@Injectable()
export class DcatActions implements ActionProvider {
  constructor(private readonly dcat: DcatService, private readonly validation: DcatValidation, private readonly quality: MetadataQuality) {}

  readonly datasetShow = defineAction({
    name: 'dcat_dataset_show',
    help: `A dataset as DCAT-AP.de RDF (a string). Params: id (id or name), _format (xml/rdf default, ttl, jsonld, n3), profile
(dcat_ap_de_3 default, dcat_ap_3). Who may call: whoever may see the dataset (package_show's rule).`,
    sideEffectFree: true,
    anonymous: true,
    input: DcatDatasetShowInput,
    auth: async () => allow(), // package_show, called inside, checks the caller
    handler: (ctx, input) => this.dcat.datasetDocument(ctx, input.id, formatOf(input._format), input.profile),
  });

  readonly catalogShow = defineAction({
    name: 'dcat_catalog_show',
    help: `One page of the catalog as DCAT-AP.de RDF (a string): public, active datasets, newest change first, with hydra paging.
Params: _format (xml/rdf default, ttl, jsonld, n3), page (from 1), modified_since (ISO date), q, fq (as package_search), profile.`,
    sideEffectFree: true,
    anonymous: true,
    input: DcatCatalogShowInput,
    auth: async () => allow(),
    handler: (_ctx, input) => {
      if (input.page === 0) throw new ValidationError({ page: ['"page" must be 1 or more'] });
      const format = formatOf(input._format);
      const base = `${this.dcat.catalogInfo.siteUrl}/catalog.${format.ext}`;
      const keep = Object.entries({ modified_since: input.modified_since, q: input.q, fq: input.fq, profile: input.profile }).filter(([, v]) => v !== undefined) as [string, string][];
      return this.dcat.catalogPage(format, { ...input }, (n) => `${base}?${new URLSearchParams([...keep, ['page', String(n)]]).toString()}`);
    },
  });

  readonly validate = defineAction({
    name: 'dcat_validate',
    help: `Check a dataset against DCAT-AP.de 3.0 (our SHACL shapes, equivalent to the official ones) without storing anything.
Params: id (a stored dataset) or dataset (a dict as for package_create; short forms such as "CSV", "dl-by-de/2.0", "de",
"monthly" are resolved). Returns {conforms, violations, warnings, findings: [{severity, field, resource, message (German / English)}]}.
Who may call: for id, whoever may see the dataset; anyone for a dict.`,
    sideEffectFree: true,
    anonymous: true,
    input: DcatValidateInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      let dict: Dict;
      if (input.id) dict = await ctx.call<Dict>('package_show', { id: input.id });
      else if (input.dataset) {
        dict = { id: 'new', ...structuredClone(input.dataset) };
        const owner = dict.owner_org as string | undefined;
        if (owner) {
          const org = await ctx.withIgnoreAuth().call<Dict>('organization_show', { id: owner, include_datasets: false }).catch(() => null);
          if (!org) throw new NotFound('Organization was not found.');
          dict.owner_org = org.id;
        }
        dict.resources = ((dict.resources as Dict[] | undefined) ?? []).map((r, i) => ({ id: `r${i}`, ...r }));
      } else throw new ValidationError({ id: ['Give id (a stored dataset) or dataset (a dict)'] });
      const mode: ValidationMode = 'warn';
      return this.validation.report(ctx, dict, mode);
    },
  });

  readonly qualityRefresh = defineAction({
    name: 'package_quality_refresh',
    help: `Score a stored dataset's metadata quality anew and keep it (package_show's "quality"; README, "Metadata quality"), for
datasets written before scoring existed or after their organization's contact extras changed. Every write scores on its own.
Params: id (id or name). Returns the quality. Who may call: sysadmins (\`cli dcat quality\` runs it for every dataset).`,
    sideEffectFree: false,
    anonymous: false,
    input: QualityRefreshInput,
    auth: async () => deny('Only sysadmins may refresh metadata quality scores'),
    handler: (ctx, input) => this.quality.refresh(ctx, input.id),
  });

  all(): AnyAction[] {
    return [this.datasetShow, this.catalogShow, this.validate, this.qualityRefresh];
  }
}

