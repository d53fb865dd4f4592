"""The enterprise clusters of a big first load, summed in Python chunk by chunk.

The clusters (migration 0005; level 18 the finest since 0012) hold, per map cell, the count,
the employees, the pick (most employees, then highest id) and the sums of the Web-Mercator
unit coordinates of the enterprises in it. A chunked load (stream.py) sets their trigger aside
and used to sum all the table's rows in SQL at the end, on the critical path: `tile_cell`
(PL/pgSQL) and the sums over 100,000 rows take 0.2–0.45 s while the other core idles. Here the
main thread sums each chunk with numpy while the server writes the previous one, and the end
only adds ~25,000 cells (`enterprise_cluster_sums.sql`).

Exactness: the cell is `tile_cell(geom) >> 4`, the same arithmetic in float64. Its x half is
plain IEEE arithmetic and comes out the same everywhere. Its y half goes through `tan` and
`ln`, whose last bit may differ between numpy and the server's libm: a point whose scaled y
lies within `MARGIN` of a whole number (a chance of ~2 in a million), or beyond ±`SAFE_LAT`
of latitude (where `tile_cell` leaves the map's square or fails), is left to PostGIS, which
computes its cell with `tile_cell` itself in the same statement. The pick needs the rows' ids
before they are written: the load reserves them from the table's sequence (`reserve_ids`).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import shapely
from psycopg2 import sql as pgsql

from geo.sqlfiles import sql_text

Array = np.ndarray[Any, Any]

SCALE = 1048576.0  # tile_cell's 2^20 cells a side (level 20); >> 4 gives level 18
FINE_SHIFT = 4
MARGIN = 1e-6  # of a level-20 cell: far beyond a few ulps of tan and ln (~1e-10 here)
SAFE_LAT = 85.0
SUMS = "_gridmap_cluster_sums"
COLUMNS = ["cell", "count", "employees", "pick", "sum_u", "sum_v"]
# COPY's binary format: a signature, flags and header extension; per row the field count, then
# each field's byte length and big-endian value; -1 at the end
BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
BINARY_TRAILER = b"\xff\xff"
BINARY_ROW = np.dtype(
    [("fields", ">i2")]
    + [(f, t) for name in COLUMNS
       for f, t in ((f"{name}_size", ">i4"), (name, ">f8" if name.startswith("sum") else ">i8"))]
)  # fmt: skip
# Morton spreading: each step as in tile_cell (migration 0004)
SPREAD = ((16, 281470681808895), (8, 71777214294589695), (4, 1085102592571150095),
          (2, 3689348814741910323), (1, 6148914691236517205))  # fmt: skip


def reserve_ids(cursor: Any, table: str, rows: int) -> int:
    """The first of `rows` consecutive ids taken from `table`'s id sequence (one statement).

    Meant for a table locked against other writers (no INSERT can take an id meanwhile); a
    gap, when some rows are refused or the load is undone, is what sequences leave anyway.
    """
    cursor.execute(
        "SELECT setval(s, nextval(s) + %s - 1) FROM pg_get_serial_sequence(%s, 'id') AS s",
        (rows, table),
    )
    return int(cursor.fetchone()[0]) - rows + 1


def _spread(values: Array) -> Array:
    for shift, mask in SPREAD:
        values = (values | (values << shift)) & mask
    return values


def cells(x: Array, y: Array) -> tuple[Array, Array, Array, Array]:
    """Per point: the level-18 cell, whether it is sure (else PostGIS decides), u and v."""
    u = (x + 180) / 360
    with np.errstate(divide="ignore", invalid="ignore"):  # ±90°: left to tile_cell
        v = (1 - np.log(np.tan(np.pi / 4 + np.radians(y) / 2)) / np.pi) / 2
        column, row = u * SCALE, v * SCALE
        sure = (np.abs(x) <= 180) & (np.abs(y) <= SAFE_LAT) & (np.abs(row - np.rint(row)) > MARGIN)
    column, row = np.where(sure, column, 0), np.where(sure, row, 0)
    cell = _spread(np.floor(column).astype(np.int64)) | (_spread(row.astype(np.int64)) << 1)
    return cell >> FINE_SHIFT, sure, u, v


class Sums:
    """The level-18 sums of a load's rows, chunk by chunk; ids handed out from `first_id`."""

    def __init__(self, first_id: int) -> None:
        self.next_id = first_id
        self.parts = [pd.DataFrame({name: pd.Series(dtype=np.int64) for name in COLUMNS})]
        self.unsure: list[int] = []  # ids whose cell tile_cell decides

    def add(self, frame: pd.DataFrame) -> None:
        """Give the chunk's rows their ids (`frame["id"]`) and add them to the sums."""
        ids = np.arange(self.next_id, self.next_id + len(frame), dtype=np.int64)
        self.next_id += len(frame)
        frame["id"] = ids
        points = frame["geom"].to_numpy(dtype=object)
        cell, sure, u, v = cells(shapely.get_x(points), shapely.get_y(points))
        if "employees_day" in frame:
            employees = pd.to_numeric(frame["employees_day"]).fillna(0).to_numpy(np.int64)
        else:
            employees = np.zeros(len(frame), dtype=np.int64)  # the column's default
        self.unsure += ids[~sure].tolist()
        part = pd.DataFrame({
            "cell": cell, "count": 1, "employees": employees,
            "pick": (employees << 32) + ids, "sum_u": u, "sum_v": v,
        })[sure]  # fmt: skip
        self.parts.append(_group(part))

    def copy_data(self) -> bytes:
        """All the chunks' sums, one row a cell, in COPY's binary format (`write`): numpy packs
        them at once, where text would print ~50,000 floats."""
        frame = _group(pd.concat(self.parts, ignore_index=True))
        packed = np.zeros(len(frame), dtype=BINARY_ROW)
        packed["fields"] = len(COLUMNS)
        for name in COLUMNS:
            packed[f"{name}_size"] = 8
            packed[name] = frame[name].to_numpy()
        return BINARY_HEADER + packed.tobytes() + BINARY_TRAILER

    def write(self, cursor: Any, data: bytes) -> tuple[pgsql.Composable, pgsql.Composable]:
        """COPY the sums (`copy_data`) into a temporary table; the `rows` and `fine` parts of
        fill_enterprise_cluster.sql that add them, and the unsure rows', to the clusters."""
        ident = pgsql.Identifier(SUMS)
        cursor.execute(pgsql.SQL("DROP TABLE IF EXISTS {}").format(ident))
        cursor.execute(
            pgsql.SQL(
                "CREATE TEMP TABLE {} (cell bigint, count bigint, employees bigint, pick bigint, "
                "sum_u double precision, sum_v double precision) ON COMMIT DROP"
            ).format(ident)
        )
        copy = pgsql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(ident)
        cursor.copy_expert(copy.as_string(cursor), io.BytesIO(data))
        rows = pgsql.SQL(
            "SELECT id, geom, employees_day FROM enterprise WHERE id = ANY({}::integer[])"
        ).format(pgsql.Literal(self.unsure))
        return rows, pgsql.SQL(sql_text("enterprise_cluster_sums")).format(sums=ident)


def _group(frame: pd.DataFrame) -> pd.DataFrame:
    sums = {"count": "sum", "employees": "sum", "pick": "max", "sum_u": "sum", "sum_v": "sum"}
    return frame.groupby("cell", sort=False).agg(sums).reset_index()
