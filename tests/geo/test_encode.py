"""COPY text through Arrow (geo/layers/encode.py: `table`, then `data`) is read by PostgreSQL
exactly as the text joined in Python from `encode_column`'s cells."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import text

from geo.layers import encode

COLUMNS = {
    "t": "text", "i": "bigint", "f": "double precision", "b": "boolean", "d": "date",
    "ts": "timestamptz", "j": "jsonb", "g": "geometry", "big": "numeric", "fn": "double precision",
    "n": "integer",
}  # fmt: skip


def _frame(quote: bool) -> pd.DataFrame:
    texts = ["苏州星海", "", None, "a\\b", "制\t表", "两\n行", "回\r车", "  空格  ", "\\N", "x"]
    if quote:
        texts[-1] = '带"引号"的名称'
    return pd.DataFrame(
        {
            "t": pd.Series(texts, dtype=object),
            "i": pd.Series([1, -2, None, 0, 2**62, 7, 8, 9, 10, 11], dtype=object),
            "f": pd.Series(
                [
                    0.1,
                    -0.0,
                    None,
                    1e-300,
                    1e20,
                    float("nan"),
                    120.64565600252257,
                    31.3,
                    2.5,
                    float("inf"),
                ],
                dtype=object,
            ),
            "b": pd.Series([True, False, None] + [True] * 7, dtype=object),
            "d": pd.Series([date(2026, 5, 1), None] + [date(2026, 11, 28)] * 8, dtype=object),
            "ts": pd.Series(
                [datetime(2026, 5, 1, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))]
                + [None] * 9,
                dtype=object,
            ),
            "j": pd.Series([{"名": "值", "n": 1}, None] + [{}] * 8, dtype=object),
            "g": pd.Series(
                [shapely.Point(120.7, 31.3), None, shapely.box(120, 31, 120.1, 31.1)]
                + [shapely.Point(120.123456789012345, 31.98765432109876)] * 7,
                dtype=object,
            ),
            "big": pd.Series([2**70, None] + [1] * 8, dtype=object),
            "fn": np.array([1.5, np.nan, -0.0, 3, 4, 5, 6, 7, 8, 1e-5]),
            "n": np.arange(10, dtype=np.int64),
        }
    )


def _load(db, body: bytes) -> list[tuple]:
    cursor = db.connection().connection.dbapi_connection.cursor()
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    cursor.execute(f"CREATE TEMP TABLE enc ({columns})")
    cursor.copy_expert(f"COPY enc ({', '.join(COLUMNS)}) FROM STDIN", _File(body))
    rows = db.execute(
        text("SELECT t, i, f, b, d, ts, j, ST_AsEWKB(g), big, fn, n FROM enc ORDER BY n")
    ).all()
    cursor.execute("DROP TABLE enc")
    return rows


class _File:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def read(self, size: int = -1) -> bytes:
        body, self.body = self.body, b""
        return body


@pytest.mark.parametrize("quote", [False, True], ids=["arrow writer", "a quote: joined in Python"])
def test_postgres_reads_arrows_copy_text_as_pythons(db, quote):
    frame = _frame(quote)
    names = list(COLUMNS)
    cells = [encode.encode_column(frame[name]) for name in names]
    python = "".join("\t".join(row) + "\n" for row in zip(*cells, strict=True)).encode()
    table = encode.table(frame, names)
    arrow = encode.data(table)
    assert _load(db, arrow) == _load(db, python)
    # geometries, dates, JSON and numbers beyond int64 were encoded in Python, the rest not
    marked = {f.name for f in table.schema if f.metadata and encode.ENCODED in f.metadata}
    assert marked == {"d", "ts", "j", "g", "big"}
    rows = _load(db, arrow)
    assert rows[1][0] == "" and rows[2][0] is None and rows[8][0] == "\\N"


def test_points_and_arrow_backed_text_take_the_short_roads_to_the_same_text():
    # a column of plain points becomes Arrow text from the packed hex, pandas' Arrow-backed
    # text (str dtype) goes over as it is: the text is the one joined in Python
    frame = pd.DataFrame(
        {
            "g": pd.Series(
                [shapely.Point(120.7, 31.3), shapely.Point(-0.0, 1e-300), shapely.Point(1, 2)],
                dtype=object,
            ),
            "s": pd.Series(["wgs84", None, "制\t表\\"], dtype="str"),
        }
    )
    assert isinstance(frame["s"].array, pd.arrays.ArrowStringArray)
    table = encode.table(frame, ["g", "s"])
    assert table.column("g").type == "string" and table.column("s").type == "large_string"
    cells = [encode.encode_column(frame[name]) for name in ("g", "s")]
    python = "".join("\t".join(row) + "\n" for row in zip(*cells, strict=True)).encode()
    assert encode.data(table) == python
