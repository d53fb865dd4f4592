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

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geo.errors import Conflict, InvalidInput
from geo.models import CoverageClosed, CoverageClosedEnterprise, CoverageMonth

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
    return session.get(CoverageMonth, month) is not None


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


def _freeze(session: Session, month: date) -> None:
    from geo.coverage.figures import LEVELS, live_rows, live_units

    for level in LEVELS:
        for unit in live_units(session, month, level):
            session.add(
                CoverageClosed(
                    month=month, level=level, code=unit.code, name=unit.name,
                    parent_code=unit.parent_code, community_code=unit.community_code,
                    visited=unit.visited, verified=unit.verified, flagged=unit.flagged,
                    total=unit.total,
                )
            )  # fmt: skip
    for row in live_rows(session, month):
        session.add(
            CoverageClosedEnterprise(
                month=month, enterprise_id=row.id, uscc=row.uscc, name=row.name,
                community_code=row.community_code, grid_code=row.grid_code,
                microgrid_code=row.microgrid_code, lon=row.lon, lat=row.lat, state=row.state,
                visits=row.visits, last_visited_at=row.last_visited_at,
            )
        )  # fmt: skip
    session.flush()


def closed_months(session: Session) -> list[date]:
    """Closed months, newest first."""
    return list(session.scalars(select(CoverageMonth.month).order_by(CoverageMonth.month.desc())))
