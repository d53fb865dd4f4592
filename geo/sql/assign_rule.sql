-- The rule of DESIGN §4 (assign_rule_places.sql) for the enterprises :ids (int[]), one by one,
-- in id order, with what they have now: for a few rows (an edit, points near a boundary in a
-- full pass).
SELECT e.id, e.grid_id AS old_grid_id, e.microgrid_id AS old_microgrid_id,
{sql:assign_rule_places}
FROM enterprise AS e
WHERE e.id = ANY(CAST(:ids AS int[]))
ORDER BY e.id
