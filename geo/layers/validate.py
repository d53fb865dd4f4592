"""Validating a file's rows for a layer: columns, values, keys and geometries.

The result is a table of clean rows ready for the database and a report naming every
refused or repaired row with its reason. Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo import uscc
from geo.errors import InvalidInput
from geo.layers import columns, shapes
from geo.layers.readers import Source
from geo.layers.report import ImportReport, both
from geo.layers.spec import Field, LayerSpec


@dataclass
class Prepared:
    """Clean rows: table columns, parent keys, `geom` as WKB; `_row` is the file's row number."""

    frame: pd.DataFrame
    columns: list[str]  # the table columns present in `frame`
    refs: list[str]  # the parent-key columns present in `frame`


def _attributes(
    spec: LayerSpec, source: Source, resolved: dict[str, str], report: ImportReport
) -> pd.DataFrame:
    out = pd.DataFrame(index=range(len(source.frame)))
    for fld in spec.all_fields():
        header = resolved.get(fld.name)
        if header is None:
            continue
        values, errors = columns.convert_column(fld, source.frame[header])
        out[fld.name] = pd.Series(values, dtype=object)
        for position, reason in errors.items():
            report.reject(int(source.rows[position]), reason)
        if fld.required:
            for missing in np.flatnonzero(out[fld.name].isna().to_numpy()):
                name = fld.label or fld.name
                report.reject(int(source.rows[missing]), both(f"{name}：缺失", f"{name}: missing"))
    return out


def _check_uscc(frame: pd.DataFrame, rows: Any, report: ImportReport) -> None:
    """Upper-case the codes; explain (slowly, in words) only those the vectorised check refuses."""
    codes = [c.upper() if isinstance(c, str) else c for c in frame["uscc"].tolist()]
    frame["uscc"] = pd.Series(codes, dtype=object)
    present = [i for i, c in enumerate(codes) if c is not None]
    valid = uscc.valid_mask([codes[i] for i in present])
    for i, good in zip(present, valid, strict=True):
        if not good:
            reason = uscc.explain(codes[i]) or both("统一社会信用代码无效", "invalid USCC")
            report.reject(int(rows[i]), reason)


def _derive_keys(spec: LayerSpec, frame: pd.DataFrame, geoms: Any) -> None:
    """Rows without a code get one from their geometry, so a re-import finds them again."""
    if spec.key not in frame:
        frame[spec.key] = None
    blank = frame[spec.key].isna().to_numpy()
    for position in np.flatnonzero(blank):
        geom = geoms[position]
        if geom is not None:
            digest = hashlib.sha1(shapely.to_wkb(geom), usedforsecurity=False).hexdigest()
            frame.at[position, spec.key] = f"{spec.name}-{digest[:16]}"


def _duplicates(
    spec: LayerSpec,
    frame: pd.DataFrame,
    rows: Any,
    report: ImportReport,
    seen: dict[str, int] | None = None,
) -> None:
    """Refuse the repeats of a key; `seen` (key → first row) carries keys across chunks."""
    keys = [k for k in spec.file_key if k in frame]
    if len(keys) != len(spec.file_key):
        return
    key_frame = frame[keys].astype(str)
    # rows missing a part of the key are refused elsewhere; they are nobody's duplicate
    partial = key_frame.isin(["None", "nan", "NaT"]).any(axis=1).to_numpy()
    repeated = key_frame.duplicated(keep="first").to_numpy() & ~partial
    if seen is None and not repeated.any():
        return
    # the key as the report words it; one column (the usual case) needs no tuples
    labels = (
        key_frame.iloc[:, 0].tolist()
        if len(keys) == 1
        else list(map("/".join, key_frame.to_numpy().tolist()))
    )
    first_row: dict[str, int] = {} if seen is None else seen
    if first_row:
        earlier = np.fromiter((k in first_row for k in labels), dtype=bool, count=len(labels))
        repeated |= earlier & ~partial
    # the keys met first here: unique in the chunk and new to `first_row` (else repeated)
    fresh = np.flatnonzero(~repeated & ~partial)
    first_row.update(zip([labels[i] for i in fresh.tolist()], rows[fresh].tolist(), strict=True))
    for position in np.flatnonzero(repeated):
        key = labels[position]
        first = first_row[key]
        report.reject(
            int(rows[position]),
            both(f"重复的键 {key}（与第 {first} 行相同）", f"duplicate key {key} (as row {first})"),
        )


def prepare(
    spec: LayerSpec,
    source: Source,
    report: ImportReport,
    *,
    crs: str | None = None,
    mapping: dict[str, str] | None = None,
    seen: dict[str, int] | None = None,
) -> Prepared:
    """Validate every row of `source` for `spec`; refused rows are left out and reported.

    `seen` carries the keys of earlier chunks of the same file (key → first row number).
    """
    headers = [str(h) for h in source.frame.columns]
    resolved = columns.resolve_columns(spec, headers, mapping or {})
    missing = columns.missing_required(spec, resolved)
    if missing:
        names = ", ".join(f"{f.label or f.name} ({f.name})" for f in missing)
        has = ", ".join(headers)
        raise InvalidInput(
            both(
                f"缺少必填列：{names}；文件中的列为 {has}。请改表头名，或用表头映射"
                "（--map 表头=field）对应",
                f"required column(s) missing: {names}; the file has {has} — "
                "rename them or map them with --map 表头=field",
            )
        )
    frame = _attributes(spec, source, resolved, report)
    if spec.name == "enterprise":
        _check_uscc(frame, source.rows, report)
    if spec.geometry is not None:
        _add_geometry(spec, source, frame, report, crs)
    if spec.key_from_geometry:
        _derive_keys(spec, frame, frame["geom"].to_numpy(dtype=object))
    _duplicates(spec, frame, source.rows, report, seen)
    frame["_row"] = source.rows
    refused = set(report.rejected_rows)
    frame = frame[~frame["_row"].isin(refused)].reset_index(drop=True)
    table_columns = [
        c for c in frame.columns if c in {f.name for f in spec.fields} | GEOMETRY_COLUMNS
    ]
    refs = [ref.source for ref in spec.refs if ref.source in frame]
    return Prepared(frame, table_columns, refs)


GEOMETRY_COLUMNS = {"geom", "raw_x", "raw_y", "raw_crs", "coord_source"}
COORD_SOURCE = {"wgs84": "wgs84", "cgcs2000": "cgcs2000", "gcj02": "gcj02", "bd09": "bd09"}


def _add_geometry(
    spec: LayerSpec, source: Source, frame: pd.DataFrame, report: ImportReport, crs: str | None
) -> None:
    raw = shapes.raw_geometries(spec, source, report)
    if raw is None:
        frame["geom"] = None
        return
    stated = shapes.source_crs(crs, source, raw, report)
    report.crs = stated
    located = shapes.locate(raw, stated, source.rows, report)
    geoms = shapes.check_shapes(spec.geometry or "GEOMETRY", located, source.rows, report)
    if spec.geometry_required:
        for position in np.flatnonzero(pd.isna(geoms)):
            if int(source.rows[position]) not in report.rejected_rows:
                report.reject(
                    int(source.rows[position]), both("几何图形：缺失", "geometry: missing")
                )
    frame["geom"] = pd.Series(list(geoms), dtype=object)
    if spec.name == "enterprise":
        written = shapes.coordinate_texts(source)  # kept as the file writes them, if plain
        frame["raw_x"], frame["raw_y"] = written or (located.raw_x, located.raw_y)
        frame["raw_crs"] = stated
        frame["coord_source"] = COORD_SOURCE.get(stated, "epsg")
    for fld in spec.fields:
        if fld.kind == "wkt" and fld.name in frame:
            _extra_geometry(fld, frame, source, report, stated)


def _extra_geometry(
    fld: Field, frame: pd.DataFrame, source: Source, report: ImportReport, crs: str
) -> None:
    """A second polygon of a row (an enterprise's compound, a shelter's area), as WKT."""
    parsed = shapes.parse_wkt(frame[fld.name], report, source.rows, fld.label or fld.name)
    located = shapes.locate(parsed, crs, source.rows, report)
    checked = shapes.check_shapes("MULTIPOLYGON", located, source.rows, report, fld.label)
    frame[fld.name] = pd.Series(list(checked), dtype=object)
