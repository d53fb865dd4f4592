-- Write the rows of assign_target (geo.assign_compute: only rows that change, 0 for NULL) into
-- enterprise, joined by primary key; the row count is how many were written.
UPDATE enterprise AS e
SET grid_id = NULLIF(t.grid_id, 0), microgrid_id = NULLIF(t.microgrid_id, 0)
FROM assign_target AS t
WHERE e.id = t.id
