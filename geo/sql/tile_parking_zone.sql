-- Parking zones (停车区域) in tile :z/:x/:y (Web Mercator) as the MVT layer 'parking_zone'.
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
           -- the GiST index is on the EPSG:4326 column: transform the widened envelope
           -- (the literal side), never the column, so `&&` is answered by the index
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS area
)
SELECT ST_AsMVT(t, 'parking_zone', :extent, 'geom', 'fid')
FROM (
    SELECT p.id AS fid, p.id, p.code, p.name, p.kind, p.capacity,
           ST_AsMVTGeom(ST_Transform(p.geom, 3857), b.tile, :extent, :buffer, true) AS geom
    FROM bounds b
    JOIN parking_zone p ON p.geom && b.area
) t
-- no WHERE on t.geom: ST_AsMVT skips features clipped away (NULL), and a filter would
-- make PostgreSQL run ST_AsMVTGeom twice
