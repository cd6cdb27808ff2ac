import { Module, OnModuleInit } from '@nestjs/common';
import { render } from 'preact-render-to-string';
import { ApiDocs } from '../api/api-docs.service';
import { AccessController } from './access.controller';
import { AccessPages } from './access-pages';
import { ACTION_FAMILIES } from '../api/api-docs';
import { ApiHtmlPages } from '../api/api-html';
import { AuthModule } from '../auth/auth.module';
import { DatasetHtmlPages } from '../dcat/dataset-html';
import { DcatModule } from '../dcat/dcat.module';
import { apiPage } from './pages/api';
import type { Lang } from './i18n/i18n';
import type { PageEnv } from './pages/layout';
import type { Page } from './web-pages';
import { getClientBundles } from './client-build';
import { WebController } from './web.controller';
import { StewardController } from './steward.controller';
import { MemberController } from './member.controller';
import { MemberPages } from './member-pages';
import { TokenPages } from './token-pages';
import { StewardPages } from './steward-pages';
import { ResourceController } from './resource.controller';
import { ResourcePages } from './resource-pages';
import { WebPages } from './web-pages';
import { SourcesController } from './sources.controller';
import { SourcePages } from './sources-pages';
import { ChartData } from './chart-data';

/**
 * The portal for citizens (issue 17): server-rendered pages on the same process and port as the API, reading through
 * the same actions. `/dataset/{id}` stays the DCAT controller's route; this module registers the HTML answer it gives
 * browsers, so RDF clients get RDF exactly as before.
 */
@Module({
  imports: [AuthModule, DcatModule],
  controllers: [WebController, StewardController, MemberController, SourcesController, ResourceController, AccessController],
  providers: [WebPages, StewardPages, MemberPages, TokenPages, SourcePages, ChartData, ResourcePages, AccessPages],
})
export class WebModule implements OnModuleInit {
  /** The `/api` page's content per language, rendered once: it is made only from the action registry, as ApiDocs' model is. */
  private readonly apiBodies = new Map<Lang, string>();

  constructor(private readonly htmlPages: DatasetHtmlPages, private readonly pages: WebPages, private readonly apiPages: ApiHtmlPages, private readonly apiDocs: ApiDocs) {}

  onModuleInit(): void {
    this.htmlPages.register((req, reply, id) => this.pages.serve(req, reply, (ctx, env) => this.pages.dataset(ctx, env, id)));
    // `/api` stays the action API's route (CKAN clients get `{"version": 1}`); browsers get the documentation page.
    this.apiPages.register((req, reply) => this.pages.serve(req, reply, (_ctx, env) => Promise.resolve(this.apiPage(env))));
    // The chart and map bundles: built now when this content has none yet (client-build.ts), so no page waits for it.
    getClientBundles();
  }

  /** The `/api` page: some 260 KB of HTML that only the language changes, so it is rendered once per language; the layout around it (who is logged in) per request. */
  private apiPage(env: PageEnv): Page {
    let html = this.apiBodies.get(env.lang);
    if (html === undefined) {
      html = render(apiPage(env, this.apiDocs.actions(), ACTION_FAMILIES).body);
      this.apiBodies.set(env.lang, html);
    }
    return { title: env.t('api.title'), body: <div class="api-page" dangerouslySetInnerHTML={{ __html: html }} /> };
  }
}
