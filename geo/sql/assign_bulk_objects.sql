-- What a bulk write of enterprise.grid_id/microgrid_id sets aside (geo.assignment): the
-- statements that drop, then re-create, the objects that would make each of the ~1M updates
-- slow, read from the catalog so that they come back exactly as they were:
--   * the foreign keys on grid_id / microgrid_id (a per-row check each): for a superuser, only
--     their check triggers are disabled, and re-enabled after a check that every id written
--     (assign_target) is a grid / micro-grid, which the held lock keeps so; otherwise they are
--     dropped and re-added, which validates each by an anti-join over the whole table;
--   * the indexes on those columns (their presence makes every update non-HOT, so each row
--     would get a new entry in every index of the table, both GiST ones included);
--   * the trigger tile_cluster_update (migration 0004): it keeps enterprise_cluster from the
--     changed rows' geom and employees_day, which an assignment never changes; its transition
--     tables alone cost seconds at 1M rows. layer_change_bump stays: the tiles change.
--   * the trigger coverage_total_update (migration 0009): its transition tables and their join
--     cost seconds too; when it is live (enabled, not replica-only), a row ('coverage', name)
--     tells geo.assignment to apply its delta itself (assign_coverage.sql) after the write;
--   * the per-row trigger audit, disabled for the write when this transaction audits in bulk
--     (gridmap.audit = 'bulk', geo.audit.bulk, as assign_all does): its WHEN skips every row
--     then anyway, but evaluating it per row costs ~2 µs a row (0.3-0.5 s at 200k rows).
-- Identifiers are quoted by format(%I) / regclass. Rows: (phase 'drop' | 'restore' | 'coverage',
-- statement), in execution order.
WITH superuser AS (
    SELECT rolsuper AS yes FROM pg_roles WHERE rolname = current_user
),
assignment_column AS (
    SELECT attnum, attname FROM pg_attribute
    WHERE attrelid = 'enterprise'::regclass AND attname IN ('grid_id', 'microgrid_id')
),
fk AS (
    SELECT c.oid, c.conname, c.conrelid FROM pg_constraint AS c
    WHERE c.conrelid = 'enterprise'::regclass AND c.contype = 'f'
      AND c.conkey && ARRAY(SELECT attnum FROM assignment_column)
),
ix AS (
    SELECT i.indexrelid FROM pg_index AS i
    WHERE i.indrelid = 'enterprise'::regclass
      AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)
      AND EXISTS (
          SELECT 1 FROM assignment_column AS a
          WHERE a.attnum = ANY (i.indkey)
             OR pg_get_expr(i.indexprs, i.indrelid) ~ ('\m' || a.attname || '\M')
             OR pg_get_expr(i.indpred, i.indrelid) ~ ('\m' || a.attname || '\M'))
),
fk_trigger AS (  -- the per-row checks of those foreign keys on UPDATE (tgtype bit 16) of enterprise
    SELECT t.tgname FROM pg_trigger AS t JOIN fk ON t.tgconstraint = fk.oid
    WHERE t.tgrelid = 'enterprise'::regclass AND t.tgenabled = 'O' AND (t.tgtype & 16) <> 0
),
tg AS (
    SELECT t.oid, t.tgname, t.tgrelid, t.tgenabled FROM pg_trigger AS t
    WHERE t.tgrelid = 'enterprise'::regclass
      AND t.tgname IN ('tile_cluster_update', 'coverage_total_update')
),
audit_tg AS (  -- enabled only, and only with the WHEN that skips a bulk-audited row
    SELECT t.tgname FROM pg_trigger AS t
    WHERE t.tgrelid = 'enterprise'::regclass AND t.tgname = 'audit' AND t.tgenabled = 'O'
      AND current_setting('gridmap.audit', true) = 'bulk'
      AND pg_get_triggerdef(t.oid) LIKE
          '% WHEN ((current_setting(''gridmap.audit''::text, true) IS DISTINCT FROM ''bulk''::text)) %'
),
step (phase, ord, statement) AS (
    SELECT 'drop', 1, format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname)
    FROM fk WHERE NOT (SELECT yes FROM superuser)
    UNION ALL
    SELECT 'drop', 1, format('ALTER TABLE enterprise DISABLE TRIGGER %I', tgname)
    FROM fk_trigger WHERE (SELECT yes FROM superuser)
    UNION ALL
    SELECT 'drop', 2, format('DROP INDEX %s', indexrelid::regclass) FROM ix
    UNION ALL
    SELECT 'drop', 3, format('DROP TRIGGER %I ON %s', tgname, tgrelid::regclass) FROM tg
    UNION ALL
    SELECT 'drop', 3, format('ALTER TABLE enterprise DISABLE TRIGGER %I', tgname) FROM audit_tg
    UNION ALL
    SELECT 'restore', 4, pg_get_indexdef(indexrelid) FROM ix
    UNION ALL
    SELECT 'restore', 5, format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass,
                                conname, pg_get_constraintdef(oid))
    FROM fk WHERE NOT (SELECT yes FROM superuser)
    UNION ALL
    SELECT 'restore', 5, $check$DO $do$ BEGIN
  IF EXISTS (SELECT FROM assign_target AS t
             WHERE (t.grid_id <> 0 AND NOT EXISTS (SELECT FROM grid WHERE id = t.grid_id))
                OR (t.microgrid_id <> 0
                    AND NOT EXISTS (SELECT FROM microgrid WHERE id = t.microgrid_id))) THEN
    RAISE EXCEPTION 'assignment names a grid or micro-grid that no longer exists'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
END $do$$check$
    WHERE (SELECT yes FROM superuser) AND EXISTS (SELECT FROM fk_trigger)
    UNION ALL
    SELECT 'restore', 6, format('ALTER TABLE enterprise ENABLE TRIGGER %I', tgname)
    FROM fk_trigger WHERE (SELECT yes FROM superuser)
    UNION ALL
    SELECT 'restore', 7, pg_get_triggerdef(oid) FROM tg
    UNION ALL
    SELECT 'restore', 7, format('ALTER TABLE enterprise ENABLE TRIGGER %I', tgname) FROM audit_tg
    UNION ALL
    SELECT 'restore', 8, format('ALTER TABLE %s %s TRIGGER %I', tgrelid::regclass,
                                CASE tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA'
                                               ELSE 'ENABLE ALWAYS' END, tgname)
    FROM tg WHERE tgenabled <> 'O'
    UNION ALL
    SELECT 'coverage', 0, tgname FROM tg
    WHERE tgname = 'coverage_total_update' AND tgenabled IN ('O', 'A')
)
SELECT phase, statement FROM step ORDER BY ord, statement
