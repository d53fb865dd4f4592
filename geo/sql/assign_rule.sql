-- The rule of DESIGN §4 for the enterprises :ids (int[]), one by one, in id order, with what
-- they have now: for a few rows (an import, an edit, points near a boundary in a full pass).
-- Grid: the live grid covering the point; on a shared edge or vertex the smallest id wins.
-- Micro-grid: the live one covering the point (smallest id), else the live one overlapping the
-- enterprise's compound (smallest id). Outside every grid the enterprise is an orphan (NULL).
-- Each subquery probes the polygon GiST index with the enterprise's own geometry.
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
ORDER BY e.id
