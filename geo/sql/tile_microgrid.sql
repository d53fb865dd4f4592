-- Live micro-grids (微网格, valid_to IS NULL) in tile :z/:x/:y as the MVT layer 'microgrid';
-- shared edges stay shared (see tile_grid.sql).
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
           -- the GiST index is on the EPSG:4326 column: transform the widened envelope
           -- (the literal side), never the column, so `&&` is answered by the index
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS area
)
SELECT ST_AsMVT(t, 'microgrid', :extent, 'geom', 'fid')
FROM (
    SELECT m.id AS fid, m.id, m.code, m.name, m.kind, m.version, g.code AS grid_code,
           ST_AsMVTGeom(ST_Transform(m.geom, 3857), b.tile, :extent, :buffer, true) AS geom
    FROM bounds b
    JOIN microgrid m ON m.geom && b.area AND m.valid_to IS NULL
    JOIN grid g ON g.id = m.grid_id
) t
-- no WHERE on t.geom: ST_AsMVT skips features clipped away (NULL), and a filter would
-- make PostgreSQL run ST_AsMVTGeom twice
