import { Module, OnModuleInit } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CatalogModule } from '../catalog/catalog.module';
import { ActionRegistry } from '../api/action-registry';
import { ActivityActions } from './activity.actions';
import { AuditRepository } from './audit.repository';
import { AuditTrail } from './audit-trail';

/** The audit trail of every write and CKAN's activity actions on it. */
@Module({
  imports: [AuthModule, CatalogModule],
  providers: [AuditRepository, AuditTrail, ActivityActions],
  exports: [AuditRepository],
})
export class AuditModule implements OnModuleInit {
  constructor(private readonly registry: ActionRegistry, private readonly actions: ActivityActions) {}

  onModuleInit(): void {
    this.registry.register(this.actions.all());
  }
}
