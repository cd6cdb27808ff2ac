import { Module, OnModuleInit } from '@nestjs/common';
import { ActionRegistry } from '../api/action-registry';
import { EndpointDocs } from '../api/endpoint-docs';
import { DCAT_ENDPOINT_PATHS, DCAT_ENDPOINT_TAG } from './dcat.api-docs';
import { AuthModule } from '../auth/auth.module';
import { CatalogModule } from '../catalog/catalog.module';
import { DatasetWriteChecks } from '../catalog/datasets/dataset-write-checks';
import { DcatCatalogParser } from './catalog-parser';
import { DatasetHtmlPages } from './dataset-html';
import { DcatController } from './dcat.controller';
import { DcatActions } from './dcat.actions';
import { DcatService } from './dcat.service';
import { DcatValidation } from './dcat-validation';
import { MetadataQuality } from './metadata-quality.service';

/**
 * DCAT-AP.de: the RDF endpoints and actions, the reader of remote catalogs for the harvesters, and the validation (with the metadata quality score) every dataset and resource write runs
 * (registered on the catalog's write checks, so the catalog does not know DCAT).
 */
@Module({
  imports: [CatalogModule, AuthModule],
  controllers: [DcatController],
  // DcatCatalogParser: the RDF reading the harvest runner hands its plug-ins as HarvestTools.
  providers: [DcatService, DcatValidation, MetadataQuality, DcatActions, DcatCatalogParser, DatasetHtmlPages],
  exports: [DcatService, DcatValidation, DcatCatalogParser, DatasetHtmlPages],
})
export class DcatModule implements OnModuleInit {
  constructor(
    private readonly registry: ActionRegistry,
    private readonly endpoints: EndpointDocs,
    private readonly actions: DcatActions,
    private readonly checks: DatasetWriteChecks,
    private readonly validation: DcatValidation,
    private readonly quality: MetadataQuality,
  ) {}

  onModuleInit(): void {
    this.endpoints.register(DCAT_ENDPOINT_TAG, DCAT_ENDPOINT_PATHS);
    this.registry.register(this.actions.all());
    this.checks.register(async (ctx, { dict, resourceId, requested }) => {
      const { report, compliance } = resourceId
        ? await this.validation.checkResourceWrite(ctx, dict, resourceId, requested)
        : await this.validation.checkWrite(ctx, dict, requested);
      // The metadata quality of what was written, with the verdict of the same validation (issue 16): kept for
      // package_show and search as a derived field, and in a dataset write's answer (a resource's answer is the resource).
      const quality = await this.quality.keep(ctx, dict, compliance);
      return { ...(report ? { dcat_validation: report } : {}), ...(resourceId ? {} : { quality }) };
    });
  }
}
