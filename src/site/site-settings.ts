import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ActionContext } from '../api/action-context';
import type { Logger } from '../common/logger';
import { LOGGER } from '../common/logger.provider';
import { APP_CONFIG, AppConfig } from '../config/env';
import { Database } from '../database/database.module';
import { ChannelListener, notify } from '../database/notifications';
import { SiteSettingRepository } from './site-setting.repository';

/** PostgreSQL channel on which committed changes of site settings are announced to every process. */
export const SETTINGS_CHANNEL = 'site_setting_changes';

/**
 * The keys config_option_update may change: CKAN 2.11's update_configuration_schema, kept to what this platform
 * shows (status_show, and the portal later). CKAN compat: ckan.site_url is SITE_URL (it makes RDF URIs and links,
 * fixed per deployment); ckan.site_logo, logo_upload, clear_logo_upload, ckan.site_custom_css and ckan.theme
 * belong to CKAN's own web theme, which this service has not.
 */
export const EDITABLE_SETTINGS = ['ckan.site_title', 'ckan.site_description', 'ckan.site_about', 'ckan.site_intro_text'] as const;
export type SettingKey = (typeof EDITABLE_SETTINGS)[number];
export type SiteSettingValues = Record<SettingKey, string | null>;

export const isSettingKey = (key: string): key is SettingKey => (EDITABLE_SETTINGS as readonly string[]).includes(key);

/**
 * The site settings in force: a stored value, else the deployment's default (SITE_TITLE, SITE_DESCRIPTION; none for
 * about and intro). Held in memory and read again when any process commits a change (NOTIFY on SETTINGS_CHANNEL, sent
 * in the writing transaction): a change is in force in every process at once, without a restart and without a timer.
 * While the LISTEN connection is down, reads go to the database.
 */
@Injectable()
export class SiteSettings implements OnModuleInit, OnApplicationShutdown {
  private readonly instance = randomUUID();
  private listener?: ChannelListener;
  private cached?: Promise<SiteSettingValues>;

  constructor(
    private readonly database: Database,
    private readonly dataSource: DataSource,
    private readonly settings: SiteSettingRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** True while every process's committed changes are being heard (and values come from memory). */
  get live(): boolean {
    return this.listener?.live ?? false;
  }

  async onModuleInit(): Promise<void> {
    this.listener = new ChannelListener(
      { url: this.database.url, channel: SETTINGS_CHANNEL, applicationName: 'catalog-settings-listener', log: this.log },
      {
        notify: (payload) => {
          if (payload !== this.instance) this.forget();
        },
        resync: () => this.forget(),
      },
    );
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.close();
  }

  /** Every editable setting's value in force. */
  async values(): Promise<SiteSettingValues> {
    if (!this.listener?.live) return this.load();
    this.cached ??= this.load();
    return this.cached.catch((err: unknown) => {
      this.cached = undefined;
      throw err;
    });
  }

  /** Stores `values` in the action's transaction; every process uses them once it commits. */
  async update(ctx: ActionContext, values: Partial<Record<SettingKey, string>>): Promise<void> {
    await this.settings.save(ctx.db, values as Record<string, string>);
    // Delivered by PostgreSQL only if the transaction commits.
    await notify(ctx.db, SETTINGS_CHANNEL, this.instance);
    ctx.afterCommit(() => this.forget());
  }

  private forget(): void {
    this.cached = undefined;
  }

  private async load(): Promise<SiteSettingValues> {
    const stored = await this.settings.all(this.dataSource.manager);
    const defaults: SiteSettingValues = {
      'ckan.site_title': this.config.SITE_TITLE,
      'ckan.site_description': this.config.SITE_DESCRIPTION,
      'ckan.site_about': null,
      'ckan.site_intro_text': null,
    };
    return Object.fromEntries(EDITABLE_SETTINGS.map((k) => [k, stored.get(k) ?? defaults[k]])) as SiteSettingValues;
  }
}
