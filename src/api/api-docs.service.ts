import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/env';
import { ActionRegistry } from './action-registry';
import { actionDoc, ActionDoc } from './api-docs';
import { EndpointDocs } from './endpoint-docs';
import { openApiDocument } from './openapi';
import { ActionUploads } from './action-uploads';

/** The serialised OpenAPI document with its ETag, and gzipped with its own (about a tenth of the size). */
export interface OpenApiBody {
  json: string;
  etag: string;
  gzip: Buffer;
  gzipEtag: string;
}

/** The service's version, from the package.json above this file (src/ when run from source, dist/src/ when built). */
function packageVersion(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0');
  }
  return '0.0.0';
}

/**
 * The API documentation, made once, on first use (every module has registered its actions and routes by then): the
 * structured model for the `/api` page and the OpenAPI document for `/api/3/openapi.json`. The registry does not change
 * after start-up, so neither does the documentation.
 */
@Injectable()
export class ApiDocs {
  private docs?: ActionDoc[];
  private openApi?: OpenApiBody;

  constructor(
    private readonly registry: ActionRegistry,
    private readonly endpoints: EndpointDocs,
    private readonly uploads: ActionUploads,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Every registered action's documentation, by name. */
  actions(): ActionDoc[] {
    if (!this.docs) {
      const uploads = this.uploads.receiverOf();
      this.docs = this.registry.names().map((name) => actionDoc(this.registry.get(name)!, this.config.SITE_URL, uploads?.fileFields(name)));
    }
    return this.docs;
  }

  /** The OpenAPI 3.1 document, serialised, with a strong ETag of its bytes. */
  openApiBody(): OpenApiBody {
    if (!this.openApi) {
      const doc = openApiDocument(this.actions(), { paths: this.endpoints.allPaths(), tags: this.endpoints.allTags() }, { version: packageVersion(), siteUrl: this.config.SITE_URL });
      const json = JSON.stringify(doc);
      const hash = createHash('sha256').update(json).digest('base64url').slice(0, 27);
      this.openApi = { json, etag: `"${hash}"`, gzip: gzipSync(json), gzipEtag: `"${hash}-gzip"` };
    }
    return this.openApi;
  }
}
