"""Coverage figures of a month per unit (park, community, grid, micro-grid, member) and the
state of each enterprise, for open months from the trigger-kept tables and the enterprises'
current places, for closed months from the frozen tables.

An enterprise counts when it is operating (status `operating`) and lies in a live grid. It is
*visited* with at least one visit in the month (several count once), *verified* with at least
one verified visit, *flagged* when visited with no verified visit and at least one flagged one,
and in state `visited` when its visits had no location at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.coverage.memo import Memo, layer_token
from geo.coverage.months import closed_at, current_month, is_closed, month_bounds
from geo.errors import InvalidInput, NotFound
from geo.models import (
    CoverageClosedEnterprise,
    Staff,
    StaffAssignment,
    User,
    UserGrid,
)
from geo.sqlfiles import sql, sql_text

LEVELS = ("park", "community", "grid", "microgrid", "member")
STATES = ("verified", "flagged", "visited", "unvisited")


class Unit(NamedTuple):
    """One unit's figures in a month (a tuple: 2,000 grids are built in a fraction of the time
    of as many dataclass objects)."""

    level: str
    code: str
    name: str
    visited: int
    verified: int
    flagged: int
    total: int
    parent_code: str | None = None
    community_code: str | None = None

    @property
    def percent(self) -> float | None:
        """Visited ÷ total × 100, one decimal (None for a unit without enterprises)."""
        return round(100.0 * self.visited / self.total, 1) if self.total else None


@dataclass(frozen=True)
class Row:
    """One enterprise's coverage in a month."""

    id: int
    uscc: str
    name: str
    community_code: str
    grid_code: str
    microgrid_code: str | None
    lon: float
    lat: float
    state: str
    visits: int
    last_visited_at: datetime | None
    address: str | None = None

    def days_since(self, month: date) -> int | None:
        """Whole days from the last visit to now, or to the month's end for a past month."""
        if self.last_visited_at is None:
            return None
        end = min(datetime.now(UTC), month_bounds(month)[1])
        return max(0, (end - self.last_visited_at).days)


@dataclass(frozen=True)
class Member:
    """A member's visit keys (see coverage_member_month) and grid ids."""

    keys: list[str]
    grid_ids: list[int]


def state_of(visits: int, verified: int, flagged: int) -> str:
    """The state of an enterprise from its month's visit counts.

    >>> state_of(2, 0, 1), state_of(1, 0, 0), state_of(0, 0, 0)
    ('flagged', 'visited', 'unvisited')
    """
    if verified:
        return "verified"
    if flagged:
        return "flagged"
    return "visited" if visits else "unvisited"


def _check_level(level: str, community: str | None = None, grid: str | None = None) -> None:
    """A known level, and no filter finer than it: a park's or a community's figures are
    frozen whole when the month closes, so they cannot be cut down to a part afterwards."""
    if level not in LEVELS:
        raise InvalidInput(f"未知层级 {level!r}，应为 {'/'.join(LEVELS)} (unknown level)")
    if level == "park" and (community or grid):
        raise InvalidInput(
            "园区层级不能按社区或网格筛选，请用 level=community 或 level=grid "
            "(level=park takes no community or grid filter)"
        )
    if level == "community" and grid:
        raise InvalidInput(
            "社区层级不能按网格筛选，请用 level=grid (level=community takes no grid filter)"
        )


def live_units(
    session: Session, month: date, level: str, *, community: str | None = None,
    grid: str | None = None,
) -> list[Unit]:  # fmt: skip
    """Figures of an open month from the current places of the enterprises."""
    _check_level(level, community, grid)
    if level == "grid":
        return live_grids(session, month, community=community, grid=grid)
    params = {"month": month, "level": level, "community": community, "grid": grid}
    statement = sql("coverage_members" if level == "member" else "coverage_units")
    # positional: the statements' columns are code, name, parent_code, community_code, visited,
    # verified, flagged, total (a mapping per row costs more than the query for 2,000 grids)
    return [
        Unit(level, code, name, visited, verified, flagged, total, parent, community)
        for code, name, parent, community, visited, verified, flagged, total in session.execute(
            statement, params
        )
    ]


def live_grids(
    session: Session, month: date, *, community: str | None = None, grid: str | None = None
) -> list[Unit]:
    """Figures of an open month per grid from the kept per-grid rows (geo/sql/coverage_grids)."""
    found = _fetch(
        session, "coverage_grids", {"month": month, "community": community, "grid": grid}
    )
    return [
        Unit("grid", code, name, visited, verified, flagged, total, parent, parent)
        for code, name, parent, visited, verified, flagged, total in found
    ]


def _fetch(session: Session, name: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of statement `name` sorted by their first column (a code), read through the
    DB-API cursor: for ~2,000 rows a third of what SQLAlchemy's rows cost. Codes are digits or
    user names; Python's order of str is the bytewise one of their UTF-8, like COLLATE "C"."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql_text(name), params)
        return sorted(cursor.fetchall(), key=lambda row: row[0])
    finally:
        cursor.close()


def live_rows(
    session: Session, month: date, *, community: str | None = None, grid: str | None = None,
    member: Member | None = None,
) -> list[Row]:  # fmt: skip
    """Per-enterprise coverage of an open month (only a member's visits when given)."""
    params: dict[str, Any] = {
        "month": month, "community": community, "grid": grid,
        "members": member.keys if member else None,
        "member_grids": member.grid_ids if member else None,
    }  # fmt: skip
    rows = []
    for r in session.execute(sql("coverage_rows"), params).mappings():
        state = state_of(r["visits"], r["verified"], r["flagged"])
        rows.append(
            Row(
                id=r["id"], uscc=r["uscc"], name=r["name"], address=r["address"],
                community_code=r["community_code"], grid_code=r["grid_code"],
                microgrid_code=r["microgrid_code"], lon=r["lon"], lat=r["lat"], state=state,
                visits=int(r["visits"]), last_visited_at=r["last_visited_at"] or r["last_before"],
            )
        )  # fmt: skip
    return rows


# a month's units per level and filter, keyed by their sources' versions (geo.coverage.memo)
UNITS = Memo(64)


def units(
    session: Session, month: date, level: str, *, community: str | None = None,
    grid: str | None = None,
) -> list[Unit]:  # fmt: skip
    """Figures of a month: frozen when it is closed, else live; repeated reads from memory."""
    _check_level(level, community, grid)
    # the current and future months are open: no lookup of their closing
    frozen = None if month >= current_month() else closed_at(session, month)
    if frozen is None and level == "member":
        return live_units(session, month, level, community=community, grid=grid)
    token = ("closed", frozen) if frozen is not None else ("open", layer_token(session))

    def compute() -> tuple[Unit, ...]:
        if frozen is None:
            return tuple(live_units(session, month, level, community=community, grid=grid))
        return tuple(closed_units(session, month, level, community=community, grid=grid))

    return list(UNITS.get((month, level, community, grid, token), compute))


def closed_units(
    session: Session, month: date, level: str, *, community: str | None = None,
    grid: str | None = None,
) -> list[Unit]:  # fmt: skip
    """The frozen figures of a closed month."""
    _check_level(level, community, grid)
    params = {
        "month": month, "level": level, "community": community or None,
        "parent": grid if grid and level in ("microgrid", "member") else None,
        "code": grid if grid and level == "grid" else None,
    }  # fmt: skip
    return [Unit(level, *row) for row in _fetch(session, "coverage_closed_units", params)]


def rows(
    session: Session, month: date, *, community: str | None = None, grid: str | None = None,
    member: str | None = None,
) -> list[Row]:  # fmt: skip
    """Per-enterprise coverage of a month (frozen when closed); `member` by username or staff no.

    Without `community` or `grid`: every enterprise (reports)."""
    who = find_member(session, member, month) if member else None
    if who is not None or not is_closed(session, month):
        return live_rows(session, month, community=community, grid=grid, member=who)
    query = select(CoverageClosedEnterprise).where(CoverageClosedEnterprise.month == month)
    if community:
        query = query.where(CoverageClosedEnterprise.community_code == community)
    if grid:
        query = query.where(CoverageClosedEnterprise.grid_code == grid)
    return [
        Row(id=c.enterprise_id, uscc=c.uscc, name=c.name, community_code=c.community_code,
            grid_code=c.grid_code, microgrid_code=c.microgrid_code, lon=c.lon, lat=c.lat,
            state=c.state, visits=c.visits, last_visited_at=c.last_visited_at)
        for c in session.scalars(query.order_by(CoverageClosedEnterprise.grid_code,
                                                CoverageClosedEnterprise.uscc))
    ]  # fmt: skip


def find_member(session: Session, code: str, month: date) -> Member:
    """A member by account name, else by staff number: its visit keys and grids."""
    user = session.scalar(select(User).where(User.username == code))
    if user is not None:
        keys = [f"u:{user.id}"] + ([f"s:{user.staff_id}"] if user.staff_id else [])
        grids = session.scalars(select(UserGrid.grid_id).where(UserGrid.user_id == user.id))
        return Member(keys, list(grids))
    staff = session.scalar(select(Staff).where(Staff.staff_no == code))
    if staff is None:
        raise NotFound(f"没有账号或工号为 {code} 的网格人员 (no member {code})")
    start, end = month_bounds(month)
    grids = session.scalars(
        select(StaffAssignment.grid_id).where(
            StaffAssignment.staff_id == staff.id,
            StaffAssignment.since < end.date(),
            (StaffAssignment.until.is_(None)) | (StaffAssignment.until >= start.date()),
        )
    )
    return Member([f"s:{staff.id}"], sorted(set(grids)))
