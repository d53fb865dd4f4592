-- A bulk import's plain INSERT of new enterprises (composed by geo/layers/load.py) and the
-- enterprise clusters of the rows it writes, in one statement, with the cluster trigger
-- deferred (migration 0010): the trigger's INSERT delta (migration 0005; level 18 the finest
-- since 0012), same arithmetic, over the rows the INSERT returns (no join back to the
-- table). Level-18 sums first, one tile_cell per row; levels 16 and 14 rolled up from them.
-- The caller holds the trigger's advisory lock (writers of the clusters take turns) and
-- drops the merge arm, from its marker to the next one, when enterprise_cluster has no row
-- at all: a plain INSERT then costs ~30 % less than the speculative insertion of ON CONFLICT.
-- The statement's result is the number of enterprises inserted.
WITH new_rows AS (
    {insert}
    RETURNING id, geom, employees_day
),
fine AS MATERIALIZED (
    SELECT tile_cell(geom) >> 4 AS cell, count(*) AS count, sum(employees_day) AS employees,
           coalesce(max(employees_day::bigint * 4294967296 + id), 0) AS pick,
           sum((ST_X(geom) + 180) / 360) AS sum_u,
           sum((1 - ln(tan(pi() / 4 + radians(ST_Y(geom)) / 2)) / pi()) / 2) AS sum_v
    FROM new_rows
    GROUP BY 1
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
SELECT count(*) FROM new_rows
