"""Big first loads: a table's secondary indexes are rebuilt after the rows, not grown row by row.

Building a GiST or B-tree index over 100,000 rows at once costs a fraction of inserting into
it 100,000 times. This is done only when the table is empty, so the lock it takes (DROP INDEX
locks the table against readers until commit) hides no rows from anyone, and only inside the
import's transaction, so a failure leaves the indexes exactly as they were. Unique and
primary-key indexes stay: they enforce the keys while the rows go in.
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
  AND NOT i.indisexclusion AND i.indisvalid
  AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid)
ORDER BY c.relname
"""


def drop_for_bulk_load(cursor: Any, table: str, rows: int) -> list[str]:
    """Drop `table`'s secondary indexes when it is empty and `rows` is big; their definitions.

    The caller runs the returned CREATE INDEX statements once the rows are in (`rebuild`).
    """
    if rows < BULK_ROWS:
        return []
    cursor.execute(pgsql.SQL("SELECT NOT EXISTS (SELECT FROM {})").format(pgsql.Identifier(table)))
    if not cursor.fetchone()[0]:
        return []
    cursor.execute(SECONDARY_INDEXES, (table,))
    found = cursor.fetchall()
    for schema, name, _ in found:
        cursor.execute(pgsql.SQL("DROP INDEX {}").format(pgsql.Identifier(schema, name)))
    return [definition for _, _, definition in found]


def rebuild(cursor: Any, definitions: list[str]) -> None:
    """Create the dropped indexes again, each from its own catalog definition."""
    for definition in definitions:
        cursor.execute(definition)  # pg_get_indexdef's text, from the catalog, not from input
