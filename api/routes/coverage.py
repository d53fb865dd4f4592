"""Monthly visit coverage over JSON: figures per unit, enterprises, unvisited list, tours,
closing a month."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.routes.account import PrincipalDep
from geo.coverage import figures, months, route
from geo.coverage.figures import Row
from geo.errors import InvalidInput

router = APIRouter(prefix="/api/coverage", tags=["coverage"])

MonthQ = Annotated[str, Query(description="月份 YYYY-MM", examples=["2026-11"])]
CodeQ = Annotated[str | None, Query(description="社区/网格编码 (community / grid code)")]


def open_month(session: Session, text: str) -> tuple[date, bool]:
    """The month asked for, closed first when it has ended; and whether it is closed."""
    month = months.parse_month(text)
    if month >= months.current_month():
        return month, False  # the current and future months are open: nothing to look up
    before = months.is_closed(session, month)
    closed = months.ensure_closed(session, month)
    if closed and not before:
        session.commit()
    return month, closed


class UnitOut(BaseModel):
    level: str
    code: str
    name: str
    visited: int
    verified: int
    flagged: int
    total: int
    percent: float | None


class CoverageOut(BaseModel):
    month: str
    closed: bool
    level: str
    items: list[UnitOut]


@router.get("", response_model=CoverageOut)
def coverage(
    session: SessionDep, month: MonthQ, level: str = "grid", community: CodeQ = None,
    grid: CodeQ = None,
) -> JSONResponse:  # fmt: skip
    """Coverage of a month per park, community, grid, micro-grid or member (走访覆盖率)."""
    first, closed = open_month(session, month)
    found = figures.units(session, first, level, community=community, grid=grid)
    # CoverageOut's JSON built directly: 2,000 pydantic items and their re-validation as the
    # response model cost more than reading the figures (the model stays for the API docs)
    items = [{"level": u.level, "code": u.code, "name": u.name, "visited": u.visited,
              "verified": u.verified, "flagged": u.flagged, "total": u.total,
              "percent": u.percent} for u in found]  # fmt: skip
    body = {"month": months.month_name(first), "closed": closed, "level": level, "items": items}
    return JSONResponse(body)


def _rows(
    session: Session, month: str, grid: str | None, community: str | None, member: str | None
) -> tuple[date, list[Row]]:
    if not grid and not community:
        raise InvalidInput("请指定 grid 或 community (give grid=CODE or community=CODE)")
    first, _closed = open_month(session, month)
    return first, figures.rows(session, first, community=community, grid=grid, member=member)


def _last(row: Row) -> str | None:
    return row.last_visited_at.isoformat() if row.last_visited_at else None


@router.get("/enterprises")
def coverage_enterprises(
    session: SessionDep, month: MonthQ, grid: CodeQ = None, community: CodeQ = None,
    member: str | None = None,
) -> JSONResponse:  # fmt: skip
    """The unit's enterprises with their state in the month (GeoJSON FeatureCollection)."""
    first, found = _rows(session, month, grid, community, member)
    features = [
        {"type": "Feature", "id": r.uscc,
         "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
         "properties": {"uscc": r.uscc, "name": r.name, "grid_code": r.grid_code,
                        "microgrid_code": r.microgrid_code, "state": r.state,
                        "visits": r.visits, "last_visited_at": _last(r),
                        "days_since_last_visit": r.days_since(first)}}
        for r in found
    ]  # fmt: skip
    body = {"type": "FeatureCollection", "month": months.month_name(first), "features": features}
    return JSONResponse(body, media_type="application/geo+json")


def unvisited_items(first: date, found: list[Row]) -> list[dict[str, Any]]:
    """Unvisited enterprises, never visited first, then the longest ago."""
    left = [r for r in found if r.state == "unvisited"]
    left.sort(key=lambda r: (r.last_visited_at is not None, r.last_visited_at, r.uscc))
    return [
        {"uscc": r.uscc, "name": r.name, "grid_code": r.grid_code, "lon": r.lon, "lat": r.lat,
         "last_visited_at": _last(r), "days_since_last_visit": r.days_since(first)}
        for r in left
    ]  # fmt: skip


@router.get("/unvisited")
def coverage_unvisited(
    session: SessionDep, month: MonthQ, grid: CodeQ = None, community: CodeQ = None,
    member: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Enterprises not visited in the month, sorted by days since their last visit."""
    first, found = _rows(session, month, grid, community, member)
    return {"month": months.month_name(first), "items": unvisited_items(first, found)}


@router.get("/route")
def coverage_route(
    session: SessionDep, grid: str, month: MonthQ,
    start_lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    start_lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
) -> dict[str, Any]:  # fmt: skip
    """A suggested visiting order of the grid's unvisited enterprises along the roads."""
    if (start_lon is None) != (start_lat is None):
        raise InvalidInput("start_lon 与 start_lat 须同时给出 (give both or neither)")
    first, _closed = open_month(session, month)
    start = (start_lon, start_lat) if start_lon is not None and start_lat is not None else None
    tour = route.suggest(session, grid, first, start=start)
    return {
        "month": months.month_name(first),
        "order": [r.uscc for r in tour.stops],
        "stops": [{"uscc": r.uscc, "name": r.name, "lon": r.lon, "lat": r.lat} for r in tour.stops],
        "line": tour.line,
        "length_m": tour.length_m,
        "along_roads": tour.along_roads,
        "notes": tour.notes,
    }


@router.post("/{month}/close", status_code=201)
def close_month(month: str, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    """Close a month that has ended: its figures are frozen (409 when closed already)."""
    first = months.parse_month(month)
    months.close_month(session, first, by=principal.username)
    session.commit()
    return {"month": months.month_name(first), "closed": True}
