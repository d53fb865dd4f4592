"""The staging table of an import: validated rows COPYed into a temporary table.

The rows travel in COPY's text format (encode.py), a piece of rows at a time, while
PostgreSQL reads the previous piece. Identifiers come from the layer specs (constants) and
are quoted by psycopg2.sql; values travel only through COPY.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
from psycopg2 import sql as pgsql

from geo.layers import encode
from geo.layers.spec import LayerSpec
from geo.layers.validate import Prepared

STAGE = "_gridmap_import_stage"
CHUNK_ROWS = 5_000  # rows per piece of COPY text: small enough to overlap, big for numpy


class _Pieces:
    """A file psycopg2's COPY reads piece by piece: each `read` builds the next piece, so
    PostgreSQL parses one piece while Python encodes the next (two processes, two cores)."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces

    def read(self, size: int | None = -1) -> bytes:
        return next(self._pieces, b"")


def copy_text(frame: pd.DataFrame, names: list[str]) -> Iterator[bytes]:
    """`frame[names]` as the body of `COPY … FROM STDIN` (text format), in pieces of rows."""
    for start in range(0, len(frame), CHUNK_ROWS):
        yield encode.data(encode.table(frame.iloc[start : start + CHUNK_ROWS], names))


def create(cursor: Any, spec: LayerSpec, prepared: Prepared, extra: list[str]) -> None:
    """Create the staging table (the layer's columns, `_row`, parent keys, `extra`) and fill it.

    `extra` are table columns the import computes later (e.g. an enterprise's grid).
    """
    names = create_table(cursor, spec, prepared, extra)
    copy(cursor, names, copy_text(prepared.frame, names))


def create_table(cursor: Any, spec: LayerSpec, prepared: Prepared, extra: list[str]) -> list[str]:
    """Create the empty staging table; the columns `copy` fills, in order."""
    ident = pgsql.Identifier
    table_cols = [c for c in prepared.columns if c != "_row"]
    cursor.execute(pgsql.SQL("DROP TABLE IF EXISTS {}").format(ident(STAGE)))
    cursor.execute(
        pgsql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
            ident(STAGE),
            pgsql.SQL(", ").join(map(ident, [*table_cols, *extra])),
            ident(spec.name),
        )
    )
    added = [("_row", "int")] + [(ref, "text") for ref in prepared.refs]
    added += [(r.column, "integer") for r in spec.refs if r.column not in table_cols]
    cursor.execute(
        pgsql.SQL("ALTER TABLE {} {}").format(
            ident(STAGE),
            pgsql.SQL(", ").join(
                pgsql.SQL("ADD COLUMN {} {}").format(ident(name), pgsql.SQL(kind))
                for name, kind in added
            ),
        )
    )
    return ["_row", *table_cols, *prepared.refs]


def copy(cursor: Any, names: list[str], pieces: Iterator[bytes], table: str = STAGE) -> None:
    """COPY the rows (`copy_text`'s pieces, columns `names`) into the staging table (or
    `table`)."""
    ident = pgsql.Identifier
    statement = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
        ident(table), pgsql.SQL(", ").join(map(ident, names))
    )
    cursor.copy_expert(statement.as_string(cursor), _Pieces(pieces))
