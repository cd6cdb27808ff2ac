import { Module, OnModuleInit } from '@nestjs/common';
import { ActionRegistry } from '../api/action-registry';
import { JobsModule } from '../jobs/jobs.module';
import { ConfigOptionActions } from './config-option.actions';
import { JobActions } from './job.actions';
import { SiteSettingRepository } from './site-setting.repository';
import { SiteSettings } from './site-settings';
import { SiteActions } from './site.actions';

/** The site as a whole: status and help, its runtime settings (config_option_*) and its background jobs (job_*). */
@Module({ imports: [JobsModule], providers: [SiteActions, SiteSettingRepository, SiteSettings, ConfigOptionActions, JobActions], exports: [SiteSettings] })
export class SiteModule implements OnModuleInit {
  constructor(
    private readonly registry: ActionRegistry,
    private readonly site: SiteActions,
    private readonly configOptions: ConfigOptionActions,
    private readonly jobs: JobActions,
  ) {}

  onModuleInit(): void {
    this.registry.register([...this.site.all(), ...this.configOptions.all(), ...this.jobs.all()]);
  }
}
