-- Coverage of one open month per park, community, grid or micro-grid (:level), from the
-- per-(grid, micro-grid) figures kept by the visit and enterprise triggers (migration
-- 0009_coverage_figures: coverage_grid_total, coverage_grid_month; micro-grid 0 = none) and the live
-- grids' places in the hierarchy: a few thousand rows, never the enterprises or the visits.
-- Operating enterprises only; units without any are left out. Codes and names sort bytewise
-- (COLLATE "C": the order of the database's C.UTF-8, without its cost per comparison).
WITH place AS (
    SELECT t.grid_id, t.microgrid_id, t.total, coalesce(m.visited, 0) AS visited,
           coalesce(m.verified, 0) AS verified, coalesce(m.flagged, 0) AS flagged
    FROM coverage_grid_total t
    LEFT JOIN coverage_grid_month m
           ON m.month = :month AND m.grid_id = t.grid_id AND m.microgrid_id = t.microgrid_id
    WHERE t.total > 0
), unit AS (
    SELECT CASE :level WHEN 'park' THEN p.code WHEN 'community' THEN c.code
                       WHEN 'grid' THEN g.code ELSE mg.code END COLLATE "C" AS code,
           CASE :level WHEN 'park' THEN p.name WHEN 'community' THEN c.name
                       WHEN 'grid' THEN g.name ELSE mg.name END COLLATE "C" AS name,
           CASE :level WHEN 'community' THEN p.code WHEN 'grid' THEN c.code
                       WHEN 'microgrid' THEN g.code END AS parent_code,
           c.code AS community_code, place.visited, place.verified, place.flagged, place.total
    FROM place
    JOIN grid g ON g.id = place.grid_id AND g.valid_to IS NULL
    JOIN community c ON c.id = g.community_id
    JOIN park p ON p.id = c.park_id
    LEFT JOIN microgrid mg ON mg.id = place.microgrid_id AND mg.valid_to IS NULL
    WHERE (CAST(:community AS text) IS NULL OR c.code = :community)
      AND (CAST(:grid AS text) IS NULL OR g.code = :grid)
)
SELECT code, name, min(parent_code) AS parent_code, min(community_code) AS community_code,
       CAST(sum(visited) AS int) AS visited, CAST(sum(verified) AS int) AS verified,
       CAST(sum(flagged) AS int) AS flagged, CAST(sum(total) AS int) AS total
FROM unit WHERE code IS NOT NULL
GROUP BY code, name
ORDER BY code
