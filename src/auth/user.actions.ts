import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ActionProvider, AnyAction, allow, defineAction, deny } from '../api/action';
import { FieldErrors, NotFound, ValidationError } from '../api/errors';
import { APP_CONFIG, AppConfig } from '../config/env';
import { ANONYMOUS, Visibility } from './visibility';
import { hashPassword } from './passwords';
import { toUserDict, UserAutocompleteInput, UserCreateInput, UserListInput, UserShowInput } from './user.dto';
import { UserDicts } from './user-dicts.service';
import { SITE_USER_NAME, UserRepository } from './user.repository';

/** user_create, user_show, user_list, user_autocomplete */
@Injectable()
export class UserActions implements ActionProvider {
  constructor(
    private readonly users: UserRepository,
    private readonly userDicts: UserDicts,
    private readonly visibility: Visibility,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  readonly userCreate = defineAction({
    name: 'user_create',
    scope: 'admin',
    help: `Create a user account and return it.

Params: name (required, 2-100 of a-z 0-9 - _), email (required, unique), password (required, at least 8 characters), fullname, about,
image_url, sysadmin (bool, sysadmins only), id (UUID, sysadmins only), with_apitoken (bool: also create a token, returned as "token").
Who may call: sysadmins (CKAN's default ckan.auth.create_user_via_api = false).`,
    sideEffectFree: false,
    anonymous: false,
    input: UserCreateInput,
    auth: async (ctx) => deny(`User ${ctx.user?.name ?? ''} not authorized to create users via the API`),
    handler: async (ctx, input) => {
      const internal = ctx.ignoreAuth;
      const errors: FieldErrors = {};
      if (await this.users.nameTaken(ctx.db, input.name)) errors.name = ['That login name is not available.'];
      if (!input.email && !internal) errors.email = ['Missing value'];
      else if (input.email && (await this.users.emailTaken(ctx.db, input.email))) {
        errors.email = [`The email address '${input.email}' belongs to a registered user.`];
      }
      if (!input.password && !internal) errors.password = ['Missing value'];
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const privileged = ctx.isSysadmin || internal;
      const id = privileged && input.id && !(await this.users.idExists(ctx.db, input.id)) ? input.id.toLowerCase() : randomUUID();
      await this.users.insert(ctx.db, {
        id,
        name: input.name,
        fullname: input.fullname ?? null,
        email: input.email || null,
        passwordHash: input.password ? await hashPassword(input.password) : null,
        about: input.about ?? null,
        imageUrl: input.image_url ?? null,
        sysadmin: privileged ? (input.sysadmin ?? false) : false,
        state: 'active',
      });
      const row = (await this.users.find(ctx.db, id))!;
      const dict = toUserDict(row, { numberCreatedPackages: 0, showEmail: true });
      if (input.with_apitoken) {
        const token = await ctx.withIgnoreAuth().call<{ token: string }>('api_token_create', { user: row.name, name: 'default' });
        dict.token = token.token;
      }
      return dict;
    },
  });

  readonly userShow = defineAction({
    name: 'user_show',
    help: `Return a user account. Params: id (id or name; default: the caller, CKAN's "who am I"), include_datasets (bool: up to
50 datasets they created), include_num_followers (bool: adds num_followers). number_created_packages counts private and
draft datasets for the user themself and sysadmins. The e-mail address is shown only to the user themself and to
sysadmins; the password hash never.`,
    sideEffectFree: true,
    anonymous: true,
    input: UserShowInput,
    auth: async (ctx) => (this.config.AUTH_PUBLIC_USER_DETAILS || ctx.user ? allow() : deny('')),
    handler: async (ctx, input) => {
      const ref = input.id ?? ctx.user?.name;
      const row = ref ? await this.users.find(ctx.db, ref) : null;
      if (!row || row.state === 'deleted') throw new NotFound();
      const [dict] = await this.userDicts.build(ctx, [row], { countPrivateAndDraft: true });
      if (input.include_datasets) {
        // CKAN: package_search with include_private/include_drafts for oneself and sysadmins, so the permission
        // labels still apply: a private dataset one created in an organization one has left is not shown.
        const own = ctx.isSysadmin || ctx.ignoreAuth || ctx.user?.id === row.id;
        const reader = own ? await this.visibility.readerOf(ctx) : ANONYMOUS;
        const datasets = [];
        for (const d of await this.users.createdDatasets(ctx.db, row.id, reader, 50)) datasets.push(await ctx.withIgnoreAuth().call('package_show', { id: d.id }));
        dict.datasets = datasets;
      }
      // As CKAN: through user_follower_count, so following (the catalog's) stays out of auth's code.
      if (input.include_num_followers) dict.num_followers = await ctx.withIgnoreAuth().call<number>('user_follower_count', { id: row.id });
      return dict;
    },
  });

  readonly userList = defineAction({
    name: 'user_list',
    help: `Return the site's users. Params: q (matches name or full name), email (sysadmins only), order_by (default "display_name";
also name, fullname, created, sysadmin, number_created_packages), all_fields (bool, default true: dicts; false: names),
include_site_user (bool, default false: the site user get_site_user returns is left out). number_created_packages counts
active public datasets only, for every caller, as in CKAN.`,
    sideEffectFree: true,
    anonymous: true,
    input: UserListInput,
    auth: async (ctx, input) => {
      if (input.email) return deny('');
      return this.config.AUTH_PUBLIC_USER_DETAILS || ctx.user ? allow() : deny('');
    },
    handler: async (ctx, input) => {
      if (input.order_by === 'edits') throw new ValidationError({ message: 'order_by=edits is no longer supported' });
      const rows = await this.users.list(ctx.db, {
        q: input.q?.trim(),
        email: input.email,
        orderBy: input.order_by,
        searchEmail: ctx.isSysadmin,
        exceptName: input.include_site_user ? undefined : SITE_USER_NAME,
      });
      return input.all_fields ? this.userDicts.build(ctx, rows) : rows.map((r) => r.name);
    },
  });

  readonly userAutocomplete = defineAction({
    name: 'user_autocomplete',
    help: `Return the live users whose name or full name contains q (sysadmins: also e-mail), as [{id, name, fullname}].
Params: q (required), limit (default 20), ignore_self (bool: leave out the caller). Who may call: as user_list.`,
    sideEffectFree: true,
    anonymous: true,
    input: UserAutocompleteInput,
    auth: async (ctx) => (this.config.AUTH_PUBLIC_USER_DETAILS || ctx.user ? allow() : deny('')),
    handler: async (ctx, input) =>
      this.users.autocomplete(ctx.db, { q: input.q, limit: input.limit, searchEmail: ctx.isSysadmin, exceptName: input.ignore_self ? ctx.user?.name : undefined }),
  });

  all = (): AnyAction[] => [this.userCreate, this.userShow, this.userList, this.userAutocomplete];
}
