import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, AuthResult, defineAction, deny, NoInput } from '../api/action';
import type { ActionContext } from '../api/action-context';
import { parseInput } from '../api/ckan-schema';
import { FieldErrors, NotFound, ValidationError } from '../api/errors';
import { Credentials } from './credentials';
import { LiveTokens } from './live-tokens';
import { hashPassword } from './passwords';
import { toUserDict, UserDeleteInput, UserPatchInput, UserUpdateInput } from './user.dto';
import { UserDicts } from './user-dicts.service';
import { SITE_USER_NAME, UserRepository, UserRow } from './user.repository';

/** CKAN's user_update auth: a user may edit only themself (sysadmins pass before this rule). */
function authUserUpdate(ctx: ActionContext, target: UserRow): AuthResult {
  if (!ctx.user) return deny('Have to be logged in to edit user');
  return ctx.user.id === target.id ? allow() : deny(`User ${ctx.user.name} not authorized to edit user ${target.id}`);
}

/** user_update, user_patch, user_delete, get_site_user */
@Injectable()
export class UserWriteActions implements ActionProvider {
  constructor(private readonly users: UserRepository, private readonly userDicts: UserDicts, private readonly credentials: Credentials, private readonly liveTokens: LiveTokens) {}

  /** The user `id` names (any state), once per run. */
  private target(ctx: ActionContext, id: string): Promise<UserRow> {
    return ctx.memo('user', async () => {
      const row = await this.users.find(ctx.db, id);
      if (!row) throw new NotFound('User was not found.');
      return row;
    });
  }

  /** CKAN's default_update_user_schema checks that need the database, then the write (only the keys given). */
  private async update(ctx: ActionContext, row: UserRow, input: UserUpdateInput): Promise<Record<string, unknown>> {
    const privileged = ctx.isSysadmin || ctx.ignoreAuth;
    const errors: FieldErrors = {};
    if (input.name !== undefined && input.name !== row.name) {
      if (await this.users.nameTaken(ctx.db, input.name)) errors.name = ['That login name is not available.'];
      else if (!privileged && row.state !== 'pending') errors.name = ['That login name can not be modified.'];
    }
    if (!input.email && !ctx.ignoreAuth) errors.email = ['Missing value'];
    else if (input.email && (await this.users.emailTaken(ctx.db, input.email, row.id))) {
      errors.email = [`The email address '${input.email}' belongs to a registered user.`];
    }
    if (input.password && !privileged) {
      // CKAN compat: CKAN's edit form asks for the old password; its API does not. Here the API asks too, so a
      // stolen API token cannot take over the account's password.
      if (!input.old_password) errors.old_password = ['Missing value'];
      else if (!(await this.credentials.matches(row, input.old_password, ctx.request?.address))) errors.old_password = ['Password entered was incorrect'];
    }
    // CKAN stores any password_hash a sysadmin gives; only argon2 hashes can be checked here, so only they are taken.
    const importedHash = privileged ? input.password_hash : undefined;
    if (importedHash && !/^\$argon2(id|i|d)\$/.test(importedHash)) errors.password_hash = ['Must be an argon2 hash in PHC format ($argon2id$...)'];
    if (Object.keys(errors).length) throw new ValidationError(errors);
    await this.users.update(ctx.db, row.id, {
      name: input.name,
      fullname: input.fullname,
      email: input.email || undefined,
      about: input.about,
      image_url: input.image_url,
      password_hash: input.password ? await hashPassword(input.password) : importedHash,
      // ignore_not_sysadmin
      sysadmin: privileged ? input.sysadmin : undefined,
      state: privileged ? input.state : undefined,
    });
    // A changed state or sysadmin flag changes what the user's tokens grant, a new name whom writes are audited under:
    // connections holding one of them read it again.
    const renamed = input.name !== undefined && input.name !== row.name;
    if (renamed || (privileged && (input.state !== undefined || input.sysadmin !== undefined))) await this.liveTokens.changed(ctx, 'user', row.id);
    const [dict] = await this.userDicts.build(ctx, [(await this.users.find(ctx.db, row.id))!]);
    return dict;
  }

  readonly userUpdate = defineAction({
    name: 'user_update',
    scope: 'admin',
    help: `Update a user account and return it. Params: id (id or name, required), email (required), name (sysadmins only
may rename), fullname, about, image_url, password (at least 8 characters) with old_password (the current one; not asked of
sysadmins), sysadmin, state and password_hash (an argon2 PHC string) from sysadmins only (ignored otherwise).
Fields not given keep their values; an empty password changes nothing.
Who may call: the user themself; sysadmins for anyone.`,
    sideEffectFree: false,
    anonymous: false,
    input: UserUpdateInput,
    auth: async (ctx, input) => authUserUpdate(ctx, await this.target(ctx, input.id)),
    handler: async (ctx, input) => this.update(ctx, await this.target(ctx, input.id), input),
  });

  readonly userPatch = defineAction({
    name: 'user_patch',
    scope: 'admin',
    help: `Change some fields of a user account: the given keys replace the stored values, the rest is kept (so email need
not be given). Params as user_update. Who may call: as user_update.`,
    sideEffectFree: false,
    anonymous: false,
    input: UserPatchInput,
    auth: async (ctx, input) => authUserUpdate(ctx, await this.target(ctx, input.id)),
    handler: async (ctx, input) => {
      const row = await this.target(ctx, input.id);
      // CKAN: user_show's dict, minus display_name, updated with the given keys, then user_update.
      const current = toUserDict(row, { numberCreatedPackages: 0, showEmail: true });
      const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
      const stored = { name: current.name, fullname: current.fullname, email: current.email, about: current.about, image_url: current.image_url };
      return this.update(ctx, row, parseInput(UserUpdateInput, { ...stored, ...given, id: row.id }));
    },
  });

  readonly userDelete = defineAction({
    name: 'user_delete',
    scope: 'admin',
    help: `Delete a user: the state becomes "deleted", the user leaves every organization and group and every API token
is revoked. The name stays taken. Params: id (id or name). Returns null. Who may call: sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: UserDeleteInput,
    auth: async () => deny(''),
    handler: async (ctx, input) => {
      const row = await this.users.find(ctx.db, input.id);
      if (!row) throw new NotFound(`User "${input.id}" was not found.`);
      await this.users.softDelete(ctx.db, row.id);
      await this.liveTokens.changed(ctx, 'user', row.id);
      return null;
    },
  });

  readonly getSiteUser = defineAction({
    name: 'get_site_user',
    scope: 'admin',
    help: `Return the site user, the sysadmin account the service itself acts as, creating it on first call: {"name", "apikey"}.
"apikey" is always null (there are no API keys; use api_token_create). Who may call: sysadmins and internal services.`,
    sideEffectFree: false,
    anonymous: false,
    input: NoInput,
    auth: async () => deny('Only internal services allowed to use this action'),
    handler: async (ctx) => {
      let row = await this.users.find(ctx.db, SITE_USER_NAME);
      if (!row) {
        // CKAN creates it with a random password nobody knows; here it has none, so it can never log in.
        await ctx.withIgnoreAuth().call('user_create', { name: SITE_USER_NAME, sysadmin: true });
        row = (await this.users.find(ctx.db, SITE_USER_NAME))!;
      }
      return { name: row.name, apikey: null };
    },
  });

  all = (): AnyAction[] => [this.userUpdate, this.userPatch, this.userDelete, this.getSiteUser];
}
