-- Visits (走访记录) where they were recorded, in tile :z/:x/:y as the MVT layer 'visit'.
-- No notes, no staff.
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
           -- the GiST index is on the EPSG:4326 column: transform the widened envelope
           -- (the literal side), never the column, so `&&` is answered by the index
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS area
)
SELECT ST_AsMVT(t, 'visit', :extent, 'geom', 'fid')
FROM (
    SELECT v.id AS fid, v.id, v.enterprise_id,
           to_char(v.visited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS visited_at,
           v.check_result,
           ST_AsMVTGeom(ST_Transform(v.geom, 3857), b.tile, :extent, :buffer, true) AS geom
    FROM bounds b
    JOIN visit v ON v.geom && b.area
) t
-- no WHERE on t.geom: ST_AsMVT skips features clipped away (NULL), and a filter would
-- make PostgreSQL run ST_AsMVTGeom twice
