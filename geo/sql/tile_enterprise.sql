-- Enterprises (企业) as points for tile :z/:x/:y (zooms where clusters give way to points).
-- No phone, contact or address: the tile carries what styling and popups need.
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
           -- the GiST index is on the EPSG:4326 column: transform the widened envelope
           -- (the literal side), never the column, so `&&` is answered by the index
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS area
)
SELECT ST_AsMVT(t, 'enterprise', :extent, 'geom', 'fid')
FROM (
    SELECT e.id AS fid, e.id, e.uscc, e.name, e.industry, e.size_class, e.status,
           e.employees_day, g.code AS grid_code, 1 AS count, e.employees_day AS employees,
           ST_AsMVTGeom(ST_Transform(e.geom, 3857), b.tile, :extent, :buffer, true) AS geom
    FROM bounds b
    JOIN enterprise e ON e.geom && b.area
    LEFT JOIN grid g ON g.id = e.grid_id
) t
-- no WHERE on t.geom: ST_AsMVT skips features clipped away (NULL), and a filter would
-- make PostgreSQL run ST_AsMVTGeom twice
