import { MigrationInterface, QueryRunner } from 'typeorm';

/** The role datastore_search_sql runs its queries under (src/datastore/datastore-sql.repository.ts). */
const DATASTORE_READER_ROLE = 'datastore_reader';

/**
 * datastore_search_sql runs a client's SELECT under `SET LOCAL ROLE datastore_reader`: a role that cannot log in and
 * may only read schema `datastore` (USAGE on the schema, SELECT on its tables, also on tables created later through
 * default privileges). It owns nothing and has no other grant, so even a query that got past the parse-tree check could
 * neither write nor read the catalog's own tables. Roles belong to the whole PostgreSQL cluster: an existing one
 * (another catalog database on the same server) is reused, and the grants here are this database's.
 * The migrating user becomes a member so that it may SET ROLE to it (a superuser already may).
 */
export class DatastoreReader1795750000000 implements MigrationInterface {
  name = 'DatastoreReader1795750000000';

  async up(q: QueryRunner): Promise<void> {
    // One block: a database user that may not create or grant roles (a restricted DATABASE_URL) gets a warning and a
    // catalog without datastore_search_sql (which then fails with a server error naming the role), not a failed upgrade.
    // PostgreSQL 16+ gives a role's creator membership without the right to SET ROLE to it: the grant below adds that.
    await q.query(`
      DO $$
      BEGIN
        BEGIN
          CREATE ROLE ${DATASTORE_READER_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
        GRANT USAGE ON SCHEMA datastore TO ${DATASTORE_READER_ROLE};
        GRANT SELECT ON ALL TABLES IN SCHEMA datastore TO ${DATASTORE_READER_ROLE};
        ALTER DEFAULT PRIVILEGES IN SCHEMA datastore GRANT SELECT ON TABLES TO ${DATASTORE_READER_ROLE};
        IF NOT pg_has_role(current_user, '${DATASTORE_READER_ROLE}',
                           CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'SET' ELSE 'MEMBER' END) THEN
          GRANT ${DATASTORE_READER_ROLE} TO CURRENT_USER;
        END IF;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE WARNING 'datastore_search_sql will not work: the role ${DATASTORE_READER_ROLE} could not be set up (%)', SQLERRM;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA datastore REVOKE SELECT ON TABLES FROM ${DATASTORE_READER_ROLE}`);
    await q.query(`REVOKE SELECT ON ALL TABLES IN SCHEMA datastore FROM ${DATASTORE_READER_ROLE}`);
    await q.query(`REVOKE USAGE ON SCHEMA datastore FROM ${DATASTORE_READER_ROLE}`);
    // The role itself stays: other databases of the cluster may use it.
  }
}
