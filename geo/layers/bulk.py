"""Big first loads: a table's indexes are rebuilt after the rows, not grown row by row.

Building a GiST or B-tree index over 100,000 rows at once costs a fraction of inserting into
it 100,000 times. This is done only when the table is empty, so the lock it takes (DROP INDEX
locks the table against readers and writers until commit) hides no rows from anyone, and only
inside the import's transaction, so a failure leaves the indexes exactly as they were.
Unique and primary-key constraints no foreign key leans on are dropped too and added again
after the rows: adding one checks every row, so a duplicate still fails the load (with
`unique_violation`, as the row-by-row check would), and no other writer can slip a row in
meanwhile, as the table stays locked. A key a foreign key references stays. The table's own
foreign keys go too and come back the same way: adding one checks every row against its
parent in one statement instead of one trigger call per row and key (an enterprise has two,
to its grid and micro-grid). Dropping a foreign key locks its parent table too, against
readers as well (ACCESS EXCLUSIVE, as DROP INDEX locks this table), until commit: a first load
of enterprises holds grid and micro-grid that long (a first load of visits, enterprise).
Keeping the keys instead costs the writer 0.3–0.5 s more per 100,000 enterprises (a check per
row and key; measured with no grid live, bench/import/README.md).

Partial indexes stay. They hold the few rows their predicate keeps (an enterprise's grid,
micro-grid and compound, `WHERE … IS NOT NULL`, migration 0013), so keeping them costs a
predicate test per row where each rebuild would scan the whole table (~35 ms per 100,000
enterprises), and adding a foreign key again finds its rows through them instead of scanning
(2 ms against ~25 ms).
"""

from __future__ import annotations

from typing import Any

from psycopg2 import sql as pgsql

BULK_ROWS = 10_000  # below this, rebuilding costs more than it saves

SECONDARY_INDEXES = """
SELECT n.nspname, c.relname, pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE i.indrelid = to_regclass(%s) AND NOT i.indisunique AND NOT i.indisprimary
  AND NOT i.indisexclusion AND i.indisvalid AND i.indpred IS NULL
  AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid)
ORDER BY c.relname
"""
# unique and primary-key constraints of the table that no foreign key references
FREE_KEYS = """
SELECT k.conname, pg_get_constraintdef(k.oid)
FROM pg_constraint k
WHERE k.conrelid = to_regclass(%s) AND k.contype IN ('p', 'u')
  AND NOT EXISTS (SELECT FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = k.conindid)
ORDER BY k.conname
"""
# the table's own foreign keys: checked once for all the rows when added again, not row by row
FOREIGN_KEYS = """
SELECT k.conname, pg_get_constraintdef(k.oid)
FROM pg_constraint k
WHERE k.conrelid = to_regclass(%s) AND k.contype = 'f'
ORDER BY k.conname
"""


def drop_for_bulk_load(cursor: Any, table: str, rows: int) -> list[str]:
    """Drop `table`'s secondary indexes and free keys when it is empty and `rows` is big.

    Returns the statements that create them again, which the caller runs once the rows are
    in (`rebuild`).
    """
    if rows < BULK_ROWS:
        return []
    ident = pgsql.Identifier
    cursor.execute(pgsql.SQL("SELECT NOT EXISTS (SELECT FROM {})").format(ident(table)))
    if not cursor.fetchone()[0]:
        return []
    cursor.execute(SECONDARY_INDEXES, (table,))
    found = cursor.fetchall()
    for schema, name, _ in found:
        cursor.execute(pgsql.SQL("DROP INDEX {}").format(ident(schema, name)))
    definitions = [definition for _, _, definition in found]
    cursor.execute(FREE_KEYS, (table,))
    keys = cursor.fetchall()
    cursor.execute(FOREIGN_KEYS, (table,))
    for name, definition in keys + cursor.fetchall():
        cursor.execute(
            pgsql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(ident(table), ident(name))
        )
        # pg_get_constraintdef's text, from the catalog, not from input
        add = pgsql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(ident(table), ident(name))
        definitions.append(add.as_string(cursor) + definition)
    return definitions


def rebuild(cursor: Any, definitions: list[str]) -> None:
    """Create the dropped indexes and keys again, each from its own catalog definition."""
    for definition in definitions:
        cursor.execute(definition)  # catalog text, not input
