-- The rule of DESIGN §4 as two columns over a relation `e` with a point `geom` and a compound
-- `compound`, taken in by assign_rule.sql and import_assign_stage.sql.
-- Grid: the live grid covering the point; on a shared edge or vertex the smallest id wins.
-- Micro-grid: the live one covering the point (smallest id), else the live one overlapping the
-- enterprise's compound (smallest id). Outside every grid the enterprise is an orphan (NULL).
-- Each subquery probes the polygon GiST index with the enterprise's own geometry.
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
