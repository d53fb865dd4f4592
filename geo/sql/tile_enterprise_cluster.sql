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
{sql:tile_cluster_output}
