-- The MVT of the enterprise clusters in `cells` (count, employees, pick, mean position u, v
-- in the unit square of Web Mercator), each drawn with its largest employer's attributes:
-- the output of tile_enterprise_cluster.sql and tile_enterprise_cluster_points.sql.
SELECT ST_AsMVT(t, 'enterprise', :extent, 'geom')
FROM (
    SELECT e.id, e.uscc, e.name, e.industry, e.size_class, e.status, e.employees_day,
           g.code AS grid_code, c.count, c.employees,
           ST_MakePoint(round((c.u * :n - :x) * :extent), round((c.v * :n - :y) * :extent)) AS geom
    FROM cells c
    -- pick = employees_day * 2^32 + id
    LEFT JOIN enterprise e ON e.id = (c.pick % 4294967296)::int
    LEFT JOIN grid g ON g.id = e.grid_id
) t
