-- Enterprise clusters (企业聚合) for tile :z/:x/:y, read from enterprise_cluster, never points.
-- The tile's cells at stored level :level are the Morton key range [:lo, :hi); they are
-- grouped into cells of 1/16 tile (:shift bits fewer), each drawn at its members' mean
-- position with its count, employees, and its largest employer as representative.
WITH cells AS (
    SELECT sum(count) AS count, sum(employees)::bigint AS employees, max(pick) AS pick,
           sum(sum_u) / sum(count) AS u, sum(sum_v) / sum(count) AS v
    FROM enterprise_cluster
    WHERE level = :level AND cell >= :lo AND cell < :hi AND count > 0
    GROUP BY cell >> :shift
)
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
