-- Hazards (危险源) in tile :z/:x/:y as the MVT layer 'hazard': each zone and its core
-- as two features told apart by `part`.
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
           -- the GiST index is on the EPSG:4326 column: transform the widened envelope
           -- (the literal side), never the column, so `&&` is answered by the index
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS area
)
SELECT ST_AsMVT(t, 'hazard', :extent, 'geom')
FROM (
    SELECT h.id, h.name, h.scenario, h.time_of_day, p.part,
           ST_AsMVTGeom(ST_Transform(p.shape, 3857), b.tile, :extent, :buffer, true) AS geom
    FROM bounds b
    -- the core lies inside the zone, so the zone's index finds both
    JOIN hazard h ON h.zone && b.area
    CROSS JOIN LATERAL (VALUES ('zone', h.zone), ('core', h.core)) AS p(part, shape)
) t
-- no WHERE on t.geom: ST_AsMVT skips features clipped away (NULL), and a filter would
-- make PostgreSQL run ST_AsMVTGeom twice
