-- (Re)assign the enterprises :ids (int[]) one by one (DESIGN §4): for a few rows after an import
-- or an edit; assign_all.sql is the set-based pass over all of them.
-- Grid: the live grid covering the point; on a shared edge or vertex the smallest id wins.
-- Micro-grid: the live one covering the point (smallest id), else the live one overlapping the
-- enterprise's compound (smallest id). Outside every grid the enterprise is an orphan (NULL).
-- Each subquery probes the polygon GiST index with the enterprise's own geometry.
-- Only rows whose grid or micro-grid changes are written; the row count is how many.
WITH target AS MATERIALIZED (
    SELECT e.id, e.grid_id AS old_grid_id, e.microgrid_id AS old_microgrid_id,
        (SELECT g.id FROM grid AS g
         WHERE g.valid_to IS NULL AND ST_Covers(g.geom, e.geom)
         ORDER BY g.id LIMIT 1) AS grid_id,
        COALESCE(
            (SELECT m.id FROM microgrid AS m
             WHERE m.valid_to IS NULL AND ST_Covers(m.geom, e.geom)
             ORDER BY m.id LIMIT 1),
            (SELECT m.id FROM microgrid AS m
             WHERE m.valid_to IS NULL AND ST_Intersects(m.geom, e.compound)
             ORDER BY m.id LIMIT 1)
        ) AS microgrid_id
    FROM enterprise AS e
    WHERE e.id = ANY(CAST(:ids AS int[]))
)
UPDATE enterprise AS e
SET grid_id = t.grid_id, microgrid_id = t.microgrid_id
FROM target AS t
-- the id filter is repeated on the updated side so that the planner reaches those rows through
-- the primary key instead of hashing a scan of the whole table
WHERE e.id = ANY(CAST(:ids AS int[])) AND e.id = t.id
  AND (t.old_grid_id IS DISTINCT FROM t.grid_id OR t.old_microgrid_id IS DISTINCT FROM t.microgrid_id)
