"""Writing layers: GeoJSON (RFC 7946, one feature per line for diffable commits) and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

Properties = dict[str, Any]


def geometry(geom: BaseGeometry | None) -> dict[str, Any] | None:
    """A GeoJSON geometry, polygons wound counter-clockwise as RFC 7946 asks."""
    if geom is None:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = shapely.orient_polygons(geom)
    return dict(mapping(geom))


def wkt(geom: BaseGeometry) -> str:
    """WKT with the layers' 7 decimals."""
    return str(shapely.to_wkt(shapely.orient_polygons(geom), rounding_precision=7, trim=True))


def feature_line(properties: Properties, geom: BaseGeometry | None) -> str:
    """One compact GeoJSON Feature."""
    feature = {"type": "Feature", "properties": properties, "geometry": geometry(geom)}
    return json.dumps(feature, ensure_ascii=False, separators=(",", ":"))


def geojson_text(name: str, features: Iterable[tuple[Properties, BaseGeometry | None]]) -> str:
    """A FeatureCollection, one feature per line."""
    lines = [feature_line(p, g) for p, g in features]
    head = f'{{"type":"FeatureCollection","name":"{name}","features":[\n'
    return head + ",\n".join(lines) + "\n]}\n"


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with a header, '\\n' line ends, empty cells for None."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def write(folder: Path, files: dict[str, str]) -> dict[str, int]:
    """Write each file (UTF-8, no BOM); returns the byte size of each."""
    folder.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, text in files.items():
        data = text.encode("utf-8")
        (folder / name).write_bytes(data)
        sizes[name] = len(data)
    return sizes
