"""Hand-made roads in metres around a test origin, for the evacuation tests."""

from __future__ import annotations

import math

from geoalchemy2.shape import from_shape
from shapely.geometry import LineString, Polygon, box

from geo.models import Road

LON0, LAT0 = 120.75, 31.30
KX, KY = 111_320 * math.cos(math.radians(LAT0)), 110_574.0


def lonlat(x: float, y: float) -> tuple[float, float]:
    """A point `x` m east and `y` m north of the test origin."""
    return LON0 + x / KX, LAT0 + y / KY


def square(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return box(*lonlat(x0, y0), *lonlat(x1, y1))


def add_roads(db, *lines, road_class="local", width=6.0, oneway=False) -> None:  # type: ignore[no-untyped-def]
    for i, pts in enumerate(lines):
        geom = LineString([lonlat(x, y) for x, y in pts])
        db.add(Road(code=f"T-{road_class}-{i}-{pts[0]}", road_class=road_class, lanes=2,
                    width_m=width, speed_kmh=36.0, oneway=oneway,
                    geom=from_shape(geom, 4326)))  # fmt: skip
    db.flush()
