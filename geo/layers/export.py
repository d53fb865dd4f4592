"""Exporting a layer to a file that gridmap's importer reads back unchanged.

The format follows the suffix: ``.geojson``/``.json`` (GeoJSON), ``.gpkg`` (GeoPackage, one
layer named after the gridmap layer), ``.zip`` (a zipped Shapefile: ``<layer>.shp/.shx/.dbf``,
a ``.cpg`` saying UTF-8, a ``.prj`` unless GCJ-02/BD-09), ``.csv`` (UTF-8 with a BOM for Excel)
and ``.xlsx``. Columns are the spec's fields plus the parents' natural keys (a grid carries
``community_code``, a visit ``enterprise_uscc`` and ``staff_no``), never database ids; only
live grids and micro-grids are written. Headers are field names in GeoJSON and GeoPackage,
``Field.shp_name`` in Shapefiles and the Chinese labels in CSV and XLSX, where points become
经度/纬度 columns (x/y in a projected CRS) and other geometries a ``wkt`` column.

Values are written so that they survive every format exactly: coordinates at full double
precision, dates as ISO 8601 text (native date cells in XLSX), times as ISO 8601 text in
Beijing time with the offset and microseconds (GDAL's date-time fields keep only
milliseconds, and a visit's time is part of its key), JSON as text, yes/no as 是/否 in CSV
and XLSX. Vocabulary fields keep their codes (the importer also reads the Chinese labels).

CRS: ``wgs84`` writes EPSG:4326; ``cgcs2000`` leaves the coordinates as they are (the two
differ by centimetres) and declares EPSG:4490; ``EPSG:n`` reprojects with pyproj. ``gcj02``
and ``bd09`` shift the coordinates with geo.crs, but files declare no CRS at all: GCJ-02 and
BD-09 have no EPSG code, and declaring WGS84 would make a re-import without ``--crs gcj02``
silently misplace every feature by some 500 m (GeoJSON readers still assume WGS84).
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.exceptions import IllegalCharacterError
from sqlalchemy import ColumnElement, Select, Table, func, select
from sqlalchemy.orm import Session

from geo import crs as chinese_crs
from geo.errors import InvalidInput
from geo.layers.columns import TIMEZONE, convert_column
from geo.layers.load import VERSIONED
from geo.layers.spec import Field, LayerSpec
from geo.layers.spec import layer as layer_spec
from geo.models import Base

Geoms = np.ndarray[Any, Any]
BEIJING = ZoneInfo(TIMEZONE)
DECLARED = {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490", "gcj02": None, "bd09": None}
SHIFTED = {"gcj02": chinese_crs.wgs84_to_gcj02, "bd09": chinese_crs.wgs84_to_bd09}
VECTOR_DTYPES = {"int": "Int64", "float": "Float64", "bool": "boolean"}
GEOMETRY_TYPES = {
    "POINT": "Point",
    "LINESTRING": "LineString",
    "MULTIPOLYGON": "MultiPolygon",
    "GEOMETRY": "Unknown",
}
SHP_TEXT_BYTES = 254  # a DBF text field holds at most 254 bytes
XLSX_CELL_CHARS = 32_767  # the most characters an Excel cell holds
YES_NO = {True: "是", False: "否"}


@dataclass
class Features:
    """The rows to write: field values as Python objects and geometries in the target CRS."""

    spec: LayerSpec
    fields: tuple[Field, ...]
    values: dict[str, list[Any]]
    geoms: Geoms | None  # None for layers without geometry
    crs: str | None  # "EPSG:n" declared in the file; None for GCJ-02 and BD-09
    geographic: bool

    @property
    def count(self) -> int:
        return len(next(iter(self.values.values()), []))


def export_layer(
    session: Session,
    layer: str,
    path: Path,
    *,
    crs: str = "wgs84",
    where: dict[str, str] | None = None,
) -> int:
    """Write `layer` to `path` (format by suffix) and return the number of features written.

    `where` keeps the rows whose field or parent key equals the value (compared after the
    importer's conversion, so 是/否 and vocabulary labels work). The file appears only once
    complete: it is written beside the target and renamed.
    """
    spec = layer_spec(layer)
    writer = _writer(path)
    target = chinese_crs.parse_crs(crs)
    if not path.parent.is_dir():
        raise InvalidInput(f"cannot write {path}: folder {path.parent} does not exist")
    rows = session.execute(_select(spec, where or {})).all()
    features = _features(spec, [tuple(row) for row in rows], target)
    with _staged(path) as staged:
        writer(features, staged)
    return features.count


# -- reading the rows ------------------------------------------------------------------------


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _select(spec: LayerSpec, where: dict[str, str]) -> Select[Any]:
    """Fields, parent keys (outer joins on the parent id) and WKB geometry, in id order."""
    table = _table(spec.name)
    columns: dict[str, ColumnElement[Any]] = {f.name: table.c[f.name] for f in spec.fields}
    joined: Any = table
    for number, ref in enumerate(spec.refs):
        parent = _table(ref.table).alias(f"parent_{number}")
        joined = joined.outerjoin(parent, table.c[ref.column] == parent.c.id)
        columns[ref.source] = parent.c[ref.key]
    chosen = [column.label(name) for name, column in columns.items()]
    if spec.geometry is not None:
        chosen.append(func.ST_AsBinary(table.c.geom).label("geom"))
    statement = select(*chosen).select_from(joined).where(*_filters(spec, where, columns))
    if spec.name in VERSIONED:
        statement = statement.where(table.c.valid_to.is_(None))
    return statement.order_by(table.c.id)


def _filters(
    spec: LayerSpec, where: dict[str, str], columns: dict[str, ColumnElement[Any]]
) -> list[ColumnElement[bool]]:
    fields = {f.name: f for f in spec.all_fields()}
    filters: list[ColumnElement[bool]] = []
    for name, raw in where.items():
        fld = fields.get(name)
        if fld is None:
            known = ", ".join(fields)
            raise InvalidInput(f"cannot filter {spec.name} by '{name}': known fields are {known}")
        filters.append(columns[name] == _filter_value(fld, raw))
    return filters


def _filter_value(fld: Field, raw: str) -> Any:
    """The value as the importer would store it (a blank value matches NULL)."""
    values, errors = convert_column(fld, pd.Series([raw], dtype=object))
    if errors:
        raise InvalidInput(f"filter {fld.name}={raw}: {errors[0]}")
    return values[0]


def _features(spec: LayerSpec, rows: list[tuple[Any, ...]], target: str) -> Features:
    fields = spec.all_fields()
    values = {f.name: [row[i] for row in rows] for i, f in enumerate(fields)}
    geoms = None
    if spec.geometry is not None:
        wkb = np.array([None if row[-1] is None else bytes(row[-1]) for row in rows], dtype=object)
        geoms = _reproject(np.asarray(shapely.from_wkb(wkb), dtype=object), target)
    declared = DECLARED.get(target, target)
    geographic = target in DECLARED or pyproj.CRS.from_user_input(target).is_geographic
    return Features(spec, fields, values, geoms, declared, geographic)


def _reproject(geoms: Geoms, target: str) -> Geoms:
    """WGS84 geometries in `target`; CGCS2000 keeps the coordinates (they differ by cm)."""
    if target in ("wgs84", "cgcs2000"):
        return geoms
    shift: Callable[..., tuple[Any, Any]] = (
        SHIFTED[target]
        if target in SHIFTED
        else pyproj.Transformer.from_crs("EPSG:4326", target, always_xy=True).transform
    )

    def move(xy: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        x, y = shift(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    present = np.flatnonzero(pd.notna(geoms))
    out = geoms.copy()
    if len(present):
        out[present] = shapely.transform(geoms[present], move)
    return out


# -- writing ---------------------------------------------------------------------------------


def _writer(path: Path) -> Callable[[Features, Path], None]:
    writers: dict[str, Callable[[Features, Path], None]] = {
        ".geojson": _write_geojson,
        ".json": _write_geojson,
        ".gpkg": _write_gpkg,
        ".zip": _write_shapefile,
        ".csv": _write_csv,
        ".xlsx": _write_xlsx,
    }
    suffix = path.suffix.lower()
    if suffix not in writers:
        known = ", ".join(writers)
        raise InvalidInput(f"cannot export to {path.name}: unknown file type '{suffix}' ({known})")
    return writers[suffix]


@contextmanager
def _staged(path: Path) -> Iterator[Path]:
    """A file in a hidden folder beside `path`, moved onto `path` only if writing succeeds."""
    folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        staged = folder / path.name
        yield staged
        staged.replace(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _plain(value: Any) -> Any:
    """Times, dates and JSON as text every format keeps exactly; other values unchanged."""
    if isinstance(value, datetime):
        return value.astimezone(BEIJING).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _frame(features: Features, names: list[str]) -> gpd.GeoDataFrame:
    data: dict[str, Any] = {}
    for fld, name in zip(features.fields, names, strict=True):
        column = features.values[fld.name]
        dtype = VECTOR_DTYPES.get(fld.kind)
        data[name] = (
            pd.array(column, dtype=dtype)
            if dtype
            else pd.Series([_plain(v) for v in column], dtype=object)
        )
    geoms = features.geoms
    if geoms is None:  # a table without geometry is still written as a (null) geometry layer
        geoms = np.full(features.count, None, dtype=object)
    return gpd.GeoDataFrame(pd.DataFrame(data), geometry=list(geoms), crs=features.crs)


def _write_vector(
    features: Features, path: Path, driver: str, names: list[str], **options: Any
) -> None:
    kind = GEOMETRY_TYPES.get(features.spec.geometry or "GEOMETRY", "Unknown")
    options.setdefault("geometry_type", kind)
    with warnings.catch_warnings():
        # no CRS is intended for GCJ-02 / BD-09 (see the module docstring)
        warnings.filterwarnings("ignore", message="'crs' was not provided")
        pyogrio.write_dataframe(
            _frame(features, names), path, driver=driver, layer=features.spec.name,
            encoding="UTF-8", **options,
        )  # fmt: skip


def _write_geojson(features: Features, path: Path) -> None:
    _write_vector(features, path, "GeoJSON", [f.name for f in features.fields])


def _write_gpkg(features: Features, path: Path) -> None:
    _write_vector(features, path, "GPKG", [f.name for f in features.fields])


def _write_shapefile(features: Features, path: Path) -> None:
    """`<layer>.shp/.shx/.dbf/.prj/.cpg`, zipped; refuses what a Shapefile would lose."""
    _check_shapefile(features)
    folder = path.parent / "shapefile"
    folder.mkdir()
    names = [f.shp_name for f in features.fields]
    # one type per file: a mixed layer (key sites) was checked to hold a single kind
    options = {"geometry_type": None} if features.spec.geometry == "GEOMETRY" else {}
    shp = folder / f"{features.spec.name}.shp"
    _write_vector(features, shp, "ESRI Shapefile", names, **options)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(folder.iterdir()):
            archive.write(part, part.name)


def _check_shapefile(features: Features) -> None:
    spec = features.spec
    if features.geoms is None:
        raise InvalidInput(f"{spec.name} has no geometry: export it as .csv, .xlsx or .gpkg")
    kinds = {g.geom_type.removeprefix("Multi") for g in features.geoms if g is not None}
    if len(kinds) > 1:
        raise InvalidInput(
            f"a Shapefile holds one geometry type but {spec.name} has {', '.join(sorted(kinds))}: "
            "export it as .gpkg or .geojson"
        )
    for fld in features.fields:
        for number, value in enumerate(features.values[fld.name], start=1):
            text = _plain(value)
            if isinstance(text, str) and len(text.encode("utf-8")) > SHP_TEXT_BYTES:
                raise InvalidInput(
                    f"{fld.label or fld.name} of feature {number} is longer than the "
                    f"{SHP_TEXT_BYTES} bytes a Shapefile field holds: export as .gpkg instead"
                )


def _geometry_columns(features: Features) -> tuple[list[str], list[list[Any]]]:
    """Points as lon/lat (x/y when projected) columns; other geometries as WKT."""
    geoms = features.geoms
    if geoms is None:
        return [], []
    if features.spec.geometry == "POINT":
        x, y = shapely.get_x(geoms), shapely.get_y(geoms)
        xs = [None if np.isnan(v) else float(v) for v in x]
        ys = [None if np.isnan(v) else float(v) for v in y]
        return (["经度", "纬度"] if features.geographic else ["x", "y"]), [xs, ys]
    wkt = [None if g is None else shapely.to_wkt(g, rounding_precision=-1) for g in geoms]
    return ["wkt"], [wkt]


def _table_columns(features: Features) -> tuple[list[str], list[list[Any]]]:
    headers = [f.label or f.name for f in features.fields]
    columns = [features.values[f.name] for f in features.fields]
    geo_headers, geo_columns = _geometry_columns(features)
    return headers + geo_headers, columns + geo_columns


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES_NO[value]
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same double
    return str(_plain(value))


def _write_csv(features: Features, path: Path) -> None:
    headers, columns = _table_columns(features)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in zip(*columns, strict=True):
            writer.writerow([_csv_text(v) for v in row])


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """A cell that keeps the value exactly: text stays text (even '=…'), numbers in full."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value  # dates become Excel dates, whole days, exact
    if isinstance(value, bool):
        value = YES_NO[value]
    if isinstance(value, int | float):
        # openpyxl writes numbers with 16 significant digits; repr keeps all 17
        cell = WriteOnlyCell(sheet, value=repr(value))
        cell.data_type = "n"
        return cell
    text = str(_plain(value))
    if len(text) > XLSX_CELL_CHARS:
        raise InvalidInput(
            f"a value of {len(text)} characters does not fit an Excel cell "
            f"({XLSX_CELL_CHARS}): export as .csv or .gpkg"
        )
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # never a formula
    return cell


def _write_xlsx(features: Features, path: Path) -> None:
    headers, columns = _table_columns(features)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(features.spec.label)
    sheet.freeze_panes = "A2"
    sheet.append(headers)
    try:
        for row in zip(*columns, strict=True):
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    except IllegalCharacterError as exc:
        raise InvalidInput(
            f"a value holds control characters an XLSX file cannot store ({exc}): "
            "export as .csv or .gpkg"
        ) from exc
    book.save(path)
