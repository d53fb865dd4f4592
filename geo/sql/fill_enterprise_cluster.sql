-- A bulk import's plain INSERT of new enterprises (composed by geo/layers/load.py: the rows CTE
-- is the INSERT … RETURNING id, geom, employees_day; geo/layers/stream.py passes the rows of its
-- load whose cell Python left to tile_cell) and the enterprise clusters of those rows,
-- in one statement, with the cluster trigger deferred (migration 0010): the trigger's INSERT
-- delta (migration 0005; level 18 the finest since 0012), same arithmetic, over the rows the
-- INSERT returns (no join back to the table). Level-18 sums first (the fine CTE, composed by
-- the caller: enterprise_cluster_cells.sql, one tile_cell per row; or, for a chunked load,
-- enterprise_cluster_sums.sql, the sums made in Python); levels 16 and 14 rolled up from them.
-- The caller holds the trigger's advisory lock (writers of the clusters take turns) and drops
-- the merge arm, from its marker to the next one, when enterprise_cluster has no row at all: a
-- plain INSERT then costs ~30 % less than the speculative insertion of ON CONFLICT.
-- The statement's result is the number of enterprises inserted (or selected), counted from the
-- level-18 sums: every row is in one of them (a second scan of new_rows cost ~0.1 s per 100,000).
WITH new_rows AS (
    {rows}
),
fine AS MATERIALIZED (
    {fine}
),
filled AS (
    INSERT INTO enterprise_cluster AS c (level, cell, count, employees, pick, sum_u, sum_v)
    SELECT 18, cell, count, employees, pick, sum_u, sum_v FROM fine
    UNION ALL
    SELECT lv.level, f.cell >> (2 * (18 - lv.level)), sum(f.count), sum(f.employees),
           max(f.pick), sum(f.sum_u), sum(f.sum_v)
    FROM fine AS f CROSS JOIN (VALUES (16), (14)) AS lv(level)
    GROUP BY 1, 2
-- merge
    ON CONFLICT (level, cell) DO UPDATE SET
        count = c.count + excluded.count,
        employees = CASE WHEN c.count + excluded.count > 0
                         THEN c.employees + excluded.employees ELSE 0 END,
        pick = CASE WHEN c.count + excluded.count > 0
                    THEN greatest(c.pick, excluded.pick) ELSE 0 END,
        sum_u = CASE WHEN c.count + excluded.count > 0 THEN c.sum_u + excluded.sum_u ELSE 0 END,
        sum_v = CASE WHEN c.count + excluded.count > 0 THEN c.sum_v + excluded.sum_v ELSE 0 END
-- end of merge
)
SELECT coalesce(sum(count), 0) FROM fine
