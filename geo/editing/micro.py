"""Micro-grid and enterprise edits: create, delete and reshape micro-grids; move a point."""

from __future__ import annotations

import shapely
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPoint, Point
from sqlalchemy import select

from geo.codes import next_code
from geo.editing.grids import EditRequest, target
from geo.editing.measure import PRECISION, local_for, polygonal
from geo.editing.store import (
    Tracker,
    live_microgrids,
    microgrid_by_code,
    require_versions,
    shape_of,
)
from geo.errors import InvalidGeometry, InvalidInput, NotFound
from geo.models import SRID, Enterprise, Grid, Microgrid
from geo.vocab import MICROGRID_KINDS


def _fit(t: Tracker, grid: Grid, shape: shapely.Geometry, *, skip: int | None) -> object:
    """`shape` clipped to `grid` and cut away where it overlaps the grid's other micro-grids."""
    own = shape_of(grid)
    local = local_for(own)
    clipped = polygonal(shapely.intersection(polygonal(shape), own, grid_size=PRECISION))
    others = [m for m in live_microgrids(t.session, [grid.id]) if m.id != skip]
    overlapped = [
        m for m in others if local.area_m2(shapely.intersection(clipped, shape_of(m))) >= 0.01
    ]
    if overlapped:
        rest = shapely.union_all([shape_of(m) for m in overlapped])
        clipped = polygonal(shapely.difference(clipped, rest, grid_size=PRECISION))
        t.notes.append(
            f"已裁去与微网格 {'、'.join(m.code for m in overlapped)} 重叠的部分 / clipped: the "
            f"parts overlapping micro-grid(s) {', '.join(m.code for m in overlapped)} were removed"
        )
    if clipped.is_empty or local.is_sliver(clipped):
        raise InvalidGeometry(
            f"微网格在网格 {grid.code} 内（除去其他微网格后）没有面积 / the micro-grid has no area "
            f"inside grid {grid.code} once the other micro-grids are cut away"
        )
    return clipped


def create_microgrid(t: Tracker, grids: list[Grid], req: EditRequest, snap_m: float) -> None:
    """A new micro-grid in a grid, clipped to it and to the room its siblings leave."""
    grid = target(grids, req.grid)
    require_versions([grid], req.versions)
    if req.kind not in MICROGRID_KINDS:
        raise InvalidInput(
            f"微网格类型须为 {', '.join(MICROGRID_KINDS)} / kind must be one of "
            f"{', '.join(MICROGRID_KINDS)}"
        )
    if not req.name:
        raise InvalidInput("请给出微网格名称 / give the micro-grid a name")
    shape = _fit(t, grid, req.shape(), skip=None)
    row = Microgrid(grid_id=grid.id, kind=req.kind, name=req.name[:200], valid_from=t.now,
                    code=next_code(t.session, "microgrid", grid.code), version=1,
                    geom=from_shape(shape, SRID))  # fmt: skip
    t.session.add(row)
    t.session.flush()
    t.created(row)


def delete_microgrid(t: Tracker, grids: list[Grid], req: EditRequest, snap_m: float) -> None:
    """Retire a micro-grid (its history stays)."""
    micro = microgrid_by_code(t.session, req.microgrid or "")
    require_versions([micro], req.versions)
    t.retire(micro)


def reshape_microgrid(t: Tracker, grids: list[Grid], req: EditRequest, snap_m: float) -> None:
    """Redraw a micro-grid inside its grid, clear of its siblings."""
    micro = microgrid_by_code(t.session, req.microgrid or "")
    require_versions([micro], req.versions)
    grid = next(g for g in grids if g.id == micro.grid_id)
    t.new_version(micro, _fit(t, grid, req.shape(), skip=micro.id))


def move_enterprise(t: Tracker, grids: list[Grid], req: EditRequest, snap_m: float) -> None:
    """Move an enterprise's point; it is re-assigned where it lands."""
    found = t.session.scalar(select(Enterprise).where(Enterprise.uscc == (req.uscc or "").upper()))
    if found is None:
        raise NotFound(f"企业 {req.uscc} 不存在 / enterprise {req.uscc} does not exist")
    point = req.shape()
    if not isinstance(point, Point):
        raise InvalidGeometry("企业位置须为点 / an enterprise's location must be a Point")
    old = to_shape(found.geom)
    found.geom = from_shape(Point(point.x, point.y), SRID)
    t.extra.append({"layer": "enterprise", "id": found.id, "code": found.uscc,
                    "before": {"lon": old.x, "lat": old.y},
                    "after": {"lon": point.x, "lat": point.y}})  # fmt: skip
    t.areas.append(MultiPoint([old, point]))
