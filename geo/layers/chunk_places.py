"""The grids and micro-grids of a big first load's enterprises, decided in Python per chunk.

The same computation as the full assignment pass (geo/assign_compute.py, DESIGN §4): the live
grids and micro-grids are read once, and each chunk's points are matched against them with
shapely, the smallest id winning. What shapely and PostGIS might decide differently is left
to PostGIS: a point within `NEAR_DEG` of a boundary (unless it is one of the polygon's
vertices) and an enterprise whose compound must be looked at (no micro-grid covers its
point) go through the staging table and the SQL rule (assign_rule_places.sql), the others
are COPYed straight into the table with their grid and micro-grid. So the rows end up exactly
as the per-row rule would place them, without a probe of the polygon indexes per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely
from sqlalchemy.orm import Session

from geo import assign_compute

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Layer:
    """Live polygons of one table: ids (ascending), polygons, their boundary bands
    (`assign_compute.rings`) and a tree of the bands' boxes (which hold the polygons')."""

    ids: Array
    polygons: Array
    rings: Array
    tree: shapely.STRtree


@dataclass(frozen=True)
class Places:
    """The live grids and micro-grids, read once per load (`load`)."""

    grids: Layer
    micros: Layer


def load(session: Session) -> Places:
    layers = []
    for table in ("grid", "microgrid"):
        ids, polygons = assign_compute.polygons(session, table)
        rings = assign_compute.rings(polygons)
        layers.append(Layer(ids, polygons, rings, shapely.STRtree(rings)))
    return Places(*layers)


def split(frame: pd.DataFrame, places: Places) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows decided here, with `grid_id` and `microgrid_id` (None: outside every one),
    and the rows PostGIS decides (the module's docstring says which)."""
    geoms = frame["geom"].to_numpy(dtype=object)
    grid, near = cover(geoms, places.grids)
    micro, near_micro = cover(geoms, places.micros)
    unsure = near | near_micro
    if "compound" in frame:  # a compound counts where no micro-grid covers the point
        unsure |= frame["compound"].notna().to_numpy() & (micro == 0)
    decided = frame[~unsure].reset_index(drop=True)
    decided["grid_id"] = _ids(grid[~unsure])
    decided["microgrid_id"] = _ids(micro[~unsure])
    return decided, frame[unsure].reset_index(drop=True)


def cover(points: Array, layer: Layer) -> tuple[Array, Array]:
    """`assign_compute.cover` for a chunk: per point, the smallest id of the polygons covering
    it (0: none), and whether PostGIS must decide (within NEAR_DEG of a polygon's boundary
    without being one of its vertices). The candidates come from the tree, so the cost follows
    the points, not the number of polygons (a park may have tens of thousands)."""
    best = np.zeros(len(points), dtype=np.int64)
    unsure = np.zeros(len(points), dtype=bool)
    point, k = layer.tree.query(points)  # the pairs whose boxes meet
    if not len(point):
        return best, unsure
    xs, ys = shapely.get_x(points[point]), shapely.get_y(points[point])
    inside = shapely.contains_xy(layer.polygons[k], xs, ys)
    near = shapely.intersects_xy(layer.rings[k], xs, ys)
    for j in np.flatnonzero(near):  # few: on a boundary only a vertex is sure
        corners = shapely.get_coordinates(layer.polygons[k[j]]) @ [1, 1j]
        inside[j] = bool(np.isin(xs[j] + 1j * ys[j], corners))
        unsure[point[j]] |= not inside[j]
    # the smallest id per point among the polygons covering it
    point, ids = point[inside], layer.ids[k[inside]]
    order = np.lexsort((ids, point))
    point, ids = point[order], ids[order]
    first = np.ones(len(point), dtype=bool)
    first[1:] = point[1:] != point[:-1]
    best[point[first]] = ids[first]
    return best, unsure


def _ids(values: Array) -> pd.Series:
    return pd.Series([int(v) or None for v in values.tolist()], dtype=object)
