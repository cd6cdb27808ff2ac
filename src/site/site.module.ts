import { Module, OnModuleInit } from '@nestjs/common';
import { ActionRegistry } from '../api/action-registry';
import { SiteActions } from './site.actions';

@Module({ providers: [SiteActions] })
export class SiteModule implements OnModuleInit {
  constructor(private readonly registry: ActionRegistry, private readonly site: SiteActions) {}

  onModuleInit(): void {
    this.registry.register(this.site.all());
  }
}
