import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, defineAction, deny, NoInput } from '../api/action';
import { Field, ignoreMissing, maxLength, notEmpty, unicodeSafe } from '../api/ckan-schema';
import { ValidationError } from '../api/errors';
import { EDITABLE_SETTINGS, isSettingKey, SettingKey, SiteSettings } from './site-settings';

class ConfigOptionShowInput {
  @Field(notEmpty, unicodeSafe, maxLength(200)) key!: string;
}

/** A bound on each value (CKAN compat: CKAN has none). */
const MAX_VALUE_LENGTH = 50_000;
const value = [ignoreMissing, unicodeSafe, maxLength(MAX_VALUE_LENGTH)];

/** CKAN's update_configuration_schema, as far as we keep it (see EDITABLE_SETTINGS). */
class ConfigOptionUpdateInput {
  @Field(...value) 'ckan.site_title'?: string | null;
  @Field(...value) 'ckan.site_description'?: string | null;
  @Field(...value) 'ckan.site_about'?: string | null;
  @Field(...value) 'ckan.site_intro_text'?: string | null;
}

// CKAN's logic/auth: all three return {'success': False}, so only sysadmins (who skip auth) get through.
const sysadminsOnly = async (): Promise<ReturnType<typeof deny>> => deny('');

/** config_option_show, config_option_list, config_option_update: the site settings a sysadmin may change at run time. */
@Injectable()
export class ConfigOptionActions implements ActionProvider {
  constructor(private readonly settings: SiteSettings) {}

  readonly configOptionShow = defineAction({
    name: 'config_option_show',
    scope: 'admin',
    help: `Return the value in force of a runtime-editable site setting. Params: key (one of config_option_list's keys,
e.g. "ckan.site_title"). A setting never changed shows its default (SITE_TITLE, SITE_DESCRIPTION; null for about and intro).
Who may call: sysadmins.`,
    sideEffectFree: true,
    anonymous: false,
    input: ConfigOptionShowInput,
    auth: sysadminsOnly,
    handler: async (_ctx, { key }) => {
      // CKAN 2.11 puts this one in `message` too, not under `key`.
      if (!isSettingKey(key)) throw new ValidationError({ message: `Configuration option '${key}' can not be shown` });
      return (await this.settings.values())[key];
    },
  });

  readonly configOptionList = defineAction({
    name: 'config_option_list',
    scope: 'admin',
    help: `Return the keys config_option_update may change: ${EDITABLE_SETTINGS.join(', ')}. Who may call: sysadmins.`,
    sideEffectFree: true,
    anonymous: false,
    input: NoInput,
    auth: sysadminsOnly,
    handler: async () => [...EDITABLE_SETTINGS],
  });

  readonly configOptionUpdate = defineAction({
    name: 'config_option_update',
    scope: 'admin',
    help: `Change site settings; they are in force in every process of the service at once. Params: any of
${EDITABLE_SETTINGS.join(', ')} (strings; a null value is ignored). Any other key is refused as a whole.
Returns the settings changed. Who may call: sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: ConfigOptionUpdateInput,
    auth: sysadminsOnly,
    handler: async (ctx, input) => {
      const unsupported = Object.keys(input).filter((k) => !isSettingKey(k));
      if (unsupported.length) {
        // CKAN words it so, with the keys joined by a space, and puts it in `message` rather than under a field.
        throw new ValidationError({ message: `Configuration option(s) '${unsupported.join(' ')}' can not be updated` });
      }
      // CKAN's ignore_missing: a null value is left out, as if not given.
      const changed = Object.fromEntries(EDITABLE_SETTINGS.flatMap((k) => (typeof input[k] === 'string' ? [[k, input[k]]] : []))) as Partial<Record<SettingKey, string>>;
      await this.settings.update(ctx, changed);
      return changed;
    },
  });

  all = (): AnyAction[] => [this.configOptionShow, this.configOptionList, this.configOptionUpdate];
}
