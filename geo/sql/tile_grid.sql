-- Live grids (网格, valid_to IS NULL) for tile :z/:x/:y. Boundaries are simplified only by
-- ST_AsMVTGeom's snapping to the tile grid (:extent), which moves a vertex shared by two
-- grids to the same place in both: neighbours keep their common edge, no gaps open.
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
           -- the GiST index is on the EPSG:4326 column: transform the widened envelope
           -- (the literal side), never the column, so `&&` is answered by the index
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS area
)
SELECT ST_AsMVT(t, 'grid', :extent, 'geom', 'fid')
FROM (
    SELECT g.id AS fid, g.id, g.code, g.name, g.kind, g.version, c.code AS community_code,
           ST_AsMVTGeom(ST_Transform(g.geom, 3857), b.tile, :extent, :buffer, true) AS geom
    FROM bounds b
    JOIN grid g ON g.geom && b.area AND g.valid_to IS NULL
    JOIN community c ON c.id = g.community_id
) t
-- no WHERE on t.geom: ST_AsMVT skips features clipped away (NULL), and a filter would
-- make PostgreSQL run ST_AsMVTGeom twice
