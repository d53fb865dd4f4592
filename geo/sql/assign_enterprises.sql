-- (Re)assign the enterprises :ids (int[]) by the rule of assign_rule.sql. Only rows whose grid
-- or micro-grid changes are written; the row count is how many.
WITH target AS MATERIALIZED ({sql:assign_rule})
UPDATE enterprise AS e
SET grid_id = t.grid_id, microgrid_id = t.microgrid_id
FROM target AS t
-- the id filter is repeated on the updated side so that the planner reaches those rows through
-- the primary key instead of hashing a scan of the whole table
WHERE e.id = ANY(CAST(:ids AS int[])) AND e.id = t.id
  AND (t.old_grid_id IS DISTINCT FROM t.grid_id OR t.old_microgrid_id IS DISTINCT FROM t.microgrid_id)
