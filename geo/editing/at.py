"""Boundaries as they were at a moment (`?at=`): live rows valid then plus the kept history.

`versions_at` is the building block for every reader (JSON API here; vector tiles and OGC
items can select from it the same way): one row per grid or micro-grid that existed at the
moment, with the boundary it had then.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from geoalchemy2 import Geography
from sqlalchemy import Subquery, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session

from geo.catalog import GEOJSON_DIGITS, GridInfo, MicrogridInfo
from geo.errors import InvalidInput
from geo.models import SRID, BoundaryVersion, Community, Enterprise, Grid, Microgrid


def end_of_day(day: date, timezone: str = "Asia/Shanghai") -> datetime:
    """The last instant of `day` in `timezone`: `?at=DAY` shows the state when that day ended.

    >>> end_of_day(date(2026, 1, 1)).isoformat()
    '2026-01-01T23:59:59.999999+08:00'
    """
    start = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))
    return start - timedelta(microseconds=1)


def versions_at(layer: str, moment: datetime) -> Subquery:
    """Every `layer` ('grid' or 'microgrid') feature as it was at `moment`.

    Columns: id, code, name, kind, parent_id, version, valid_from, valid_to, geom. The current
    rows count when `valid_from <= moment < valid_to` (valid_to NULL: still live); older
    versions come from boundary_version with the same test on their interval.
    """
    if layer not in ("grid", "microgrid"):
        raise InvalidInput(
            f"只有网格和微网格有历史 / only grid and microgrid have history: {layer}"
        )
    model: Any = Grid if layer == "grid" else Microgrid
    parent = model.community_id if layer == "grid" else model.grid_id
    at = literal(moment)
    current = select(
        model.id, model.code, model.name, model.kind, parent.label("parent_id"), model.version,
        model.valid_from, model.valid_to, model.geom,
    ).where(model.valid_from <= at, or_(model.valid_to.is_(None), model.valid_to > at))  # fmt: skip
    b = BoundaryVersion
    kept = select(
        b.feature_id.label("id"), b.code, b.name, b.kind, b.parent_id, b.version, b.valid_from,
        b.valid_to, b.geom,
    ).where(b.layer == layer, b.valid_from <= at, b.valid_to > at)  # fmt: skip
    return union_all(current, kept).subquery(f"{layer}_at")


def _area(geom: Any) -> Any:
    return func.ST_Area(cast(geom, Geography(srid=SRID))).label("area_m2")


def _geojson(geom: Any, wanted: bool) -> Any:
    return (func.ST_AsGeoJSON(geom, GEOJSON_DIGITS) if wanted else null()).label("geometry")


def _enterprises_in(geom: Any) -> Any:
    # enterprises standing inside that boundary today (assignments are not versioned)
    return (
        select(func.count()).select_from(Enterprise).where(func.ST_Covers(geom, Enterprise.geom))
    ).scalar_subquery()


def grids_at(
    session: Session,
    moment: datetime,
    *,
    community: str | None = None,
    code: str | None = None,
    geometry: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[GridInfo], int]:
    """Grids as they were at `moment`, ordered by code, a page at a time."""
    g = versions_at("grid", moment)
    m = versions_at("microgrid", moment)
    micro_count = select(func.count()).select_from(m).where(m.c.parent_id == g.c.id)
    stmt = (
        select(
            g.c.code, g.c.name, g.c.kind, Community.code.label("community_code"), g.c.version,
            g.c.valid_from, g.c.valid_to, _area(g.c.geom),
            _enterprises_in(g.c.geom).label("enterprise_count"), _geojson(g.c.geom, geometry),
            micro_count.scalar_subquery().label("microgrid_count"),
        ).join(Community, Community.id == g.c.parent_id)
    )  # fmt: skip
    if community is not None:
        stmt = stmt.where(Community.code == community)
    if code is not None:
        stmt = stmt.where(g.c.code == code)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(g.c.code).limit(limit).offset(offset)).all()
    return [GridInfo(**_values(r)) for r in rows], int(total)


def microgrids_at(
    session: Session,
    moment: datetime,
    *,
    grid: str | None = None,
    code: str | None = None,
    geometry: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[MicrogridInfo], int]:
    """Micro-grids as they were at `moment`, ordered by code, a page at a time."""
    m = versions_at("microgrid", moment)
    stmt = (
        select(
            m.c.code, m.c.name, m.c.kind, Grid.code.label("grid_code"),
            Community.code.label("community_code"), m.c.version, m.c.valid_from, m.c.valid_to,
            _area(m.c.geom), _enterprises_in(m.c.geom).label("enterprise_count"),
            _geojson(m.c.geom, geometry),
        )
        .join(Grid, Grid.id == m.c.parent_id)
        .join(Community, Community.id == Grid.community_id)
    )  # fmt: skip
    if grid is not None:
        stmt = stmt.where(Grid.code == grid)
    if code is not None:
        stmt = stmt.where(m.c.code == code)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(m.c.code).limit(limit).offset(offset)).all()
    return [MicrogridInfo(**_values(r)) for r in rows], int(total)


def _values(row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    if values.get("geometry") is not None:
        values["geometry"] = json.loads(values["geometry"])
    values["area_m2"] = float(values["area_m2"])
    return values
