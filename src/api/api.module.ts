import { Global, Module } from '@nestjs/common';
import { Authenticator } from '../auth/authenticator';
import { ActionController } from './action.controller';
import { ActionRegistry } from './action-registry';
import { Dispatcher } from './dispatcher';

/** The CKAN action API: registry, dispatcher, the HTTP controller. Domain modules register their actions here. */
@Global()
@Module({
  providers: [ActionRegistry, Dispatcher, Authenticator],
  controllers: [ActionController],
  exports: [ActionRegistry, Dispatcher, Authenticator],
})
export class ApiModule {}
