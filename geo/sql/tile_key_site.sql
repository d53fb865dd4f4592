-- Key sites (重点场所), points or polygons, in tile :z/:x/:y as the MVT layer 'key_site';
-- the responsible person is left out.
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
           -- the GiST index is on the EPSG:4326 column: transform the widened envelope
           -- (the literal side), never the column, so `&&` is answered by the index
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS area
)
SELECT ST_AsMVT(t, 'key_site', :extent, 'geom', 'fid')
FROM (
    SELECT k.id AS fid, k.id, k.code, k.name, k.category, k.hazard_class,
           ST_AsMVTGeom(ST_Transform(k.geom, 3857), b.tile, :extent, :buffer, true) AS geom
    FROM bounds b
    JOIN key_site k ON k.geom && b.area
) t
-- no WHERE on t.geom: ST_AsMVT skips features clipped away (NULL), and a filter would
-- make PostgreSQL run ST_AsMVTGeom twice
