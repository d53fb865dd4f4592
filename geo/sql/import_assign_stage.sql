-- The grid and micro-grid of every enterprise staged by an import, so that each row is written
-- once, already assigned, by the rule of assign_rule_places.sql (DESIGN §4). When no live grid
-- or micro-grid exists the one-time filter skips the scan.
UPDATE _gridmap_import_stage AS e
SET (grid_id, microgrid_id) = (SELECT
{sql:assign_rule_places}
)
WHERE ({sql:import_live_places}
)
