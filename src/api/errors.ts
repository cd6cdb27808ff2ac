/**
 * The typed errors domain code throws. One place (ckan-envelope.ts) maps each kind to CKAN's
 * status, `__type` and body; an exhaustive switch there makes a new kind fail to compile until mapped.
 */
export type FieldErrors = Record<string, unknown>;

export abstract class CkanError extends Error {
  abstract readonly kind: 'not_found' | 'not_authorized' | 'validation' | 'data' | 'search_query' | 'search' | 'bad_request' | 'rate_limited';
}

/** 404 `Not Found Error`. The message is appended to "Not found". */
export class NotFound extends CkanError {
  readonly kind = 'not_found' as const;
  constructor(message = '') {
    super(message);
  }
}

/** 403 `Authorization Error`. The message is appended to "Access denied". */
export class NotAuthorized extends CkanError {
  readonly kind = 'not_authorized' as const;
  constructor(message = '') {
    super(message);
  }
}

/**
 * 409 `Validation Error`. `fields` maps a field to its messages (`{ name: ['Missing value'] }`),
 * nested lists of dicts for resources (`{ resources: [{}, { url: [...] }] }`); a general message uses `message`.
 */
export class ValidationError extends CkanError {
  readonly kind = 'validation' as const;
  constructor(readonly fields: FieldErrors) {
    super(`Validation failed: ${JSON.stringify(fields)}`);
  }
  static field(name: string, message: string): ValidationError {
    return new ValidationError({ [name]: [message] });
  }
}

/** 400 `Integrity Error`: input that cannot be interpreted at all. */
export class DataError extends CkanError {
  readonly kind = 'data' as const;
  constructor(message: string, readonly data?: unknown) {
    super(message);
  }
}

/** 400 `Search Query Error`: bad search parameters or unparseable query syntax. */
export class SearchQueryError extends CkanError {
  readonly kind = 'search_query' as const;
}

/** 409 `Search Error`: the search backend refused the query. */
export class SearchError extends CkanError {
  readonly kind = 'search' as const;
}

/** 400 with a bare JSON string body, as CKAN answers unknown actions and undecodable requests. */
export class BadRequest extends CkanError {
  readonly kind = 'bad_request' as const;
}

/**
 * 429 `Rate Limit Error` with a Retry-After header: too many attempts (failed password checks) for now. CKAN compat:
 * CKAN has no such error; its clients see an error envelope with a status they treat as "try later".
 */
export class TooManyRequests extends CkanError {
  readonly kind = 'rate_limited' as const;
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}
