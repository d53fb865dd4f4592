-- The level-18 cluster cells of a chunked load (geo/layers/chunk_clusters.py): the sums Python
-- made chunk by chunk ({sums}, a temporary table) and, for the few rows whose cell Python left
-- to tile_cell (new_rows), PostGIS's own, added up per cell. Used as fill_enterprise_cluster.sql's
-- fine part.
SELECT cell, sum(count) AS count, sum(employees) AS employees, max(pick) AS pick,
       sum(sum_u) AS sum_u, sum(sum_v) AS sum_v
FROM (
    SELECT cell, count, employees, pick, sum_u, sum_v FROM {sums}
    UNION ALL
    {sql:enterprise_cluster_cells}
) AS cells
GROUP BY cell
