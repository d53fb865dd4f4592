-- After a full pass: enterprises in a grid, orphans, and rows changed, from assign_target.
SELECT count(grid_id) AS assigned,
       count(*) - count(grid_id) AS orphans,
       count(*) FILTER (WHERE changed) AS changed
FROM assign_target
