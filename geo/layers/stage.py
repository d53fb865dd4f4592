"""The staging table of an import: validated rows COPYed into a temporary table.

The rows travel in COPY's text format, built a column at a time (a piece of rows at a time,
while PostgreSQL reads the previous piece): text and numbers as they
are (escaped only where a value holds a backslash, tab or line break), geometries as EWKB
hex, which PostGIS reads in COPY. Identifiers come from the layer specs (constants) and are
quoted by psycopg2.sql; values travel only through COPY.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import shapely
from psycopg2 import sql as pgsql

from geo.layers.spec import LayerSpec
from geo.layers.validate import Prepared

STAGE = "_gridmap_import_stage"
SRID = 4326
NULL = "\\N"
SPECIAL = re.compile(r"[\\\t\n\r]")
ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(values: list[str | None]) -> list[str]:
    """Text cells in COPY form; a column is scanned once and escaped only if it must be."""
    present = [v for v in values if v is not None]
    if SPECIAL.search("".join(present)):
        return [NULL if v is None else v.translate(ESCAPES) for v in values]
    return [NULL if v is None else v for v in values]


def _cell(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool | np.bool_):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        return repr(float(value))  # the shortest text that reads back as the same double
    return str(value)


# EWKB of a 2D point with SRID 4326: little-endian, type 1 with the SRID flag, SRID, x, y
EWKB_POINT = np.dtype(
    [("order", "u1"), ("type", "<u4"), ("srid", "<u4"), ("x", "<f8"), ("y", "<f8")]
)
EWKB_POINT_TYPE = 0x20000001


def _point_hexes(points: np.ndarray[Any, Any]) -> list[str]:
    """EWKB hex of 2D points, packed by numpy (shapely.to_wkb takes ~5 µs a point)."""
    packed = np.zeros(len(points), dtype=EWKB_POINT)
    packed["order"], packed["type"], packed["srid"] = 1, EWKB_POINT_TYPE, SRID
    packed["x"], packed["y"] = shapely.get_x(points), shapely.get_y(points)
    text = packed.tobytes().hex().upper()
    width = 2 * EWKB_POINT.itemsize
    return [text[i : i + width] for i in range(0, len(text), width)]


def _geometries(values: np.ndarray[Any, Any]) -> list[str | None]:
    present = ~shapely.is_missing(values)
    out = np.full(len(values), None, dtype=object)
    geoms = values[present]
    # plain 2D points (the common case: enterprises, key sites) are packed directly
    simple = (shapely.get_type_id(geoms) == 0) & ~shapely.has_z(geoms) & ~shapely.is_empty(geoms)
    where = np.flatnonzero(present)
    if simple.any():
        out[where[simple]] = _point_hexes(geoms[simple])
    if (~simple).any():
        with_srid = shapely.set_srid(geoms[~simple], SRID)
        out[where[~simple]] = shapely.to_wkb(with_srid, hex=True, include_srid=True)
    return list(out)


def encode_column(column: pd.Series) -> list[str]:
    """One column's cells in COPY text format (`\\N` for missing values)."""
    if column.dtype.kind == "f":
        numbers = column.to_numpy(dtype=float)
        if not np.isnan(numbers).any():
            return list(map(repr, numbers.tolist()))
        return [repr(v) if v == v else NULL for v in numbers.tolist()]
    if column.dtype.kind in "iu":
        return list(map(str, column.tolist()))
    values = column.to_numpy(dtype=object)
    kinds = set(map(type, values.tolist()))
    if any(issubclass(k, shapely.Geometry) for k in kinds):
        return [NULL if v is None else v for v in _geometries(values)]
    if kinds <= {str, type(None)}:
        return _text(values.tolist())
    if kinds <= {int, type(None)}:
        return [NULL if v is None else str(v) for v in values.tolist()]
    return _text([_cell(v) for v in values.tolist()])


CHUNK_ROWS = 5_000  # rows per piece of COPY text: small enough to overlap, big for numpy


class _Pieces(io.TextIOBase):
    """A file psycopg2's COPY reads piece by piece: each `read` builds the next piece, so
    PostgreSQL parses one piece while Python encodes the next (two processes, two cores)."""

    def __init__(self, pieces: Iterator[str]) -> None:
        self._pieces = pieces

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        return next(self._pieces, "")


def copy_text(frame: pd.DataFrame, names: list[str]) -> Iterator[str]:
    """`frame[names]` as the body of `COPY … FROM STDIN` (text format), in pieces of rows."""
    for start in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[start : start + CHUNK_ROWS]
        columns = [encode_column(part[name]) for name in names]
        yield "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"


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


def copy(cursor: Any, names: list[str], pieces: Iterator[str], table: str = STAGE) -> None:
    """COPY the rows (`copy_text`'s pieces, columns `names`) into the staging table (or
    `table`)."""
    ident = pgsql.Identifier
    statement = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
        ident(table), pgsql.SQL(", ").join(map(ident, names))
    )
    cursor.copy_expert(statement.as_string(cursor), _Pieces(pieces))
