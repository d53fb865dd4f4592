-- The frozen figures of a closed month at one level (coverage_closed, written when the month
-- closed): columns code, name, visited, verified, flagged, total, parent code, community code.
-- Filters: a community; a grid, as the parent of micro-grids and members (:parent) or as the
-- grid itself (:code). No sort: the caller sorts by code (bytewise, as COLLATE "C" would). Read
-- through a DB-API cursor (pyformat parameters: no percent sign anywhere in this file).
SELECT code, name, visited, verified, flagged, total, parent_code, community_code
FROM coverage_closed
WHERE month = %(month)s AND level = %(level)s
  AND (CAST(%(community)s AS text) IS NULL OR community_code = %(community)s)
  AND (CAST(%(parent)s AS text) IS NULL OR parent_code = %(parent)s)
  AND (CAST(%(code)s AS text) IS NULL OR code = %(code)s)
