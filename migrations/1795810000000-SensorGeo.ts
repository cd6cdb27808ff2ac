import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SQL functions the SensorThings query language needs (src/sensors/sta/query/): STA's time text, and the
 * geospatial functions of `$filter` (geo.distance, geo.length, geo.intersects, st_equals … st_relate) on the GeoJSON
 * kept in jsonb (sensor_location.location, sensor_feature_of_interest.feature, sensor_datastream.observed_area).
 *
 * Why functions of our own: the database has no PostGIS. They run in the database so a filter pages and counts
 * right. The math is planar on longitude/latitude, as FROST's queries are on PostGIS `geometry`; distances and
 * lengths are in degrees. It uses PostgreSQL's built-in geometric types (point, lseg, path, polygon) and their
 * operators, which compare with a tolerance of 1e-6 (about 0.1 m in degrees).
 *
 * All predicates come from one DE-9IM matrix (sta_geo_relate), as in JTS/PostGIS: each geometry's linework
 * (LineStrings, polygon rings; Points as themselves) is split at every crossing with the other's linework, and the
 * split points and the midpoints between them are located in both geometries (interior, boundary or exterior).
 * A piece of a polygon's boundary inside the other's interior or exterior also tells about the polygon's interior
 * next to it. Known limits: the boundary of a MultiLineString is its end points without the mod-2 rule; where the
 * boundary of one polygon coincides entirely with a hole of another, their interior/exterior entries are not
 * derived. Points, LineStrings, Polygons with holes, Multi* and GeometryCollections are read; a Feature is read as
 * its geometry.
 */
export class SensorGeo1795810000000 implements MigrationInterface {
  name = 'SensorGeo1795810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION sta_time_text(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
          || CASE WHEN extract(microseconds FROM t)::bigint % 1000000 = 0 THEN '' ELSE rtrim(to_char(t AT TIME ZONE 'UTC', '.US'), '0') END
          || 'Z'
      $$`);
    await q.query(`
      CREATE FUNCTION sta_geo_flat(g jsonb) RETURNS TABLE (kind text, coords jsonb) LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        WITH RECURSIVE geo(g) AS (
          SELECT CASE WHEN g->>'type' = 'Feature' THEN g->'geometry' ELSE g END
          UNION ALL
          SELECT e FROM geo, jsonb_array_elements(CASE WHEN geo.g->>'type' = 'GeometryCollection' THEN geo.g->'geometries' ELSE '[]'::jsonb END) e
        )
        SELECT 'point', g->'coordinates' FROM geo WHERE g->>'type' = 'Point'
        UNION ALL SELECT 'point', c FROM geo, jsonb_array_elements(g->'coordinates') c WHERE g->>'type' = 'MultiPoint'
        UNION ALL SELECT 'line', g->'coordinates' FROM geo WHERE g->>'type' = 'LineString'
        UNION ALL SELECT 'line', c FROM geo, jsonb_array_elements(g->'coordinates') c WHERE g->>'type' = 'MultiLineString'
        UNION ALL SELECT 'polygon', g->'coordinates' FROM geo WHERE g->>'type' = 'Polygon'
        UNION ALL SELECT 'polygon', c FROM geo, jsonb_array_elements(g->'coordinates') c WHERE g->>'type' = 'MultiPolygon'
      $$`);
    await q.query(`
      CREATE FUNCTION sta_geo_pt(c jsonb) RETURNS point LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT point((c->>0)::float8, (c->>1)::float8)
      $$`);
    await q.query(`
      CREATE FUNCTION sta_geo_path(cs jsonb) RETURNS path LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT ('[' || string_agg(format('(%s,%s)', c->>0, c->>1), ',' ORDER BY o) || ']')::path FROM jsonb_array_elements(cs) WITH ORDINALITY e(c, o)
      $$`);
    await q.query(`
      CREATE FUNCTION sta_geo_polygon(ring jsonb) RETURNS polygon LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT ('(' || string_agg(format('(%s,%s)', c->>0, c->>1), ',' ORDER BY o) || ')')::polygon FROM jsonb_array_elements(ring) WITH ORDINALITY e(c, o)
      $$`);
    await q.query(`
      CREATE FUNCTION sta_geo_dim(g jsonb) RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT COALESCE(max(CASE kind WHEN 'point' THEN 0 WHEN 'line' THEN 1 ELSE 2 END), -1) FROM sta_geo_flat(g)
      $$`);
    // Linework as segments: LineString segments and polygon ring edges; a Point as a segment of length 0.
    await q.query(`
      CREATE FUNCTION sta_geo_segments(g jsonb) RETURNS SETOF lseg LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT lseg(sta_geo_pt(f.coords), sta_geo_pt(f.coords)) FROM sta_geo_flat(g) f WHERE f.kind = 'point'
        UNION ALL
        SELECT lseg(sta_geo_pt(l.c->(i - 1)), sta_geo_pt(l.c->i))
        FROM (SELECT f.coords AS c FROM sta_geo_flat(g) f WHERE f.kind = 'line'
              UNION ALL SELECT r FROM sta_geo_flat(g) f, jsonb_array_elements(f.coords) r WHERE f.kind = 'polygon') l,
             generate_series(1, jsonb_array_length(l.c) - 1) i
      $$`);
    // Where a point lies in a geometry: 'I'nterior, 'B'oundary or 'E'xterior.
    await q.query(`
      CREATE FUNCTION sta_geo_locate(p point, g jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      DECLARE
        f record;
        n integer;
        k integer;
        first point;
        last point;
        on_boundary boolean := false;
        inside boolean;
        ring_hit boolean;
      BEGIN
        FOR f IN SELECT * FROM sta_geo_flat(g) LOOP
          IF f.kind = 'point' THEN
            IF p ~= sta_geo_pt(f.coords) THEN RETURN 'I'; END IF;
          ELSIF f.kind = 'line' THEN
            n := jsonb_array_length(f.coords);
            first := sta_geo_pt(f.coords->0);
            last := sta_geo_pt(f.coords->(n - 1));
            IF NOT (first ~= last) AND (p ~= first OR p ~= last) THEN
              on_boundary := true;
            ELSIF p <@ sta_geo_path(f.coords) THEN
              RETURN 'I';
            END IF;
          ELSE
            inside := false;
            ring_hit := false;
            FOR k IN 0 .. jsonb_array_length(f.coords) - 1 LOOP
              IF p <@ sta_geo_path(f.coords->k) THEN
                ring_hit := true;
                EXIT;
              END IF;
              IF k = 0 THEN
                inside := sta_geo_polygon(f.coords->0) @> p;
                EXIT WHEN NOT inside;
              ELSIF sta_geo_polygon(f.coords->k) @> p THEN
                inside := false;
              END IF;
            END LOOP;
            IF ring_hit THEN
              on_boundary := true;
            ELSIF inside THEN
              RETURN 'I';
            END IF;
          END IF;
        END LOOP;
        RETURN CASE WHEN on_boundary THEN 'B' ELSE 'E' END;
      END
      $$`);
    // Points to locate: each geometry's linework split at the other's, its split points and the midpoints between.
    await q.query(`
      CREATE FUNCTION sta_geo_samples(a jsonb, b jsonb) RETURNS TABLE (p point, mid boolean) LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      DECLARE
        sa lseg[] := ARRAY(SELECT sta_geo_segments(a));
        sb lseg[] := ARRAY(SELECT sta_geo_segments(b));
        mine lseg[];
        other lseg[];
        s lseg;
        u lseg;
        x point;
        p0 point;
        p1 point;
        u0 point;
        u1 point;
        dx float8;
        dy float8;
        len2 float8;
        ts float8[];
        k integer;
        pass integer;
      BEGIN
        FOR pass IN 1 .. 2 LOOP
          IF pass = 1 THEN mine := sa; other := sb; ELSE mine := sb; other := sa; END IF;
          FOREACH s IN ARRAY mine LOOP
            p0 := s[0];
            p1 := s[1];
            dx := p1[0] - p0[0];
            dy := p1[1] - p0[1];
            len2 := dx * dx + dy * dy;
            IF len2 = 0 THEN
              p := p0; mid := false; RETURN NEXT;
              CONTINUE;
            END IF;
            ts := ARRAY[0::float8, 1::float8];
            FOREACH u IN ARRAY other LOOP
              x := s # u;
              IF x IS NOT NULL THEN ts := ts || ((x[0] - p0[0]) * dx + (x[1] - p0[1]) * dy) / len2; END IF;
              u0 := u[0];
              u1 := u[1];
              IF u0 <@ s THEN ts := ts || ((u0[0] - p0[0]) * dx + (u0[1] - p0[1]) * dy) / len2; END IF;
              IF u1 <@ s THEN ts := ts || ((u1[0] - p0[0]) * dx + (u1[1] - p0[1]) * dy) / len2; END IF;
            END LOOP;
            ts := ARRAY(SELECT DISTINCT v FROM unnest(ts) v WHERE v >= 0 AND v <= 1 ORDER BY v);
            FOR k IN 1 .. array_length(ts, 1) LOOP
              p := point(p0[0] + ts[k] * dx, p0[1] + ts[k] * dy); mid := false; RETURN NEXT;
              IF k < array_length(ts, 1) THEN
                p := point(p0[0] + (ts[k] + ts[k + 1]) / 2 * dx, p0[1] + (ts[k] + ts[k + 1]) / 2 * dy); mid := true; RETURN NEXT;
              END IF;
            END LOOP;
          END LOOP;
        END LOOP;
      END
      $$`);
    // The DE-9IM matrix of a and b: II IB IE BI BB BE EI EB EE, each F, 0, 1 or 2.
    await q.query(`
      CREATE FUNCTION sta_geo_relate(a jsonb, b jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      DECLARE
        da integer := sta_geo_dim(a);
        db integer := sta_geo_dim(b);
        m integer[] := ARRAY[-1, -1, -1, -1, -1, -1, -1, -1, 2];
        s record;
        la integer;
        lb integer;
        d integer;
        a_all_on_b boolean := true;
        b_all_on_a boolean := true;
        from_a boolean;
      BEGIN
        IF da < 0 OR db < 0 THEN RETURN NULL; END IF;
        FOR s IN SELECT * FROM sta_geo_samples(a, b) LOOP
          la := position(sta_geo_locate(s.p, a) IN 'IBE') - 1;
          lb := position(sta_geo_locate(s.p, b) IN 'IBE') - 1;
          d := CASE WHEN s.mid THEN 1 ELSE 0 END;
          m[la * 3 + lb + 1] := greatest(m[la * 3 + lb + 1], d);
          -- Next to a point of a polygon's boundary lie its interior and its exterior.
          IF la = 1 AND da = 2 THEN
            IF lb = 0 AND db = 2 THEN m[1] := 2; m[7] := 2; END IF;
            IF lb = 2 THEN m[3] := 2; END IF;
          END IF;
          IF lb = 1 AND db = 2 THEN
            IF la = 0 AND da = 2 THEN m[1] := 2; m[3] := 2; END IF;
            IF la = 2 THEN m[7] := 2; END IF;
          END IF;
          IF la = 1 AND lb <> 1 THEN a_all_on_b := false; END IF;
          IF lb = 1 AND la <> 1 THEN b_all_on_a := false; END IF;
        END LOOP;
        -- Two polygons whose boundaries coincide have the same interior.
        IF da = 2 AND db = 2 AND m[1] < 0 AND a_all_on_b AND b_all_on_a THEN m[1] := 2; END IF;
        RETURN array_to_string(ARRAY(SELECT CASE WHEN v < 0 THEN 'F' ELSE v::text END FROM unnest(m) WITH ORDINALITY u(v, o) ORDER BY o), '');
      END
      $$`);
    await q.query(`
      CREATE FUNCTION sta_geo_matches(matrix text, pattern text) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT length(pattern) = 9 AND bool_and(CASE upper(substr(pattern, i, 1))
            WHEN '*' THEN true
            WHEN 'T' THEN substr(matrix, i, 1) <> 'F'
            WHEN 'F' THEN substr(matrix, i, 1) = 'F'
            ELSE substr(matrix, i, 1) = substr(pattern, i, 1) END)
        FROM generate_series(1, 9) i
      $$`);
    const predicates: Record<string, string> = {
      sta_st_relate: `sta_geo_matches(sta_geo_relate(a, b), pattern)`,
      sta_st_equals: `sta_geo_matches(sta_geo_relate(a, b), 'T*F**FFF*')`,
      sta_st_disjoint: `sta_geo_matches(sta_geo_relate(a, b), 'FF*FF****')`,
      sta_st_intersects: `NOT sta_geo_matches(sta_geo_relate(a, b), 'FF*FF****')`,
      sta_st_within: `sta_geo_matches(sta_geo_relate(a, b), 'T*F**F***')`,
      sta_st_contains: `sta_geo_matches(sta_geo_relate(a, b), 'T*****FF*')`,
      sta_st_touches: `(SELECT sta_geo_matches(r, 'FT*******') OR sta_geo_matches(r, 'F**T*****') OR sta_geo_matches(r, 'F***T****') FROM sta_geo_relate(a, b) r)`,
      sta_st_crosses: `(SELECT CASE WHEN sta_geo_dim(a) < sta_geo_dim(b) THEN sta_geo_matches(r, 'T*T******')
                                    WHEN sta_geo_dim(a) > sta_geo_dim(b) THEN sta_geo_matches(r, 'T*****T**')
                                    WHEN sta_geo_dim(a) = 1 THEN sta_geo_matches(r, '0********')
                                    ELSE false END FROM sta_geo_relate(a, b) r)`,
      sta_st_overlaps: `(SELECT CASE WHEN sta_geo_dim(a) <> sta_geo_dim(b) THEN false
                                     WHEN sta_geo_dim(a) = 1 THEN sta_geo_matches(r, '1*T***T**')
                                     ELSE sta_geo_matches(r, 'T*T***T**') END FROM sta_geo_relate(a, b) r)`,
    };
    for (const [name, body] of Object.entries(predicates)) {
      const args = name === 'sta_st_relate' ? 'a jsonb, b jsonb, pattern text' : 'a jsonb, b jsonb';
      await q.query(`CREATE FUNCTION ${name}(${args}) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT ${body} $$`);
    }
    await q.query(`
      CREATE FUNCTION sta_geo_distance(a jsonb, b jsonb) RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT CASE WHEN sta_st_intersects(a, b) THEN 0::float8
                    ELSE (SELECT min(s <-> u) FROM sta_geo_segments(a) s, sta_geo_segments(b) u) END
      $$`);
    await q.query(`
      CREATE FUNCTION sta_geo_length(g jsonb) RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT COALESCE(sum(sta_geo_pt(f.coords->(i - 1)) <-> sta_geo_pt(f.coords->i)), 0)::float8
        FROM sta_geo_flat(g) f, generate_series(1, jsonb_array_length(f.coords) - 1) i WHERE f.kind = 'line'
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const f of [
      'sta_geo_length(jsonb)', 'sta_geo_distance(jsonb, jsonb)', 'sta_st_overlaps(jsonb, jsonb)', 'sta_st_crosses(jsonb, jsonb)', 'sta_st_touches(jsonb, jsonb)',
      'sta_st_contains(jsonb, jsonb)', 'sta_st_within(jsonb, jsonb)', 'sta_st_intersects(jsonb, jsonb)', 'sta_st_disjoint(jsonb, jsonb)', 'sta_st_equals(jsonb, jsonb)',
      'sta_st_relate(jsonb, jsonb, text)', 'sta_geo_matches(text, text)', 'sta_geo_relate(jsonb, jsonb)', 'sta_geo_samples(jsonb, jsonb)', 'sta_geo_locate(point, jsonb)',
      'sta_geo_segments(jsonb)', 'sta_geo_dim(jsonb)', 'sta_geo_polygon(jsonb)', 'sta_geo_path(jsonb)', 'sta_geo_pt(jsonb)', 'sta_geo_flat(jsonb)', 'sta_time_text(timestamptz)',
    ]) await q.query(`DROP FUNCTION ${f}`);
  }
}
