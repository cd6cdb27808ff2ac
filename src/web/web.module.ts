import { Module, OnModuleInit } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DatasetHtmlPages } from '../dcat/dataset-html';
import { DcatModule } from '../dcat/dcat.module';
import { getClientBundles } from './client-build';
import { WebController } from './web.controller';
import { WebPages } from './web-pages';

/**
 * The portal for citizens (issue 17): server-rendered pages on the same process and port as the API, reading through
 * the same actions. `/dataset/{id}` stays the DCAT controller's route; this module registers the HTML answer it gives
 * browsers, so RDF clients get RDF exactly as before.
 */
@Module({ imports: [AuthModule, DcatModule], controllers: [WebController], providers: [WebPages] })
export class WebModule implements OnModuleInit {
  constructor(private readonly htmlPages: DatasetHtmlPages, private readonly pages: WebPages) {}

  onModuleInit(): void {
    this.htmlPages.register((req, reply, id) => this.pages.serve(req, reply, (ctx, env) => this.pages.dataset(ctx, env, id)));
    // The chart and map bundles: built now when this content has none yet (client-build.ts), so no page waits for it.
    getClientBundles();
  }
}
