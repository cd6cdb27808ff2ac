import { DynamicModule, Module, Type } from '@nestjs/common';
import { ActionController } from './action.controller';
import { ActionUploads } from './action-uploads';
import { ApiDocsController } from './api-docs.controller';
import { ApiDocs } from './api-docs.service';
import { ApiHtmlPages } from './api-html';
import { ActionRegistry } from './action-registry';
import { ConstraintErrors } from './constraint-errors';
import { Dispatcher } from './dispatcher';
import { EndpointDocs } from './endpoint-docs';
import { WriteHooks } from './write-hooks';

/**
 * The CKAN action API: registry, dispatcher, the HTTP controller. Domain modules register their actions (and the
 * messages of their unique constraints) here; `callers` is the module that provides the CallerResolver (src/auth).
 */
@Module({})
export class ApiModule {
  static register(callers: Type): DynamicModule {
    return {
      module: ApiModule,
      global: true,
      imports: [callers],
      providers: [ActionUploads, ActionRegistry, Dispatcher, ConstraintErrors, WriteHooks, EndpointDocs, ApiDocs, ApiHtmlPages],
      controllers: [ActionController, ApiDocsController],
      exports: [ActionUploads, ActionRegistry, Dispatcher, ConstraintErrors, WriteHooks, EndpointDocs, ApiDocs, ApiHtmlPages],
    };
  }
}
