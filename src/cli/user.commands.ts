import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { CliRuntime } from './runtime';

/**
 * `user add NAME [--sysadmin] [--email E] [--password P]` and `user token NAME [--scopes S] [--organization O] [--days N]`. Both go through the
 * actions (user_create, api_token_create) like any client; the new token is printed alone on the
 * last line, so `TOKEN=$(npm run --silent cli -- user add admin --sysadmin | tail -1)` works.
 */
export function userCommands(rt: CliRuntime): Command {
  const cmd = new Command('user').description('user accounts');

  cmd
    .command('add')
    .argument('<name>', 'user name (2-100 of a-z 0-9 - _)')
    .option('--sysadmin', 'make the user a sysadmin')
    .option('--email <email>', 'e-mail address')
    .option('--password <password>', 'password (at least 8 characters); without one the account logs in with API tokens only')
    .description('create a user and print a new API token for it on the last line')
    .action(async (name: string, o: { sysadmin?: boolean; email?: string; password?: string }) => {
      await rt.withActions(async (ctx) => {
        const user = await ctx.call<{ name: string; token: string; sysadmin: boolean }>('user_create', {
          name, email: o.email, password: o.password, sysadmin: o.sysadmin ?? false, with_apitoken: true,
        });
        rt.out(`created ${user.sysadmin ? 'sysadmin' : 'user'} ${user.name}; API token:`);
        rt.out(user.token);
      });
    });

  cmd
    .command('token')
    .argument('<name>', 'user name or id')
    .option('--label <label>', 'name of the token', `cli-${randomBytes(3).toString('hex')}`)
    .option('--scopes <scopes>', 'what the token may do, separated by commas: read, write, datastore, harvest, ingest, admin (default: all)')
    .option('--organization <organization>', 'id or name of the only organization the token acts in')
    .option('--days <days>', 'lifetime in days (default and at most: API_TOKEN_MAX_DAYS)')
    .description('create another API token for an existing user and print it on the last line')
    .action(async (name: string, o: { label: string; scopes?: string; organization?: string; days?: string }) => {
      await rt.withActions(async (ctx) => {
        const { token } = await ctx.call<{ token: string }>('api_token_create', {
          user: name, name: o.label, scopes: o.scopes, organization: o.organization, ...(o.days !== undefined ? { expires_in: o.days, unit: 86400 } : {}),
        });
        rt.out(token);
      });
    });
  return cmd;
}
