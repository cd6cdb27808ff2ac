import { Global, Module, OnModuleInit } from '@nestjs/common';
import { ActionRegistry } from '../api/action-registry';
import { ApiModule } from '../api/api.module';
import { DcatController } from './dcat.controller';
import { DcatActions } from './dcat.actions';
import { DcatService } from './dcat.service';
import { DcatValidation } from './dcat-validation';

/**
 * DCAT-AP.de: the RDF endpoints and actions, and the validation every dataset write runs (global,
 * so the catalog's write actions reach it without importing this module's controllers).
 */
@Global()
@Module({
  imports: [ApiModule],
  controllers: [DcatController],
  providers: [DcatService, DcatValidation, DcatActions],
  exports: [DcatService, DcatValidation],
})
export class DcatModule implements OnModuleInit {
  constructor(private readonly registry: ActionRegistry, private readonly actions: DcatActions) {}

  onModuleInit(): void {
    this.registry.register(this.actions.all());
  }
}
