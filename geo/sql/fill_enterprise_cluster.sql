-- The enterprise clusters of the rows a bulk import has just inserted with the cluster trigger
-- deferred (migration 0009): the trigger's INSERT delta (migration 0005), same arithmetic, over
-- the enterprises whose USCC is staged (a plain INSERT wrote them all, so they are exactly the
-- new rows). Level-20 sums first, one tile_cell per row; levels 18, 16 and 14 rolled up from
-- them. The caller holds the trigger's advisory lock (writers of the clusters take turns) and
-- drops the merge below, from its marker on, when enterprise_cluster has no row at all: a
-- plain INSERT then costs ~30 % less than the speculative insertion of ON CONFLICT.
WITH fine AS MATERIALIZED (
    SELECT tile_cell(e.geom) AS cell, count(*) AS count, sum(e.employees_day) AS employees,
           coalesce(max(e.employees_day::bigint * 4294967296 + e.id), 0) AS pick,
           sum((ST_X(e.geom) + 180) / 360) AS sum_u,
           sum((1 - ln(tan(pi() / 4 + radians(ST_Y(e.geom)) / 2)) / pi()) / 2) AS sum_v
    FROM enterprise AS e
    JOIN _gridmap_import_stage AS s ON s.uscc = e.uscc
    GROUP BY 1
)
INSERT INTO enterprise_cluster AS c (level, cell, count, employees, pick, sum_u, sum_v)
SELECT 20, cell, count, employees, pick, sum_u, sum_v FROM fine
UNION ALL
SELECT lv.level, f.cell >> (2 * (20 - lv.level)), sum(f.count), sum(f.employees),
       max(f.pick), sum(f.sum_u), sum(f.sum_v)
FROM fine AS f CROSS JOIN (VALUES (18), (16), (14)) AS lv(level)
GROUP BY 1, 2
-- merge
ON CONFLICT (level, cell) DO UPDATE SET
    count = c.count + excluded.count,
    employees = CASE WHEN c.count + excluded.count > 0
                     THEN c.employees + excluded.employees ELSE 0 END,
    pick = CASE WHEN c.count + excluded.count > 0 THEN greatest(c.pick, excluded.pick) ELSE 0 END,
    sum_u = CASE WHEN c.count + excluded.count > 0 THEN c.sum_u + excluded.sum_u ELSE 0 END,
    sum_v = CASE WHEN c.count + excluded.count > 0 THEN c.sum_v + excluded.sum_v ELSE 0 END
