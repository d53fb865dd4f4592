-- Key sites in the edited area :area (WKB, EPSG:4326) or of the retired grids :retired (int[])
-- go to the live grid covering a point on their surface (smallest id on a shared edge).
WITH target AS MATERIALIZED (
    SELECT k.id,
        (SELECT g.id FROM grid AS g
         WHERE g.valid_to IS NULL AND ST_Covers(g.geom, ST_PointOnSurface(k.geom))
         ORDER BY g.id LIMIT 1) AS grid_id
    FROM key_site AS k
    WHERE ST_Intersects(k.geom, ST_GeomFromWKB(:area, 4326))
       OR k.grid_id = ANY(CAST(:retired AS int[]))
)
UPDATE key_site AS k SET grid_id = t.grid_id
FROM target AS t
WHERE k.id = t.id AND k.grid_id IS DISTINCT FROM t.grid_id
