-- Coverage of one open month per park, community, grid or micro-grid (:level), from the
-- per-month table kept by trigger gridmap_coverage_visit and the enterprises' current places;
-- never the visit table. Operating enterprises only.
WITH e AS (
    SELECT CASE :level WHEN 'park' THEN p.code WHEN 'community' THEN c.code
                       WHEN 'grid' THEN g.code ELSE mg.code END AS code,
           CASE :level WHEN 'park' THEN p.name WHEN 'community' THEN c.name
                       WHEN 'grid' THEN g.name ELSE mg.name END AS name,
           CASE :level WHEN 'community' THEN p.code WHEN 'grid' THEN c.code
                       WHEN 'microgrid' THEN g.code END AS parent_code,
           c.code AS community_code,
           coalesce(m.visits, 0) AS visits, coalesce(m.verified, 0) AS verified,
           coalesce(m.flagged, 0) AS flagged
    FROM enterprise e
    JOIN grid g ON g.id = e.grid_id AND g.valid_to IS NULL
    JOIN community c ON c.id = g.community_id
    JOIN park p ON p.id = c.park_id
    LEFT JOIN microgrid mg ON mg.id = e.microgrid_id AND mg.valid_to IS NULL
    LEFT JOIN coverage_enterprise_month m ON m.enterprise_id = e.id AND m.month = :month
    WHERE e.status = 'operating'
      AND (CAST(:community AS text) IS NULL OR c.code = :community)
      AND (CAST(:grid AS text) IS NULL OR g.code = :grid)
)
SELECT code, name, min(parent_code) AS parent_code, min(community_code) AS community_code,
       count(*) FILTER (WHERE visits > 0) AS visited,
       count(*) FILTER (WHERE verified > 0) AS verified,
       count(*) FILTER (WHERE verified = 0 AND flagged > 0) AS flagged,
       count(*) AS total
FROM e WHERE code IS NOT NULL
GROUP BY code, name
ORDER BY code
