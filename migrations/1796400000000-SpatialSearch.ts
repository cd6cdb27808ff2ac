import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Spatial search (issue 16): every search document gets `bbox`, the bounding box of its dataset's extent, derived
 * when the document is written and never stored in the package dict: the `spatial` extra's GeoJSON geometry (as
 * ckanext-spatial indexes its envelope), else the Länder a political geocoding key names (stateKey/NN or the Land's
 * own regionalKey NN0000000000; boxes as in dcat-profiles/vocabularies/regions.ts, held equal by a test).
 *
 * The index is core PostgreSQL's `box` with a GiST index, which needs no extension (the embedded PostgreSQL has no
 * PostGIS) and answers "intersects this bounding box" exactly as ckanext-spatial's bbox backends do. A generated
 * column: catalog_search_refresh needs no change, and a value that is no geometry gives no box instead of an error
 * (older rows were written before the check on write).
 */
export class SpatialSearch1796400000000 implements MigrationInterface {
  name = 'SpatialSearch1796400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION catalog_geojson_box(geojson text) RETURNS box LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      DECLARE
        b record;
      BEGIN
        IF btrim(geojson) = '' THEN RETURN NULL; END IF;
        SELECT min((p->>0)::float8) AS minx, min((p->>1)::float8) AS miny, max((p->>0)::float8) AS maxx, max((p->>1)::float8) AS maxy INTO b
          FROM jsonb_path_query(geojson::jsonb, 'strict $.** ? (@.type() == "object" && exists(@.coordinates)).coordinates') c,
               jsonb_path_query(c, 'strict $.** ? (@.type() == "array" && @.size() >= 2 && @[0].type() == "number" && @[1].type() == "number")') p;
        IF b.minx IS NULL OR b.minx < -180 OR b.maxx > 180 OR b.miny < -90 OR b.maxy > 90 THEN RETURN NULL; END IF;
        RETURN box(point(b.minx, b.miny), point(b.maxx, b.maxy));
      EXCEPTION WHEN others THEN
        RETURN NULL; -- not JSON: no extent, as ckanext-spatial logs and does not index it
      END $$`);
    await q.query(`
      CREATE FUNCTION catalog_region_box(keys text) RETURNS box LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT CASE WHEN count(*) > 0 THEN box(point(min(r.minx), min(r.miny)), point(max(r.maxx), max(r.maxy))) END
          FROM regexp_matches(keys, 'http://dcat-ap\\.de/def/politicalGeocoding/(?:stateKey/([0-9]{2})|regionalKey/([0-9]{2})0{10})(?![0-9])', 'g') m
          JOIN (VALUES
            ('01', 7.86, 53.35, 11.32, 55.06), ('02', 8.10, 53.39, 10.33, 53.97), ('03', 6.64, 51.29, 11.60, 53.90),
            ('04', 8.48, 53.01, 8.99, 53.61), ('05', 5.86, 50.32, 9.47, 52.54), ('06', 7.77, 49.39, 10.24, 51.66),
            ('07', 6.11, 48.96, 8.51, 50.95), ('08', 7.51, 47.53, 10.50, 49.80), ('09', 8.97, 47.27, 13.84, 50.57),
            ('10', 6.35, 49.11, 7.41, 49.64), ('11', 13.08, 52.33, 13.77, 52.68), ('12', 11.26, 51.35, 14.77, 53.56),
            ('13', 10.59, 53.11, 14.42, 54.69), ('14', 11.87, 50.17, 15.05, 51.69), ('15', 10.56, 50.93, 13.19, 53.05),
            ('16', 9.87, 50.20, 12.66, 51.65)
          ) AS r(key, minx, miny, maxx, maxy) ON r.key = coalesce(m[1], m[2])
      $$`);
    await q.query(`
      -- Both parts are STRICT: a dataset without the extra costs no call of them.
      CREATE FUNCTION catalog_dataset_extent(extras jsonb) RETURNS box LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(catalog_geojson_box(extras->>'spatial'), catalog_region_box(extras->>'politicalGeocodingURI'))
      $$`);
    await q.query(`ALTER TABLE search_document ADD bbox box GENERATED ALWAYS AS (catalog_dataset_extent(extras)) STORED`);
    await q.query(`CREATE INDEX search_document_bbox_idx ON search_document USING gist (bbox)`);
    // Meilisearch's documents gain the box's corners: the datasets that have one are filed for it.
    await q.query(`INSERT INTO search_outbox (package_id) SELECT id FROM search_document WHERE bbox IS NOT NULL ON CONFLICT (package_id) DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX search_document_bbox_idx`);
    await q.query(`ALTER TABLE search_document DROP COLUMN bbox`);
    await q.query(`DROP FUNCTION catalog_dataset_extent(jsonb)`);
    await q.query(`DROP FUNCTION catalog_region_box(text)`);
    await q.query(`DROP FUNCTION catalog_geojson_box(text)`);
  }
}
