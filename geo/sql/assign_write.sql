-- Write the changed rows of assign_target (see assign_all.sql) into enterprise, joined by
-- primary key; the row count is how many were written.
UPDATE enterprise AS e
SET grid_id = t.grid_id, microgrid_id = t.microgrid_id
FROM assign_target AS t
WHERE e.id = t.id AND t.changed
