"""Coverage months: parsing, bounds in China Standard Time, and closing (freezing) a month.

A month is named `YYYY-MM` and held as its first day. Visits count in the calendar month of
their time in Asia/Shanghai (the trigger `gridmap_coverage_month` uses the same zone). Closing
stores the figures of every unit and the state of every enterprise with the places it has at
that moment; later visits or boundary edits no longer change them. A month closes on demand
(planners, admins, grid leaders) or on its first read after it ended.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geo.errors import Conflict, InvalidInput
from geo.models import CoverageMonth
from geo.sqlfiles import sql

ZONE = ZoneInfo("Asia/Shanghai")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> date:
    """The first day of the month named `YYYY-MM`.

    >>> parse_month("2026-11")
    datetime.date(2026, 11, 1)
    """
    found = _MONTH.match(text.strip())
    if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
        raise InvalidInput(f"月份格式应为 YYYY-MM，收到 {text!r} (month must be YYYY-MM)")
    return date(int(found[1]), int(found[2]), 1)


def month_name(month: date) -> str:
    """`YYYY-MM` of a month."""
    return f"{month:%Y-%m}"


def next_month(month: date) -> date:
    """The first day of the following month."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's first instant (China Standard Time)."""
    return (
        datetime.combine(month, datetime.min.time(), ZONE),
        datetime.combine(next_month(month), datetime.min.time(), ZONE),
    )


def current_month(now: datetime | None = None) -> date:
    """The month running now in China Standard Time."""
    today = (now or datetime.now(UTC)).astimezone(ZONE).date()
    return today.replace(day=1)


def is_closed(session: Session, month: date) -> bool:
    """Whether the month's figures are frozen."""
    return closed_at(session, month) is not None


def closed_at(session: Session, month: date) -> datetime | None:
    """When the month was closed, None while it is open."""
    found = session.get(CoverageMonth, month)
    return found.closed_at if found is not None else None


def close_month(session: Session, month: date, *, by: str | None, auto: bool = False) -> bool:
    """Freeze the month's figures; False when it was closed already (auto) or 409 (on demand).

    The current and future months cannot be closed (422)."""
    if month >= current_month():
        raise InvalidInput(
            f"{month_name(month)} 尚未结束，不能关闭 (only a month that has ended can be closed)"
        )
    done = session.execute(
        insert(CoverageMonth)
        .values(month=month, closed_by=by)
        .on_conflict_do_nothing()
        .returning(CoverageMonth.month)
    ).first()
    if done is None:
        if auto:
            return False
        raise Conflict(f"{month_name(month)} 已关闭 (month {month_name(month)} is closed already)")
    _freeze(session, month)
    return True


def ensure_closed(session: Session, month: date) -> bool:
    """Close a month that has ended on its first read; whether it is closed now."""
    if month >= current_month():
        return False
    if is_closed(session, month):
        return True
    close_month(session, month, by="auto", auto=True)
    return True


_CLOSE_UNITS = """INSERT INTO coverage_closed
    (month, level, code, name, parent_code, community_code, visited, verified, flagged, total)
SELECT CAST(:month AS date), CAST(:level AS text), u.code, u.name, u.parent_code,
       u.community_code, u.visited, u.verified, u.flagged, u.total
FROM ({body}
) AS u"""

_CLOSE_ROWS = """INSERT INTO coverage_closed_enterprise
    (month, enterprise_id, uscc, name, community_code, grid_code, microgrid_code, lon, lat, state,
     visits, last_visited_at)
SELECT CAST(:month AS date), r.id, r.uscc, r.name, r.community_code, r.grid_code,
       r.microgrid_code, r.lon, r.lat,
       CASE WHEN r.verified > 0 THEN 'verified' WHEN r.flagged > 0 THEN 'flagged'
            WHEN r.visits > 0 THEN 'visited' ELSE 'unvisited' END,
       r.visits, coalesce(r.last_visited_at, r.last_before)
FROM ({body}
) AS r"""  # the states of figures.state_of


def _freeze(session: Session, month: date) -> None:
    """Store the live figures of every level and every enterprise's state: one INSERT … SELECT
    from the live statements each (geo/sql/coverage_units, coverage_members, coverage_rows)."""
    from geo.coverage.figures import LEVELS

    params = {"month": month, "community": None, "grid": None}
    for level in LEVELS:
        body = sql("coverage_members" if level == "member" else "coverage_units").text
        session.execute(text(_CLOSE_UNITS.format(body=body)), {**params, "level": level})
    # every enterprise, in no particular order (the ORDER BY of a million rows is for readers)
    body = sql("coverage_rows").text.rstrip()
    order = body.rindex("\nORDER BY ")
    assert body[order:] == "\nORDER BY g.code, e.uscc", "coverage_rows.sql ends otherwise"
    body = body[:order]
    session.execute(
        text(_CLOSE_ROWS.format(body=body)), {**params, "members": None, "member_grids": None}
    )


def closed_months(session: Session) -> list[date]:
    """Closed months, newest first."""
    return list(session.scalars(select(CoverageMonth.month).order_by(CoverageMonth.month.desc())))
