-- What a bulk write of enterprise.grid_id/microgrid_id sets aside (geo.assignment): the
-- statements that drop, then re-create, the objects that would make each of the ~1M updates
-- slow, read from the catalog so that they come back exactly as they were:
--   * the foreign keys on grid_id / microgrid_id (a per-row check each; re-added after, which
--     validates them in one anti-join);
--   * the indexes on those columns (their presence makes every update non-HOT, so each row
--     would get a new entry in every index of the table, both GiST ones included);
--   * the trigger tile_cluster_update (migration 0004): it keeps enterprise_cluster from the
--     changed rows' geom and employees_day, which an assignment never changes; its transition
--     tables alone cost seconds at 1M rows. layer_change_bump stays: the tiles change.
-- Identifiers are quoted by format(%I) / regclass. Rows: (phase 'drop' | 'restore', statement),
-- in execution order.
WITH assignment_column AS (
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
tg AS (
    SELECT t.oid, t.tgname, t.tgrelid, t.tgenabled FROM pg_trigger AS t
    WHERE t.tgrelid = 'enterprise'::regclass AND t.tgname = 'tile_cluster_update'
),
step (phase, ord, statement) AS (
    SELECT 'drop', 1, format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname)
    FROM fk
    UNION ALL
    SELECT 'drop', 2, format('DROP INDEX %s', indexrelid::regclass) FROM ix
    UNION ALL
    SELECT 'drop', 3, format('DROP TRIGGER %I ON %s', tgname, tgrelid::regclass) FROM tg
    UNION ALL
    SELECT 'restore', 4, pg_get_indexdef(indexrelid) FROM ix
    UNION ALL
    SELECT 'restore', 5, format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass,
                                conname, pg_get_constraintdef(oid))
    FROM fk
    UNION ALL
    SELECT 'restore', 6, pg_get_triggerdef(oid) FROM tg
    UNION ALL
    SELECT 'restore', 7, format('ALTER TABLE %s %s TRIGGER %I', tgrelid::regclass,
                                CASE tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA'
                                               ELSE 'ENABLE ALWAYS' END, tgname)
    FROM tg WHERE tgenabled <> 'O'
)
SELECT phase, statement FROM step ORDER BY ord, statement
