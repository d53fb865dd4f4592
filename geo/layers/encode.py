"""Rows in COPY's text format, for the staging table and a chunked load's COPY.

A column is encoded at a time (`encode_column`): text and numbers as they are (escaped only
where a value holds a backslash, tab or line break), geometries as EWKB hex, which PostGIS
reads in COPY. Whole rows go through Arrow (`table`, then `data`): joining 100,000 rows of 17
cells in Python (`"\\t".join` per row, `encode_column` per column) costs ~0.35 s; here the
Python side is one conversion per column, and `data` is a single call to Arrow's CSV writer
(C++, the GIL released), which the thread that COPYs can run beside the main thread's
validation. Text, integers, floats and booleans go to Arrow as they are (text escaped by
`table` where it must be); any other column (geometries, dates, JSON) is encoded by
`encode_column` first and marked so. `data` makes as few calls as it can: a thread that calls
into Python while another one validates waits for the GIL at every call (with ~90 Arrow
calls per chunk the writer spent 0.26 s on a 20,000-row chunk that takes 0.06 s alone).
Arrow's writer cannot leave a double quote bare: a piece holding one is joined in Python
instead (the same text).
"""

from __future__ import annotations

import binascii
import json
import re
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import shapely

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


HEX_WIDTH = 2 * EWKB_POINT.itemsize


def _packed_hex(points: np.ndarray[Any, Any]) -> bytes:
    """EWKB hex of 2D points, one after the other, packed by numpy (shapely.to_wkb takes ~5 µs
    a point)."""
    packed = np.zeros(len(points), dtype=EWKB_POINT)
    packed["order"], packed["type"], packed["srid"] = 1, EWKB_POINT_TYPE, SRID
    packed["x"], packed["y"] = shapely.get_x(points), shapely.get_y(points)
    return binascii.hexlify(packed.tobytes()).upper()


def _point_hexes(points: np.ndarray[Any, Any]) -> list[str]:
    text = _packed_hex(points).decode("ascii")
    return [text[i : i + HEX_WIDTH] for i in range(0, len(text), HEX_WIDTH)]


def _point_array(column: pd.Series) -> pa.Array | None:
    """A column of plain 2D points only (an enterprise's, a key site's) as Arrow text built
    from the packed hex directly, or None for anything else."""
    values = column.to_numpy(dtype=object)
    try:
        points = (shapely.get_type_id(values) == 0).all()
    except TypeError:  # not geometries
        return None
    if not points or shapely.has_z(values).any() or shapely.is_empty(values).any():
        return None
    offsets = np.arange(0, (len(values) + 1) * HEX_WIDTH, HEX_WIDTH, dtype=np.int32)
    hexes = pa.py_buffer(_packed_hex(values))
    return pa.StringArray.from_buffers(len(values), pa.py_buffer(offsets), hexes)


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


ENCODED = b"gridmap.copy_text"  # field metadata: the column is COPY text already
# COPY text escapes, the backslash first
ARROW_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
PLAIN = {
    frozenset({str}): pa.string(),
    frozenset({int}): pa.int64(),
    frozenset({float}): pa.float64(),
    frozenset({bool}): pa.bool_(),
}
WRITE = pacsv.WriteOptions(
    include_header=False, delimiter="\t", quoting_style="none", null_string=NULL
)


def table(frame: pd.DataFrame, names: list[str]) -> pa.Table:
    """`frame[names]` as Arrow columns, ready for `data`: text escaped, numbers as they are."""
    fields, arrays = [], []
    for name in names:
        array = _plain(frame[name])
        encoded = array is None
        if array is None:
            array = _point_array(frame[name])
        if array is None:
            array = pa.array(encode_column(frame[name]), type=pa.string())
        elif pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            array = _escaped(array)
        arrays.append(array)
        fields.append(pa.field(name, array.type, metadata={ENCODED: b"1"} if encoded else None))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _plain(column: pd.Series) -> pa.Array | None:
    """The column as an Arrow array of text, numbers or booleans (missing: null), or None."""
    if column.dtype.kind in "iuf":
        return pa.array(column.to_numpy(), from_pandas=True)  # NaN: missing
    if isinstance(column.array, pd.arrays.ArrowStringArray):
        return pa.array(column.array)  # pandas' text held by Arrow already: no Python strings
    values = column.to_numpy(dtype=object)
    kinds = set(map(type, values.tolist())) - {type(None)}
    kind = PLAIN.get(frozenset(kinds)) if kinds else pa.string()
    if kind is None:
        return None
    try:
        return pa.array(values, type=kind, from_pandas=True)
    except (pa.ArrowException, OverflowError):  # beyond int64: encoded in Python
        return None


def _escaped(text: pa.Array) -> pa.Array:
    """Text with COPY's escapes; its bytes are scanned once, and replaced only if they must
    be (rarely: a backslash, tab or line break)."""
    data = text.buffers()[2]
    raw = data.to_pybytes() if data is not None else b""
    if not any(special in raw for special in (b"\\", b"\t", b"\n", b"\r")):  # memchr each
        return text
    for old, new in ARROW_ESCAPES:
        text = pc.replace_substring(text, old, new)
    return text


def data(columns: pa.Table) -> bytes:
    """The rows of `table` in COPY's text format: one call to Arrow's CSV writer, which
    releases the GIL (the writer thread runs it beside the main thread's validation)."""
    sink = pa.BufferOutputStream()
    try:
        pacsv.write_csv(columns, sink, WRITE)
    except pa.ArrowInvalid:  # a double quote: joined in Python
        cells = [pc.fill_null(pc.cast(column, pa.string()), NULL) for column in columns.columns]
        lines = zip(*(column.to_pylist() for column in cells), strict=True)
        return "".join("\t".join(line) + "\n" for line in lines).encode("utf-8")
    return bytes(sink.getvalue())
