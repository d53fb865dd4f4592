-- The level-18 cluster cells of the enterprises in new_rows (id, geom, employees_day): count,
-- employees, the pick (most employees, then highest id) and the sums of the Web-Mercator
-- unit coordinates, one tile_cell per row (migration 0005's arithmetic, level 18 since 0012).
-- Used by fill_enterprise_cluster.sql.
SELECT tile_cell(geom) >> 4 AS cell, count(*) AS count, sum(employees_day) AS employees,
       coalesce(max(employees_day::bigint * 4294967296 + id), 0) AS pick,
       sum((ST_X(geom) + 180) / 360) AS sum_u,
       sum((1 - ln(tan(pi() / 4 + radians(ST_Y(geom)) / 2)) / pi()) / 2) AS sum_v
FROM new_rows
GROUP BY 1
