-- What the trigger coverage_total_update (migration 0009) does for an UPDATE of enterprise, done
-- for the rows of assign_target (geo.assign_compute) when a bulk write has set the trigger aside
-- (assign_bulk_objects.sql): an operating enterprise leaves its old place (-1) and takes its new
-- one (+1), in coverage_grid_total and, for every month it has a row of
-- coverage_enterprise_month, in coverage_grid_month. 0 stands for NULL, as in the trigger (a
-- micro-grid); grid 0 is no place. Each row of assign_target changes grid or micro-grid, and the
-- statuses are those the pass read (its lock keeps writers out), so it is the trigger's delta
-- without the transition tables (seconds at 1M rows). Rows go in key order, as the trigger's.
WITH totals AS (
    INSERT INTO coverage_grid_total AS c (grid_id, microgrid_id, total)
    SELECT grid_id, microgrid_id, sum(n) FROM (
        SELECT old_grid_id, old_microgrid_id, -count(*) FROM assign_target
        WHERE operating AND old_grid_id <> 0 GROUP BY 1, 2
        UNION ALL
        SELECT grid_id, microgrid_id, count(*) FROM assign_target
        WHERE operating AND grid_id <> 0 GROUP BY 1, 2
    ) AS d (grid_id, microgrid_id, n)
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (grid_id, microgrid_id) DO UPDATE SET total = c.total + excluded.total
)
INSERT INTO coverage_grid_month AS c (month, grid_id, microgrid_id, visited, verified, flagged)
SELECT x.month, d.grid_id, d.microgrid_id, sum(d.sign * (x.visits > 0)::int),
       sum(d.sign * (x.verified > 0)::int),
       sum(d.sign * (x.verified = 0 AND x.flagged > 0)::int)
FROM coverage_enterprise_month AS x
JOIN assign_target AS t ON t.id = x.enterprise_id AND t.operating
CROSS JOIN LATERAL (
    VALUES (t.old_grid_id, t.old_microgrid_id, -1), (t.grid_id, t.microgrid_id, 1)
) AS d (grid_id, microgrid_id, sign)
WHERE d.grid_id <> 0
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
ON CONFLICT (month, grid_id, microgrid_id) DO UPDATE SET
    visited = c.visited + excluded.visited, verified = c.verified + excluded.verified,
    flagged = c.flagged + excluded.flagged
