-- The grid and micro-grid of every enterprise staged by an import, so that each row is written
-- once, already assigned. The rule is assign_enterprises.sql's (DESIGN §4): the live grid
-- covering the point, the smallest id on a shared edge or vertex; the live micro-grid covering
-- the point (smallest id), else the live one overlapping the compound (smallest id); NULL (an
-- orphan) outside every grid. Each subquery probes the polygon GiST index with the staged
-- geometry. When no live grid or micro-grid exists the one-time filter skips the scan.
UPDATE _gridmap_import_stage AS e
SET grid_id = (SELECT g.id FROM grid AS g
               WHERE g.valid_to IS NULL AND ST_Covers(g.geom, e.geom)
               ORDER BY g.id LIMIT 1),
    microgrid_id = COALESCE(
        (SELECT m.id FROM microgrid AS m
         WHERE m.valid_to IS NULL AND ST_Covers(m.geom, e.geom)
         ORDER BY m.id LIMIT 1),
        (SELECT m.id FROM microgrid AS m
         WHERE m.valid_to IS NULL AND ST_Intersects(m.geom, e.compound)
         ORDER BY m.id LIMIT 1)
    )
WHERE EXISTS (SELECT FROM grid WHERE valid_to IS NULL)
   OR EXISTS (SELECT FROM microgrid WHERE valid_to IS NULL)
