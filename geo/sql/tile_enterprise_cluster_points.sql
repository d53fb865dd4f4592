-- Enterprise clusters (企业聚合) for tile :z/:x/:y at the zooms whose cells are finer than the
-- finest stored level (migration 0012: zoom 15, cells of level 19): the enterprises inside the
-- tile grouped into cells of 1/16 tile, with the figures tile_enterprise_cluster.sql takes
-- from stored cells: count, employees, largest employer as representative, members' mean
-- position. Cells and tile are the floors of the Web Mercator position u, v scaled by powers
-- of two (exact), so a point falls in the same cell as tile_cell() puts it.
WITH inside AS MATERIALIZED (
    SELECT e.id, e.employees_day, (ST_X(e.geom) + 180) / 360 AS u,
           (1 - ln(tan(pi() / 4 + radians(ST_Y(e.geom)) / 2)) / pi()) / 2 AS v
    FROM enterprise e
    -- the GiST index is on the EPSG:4326 column: the widened envelope is transformed (the
    -- literal side), never the column; the floors below then keep exactly the tile's points
    WHERE e.geom && ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326)
),
cells AS (
    SELECT count(*) AS count, sum(employees_day)::bigint AS employees,
           max(employees_day::bigint * 4294967296 + id) AS pick,
           sum(u) / count(*) AS u, sum(v) / count(*) AS v
    FROM inside
    WHERE floor(u * :n) = :x AND floor(v * :n) = :y
    GROUP BY floor(u * :n * :cells), floor(v * :n * :cells)
)
{sql:tile_cluster_output}
