-- Emergency shelters (应急避难场所) at their point, in tile :z/:x/:y as the MVT layer
-- 'shelter'; the area polygon is not tiled.
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
           -- the GiST index is on the EPSG:4326 column: transform the widened envelope
           -- (the literal side), never the column, so `&&` is answered by the index
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS area
)
SELECT ST_AsMVT(t, 'shelter', :extent, 'geom', 'fid')
FROM (
    SELECT s.id AS fid, s.id, s.code, s.name, s.kind, s.capacity, s.effective_area_m2,
           ST_AsMVTGeom(ST_Transform(s.geom, 3857), b.tile, :extent, :buffer, true) AS geom
    FROM bounds b
    JOIN shelter s ON s.geom && b.area
) t
-- no WHERE on t.geom: ST_AsMVT skips features clipped away (NULL), and a filter would
-- make PostgreSQL run ST_AsMVTGeom twice
