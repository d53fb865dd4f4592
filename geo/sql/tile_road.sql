-- Roads (道路) in tile :z/:x/:y (Web Mercator) as the MVT layer 'road'.
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
           -- the GiST index is on the EPSG:4326 column: transform the widened envelope
           -- (the literal side), never the column, so `&&` is answered by the index
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS area
)
SELECT ST_AsMVT(t, 'road', :extent, 'geom', 'fid')
FROM (
    SELECT r.id AS fid, r.id, r.code, r.name, r.road_class, r.lanes, r.speed_kmh, r.oneway,
           ST_AsMVTGeom(ST_Transform(r.geom, 3857), b.tile, :extent, :buffer, true) AS geom
    FROM bounds b
    JOIN road r ON r.geom && b.area
) t
-- no WHERE on t.geom: ST_AsMVT skips features clipped away (NULL), and a filter would
-- make PostgreSQL run ST_AsMVTGeom twice
