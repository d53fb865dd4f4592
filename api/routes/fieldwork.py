"""Field work over JSON: grid staff record visits and report problems for their own grids."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from api.deps import SessionDep, SettingsDep
from api.routes.account import PrincipalDep
from geo import fieldwork
from geo.accounts import get_user

router = APIRouter(prefix="/api", tags=["fieldwork"])


class Located(BaseModel):
    lon: float | None = Field(default=None, description="经度 / longitude, WGS84 (phone GPS)")
    lat: float | None = Field(default=None, description="纬度 / latitude, WGS84")

    @model_validator(mode="after")
    def _both_or_neither(self) -> Located:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("经度和纬度须同时给出 (give both lon and lat, or neither)")
        return self

    def where(self) -> fieldwork.Where | None:
        if self.lon is None or self.lat is None:
            return None
        return fieldwork.Where(self.lon, self.lat)


class VisitIn(Located):
    uscc: str = Field(min_length=18, max_length=18, description="统一社会信用代码 / USCC")
    visited_at: datetime | None = Field(default=None, description="走访时间 / when (default: now)")
    notes: str | None = Field(default=None, max_length=4000)


class VisitOut(BaseModel):
    id: int
    uscc: str
    visited_at: datetime
    check_result: str = Field(description="verified | flagged | no_location")
    distance_m: float | None = Field(
        description="与企业位置的距离（米）/ metres from the enterprise"
    )
    notes: str | None


class ProblemIn(Located):
    uscc: str = Field(min_length=18, max_length=18)
    category: str = Field(description="service 服务类 | demand 诉求类")
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    handler_level: str = Field(default="grid", description="grid | community | park | department")


class ProblemOut(BaseModel):
    id: int
    code: str
    uscc: str
    category: str
    title: str
    status: str
    handler_level: str
    reported_at: datetime


@router.post("/visits", response_model=VisitOut, status_code=201)
def record_visit(
    body: VisitIn, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> VisitOut:
    """Record a visit (走访); grid staff only for enterprises of their own grids."""
    visit = fieldwork.record_visit(
        session,
        body.uscc,
        scope=principal.scope_grids,
        visited_at=body.visited_at,
        where=body.where(),
        notes=body.notes,
        staff_id=get_user(session, principal.user_id).staff_id,
        user_id=principal.user_id,
        verify_m=settings.visit_verify_metres,
    )
    session.commit()
    session.refresh(visit)
    return VisitOut(
        id=visit.id,
        uscc=body.uscc,
        visited_at=visit.visited_at,
        check_result=visit.check_result,
        distance_m=visit.distance_m,
        notes=visit.notes,
    )


@router.post("/problems", response_model=ProblemOut, status_code=201)
def report_problem(body: ProblemIn, session: SessionDep, principal: PrincipalDep) -> ProblemOut:
    """Report an enterprise problem (企业问题); grid staff only for their own grids."""
    problem = fieldwork.report_problem(
        session,
        body.uscc,
        scope=principal.scope_grids,
        category=body.category,
        title=body.title,
        description=body.description,
        handler_level=body.handler_level,
        where=body.where(),
    )
    session.commit()
    session.refresh(problem)
    return ProblemOut(
        id=problem.id,
        code=problem.code,
        uscc=body.uscc,
        category=problem.category,
        title=problem.title,
        status=problem.status,
        handler_level=problem.handler_level,
        reported_at=problem.reported_at,
    )
