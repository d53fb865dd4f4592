"""Field work (S7.1, S7.2): recording visits to enterprises and reporting their problems.

Grid members and grid leaders write only for enterprises of their own grids (DESIGN §7). The
check is made here, with a clear message, and again by the database trigger
`gridmap_fieldwork_scope` for any other write path.

A visit with a location is *verified* when the point lies in the enterprise's compound or
within `verify_m` (setting GRIDMAP_VISIT_VERIFY_METRES, default 100 m) of its point,
*flagged* otherwise; without a location it is kept as `no_location` (DESIGN §5).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Float, func, null, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo.errors import Conflict, Forbidden, InvalidInput, NotFound
from geo.models import Enterprise, Problem, Visit
from geo.vocab import HANDLER_LEVELS, PROBLEM_CATEGORIES

VERIFY_METRES = 100.0


@dataclass(frozen=True)
class Where:
    """A WGS84 point, as a phone's geolocation gives it."""

    lon: float
    lat: float

    def __post_init__(self) -> None:
        if not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise InvalidInput(
                f"坐标超出范围：经度 {self.lon}，纬度 {self.lat} (coordinates out of range)"
            )


def _enterprise(session: Session, uscc: str, scope: frozenset[int] | None) -> Enterprise:
    enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if enterprise is None:
        raise NotFound(f"没有统一社会信用代码为 {uscc} 的企业 (no enterprise {uscc})")
    if scope is not None and enterprise.grid_id not in scope:
        raise Forbidden(
            f"企业 {enterprise.name}（{uscc}）不在您负责的网格内 (enterprise {uscc} is outside "
            "your grids)"
        )
    return enterprise


def _point(where: Where | None) -> object:
    if where is None:
        return None
    return func.ST_SetSRID(func.ST_MakePoint(where.lon, where.lat), 4326)


def record_visit(
    session: Session,
    uscc: str,
    *,
    scope: frozenset[int] | None,
    visited_at: datetime | None = None,
    where: Where | None = None,
    notes: str | None = None,
    staff_id: int | None = None,
    user_id: int | None = None,
    verify_m: float = VERIFY_METRES,
) -> Visit:
    """Record a visit to the enterprise with this USCC, checking where it was recorded.

    `user_id`: the account recording it (coverage per member counts it for that account)."""
    enterprise = _enterprise(session, uscc, scope)
    check, distance = "no_location", None
    if where is not None:
        point = _point(where)
        inside, distance = session.execute(
            select(
                func.coalesce(func.ST_Covers(Enterprise.compound, point), False),
                func.ST_Distance(func.geography(Enterprise.geom), func.geography(point)),
            ).where(Enterprise.id == enterprise.id)
        ).one()
        check = "verified" if inside or distance <= verify_m else "flagged"
    visit = Visit(
        enterprise_id=enterprise.id,
        staff_id=staff_id,
        user_id=user_id,
        # the wall clock, not the transaction's start: two visits in one transaction differ
        visited_at=visited_at or func.clock_timestamp(),
        notes=(notes or "").strip() or None,
        check_result=check,
        distance_m=distance,
        geom=_point(where),
    )
    try:
        with session.begin_nested():
            session.add(visit)
            session.flush()
    except IntegrityError as error:
        if "uq_visit_enterprise_time" not in str(error.orig):
            raise
        when = f"{visited_at:%Y-%m-%d %H:%M:%S}" if visited_at else "此刻"
        raise Conflict(
            f"企业 {enterprise.name}（{uscc}）在 {when} 已有一条走访记录 (a visit to {uscc} "
            "at this time is already recorded)"
        ) from None
    return visit


def report_problem(
    session: Session,
    uscc: str,
    *,
    scope: frozenset[int] | None,
    category: str,
    title: str,
    description: str | None = None,
    handler_level: str = "grid",
    where: Where | None = None,
) -> Problem:
    """Open a problem (企业问题) for the enterprise with this USCC."""
    if category not in PROBLEM_CATEGORIES:
        raise InvalidInput(
            f"问题类别应为 {'/'.join(PROBLEM_CATEGORIES)} (category must be one of "
            f"{', '.join(PROBLEM_CATEGORIES)})"
        )
    if handler_level not in HANDLER_LEVELS:
        raise InvalidInput(f"未知的处理层级 {handler_level!r} (unknown handler level)")
    if not title.strip():
        raise InvalidInput("问题标题不能为空 (a problem needs a title)")
    enterprise = _enterprise(session, uscc, scope)
    now = session.scalar(select(func.now()))
    assert now is not None
    problem = Problem(
        code=f"P{now:%Y%m%d}-{secrets.token_hex(4).upper()}",
        enterprise_id=enterprise.id,
        category=category,
        title=title.strip()[:200],
        description=(description or "").strip() or None,
        handler_level=handler_level,
        geom=_point(where) if where else enterprise.geom,
    )
    session.add(problem)
    session.flush()
    return problem


@dataclass(frozen=True)
class MyEnterprise:
    """An enterprise of the caller's grids, for the visit page."""

    uscc: str
    name: str
    address: str | None
    lon: float
    lat: float
    distance_m: float | None
    visited_this_month: bool
    state: str


def my_enterprises(
    session: Session, *, grid_ids: frozenset[int] | None, month: date, near: Where | None,
    limit: int = 500,
) -> list[MyEnterprise]:  # fmt: skip
    """Operating enterprises of these grids (None: every grid), nearest first when `near`."""
    from geo.coverage.figures import state_of
    from geo.models import CoverageEnterpriseMonth as Cem

    point = _point(near)
    distance = (
        func.ST_Distance(func.geography(Enterprise.geom), func.geography(point))
        if point is not None
        else None
    )
    query = (
        select(Enterprise, Cem, func.ST_X(Enterprise.geom), func.ST_Y(Enterprise.geom),
               distance if distance is not None else null().cast(Float))
        .outerjoin(Cem, (Cem.enterprise_id == Enterprise.id) & (Cem.month == month))
        .where(Enterprise.status == "operating", Enterprise.grid_id.is_not(None))
        .limit(limit)
    )  # fmt: skip
    if grid_ids is not None:
        query = query.where(Enterprise.grid_id.in_(sorted(grid_ids)))
    if point is not None:
        # KNN on the GiST index of enterprise.geom (degrees), exact metres for the answer
        query = query.order_by(Enterprise.geom.op("<->")(point))
    else:
        query = query.order_by(Enterprise.name)
    found = []
    for e, cem, lon, lat, metres in session.execute(query):
        counts = (cem.visits, cem.verified, cem.flagged) if cem else (0, 0, 0)
        found.append(
            MyEnterprise(
                uscc=e.uscc, name=e.name, address=e.address, lon=lon, lat=lat,
                distance_m=None if metres is None else round(metres, 1),
                visited_this_month=cem is not None, state=state_of(*counts),
            )
        )  # fmt: skip
    if near is not None:
        found.sort(key=lambda m: m.distance_m or 0.0)
    return found
