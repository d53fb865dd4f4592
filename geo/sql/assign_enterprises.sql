-- Assign enterprises to the live grid and micro-grid that cover their point (DESIGN §4).
-- A point on a shared edge is covered by both neighbours: the smallest id wins, so the
-- result is deterministic. Points outside every grid stay NULL (orphans, listed elsewhere).
-- :usccs limits the work to the given enterprises; NULL means all of them.
UPDATE enterprise AS e
SET grid_id = (
        SELECT g.id FROM grid AS g
        WHERE g.valid_to IS NULL AND ST_Covers(g.geom, e.geom)
        ORDER BY g.id LIMIT 1
    ),
    microgrid_id = (
        SELECT m.id FROM microgrid AS m
        WHERE m.valid_to IS NULL
          AND (ST_Covers(m.geom, e.geom) OR (e.compound IS NOT NULL AND ST_Intersects(m.geom, e.compound)))
        ORDER BY ST_Covers(m.geom, e.geom) DESC, m.id LIMIT 1
    )
WHERE CAST(:usccs AS text[]) IS NULL OR e.uscc = ANY(CAST(:usccs AS text[]))
