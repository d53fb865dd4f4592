-- Infrastructure networks (基础设施管网) in tile :z/:x/:y as the MVT layer 'network';
-- the attributes JSON is left out.
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
           -- the GiST index is on the EPSG:4326 column: transform the widened envelope
           -- (the literal side), never the column, so `&&` is answered by the index
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS area
)
SELECT ST_AsMVT(t, 'network', :extent, 'geom', 'fid')
FROM (
    SELECT n.id AS fid, n.id, n.code, n.name, n.kind, n.operator,
           ST_AsMVTGeom(ST_Transform(n.geom, 3857), b.tile, :extent, :buffer, true) AS geom
    FROM bounds b
    JOIN network n ON n.geom && b.area
) t
-- no WHERE on t.geom: ST_AsMVT skips features clipped away (NULL), and a filter would
-- make PostgreSQL run ST_AsMVTGeom twice
