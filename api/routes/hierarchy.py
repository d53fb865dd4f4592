"""The hierarchy's health: rule violations, orphan enterprises and staffing per grid (S5.2.2)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import SessionDep, SettingsDep
from api.pagination import BBoxDep, GeometryQuery, Page, PagingDep, page_of, slice_of
from api.routes.enterprises import EnterpriseOut
from geo import catalog
from geo.catalog import EnterpriseInfo
from geo.hierarchy import VIOLATIONS, Violation, check_hierarchy
from geo.places import VIOLATION_PLACES, violation_names
from geo.staffing import StaffingNorms, grid_staffing, read_grid_staffing

router = APIRouter(prefix="/api", tags=["hierarchy"])

CommunityQuery = Annotated[str | None, Query(description="社区编码 / community code (12 digits)")]
GEOJSON = "application/geo+json"
GEOJSON_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"description": "GeoJSON FeatureCollection (EPSG:4326)", "content": {GEOJSON: {}}}
}
MAX_ORPHAN_FEATURES = 10000


def staffing_norms(settings: SettingsDep) -> StaffingNorms:
    """The staffing norms from the settings (GRIDMAP_STAFFING_*)."""
    return StaffingNorms(
        enterprises_per_full_time=settings.staffing_enterprises_per_full_time,
        employees_per_staff=settings.staffing_employees_per_staff,
        min_part_time=settings.staffing_min_part_time,
    )


NormsDep = Annotated[StaffingNorms, Depends(staffing_norms)]


class ViolationOut(BaseModel):
    """A broken hierarchy rule at one place."""

    kind: str = Field(description="grid_overlap, grid_gap, grid_outside_community, ...")
    label_zh: str
    label_en: str
    code: str = Field(description="涉及的编码 / code of the grid, micro-grid or community")
    other_code: str | None = Field(description="另一方编码 / the other party, when two")
    area_m2: float = Field(description="问题面积（平方米）/ area of the problem in m²")
    geometry: dict[str, Any] = Field(description="问题区域 / GeoJSON of the problem area")


class FlagOut(BaseModel):
    """A missed staffing norm."""

    kind: str = Field(description="no_leader | understaffed_full_time | ...")
    message: str = Field(description="中文 / English")


class StaffingOut(BaseModel):
    """Staffing of a live grid: whom it serves, who is on duty, what falls short."""

    grid_code: str
    grid_name: str
    grid_kind: str
    community_code: str
    enterprises: int = Field(description="在管企业数 / enterprises served (not closed/relocated)")
    employees: int = Field(description="白天从业人数合计 / employees by day, summed")
    staff: int = Field(description="在岗人员（去重）/ distinct staff on duty")
    staff_by_role: dict[str, int] = Field(
        description="按岗位 / on duty by role: party_secretary 党委书记, party_member 党委委员, "
        "grid_leader 网格长, full_time 专职网格员, instructor 网格指导员, part_time 兼职网格员"
    )
    required_full_time: int = Field(description="按配比应有专职网格员 / full-time members needed")
    enterprises_per_full_time: float | None = Field(description="企业数/专职网格员 (null: none)")
    employees_per_staff: float | None = Field(description="从业人数/在岗人员 (null: no staff)")
    flagged: bool
    flags: list[FlagOut]


def _violation_out(v: Violation) -> ViolationOut:
    zh, en = VIOLATIONS[v.kind]
    return ViolationOut(
        kind=v.kind, label_zh=zh, label_en=en, code=v.code, other_code=v.other_code,
        area_m2=v.area_m2, geometry=v.geometry,
    )  # fmt: skip


@router.get("/check", response_model=Page[ViolationOut])
def check(
    request: Request, session: SessionDep, at: PagingDep, community: CommunityQuery = None
) -> Page[ViolationOut]:
    """层级检查 / every broken hierarchy rule: overlaps, gaps, overhangs (DESIGN §4)."""
    ids = None if community is None else [catalog.community_id(session, code=community)]
    found = [_violation_out(v) for v in check_hierarchy(session, community_ids=ids)]
    return page_of(ViolationOut, slice_of(found, at), len(found), at, request)


def _violation_feature(v: Violation, name: str | None, other_name: str | None) -> dict[str, Any]:
    zh, en = VIOLATIONS[v.kind]
    layer, other_layer = VIOLATION_PLACES[v.kind]
    properties = {
        "kind": v.kind, "label_zh": zh, "label_en": en, "layer": layer, "code": v.code,
        "name": name, "other_layer": other_layer, "other_code": v.other_code,
        "other_name": other_name, "area_m2": round(v.area_m2, 2),
    }  # fmt: skip
    return {"type": "Feature", "properties": properties, "geometry": v.geometry}


def _orphan_feature(e: EnterpriseInfo) -> dict[str, Any]:
    properties = {
        "uscc": e.uscc, "name": e.name, "industry": e.industry, "size_class": e.size_class,
        "status": e.status, "employees_day": e.employees_day,
        "employees_night": e.employees_night,
    }  # fmt: skip
    point = {"type": "Point", "coordinates": [e.lon, e.lat]}
    return {"type": "Feature", "properties": properties, "geometry": point}


def _collection(features: list[dict[str, Any]], matched: int) -> JSONResponse:
    body = {"type": "FeatureCollection", "numberMatched": matched,
            "numberReturned": len(features), "features": features}  # fmt: skip
    return JSONResponse(body, media_type=GEOJSON)


@router.get("/check.geojson", response_class=JSONResponse, responses=GEOJSON_RESPONSE)
def check_geojson(session: SessionDep, community: CommunityQuery = None) -> JSONResponse:
    """层级检查（GeoJSON）/ the violations as features for maps: kind, codes, names, m²."""
    ids = None if community is None else [catalog.community_id(session, code=community)]
    found = check_hierarchy(session, community_ids=ids)
    names = violation_names(session, found)
    features = [_violation_feature(v, *pair) for v, pair in zip(found, names, strict=True)]
    return _collection(features, len(features))


@router.get("/orphans", response_model=Page[EnterpriseOut])
def orphans(
    request: Request,
    session: SessionDep,
    at: PagingDep,
    bbox: BBoxDep,
    q: Annotated[str | None, Query(description="名称或信用代码 / name or USCC prefix")] = None,
    status: Annotated[str | None, Query(description="经营状态 / status")] = None,
    geometry: GeometryQuery = False,
) -> Page[EnterpriseOut]:
    """游离企业 / enterprises in no grid, listed for planners (never dropped)."""
    rows, total = catalog.list_enterprises(
        session, q=q, bbox=bbox, status=status, orphans=True, geometry=geometry,
        limit=at.limit, offset=at.offset,
    )  # fmt: skip
    return page_of(EnterpriseOut, rows, total, at, request)


@router.get("/orphans.geojson", response_class=JSONResponse, responses=GEOJSON_RESPONSE)
def orphans_geojson(
    session: SessionDep,
    bbox: BBoxDep,
    limit: Annotated[
        int, Query(ge=1, le=MAX_ORPHAN_FEATURES, description="最多返回 / most features returned")
    ] = MAX_ORPHAN_FEATURES,
) -> JSONResponse:
    """游离企业（GeoJSON）/ enterprises in no grid as points; `numberMatched` counts them all."""
    rows, total = catalog.list_enterprises(session, bbox=bbox, orphans=True, limit=limit)
    return _collection([_orphan_feature(e) for e in rows], total)


@router.get("/staffing", response_model=Page[StaffingOut])
def staffing(
    request: Request,
    session: SessionDep,
    at: PagingDep,
    norms: NormsDep,
    community: CommunityQuery = None,
    flagged_only: Annotated[
        bool, Query(description="只看有问题的网格 / flagged grids only")
    ] = False,
) -> Page[StaffingOut]:
    """人员配置 / staffing per live grid against the norms (GRIDMAP_STAFFING_*), by grid code."""
    if community is not None:
        catalog.community_id(session, code=community)  # 404 for an unknown community
    found = grid_staffing(session, norms=norms, community=community)
    if flagged_only:
        found = [grid for grid in found if grid.flagged]
    return page_of(StaffingOut, slice_of(found, at), len(found), at, request)


@router.get(
    "/grids/{code}/staffing",
    response_model=StaffingOut,
    responses={404: {"description": "网格不存在或已撤销 / no such live grid"}},
)
def grid_staffing_of(code: str, session: SessionDep, norms: NormsDep) -> StaffingOut:
    """单个网格的人员配置 / staffing of one live grid."""
    found = read_grid_staffing(session, code=code, norms=norms)
    return StaffingOut.model_validate(found, from_attributes=True)
