"""Emergencies over JSON (S6.5, emergency teams and admins): hazards, who and what they
affect, and capacity-constrained evacuation plans (geo/evacuation)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from shapely.geometry import shape
from sqlalchemy import func, select

from api.deps import SessionDep
from api.routes.account import PrincipalDep
from geo.errors import InvalidGeometry, InvalidInput, NotFound
from geo.evacuation.hazards import affected, drawn_hazard, hazard_at_site
from geo.evacuation.plan_map import plan_map, read_plan_row
from geo.evacuation.planner import plan_evacuation, save_plan
from geo.models import EvacuationPlan, Hazard

router = APIRouter(prefix="/api", tags=["emergency"])
GeoJson = Annotated[dict[str, Any] | None, Field(default=None, description="GeoJSON Polygon")]


class HazardIn(BaseModel):
    """A hazard around a key site (`key_site` code) or drawn (`zone`, optional `core`)."""

    name: str | None = Field(default=None, max_length=200)
    scenario: str = Field(description="gas_leak | chemical_fire | explosion | toxic_release | …")
    time_of_day: Literal["day", "night"] = "day"
    key_site: str | None = Field(default=None, description="重点场所编码 / key site code")
    zone: GeoJson = None
    core: GeoJson = None


class HazardOut(BaseModel):
    id: int
    name: str
    scenario: str
    time_of_day: str
    created_at: datetime
    core: dict[str, Any] = Field(description="核心区（不可通行）/ impassable core, GeoJSON")
    zone: dict[str, Any] = Field(description="疏散区域 / zone to evacuate, GeoJSON")


class PlanIn(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    mode: Literal["walk", "drive"] = "walk"


class PlanOut(BaseModel):
    id: int
    hazard_id: int
    name: str
    evacuees: int
    unplaced: int
    ete90_min: float | None = Field(description="90% 人员疏散完毕（分钟）/ minutes to 90 %")
    ete100_min: float | None = Field(description="全部疏散完毕（分钟）/ minutes to 100 %")
    parameters: dict[str, Any]
    result: dict[str, Any]


def _shape(value: dict[str, Any] | None, what: str) -> Any:
    if value is None:
        return None
    try:
        return shape(value.get("geometry", value) if value.get("type") == "Feature" else value)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InvalidGeometry(f"无法读取{what} (cannot read the {what} geometry): {exc}") from exc


def _hazard_out(session: SessionDep, hazard: Hazard) -> HazardOut:
    core, zone = session.execute(
        select(func.ST_AsGeoJSON(Hazard.core, 7), func.ST_AsGeoJSON(Hazard.zone, 7))
        .where(Hazard.id == hazard.id)
    ).one()  # fmt: skip
    return HazardOut(id=hazard.id, name=hazard.name, scenario=hazard.scenario,
                     time_of_day=hazard.time_of_day, created_at=hazard.created_at,
                     core=json.loads(core), zone=json.loads(zone))  # fmt: skip


def _hazard(session: SessionDep, hazard_id: int) -> Hazard:
    hazard = session.get(Hazard, hazard_id)
    if hazard is None:
        raise NotFound(f"没有编号为 {hazard_id} 的危险区域 (no hazard {hazard_id})")
    return hazard


@router.post("/hazards", response_model=HazardOut, status_code=201)
def create_hazard(body: HazardIn, session: SessionDep, principal: PrincipalDep) -> HazardOut:
    """新建危险区域 / a hazard around a key site (radii by scenario and hazard class) or drawn."""
    if (body.key_site is None) == (body.zone is None):
        raise InvalidInput(
            "请给出重点场所编码或绘制的危险区域之一 (give key_site or zone, not both)"
        )
    if body.key_site is not None:
        hazard = hazard_at_site(session, body.key_site, scenario=body.scenario,
                                time_of_day=body.time_of_day, name=body.name,
                                user_id=principal.user_id)  # fmt: skip
    else:
        hazard = drawn_hazard(session, name=body.name or "", scenario=body.scenario,
                              zone=_shape(body.zone, "危险区域"), core=_shape(body.core, "核心区"),
                              time_of_day=body.time_of_day, user_id=principal.user_id)  # fmt: skip
    session.commit()
    session.refresh(hazard)
    return _hazard_out(session, hazard)


@router.get("/hazards", response_model=list[HazardOut])
def list_hazards(session: SessionDep) -> list[HazardOut]:
    """危险区域 / the hazards, newest first."""
    rows = session.scalars(select(Hazard).order_by(Hazard.id.desc()).limit(200))
    return [_hazard_out(session, hazard) for hazard in rows]


@router.get("/hazards/{hazard_id}/affected")
def hazard_affected(hazard_id: int, session: SessionDep) -> dict[str, Any]:
    """受影响情况 / enterprises (day/night people), key sites, network segments, parking zones
    and unusable shelters in the zone, with totals."""
    report = affected(session, hazard_id)
    return {
        "hazard_id": hazard_id,
        "enterprises": report.enterprises,
        "key_sites": report.key_sites,
        "networks": report.networks,
        "parking_zones": report.parking_zones,
        "shelters_unusable": report.shelters_unusable,
        "totals": report.totals,
    }


def _plan_out(row: EvacuationPlan) -> PlanOut:
    return PlanOut(id=row.id, hazard_id=row.hazard_id, name=row.name, evacuees=row.evacuees,
                   unplaced=row.unplaced, ete90_min=row.ete90_min, ete100_min=row.ete100_min,
                   parameters=row.parameters, result=row.result)  # fmt: skip


@router.post("/hazards/{hazard_id}/plans", response_model=PlanOut, status_code=201)
def create_plan(
    hazard_id: int, body: PlanIn, session: SessionDep, principal: PrincipalDep
) -> PlanOut:
    """生成疏散预案 / plan the evacuation (CCRP with capacities) and save it with its
    parameters."""
    hazard = _hazard(session, hazard_id)
    plan = plan_evacuation(session, hazard.id, mode=body.mode)
    name = body.name or f"{hazard.name} · {'步行' if body.mode == 'walk' else '车行'}疏散"
    row = save_plan(session, plan, name=name, created_by=principal.user_id)
    session.commit()
    session.refresh(row)
    return _plan_out(row)


class PlanSummary(BaseModel):
    """A saved plan's key figures, to compare plans of one hazard side by side."""

    id: int
    name: str
    mode: str
    time_of_day: str
    evacuees: int
    unplaced: int
    ete90_min: float | None
    ete100_min: float | None
    created_at: datetime


@router.get("/hazards/{hazard_id}/plans", response_model=list[PlanSummary])
def compare_plans(hazard_id: int, session: SessionDep) -> list[PlanSummary]:
    """对比预案 / the hazard's saved plans with their key figures, quickest first."""
    _hazard(session, hazard_id)
    rows = session.scalars(
        select(EvacuationPlan)
        .where(EvacuationPlan.hazard_id == hazard_id)
        .order_by(EvacuationPlan.ete100_min.asc().nulls_last(), EvacuationPlan.id)
    )
    return [
        PlanSummary(id=r.id, name=r.name, mode=r.parameters.get("mode", "walk"),
                    time_of_day=r.parameters.get("time_of_day", ""), evacuees=r.evacuees,
                    unplaced=r.unplaced, ete90_min=r.ete90_min, ete100_min=r.ete100_min,
                    created_at=r.created_at)
        for r in rows
    ]  # fmt: skip


@router.get("/plans/{plan_id}", response_model=PlanOut)
def read_plan(plan_id: int, session: SessionDep) -> PlanOut:
    """一个疏散预案 / a saved plan with its parameters and result."""
    return _plan_out(read_plan_row(session, plan_id))


@router.get("/plans/{plan_id}/map")
def read_plan_map(plan_id: int, session: SessionDep) -> dict[str, Any]:
    """疏散预案地图 / a saved plan as the map draws it: hazard core and zone, road pieces with
    their peak load (GeoJSON), shelters with load and capacity, enterprises with people routed
    and left behind, the schedule per enterprise and shelter (route length, departure groups)
    and who is left behind where."""
    return plan_map(session, plan_id)
