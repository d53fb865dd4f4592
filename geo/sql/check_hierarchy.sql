-- Every violation of the hierarchy rules (DESIGN §4), with its place and area in m².
-- Areas below :min_area_m2 are ignored (floating-point slivers along shared edges).
-- :community_ids limits the check to some communities (NULL = all).
WITH live_grid AS (
    SELECT id, code, community_id, geom FROM grid
    WHERE valid_to IS NULL
      AND (CAST(:community_ids AS int[]) IS NULL OR community_id = ANY(CAST(:community_ids AS int[])))
),
live_micro AS (
    SELECT m.id, m.code, m.grid_id, m.geom FROM microgrid AS m
    JOIN live_grid AS g ON g.id = m.grid_id
    WHERE m.valid_to IS NULL
),
scoped_community AS (
    SELECT id, code, park_id, geom FROM community
    WHERE CAST(:community_ids AS int[]) IS NULL OR id = ANY(CAST(:community_ids AS int[]))
),
problems AS (
    -- two grids of one community share area
    SELECT 'grid_overlap' AS kind, a.code AS code, b.code AS other_code,
           ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3) AS geom
    FROM live_grid AS a
    JOIN live_grid AS b
      ON a.community_id = b.community_id AND a.id < b.id
     AND ST_Intersects(a.geom, b.geom) AND ST_Relate(a.geom, b.geom, '2********')
    UNION ALL
    -- part of a community that no grid covers (a community with no grid yet is not gridded,
    -- and is not reported here)
    SELECT 'grid_gap', c.code, NULL,
           ST_CollectionExtract(ST_Difference(c.geom, ST_Union(g.geom)), 3)
    FROM scoped_community AS c
    JOIN live_grid AS g ON g.community_id = c.id
    GROUP BY c.id, c.code, c.geom
    UNION ALL
    -- a grid reaching outside its community
    SELECT 'grid_outside_community', g.code, c.code,
           ST_CollectionExtract(ST_Difference(g.geom, c.geom), 3)
    FROM live_grid AS g JOIN community AS c ON c.id = g.community_id
    WHERE NOT ST_CoveredBy(g.geom, c.geom)
    UNION ALL
    -- a micro-grid reaching outside its grid
    SELECT 'microgrid_outside_grid', m.code, g.code,
           ST_CollectionExtract(ST_Difference(m.geom, g.geom), 3)
    FROM live_micro AS m JOIN live_grid AS g ON g.id = m.grid_id
    WHERE NOT ST_CoveredBy(m.geom, g.geom)
    UNION ALL
    -- two micro-grids of one grid share area
    SELECT 'microgrid_overlap', a.code, b.code,
           ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3)
    FROM live_micro AS a
    JOIN live_micro AS b
      ON a.grid_id = b.grid_id AND a.id < b.id
     AND ST_Intersects(a.geom, b.geom) AND ST_Relate(a.geom, b.geom, '2********')
    UNION ALL
    -- a community reaching outside its park
    SELECT 'community_outside_park', c.code, p.code,
           ST_CollectionExtract(ST_Difference(c.geom, p.geom), 3)
    FROM scoped_community AS c JOIN park AS p ON p.id = c.park_id
    WHERE NOT ST_CoveredBy(c.geom, p.geom)
)
SELECT kind, code, other_code, area_m2, ST_AsGeoJSON(geom, 7) AS geojson
FROM (
    SELECT kind, code, other_code, geom, ST_Area(geom::geography) AS area_m2 FROM problems
    WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom)
) AS measured
WHERE area_m2 >= :min_area_m2 AND kind = ANY(CAST(:kinds AS text[]))
ORDER BY kind, code, other_code
