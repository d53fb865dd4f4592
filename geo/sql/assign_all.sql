-- Compute the assignment of every enterprise to its live grid and micro-grid (DESIGN §4) into
-- the temp table assign_target (id, grid_id, microgrid_id, changed), one row per enterprise;
-- assign_write.sql or the bulk write of geo.assignment then writes the changed rows.
--
-- Each join is driven from the polygons: the polygon is the outer row and the enterprise GiST
-- index the inner probe, so consecutive ST_Covers calls see the same polygon and PostGIS' cached
-- point-in-polygon index is reused. OFFSET 0 fences the lateral subquery; without it the planner
-- flattens the join and probes the polygon index once per enterprise (~7x slower at 1M points).
-- Ties on shared edges and vertices go to the smallest id (min). Enterprises in no grid are
-- orphans (grid_id NULL). ON COMMIT DROP: a failed pass leaves nothing behind.
CREATE TEMP TABLE assign_target ON COMMIT DROP AS
WITH grid_hit AS (
    SELECT hit.id, min(g.id) AS grid_id
    FROM grid AS g
    CROSS JOIN LATERAL (
        SELECT e.id FROM enterprise AS e WHERE ST_Covers(g.geom, e.geom) OFFSET 0
    ) AS hit
    WHERE g.valid_to IS NULL
    GROUP BY hit.id
),
point_hit AS (
    SELECT hit.id, min(m.id) AS microgrid_id
    FROM microgrid AS m
    CROSS JOIN LATERAL (
        SELECT e.id FROM enterprise AS e WHERE ST_Covers(m.geom, e.geom) OFFSET 0
    ) AS hit
    WHERE m.valid_to IS NULL
    GROUP BY hit.id
),
-- a compound counts only when no micro-grid covers the point (COALESCE below)
compound_hit AS (
    SELECT hit.id, min(m.id) AS microgrid_id
    FROM microgrid AS m
    CROSS JOIN LATERAL (
        SELECT e.id FROM enterprise AS e WHERE ST_Intersects(m.geom, e.compound) OFFSET 0
    ) AS hit
    WHERE m.valid_to IS NULL
    GROUP BY hit.id
),
target AS (
    SELECT e.id, g.grid_id, COALESCE(p.microgrid_id, c.microgrid_id) AS microgrid_id,
           e.grid_id AS old_grid_id, e.microgrid_id AS old_microgrid_id
    FROM enterprise AS e
    LEFT JOIN grid_hit AS g ON g.id = e.id
    LEFT JOIN point_hit AS p ON p.id = e.id
    LEFT JOIN compound_hit AS c ON c.id = e.id
)
SELECT id, grid_id, microgrid_id,
       old_grid_id IS DISTINCT FROM grid_id
       OR old_microgrid_id IS DISTINCT FROM microgrid_id AS changed
FROM target
