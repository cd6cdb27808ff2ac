import type { Caller } from './action-context';

/**
 * Who is calling, from a request's headers (an API token): provided by src/auth, which the action API
 * does not import. An unknown or revoked token is no error: the call runs as anonymous, as in CKAN.
 */
export abstract class CallerResolver {
  abstract fromHeaders(headers: Record<string, string | string[] | undefined>): Promise<Caller | null>;
}
