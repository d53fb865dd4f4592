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
class Places:
    """The live grids and micro-grids: ids (ascending), polygons and boundary bands."""

    grid_ids: Array
    grids: Array
    grid_rings: Array
    micro_ids: Array
    micros: Array
    micro_rings: Array


def load(session: Session) -> Places:
    grid_ids, grids = assign_compute.polygons(session, "grid")
    micro_ids, micros = assign_compute.polygons(session, "microgrid")
    return Places(
        grid_ids, grids, assign_compute.rings(grids),
        micro_ids, micros, assign_compute.rings(micros),
    )  # fmt: skip


def split(frame: pd.DataFrame, places: Places) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows decided here, with `grid_id` and `microgrid_id` (None: outside every one),
    and the rows PostGIS decides (the module's docstring says which)."""
    geoms = frame["geom"].to_numpy(dtype=object)
    xs, ys = shapely.get_x(geoms), shapely.get_y(geoms)
    order = np.argsort(xs, kind="stable")  # `cover` wants the points by x
    grid, micro = np.zeros(len(xs), dtype=np.int64), np.zeros(len(xs), dtype=np.int64)
    unsure = np.zeros(len(xs), dtype=bool)
    for ids, polygons, rings, out in (
        (places.grid_ids, places.grids, places.grid_rings, grid),
        (places.micro_ids, places.micros, places.micro_rings, micro),
    ):
        found, near = assign_compute.cover(xs[order], ys[order], polygons, ids, rings)
        out[order] = found
        unsure[order] |= near
    if "compound" in frame:  # a compound counts where no micro-grid covers the point
        unsure |= frame["compound"].notna().to_numpy() & (micro == 0)
    decided = frame[~unsure].reset_index(drop=True)
    decided["grid_id"] = _ids(grid[~unsure])
    decided["microgrid_id"] = _ids(micro[~unsure])
    return decided, frame[unsure].reset_index(drop=True)


def _ids(values: Array) -> pd.Series:
    return pd.Series([int(v) or None for v in values.tolist()], dtype=object)
