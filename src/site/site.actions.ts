import { Inject, Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, defineAction, NoInput } from '../api/action';
import { ActionRegistry } from '../api/action-registry';
import { Field, maxLength, notEmpty, unicodeSafe } from '../api/ckan-schema';
import { NotFound } from '../api/errors';
import { APP_CONFIG, AppConfig } from '../config/env';
import { SiteSettings, SiteSettingValues } from './site-settings';

/** The CKAN version we answer like: version-sniffing clients take their modern code path. */
export const CKAN_COMPAT_VERSION = '2.11.5';

/** Each CKAN plugin we provide, by an action only it registers. */
const EXTENSIONS: Record<string, string> = { datastore: 'datastore_search', xloader: 'xloader_submit', harvest: 'harvest_source_show' };

class HelpShowInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) name!: string;
}

/** status_show, site_read, help_show */
@Injectable()
export class SiteActions implements ActionProvider {
  constructor(private readonly registry: ActionRegistry, private readonly settings: SiteSettings, @Inject(APP_CONFIG) private readonly config: AppConfig) {}

  readonly statusShow = defineAction({
    name: 'status_show',
    help: 'Return facts about this site: site_title, site_description (as config_option_update last set them), site_url, ckan_version (the CKAN version it is compatible with), locale_default, extensions.',
    sideEffectFree: true,
    anonymous: true,
    input: NoInput,
    auth: async () => allow(),
    handler: async () => this.status(await this.settings.values()),
  });

  private status(settings: SiteSettingValues): Record<string, unknown> {
    return {
      ckan_version: CKAN_COMPAT_VERSION,
      error_emails_to: null,
      extensions: this.extensions(),
      locale_default: this.config.LOCALE_DEFAULT,
      site_description: settings['ckan.site_description'],
      site_title: settings['ckan.site_title'],
      site_url: this.config.SITE_URL,
    };
  }

  /** CKAN's plugin names, listed while their actions are registered, so clients can detect them (as CKAN's status_show does). */
  private extensions(): string[] {
    return Object.entries(EXTENSIONS).filter(([, action]) => this.registry.get(action)).map(([name]) => name);
  }

  readonly siteRead = defineAction({
    name: 'site_read',
    help: 'Return true: the site may be read (kept from CKAN 2.10 for old clients).',
    sideEffectFree: true,
    anonymous: true,
    input: NoInput,
    auth: async () => allow(),
    handler: async () => true,
  });

  readonly helpShow = defineAction({
    name: 'help_show',
    help: "Return an action's documentation. Params: name (the action's name).",
    sideEffectFree: true,
    anonymous: true,
    input: HelpShowInput,
    auth: async () => allow(),
    handler: async (_ctx, input) => {
      const action = this.registry.get(input.name);
      if (!action) throw new NotFound('Action function not found');
      return action.help;
    },
  });

  all = (): AnyAction[] => [this.statusShow, this.siteRead, this.helpShow];
}
