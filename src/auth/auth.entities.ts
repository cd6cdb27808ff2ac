import type { ConstraintMessages } from '../api/constraint-errors';
import { ApiTokenEntity } from './api-token.entity';
import { UserEntity } from './user.entity';
import { WebSessionEntity } from './web-session.entity';

/** The tables this module owns. */
export const AUTH_ENTITIES = [UserEntity, ApiTokenEntity, WebSessionEntity];

/** The field error for each unique constraint of these tables that concurrent writers can hit (CKAN's wording). */
export const AUTH_CONSTRAINTS: ConstraintMessages = {
  user_account_name_key: { name: ['That login name is not available.'] },
  user_account_email_key: { email: ['The email address belongs to a registered user.'] },
};
