"""The park › community › grid › micro-grid hierarchy: extents and outlines for maps."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.models import Park


@dataclass(frozen=True)
class ParkOutline:
    """The parks as a GeoJSON FeatureCollection, with their joint bounds (lon/lat)."""

    features: dict[str, Any]
    bounds: tuple[float, float, float, float] | None


def park_outline(session: Session) -> ParkOutline:
    """Every park's boundary and the extent around all of them."""
    rows = session.execute(
        select(Park.code, Park.name, func.ST_AsGeoJSON(Park.geom, 7)).order_by(Park.code)
    ).all()
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": json.loads(geometry),
        }
        for code, name, geometry in rows
    ]
    extent = session.execute(
        select(
            func.ST_XMin(func.ST_Extent(Park.geom)),
            func.ST_YMin(func.ST_Extent(Park.geom)),
            func.ST_XMax(func.ST_Extent(Park.geom)),
            func.ST_YMax(func.ST_Extent(Park.geom)),
        )
    ).one()
    bounds = None if extent[0] is None else (extent[0], extent[1], extent[2], extent[3])
    return ParkOutline({"type": "FeatureCollection", "features": features}, bounds)
