"""Geometries of an import: from coordinates or WKT, the source CRS, conversion to WGS84,
and the checks (type, range, validity) with unambiguous repairs reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo import crs as chinese_crs
from geo.errors import InvalidInput
from geo.layers.columns import as_text, normalise_header, parse_numbers, texts
from geo.layers.readers import Source
from geo.layers.report import ImportReport, both
from geo.layers.spec import LAT_HEADERS, LON_HEADERS, WKT_HEADERS, LayerSpec

Geoms = np.ndarray[Any, Any]
GEOGRAPHIC = {"wgs84", "cgcs2000", "gcj02", "bd09"}
RING = re.compile(r"\(([^()]+)\)")
ALLOWED = {
    "POINT": {"Point"},
    "LINESTRING": {"LineString"},
    "MULTIPOLYGON": {"MultiPolygon"},
    "GEOMETRY": {"Point", "Polygon", "MultiPolygon"},
}


@dataclass
class Located:
    """WGS84 geometries of the rows (None where absent), with the source coordinates."""

    geoms: Geoms
    source_crs: str
    raw_x: np.ndarray[Any, Any] | None = None
    raw_y: np.ndarray[Any, Any] | None = None


def _find(headers: list[str], names: tuple[str, ...]) -> str | None:
    wanted = {normalise_header(n) for n in names}
    return next((h for h in headers if normalise_header(h) in wanted), None)


def _numbers(column: pd.Series) -> np.ndarray[Any, Any]:
    return parse_numbers(column)[0]


def _close_rings(wkt: str) -> str:
    """Close polygon rings whose last point differs from the first (an unambiguous repair)."""

    def close(match: re.Match[str]) -> str:
        points = [p.strip() for p in match.group(1).split(",")]
        if len(points) >= 3 and points[0] != points[-1]:
            points.append(points[0])
        return "(" + ", ".join(points) + ")"

    return RING.sub(close, wkt)


def parse_wkt(
    column: pd.Series, report: ImportReport, rows: np.ndarray[Any, Any], label: str = "geometry"
) -> Geoms:
    """Geometries from WKT text; unclosed polygon rings are closed (and reported)."""
    out = np.empty(len(column), dtype=object)
    for i, value in enumerate(column.tolist()):
        text = as_text(value)
        if text is None:
            continue
        try:
            out[i] = shapely.from_wkt(text)
        except shapely.errors.GEOSException as exc:
            closed = _close_rings(text) if "POLYGON" in text.upper() else text
            try:
                out[i] = shapely.from_wkt(closed)
                report.repaired(
                    int(rows[i]),
                    both(
                        f"{_zh(label)}：未闭合的多边形环已闭合",
                        f"{label}: unclosed polygon ring closed",
                    ),
                )
            except shapely.errors.GEOSException:
                report.reject(
                    int(rows[i]),
                    both(
                        f"{_zh(label)}：WKT 无法读取（{exc}）", f"{label}: unreadable WKT ({exc})"
                    ),
                )
    return out


PLAIN = b"0123456789+-.\n"  # the characters of a plain decimal number (and the separator)


def _lon_lat(source: Source) -> tuple[str, str] | None:
    """The file's longitude and latitude headers, if it has both."""
    headers = [str(h) for h in source.frame.columns]
    lon, lat = _find(headers, LON_HEADERS), _find(headers, LAT_HEADERS)
    return (lon, lat) if lon and lat else None


def coordinate_texts(source: Source) -> tuple[list[str | None], list[str | None]] | None:
    """The longitude and latitude cells as the file writes them, when they are plain decimals
    (digits, sign, point: no exponent, no words). A plain decimal that pandas read as a number
    is one PostgreSQL reads as the same double (both round to the nearest), so the raw
    coordinates are kept exactly as written and need not be printed again (~1 µs a number).
    None for anything else (geometries, WKT, other notations): the raw coordinates are then
    the parsed numbers."""
    columns = _lon_lat(source)
    if source.geometry is not None or columns is None:
        return None
    found = []
    for header in columns:
        cells = texts(source.frame[header])
        joined = "\n".join(c for c in cells if c is not None)
        if not joined.isascii() or joined.encode("ascii").translate(None, PLAIN):
            return None
        found.append(cells)
    return found[0], found[1]


def raw_geometries(spec: LayerSpec, source: Source, report: ImportReport) -> Geoms | None:
    """Geometries as in the file: vector geometries, lon/lat points, or a WKT column."""
    if source.geometry is not None:
        return source.geometry
    columns = _lon_lat(source)
    if columns:
        lon, lat = columns
        xs, ys = _numbers(source.frame[lon]), _numbers(source.frame[lat])
        for i in np.flatnonzero(~(np.isfinite(xs) & np.isfinite(ys))):
            if as_text(source.frame[lon].iloc[i]) or as_text(source.frame[lat].iloc[i]):
                report.reject(
                    int(source.rows[i]),
                    both(f"{lon}/{lat}：坐标不是数字", f"{lon}/{lat}: coordinates are not numbers"),
                )
        points = shapely.points(xs, ys)
        points[~(np.isfinite(xs) & np.isfinite(ys))] = None
        return np.asarray(points, dtype=object)
    wkt = _find([str(h) for h in source.frame.columns], WKT_HEADERS)
    if wkt:
        return parse_wkt(source.frame[wkt], report, source.rows)
    if spec.geometry is None or not spec.geometry_required:
        return None
    raise InvalidInput(
        both(
            "未找到坐标：文件需要经度/纬度列（经度/纬度、lon/lat）或 WKT 列（wkt/geometry）",
            "no coordinates found: the file needs longitude/latitude columns (经度/纬度, lon/lat) "
            "or a WKT column (wkt/geometry)",
        )
    )


def _declared(crs: str) -> str:
    try:
        epsg = pyproj.CRS.from_user_input(crs).to_epsg(min_confidence=70)
    except pyproj.exceptions.CRSError:
        epsg = None
    if epsg is None:
        raise InvalidInput(
            both(
                f"文件的坐标系不是 EPSG 坐标系（{crs[:60]}…），请指定坐标系（--crs）",
                f"the file's CRS is not an EPSG system ({crs[:60]}…): state --crs",
            )
        )
    return chinese_crs.parse_crs(f"EPSG:{epsg}")


def source_crs(stated: str | None, source: Source, geoms: Geoms, report: ImportReport) -> str:
    """The stated CRS, else the file's, else detected from the coordinates."""
    if stated:
        parsed = chinese_crs.parse_crs(stated)
        if source.crs and _declared(source.crs) != parsed:
            report.notes.append(
                f"文件声明的坐标系为 {source.crs}，已按所选 {stated} 处理 / file declares "
                f"{source.crs}; --crs {stated} used instead"
            )
        return parsed
    if source.crs:
        return _declared(source.crs)
    return _detect(geoms, report)


def _detect(geoms: Geoms, report: ImportReport) -> str:
    """Guess the CRS from the typical coordinate (a few bad rows must not sway it)."""
    present = geoms[pd.notna(geoms)]
    if len(present) == 0:
        return "wgs84"
    reps = shapely.point_on_surface(present)
    x, y = float(np.nanmedian(shapely.get_x(reps))), float(np.nanmedian(shapely.get_y(reps)))
    if abs(x) <= 180 and abs(y) <= 90:
        report.notes.append(
            "未指定坐标系，按 WGS84 处理；高德、腾讯坐标请选 GCJ-02（--crs gcj02），百度坐标请选 "
            "BD-09（--crs bd09） / CRS not stated: WGS84 assumed (--crs gcj02 for AMap/Tencent, "
            "--crs bd09 for Baidu coordinates)"
        )
        return "wgs84"
    zone = int(x // 1_000_000)
    if 25 <= zone <= 45:
        # CGCS2000 3-degree Gauss-Kruger with the zone number in front of the easting
        report.notes.append(
            f"未指定坐标系，识别为 CGCS2000 3° 高斯-克吕格第 {zone} 带 / CRS not stated: "
            f"CGCS2000 3° Gauss-Krüger zone {zone} detected"
        )
        return f"EPSG:{4488 + zone}"
    raise InvalidInput(
        both(
            "坐标是投影坐标且坐标系未知，请指定 EPSG 代码（--crs EPSG:<代码>）",
            "coordinates are projected and the CRS is unknown: state --crs EPSG:<code>",
        )
    )


def _range_problems(lon: Any, lat: Any, crs: str) -> str | None:
    if not (np.isfinite(lon) and np.isfinite(lat)):
        return both("几何图形：坐标无法转换", "geometry: coordinates could not be converted")
    if 90 < abs(lat) <= 180:
        return both(
            f"几何图形：纬度 {lat:g} 超出范围，经度和纬度列是否颠倒？",
            f"geometry: latitude {lat:g} out of range: longitude and latitude columns swapped?",
        )
    if abs(lon) > 180 or abs(lat) > 90:
        return both(
            f"几何图形：坐标 ({lon:g}, {lat:g}) 超出 {crs} 的范围",
            f"geometry: coordinates ({lon:g}, {lat:g}) out of range for {crs}",
        )
    return None


def _representative(geoms: Geoms) -> Geoms:
    """A point on each geometry; points are their own (point_on_surface copies every one)."""
    if not len(geoms):
        return np.array([])
    if (shapely.get_type_id(geoms) == 0).all():
        return geoms
    reps: Geoms = shapely.point_on_surface(geoms)
    return reps


def locate(geoms: Geoms, crs: str, rows: Any, report: ImportReport) -> Located:
    """Convert to WGS84; reject rows out of range, and GCJ-02/BD-09 rows outside China."""
    out = geoms.copy()
    present = np.flatnonzero(pd.notna(out))
    reps = _representative(out[present])
    x0, y0 = shapely.get_x(reps), shapely.get_y(reps)
    if crs in GEOGRAPHIC:
        suspect = ~(np.isfinite(x0) & np.isfinite(y0) & (np.abs(x0) <= 180) & (np.abs(y0) <= 90))
        for j in np.flatnonzero(suspect):  # words only for the few bad rows
            reason = _range_problems(x0[j], y0[j], crs)
            if reason:
                report.reject(int(rows[present[j]]), reason)
                out[present[j]] = None
        if crs in ("gcj02", "bd09"):
            outside = ~chinese_crs.in_china(x0, y0)
            for i in present[outside]:
                if out[i] is not None:
                    report.reject(
                        int(rows[i]),
                        both(f"几何图形：{crs} 坐标位于中国境外",
                             f"geometry: {crs} coordinates lie outside China"),
                    )  # fmt: skip
                    out[i] = None
    keep = np.flatnonzero(pd.notna(out))

    def to_wgs(xy: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        lon, lat = chinese_crs.to_wgs84(xy[:, 0], xy[:, 1], crs)
        return np.column_stack([lon, lat])

    if crs != "wgs84" and len(keep):
        out[keep] = shapely.transform(out[keep], to_wgs)
    raw_x = np.full(len(out), np.nan)
    raw_y = np.full(len(out), np.nan)
    if len(present):
        raw_x[present], raw_y[present] = x0, y0
    return Located(out, crs, raw_x, raw_y)


def _coerce(geom: BaseGeometry, wanted: str) -> tuple[BaseGeometry | None, str | None]:
    """The geometry in the layer's type, or None with the reason."""
    kind = geom.geom_type
    if kind in ALLOWED.get(wanted, set()):
        return geom, None
    if wanted == "MULTIPOLYGON" and kind == "Polygon":
        return shapely.multipolygons([geom]), None
    if wanted in ("POINT", "GEOMETRY") and kind == "MultiPoint" and len(geom.geoms) == 1:
        return geom.geoms[0], None
    if wanted == "LINESTRING" and kind == "MultiLineString":
        merged = shapely.line_merge(geom)
        if merged.geom_type == "LineString":
            return merged, None
    expected = {"GEOMETRY": "Point or Polygon"}.get(wanted, wanted.title())
    return None, f"wrong geometry type {kind} for this layer (needs {expected})"


def _repair(geom: BaseGeometry, wanted: str) -> tuple[BaseGeometry | None, str]:
    """make_valid, accepted only when it keeps the area as drawn (GEOS sums signed rings).

    A spike or a repeated vertex keeps its area and is repaired; a bow-tie's lobes cancel
    as drawn, so its repair would invent area: that one is refused.
    """
    reason = shapely.is_valid_reason(geom)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None, f"invalid geometry: {reason}"
    fixed = shapely.make_valid(geom)
    if fixed.geom_type == "GeometryCollection":
        fixed = shapely.union_all([g for g in fixed.geoms if g.geom_type.endswith("Polygon")])
    if fixed.is_empty or not fixed.geom_type.endswith("Polygon"):
        return None, f"invalid geometry: {reason}"
    drawn = geom.area
    if abs(fixed.area - drawn) > 1e-9 * max(drawn, 1e-12):
        return None, f"invalid geometry that cannot be repaired unambiguously: {reason}"
    coerced, problem = _coerce(fixed, wanted)
    return coerced, problem or f"repaired: {reason}"


TYPE_IDS = {"Point": 0, "LineString": 1, "Polygon": 3, "MultiPolygon": 6}


def _zh(label: str) -> str:
    """The geometry's label in Chinese (a WKT field's own label is Chinese already)."""
    return "几何图形" if label == "geometry" else label


def _zh_problem(problem: str) -> str:
    """The Chinese of `_coerce`'s and `_repair`'s reasons (GEOS's own words stay English)."""
    if problem.startswith("wrong geometry type"):
        return "几何类型不符合此图层"
    if "cannot be repaired" in problem:
        return "几何图形无效，且无法明确修复"
    return "几何图形无效"


def _type_ids(wanted: str) -> list[int]:
    return [TYPE_IDS[name] for name in ALLOWED.get(wanted, set())]


def check_shapes(
    wanted: str, located: Located, rows: Any, report: ImportReport, label: str = "geometry"
) -> Geoms:
    """Type and validity checks; unambiguous repairs are applied and reported.

    Vectorised: rows of the right type that are valid pass untouched; only the others are
    looked at one by one.
    """
    out = located.geoms
    absent = pd.isna(out)
    out[absent] = None
    present = np.flatnonzero(~absent)
    geoms = out[present]
    good_type = np.isin(shapely.get_type_id(geoms), _type_ids(wanted))
    fine = good_type & ~shapely.is_empty(geoms) & shapely.is_valid(geoms)
    for i in present[~fine]:
        geom = out[i]
        if geom.is_empty:
            report.reject(int(rows[i]), both(f"{_zh(label)}：为空", f"{label}: empty"))
            out[i] = None
            continue
        coerced, problem = _coerce(geom, wanted)
        if coerced is not None and not coerced.is_valid:
            coerced, problem = _repair(coerced, wanted)
            if coerced is not None:
                report.repaired(int(rows[i]), both(f"{_zh(label)}：已修复", f"{label} {problem}"))
                problem = None
        if problem:
            report.reject(
                int(rows[i]), both(f"{_zh(label)}：{_zh_problem(problem)}", f"{label}: {problem}")
            )
        out[i] = coerced
    return out
