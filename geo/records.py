"""One enterprise's record beyond the catalogue: contacts, community, visits and problems."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.errors import NotFound
from geo.models import Community, Enterprise, Grid, Problem, Staff, Visit

VISITS_SHOWN = 50


@dataclass(frozen=True)
class VisitRow:
    """A visit as listed on the enterprise's page."""

    visited_at: datetime
    staff_name: str | None
    check_result: str
    distance_m: float | None
    notes: str | None


@dataclass(frozen=True)
class ProblemRow:
    """A problem of the enterprise, with where it stands."""

    code: str
    category: str
    title: str
    status: str
    handler_level: str
    reported_at: datetime
    due_date: date | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class EnterpriseRecord:
    """What the enterprise's page shows beyond `catalog.read_enterprise`."""

    id: int
    contact_name: str | None
    contact_phone: str | None
    community_name: str | None
    updated_at: datetime
    visit_total: int
    visits: list[VisitRow]
    problems: list[ProblemRow]


def enterprise_uscc(session: Session, *, enterprise_id: int) -> str:
    """The USCC of the enterprise with database id `enterprise_id`; NotFound when none."""
    found = session.scalar(select(Enterprise.uscc).where(Enterprise.id == enterprise_id))
    if found is None:
        raise NotFound(f"企业 {enterprise_id} 不存在 / enterprise {enterprise_id} does not exist")
    return found


def enterprise_record(
    session: Session, *, uscc: str, visits_shown: int = VISITS_SHOWN
) -> EnterpriseRecord:
    """Contacts, community name, the latest visits (and their total) and every problem."""
    key = uscc.strip().upper()
    row = session.execute(
        select(Enterprise.id, Enterprise.contact_name, Enterprise.contact_phone,
               Community.name, Enterprise.updated_at)
        .outerjoin(Grid, Grid.id == Enterprise.grid_id)
        .outerjoin(Community, Community.id == Grid.community_id)
        .where(Enterprise.uscc == key)
    ).first()  # fmt: skip
    if row is None:
        raise NotFound(f"企业 {key} 不存在 / enterprise {key} does not exist")
    ident = row[0]
    total = session.scalar(select(func.count()).where(Visit.enterprise_id == ident)) or 0
    return EnterpriseRecord(
        id=ident, contact_name=row[1], contact_phone=row[2], community_name=row[3],
        updated_at=row[4], visit_total=int(total),
        visits=_visits(session, ident, visits_shown), problems=_problems(session, ident),
    )  # fmt: skip


def _visits(session: Session, enterprise_id: int, limit: int) -> list[VisitRow]:
    rows = session.execute(
        select(Visit.visited_at, Staff.name, Visit.check_result, Visit.distance_m, Visit.notes)
        .outerjoin(Staff, Staff.id == Visit.staff_id)
        .where(Visit.enterprise_id == enterprise_id)
        .order_by(Visit.visited_at.desc(), Visit.id.desc())
        .limit(limit)
    ).all()
    return [VisitRow(*row) for row in rows]


def _problems(session: Session, enterprise_id: int) -> list[ProblemRow]:
    rows = session.execute(
        select(Problem.code, Problem.category, Problem.title, Problem.status,
               Problem.handler_level, Problem.reported_at, Problem.due_date, Problem.resolved_at)
        .where(Problem.enterprise_id == enterprise_id)
        .order_by(Problem.reported_at.desc(), Problem.id.desc())
    ).all()  # fmt: skip
    return [ProblemRow(*row) for row in rows]
