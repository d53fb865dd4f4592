"""Who leaves and where they may go: enterprises in the hazard zone, shelters outside it,
each snapped to its nearest usable node of the road graph."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from geoalchemy2.shape import from_shape
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.evacuation.graph import Floats, RoadGraph
from geo.evacuation.network import Ints
from geo.models import Enterprise, Shelter

GONE = ("closed", "relocated")  # enterprises with nobody left on site
M2_PER_PERSON = 1.5  # GB 21734: shelter capacity from effective area when none is recorded


@dataclass(frozen=True)
class Places:
    """Rows (enterprises or shelters) with their count and nearest usable node."""

    ids: list[int]
    names: list[str]
    count: Ints  # people (enterprises) or places (shelters)
    lon: Floats
    lat: Floats
    node: Ints  # -1 when the graph has no usable node
    snap_m: Floats  # distance to that node


def evacuees(session: Session, graph: RoadGraph, *, zone: BaseGeometry, time_of_day: str) -> Places:
    """Enterprises in `zone` (still on site) with their day or night headcount."""
    heads = Enterprise.employees_night if time_of_day == "night" else Enterprise.employees_day
    zone_ = from_shape(zone, 4326)  # the literal side: the enterprise GiST index stays usable
    rows = session.execute(
        select(Enterprise.id, Enterprise.name, heads, func.ST_X(Enterprise.geom),
               func.ST_Y(Enterprise.geom))
        .where(func.ST_Intersects(Enterprise.geom, zone_), Enterprise.status.not_in(GONE),
               heads > 0)
        .order_by(Enterprise.id)
    ).all()  # fmt: skip
    return _places(graph, rows)


def shelters(
    session: Session, graph: RoadGraph, *, zone: BaseGeometry, area: BaseGeometry
) -> tuple[Places, list[int]]:
    """Usable shelters in `area` (outside `zone`, with room), and the ids of those inside it."""
    capacity = func.coalesce(
        Shelter.capacity, func.floor(func.coalesce(Shelter.effective_area_m2, 0) / M2_PER_PERSON)
    )
    inside = func.ST_Intersects(Shelter.geom, from_shape(zone, 4326))
    rows = session.execute(
        select(Shelter.id, Shelter.name, capacity, func.ST_X(Shelter.geom),
               func.ST_Y(Shelter.geom), inside)
        .where(func.ST_Intersects(Shelter.geom, from_shape(area, 4326)))
        .order_by(Shelter.id)
    ).all()  # fmt: skip
    unusable = [r[0] for r in rows if r[5]]
    usable = [r[:5] for r in rows if not r[5] and r[2] and r[2] > 0]
    return _places(graph, usable), unusable


def _places(graph: RoadGraph, rows: Sequence[Any]) -> Places:
    """Rows of (id, name, count, lon, lat) snapped to the graph."""
    lon = np.array([r[3] for r in rows], dtype=np.float64)
    lat = np.array([r[4] for r in rows], dtype=np.float64)
    node, dist = nearest_usable_node(graph, lon, lat)
    return Places(
        ids=[int(r[0]) for r in rows],
        names=[str(r[1]) for r in rows],
        count=np.array([int(r[2]) for r in rows], dtype=np.int64),
        lon=lon,
        lat=lat,
        node=node,
        snap_m=dist,
    )


def nearest_usable_node(graph: RoadGraph, lon: Floats, lat: Floats) -> tuple[Ints, Floats]:
    """Nearest node that still has a road (not cut off by the core), and its distance in m."""
    usable = np.nonzero(graph.degree() > 0)[0]
    if usable.size == 0 or lon.size == 0:
        return np.full(lon.size, -1, dtype=np.int64), np.full(lon.size, np.inf)
    # metres on a local equirectangular frame: exact enough to pick the nearest node nearby
    kx = 111_320.0 * math.cos(math.radians(float(np.mean(graph.node_lat[usable]))))
    ky = 110_574.0
    tree = cKDTree(np.column_stack([graph.node_lon[usable] * kx, graph.node_lat[usable] * ky]))
    dist, idx = tree.query(np.column_stack([lon * kx, lat * ky]))
    return usable[idx].astype(np.int64), np.asarray(dist, dtype=np.float64)
