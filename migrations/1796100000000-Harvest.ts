import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Harvesting (issue 15), in ckanext-harvest's shape: a source is a dataset of type `harvest` (its package row) plus
 * `harvest_source` keyed by that package's id; `harvest_job` is one run with its counts; `harvest_object` is one
 * remote record as last harvested (the current one per source and guid links the dataset it became, which makes that
 * dataset read-only for local editors until detached); object and gather errors are the job's report. Secrets of a
 * source's config are kept apart, encrypted (`secrets`), and `config` holds them masked.
 */
export class Harvest1796100000000 implements MigrationInterface {
  name = 'Harvest1796100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "harvest_source" ("id" uuid NOT NULL, "url" text NOT NULL, "source_type" character varying(100) NOT NULL,
        "frequency" character varying(20) NOT NULL DEFAULT 'MANUAL', "config" text NOT NULL DEFAULT '', "secrets" bytea,
        "active" boolean NOT NULL DEFAULT true, "user_id" uuid, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_harvest_source" PRIMARY KEY ("id"),
        CONSTRAINT "FK_harvest_source_package" FOREIGN KEY ("id") REFERENCES "package"("id") ON DELETE CASCADE,
        CONSTRAINT "FK_harvest_source_user" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE SET NULL)`,
    );
    await q.query(
      `CREATE TABLE "harvest_job" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "source_id" uuid NOT NULL,
        "status" character varying(20) NOT NULL DEFAULT 'New', "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "gather_started" TIMESTAMP WITH TIME ZONE, "gather_finished" TIMESTAMP WITH TIME ZONE, "finished" TIMESTAMP WITH TIME ZONE,
        "stats" jsonb NOT NULL DEFAULT '{}', "progress" jsonb, "message" text,
        CONSTRAINT "PK_harvest_job" PRIMARY KEY ("id"),
        CONSTRAINT "FK_harvest_job_source" FOREIGN KEY ("source_id") REFERENCES "harvest_source"("id") ON DELETE CASCADE)`,
    );
    // At most one job waiting or running per source: a second harvest_job_create is refused, as in ckanext-harvest.
    await q.query(`CREATE UNIQUE INDEX "UQ_harvest_job_open" ON "harvest_job" ("source_id") WHERE status IN ('New', 'Running')`);
    await q.query(`CREATE INDEX "IDX_harvest_job_source_created" ON "harvest_job" ("source_id", "created")`);
    await q.query(
      `CREATE TABLE "harvest_object" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "guid" text NOT NULL, "identifier" text NOT NULL,
        "source_id" uuid NOT NULL, "job_id" uuid NOT NULL, "package_id" uuid, "current" boolean NOT NULL DEFAULT false,
        "detached" boolean NOT NULL DEFAULT false, "modified" TIMESTAMP WITH TIME ZONE, "content" text,
        "report_status" character varying(20), "gathered" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "import_started" TIMESTAMP WITH TIME ZONE, "import_finished" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_harvest_object" PRIMARY KEY ("id"),
        CONSTRAINT "FK_harvest_object_source" FOREIGN KEY ("source_id") REFERENCES "harvest_source"("id") ON DELETE CASCADE,
        CONSTRAINT "FK_harvest_object_job" FOREIGN KEY ("job_id") REFERENCES "harvest_job"("id") ON DELETE CASCADE,
        CONSTRAINT "FK_harvest_object_package" FOREIGN KEY ("package_id") REFERENCES "package"("id") ON DELETE SET NULL)`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_harvest_object_current" ON "harvest_object" ("source_id", "guid") WHERE current`);
    await q.query(`CREATE INDEX "IDX_harvest_object_identifier" ON "harvest_object" ("identifier") WHERE current`);
    await q.query(`CREATE INDEX "IDX_harvest_object_package" ON "harvest_object" ("package_id") WHERE current`);
    await q.query(`CREATE INDEX "IDX_harvest_object_job" ON "harvest_object" ("job_id")`);
    await q.query(
      `CREATE TABLE "harvest_object_error" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "harvest_object_id" uuid NOT NULL,
        "message" text NOT NULL, "stage" character varying(20) NOT NULL, "line" integer, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_harvest_object_error" PRIMARY KEY ("id"),
        CONSTRAINT "FK_harvest_object_error_object" FOREIGN KEY ("harvest_object_id") REFERENCES "harvest_object"("id") ON DELETE CASCADE)`,
    );
    await q.query(`CREATE INDEX "IDX_harvest_object_error_object" ON "harvest_object_error" ("harvest_object_id")`);
    await q.query(
      `CREATE TABLE "harvest_gather_error" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "harvest_job_id" uuid NOT NULL,
        "message" text NOT NULL, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_harvest_gather_error" PRIMARY KEY ("id"),
        CONSTRAINT "FK_harvest_gather_error_job" FOREIGN KEY ("harvest_job_id") REFERENCES "harvest_job"("id") ON DELETE CASCADE)`,
    );
    await q.query(`CREATE INDEX "IDX_harvest_gather_error_job" ON "harvest_gather_error" ("harvest_job_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "harvest_gather_error"`);
    await q.query(`DROP TABLE "harvest_object_error"`);
    await q.query(`DROP TABLE "harvest_object"`);
    await q.query(`DROP TABLE "harvest_job"`);
    await q.query(`DROP TABLE "harvest_source"`);
  }
}
