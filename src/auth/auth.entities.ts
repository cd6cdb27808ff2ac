import { ApiTokenEntity } from './api-token.entity';
import { UserEntity } from './user.entity';

/** The tables this module owns. */
export const AUTH_ENTITIES = [UserEntity, ApiTokenEntity];
