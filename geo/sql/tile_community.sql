-- Enterprise communities (企业社区) in tile :z/:x/:y (Web Mercator) as the MVT layer 'community'.
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
           -- the GiST index is on the EPSG:4326 column: transform the widened envelope
           -- (the literal side), never the column, so `&&` is answered by the index
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS area
)
SELECT ST_AsMVT(t, 'community', :extent, 'geom', 'fid')
FROM (
    SELECT c.id AS fid, c.id, c.code, c.name, p.code AS park_code,
           ST_AsMVTGeom(ST_Transform(c.geom, 3857), b.tile, :extent, :buffer, true) AS geom
    FROM bounds b
    JOIN community c ON c.geom && b.area
    JOIN park p ON p.id = c.park_id
) t
-- no WHERE on t.geom: ST_AsMVT skips features clipped away (NULL), and a filter would
-- make PostgreSQL run ST_AsMVTGeom twice
