-- Whether any live grid or micro-grid exists: without one an import has nothing to assign
-- (import_assign_stage.sql skips its scan; geo/layers/stream.py writes straight into the table).
SELECT EXISTS (SELECT FROM grid WHERE valid_to IS NULL)
    OR EXISTS (SELECT FROM microgrid WHERE valid_to IS NULL)
