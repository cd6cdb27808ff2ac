import { AUTH_ENTITIES } from './auth/auth.entities';
import { CATALOG_ENTITIES } from './catalog/catalog.entities';
import type { EntityList } from './database/data-source';

/**
 * Every module's entities, gathered where the service is put together (beside app.module.ts): the database
 * part knows no domain. Listed explicitly so the same list works compiled, under jest and in the CLI.
 */
export const ENTITIES: EntityList = [...AUTH_ENTITIES, ...CATALOG_ENTITIES];
