import { QueryFailedError } from 'typeorm';
import { FieldErrors, ValidationError } from '../api/errors';

/**
 * Unique constraints that two concurrent writers can both pass in their checks and then hit at
 * insert time: the loser gets the same field error the check would have given, never a 500.
 */
const UNIQUE_FIELDS: Record<string, FieldErrors> = {
  package_name_key: { name: ['That URL is already in use.'] },
  catalog_group_name_key: { name: ['Group name already exists in database'] },
  user_account_name_key: { name: ['That login name is not available.'] },
  user_account_email_key: { email: ['The email address belongs to a registered user.'] },
  PK_308364c66df656295bc4ec467c2: { id: ['Dataset id already exists'] },
  PK_e2894a5867e06ae2e8889f1173f: { resources: ['Resource id already exists.'] },
};

/** The CKAN error for a database constraint violation we know, or undefined. */
export function constraintError(err: unknown): ValidationError | undefined {
  if (!(err instanceof QueryFailedError)) return undefined;
  const e = err.driverError as { code?: string; constraint?: string };
  if (e.code === '23505' && e.constraint && UNIQUE_FIELDS[e.constraint]) return new ValidationError(UNIQUE_FIELDS[e.constraint]);
  return undefined;
}
