-- Coverage of one open month per grid: the rows of coverage_units.sql for :level = 'grid'
-- (tested against it) from the ~2,000 kept rows per (grid, micro-grid) (migration
-- 0009_coverage_figures: coverage_grid_total, coverage_grid_month; micro-grid 0 = none),
-- summed per grid id first, then joined to the live grids and their communities (each in a park:
-- community.park_id is a non-null foreign key, so no join to park): no enterprise, no visit, no
-- micro-grid, no sort (the caller sorts by code). Operating enterprises only; grids
-- without any are left out. Read through a DB-API cursor (pyformat parameters): columns code,
-- name, community code, visited, verified, flagged, total (the community code is also the
-- parent's); every value a Python object costs, so no column is sent twice.
SELECT g.code, g.name, c.code, f.visited, f.verified, f.flagged, f.total
FROM (
    SELECT t.grid_id, CAST(coalesce(sum(m.visited), 0) AS int) AS visited,
           CAST(coalesce(sum(m.verified), 0) AS int) AS verified,
           CAST(coalesce(sum(m.flagged), 0) AS int) AS flagged, CAST(sum(t.total) AS int) AS total
    FROM coverage_grid_total t
    LEFT JOIN coverage_grid_month m
           ON m.month = %(month)s AND m.grid_id = t.grid_id AND m.microgrid_id = t.microgrid_id
    WHERE t.total > 0
    GROUP BY t.grid_id
) AS f
JOIN grid g ON g.id = f.grid_id AND g.valid_to IS NULL
JOIN community c ON c.id = g.community_id
WHERE (CAST(%(community)s AS text) IS NULL OR c.code = %(community)s)
  AND (CAST(%(grid)s AS text) IS NULL OR g.code = %(grid)s)
