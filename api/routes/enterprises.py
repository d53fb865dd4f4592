"""Enterprises (企业): listed with filters and text search, read by USCC."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.deps import SessionDep
from api.pagination import BBoxDep, GeometryQuery, Page, PagingDep, page_of
from geo import catalog

router = APIRouter(prefix="/api", tags=["enterprises"])


class EnterpriseOut(BaseModel):
    """An enterprise as listed; `grid_code` null means an orphan (in no grid)."""

    uscc: str = Field(description="统一社会信用代码 / Unified Social Credit Code")
    name: str
    industry: str | None = Field(description="行业门类 / GB/T 4754 section A–T")
    size_class: str | None = Field(description="large | medium | small | micro")
    status: str = Field(description="operating | suspended | closed | relocated")
    employees_day: int = Field(description="白天从业人数 / employees by day")
    employees_night: int = Field(description="夜间在岗人数 / people on site at night")
    grid_code: str | None
    microgrid_code: str | None
    lon: float = Field(description="经度 / longitude, WGS84")
    lat: float = Field(description="纬度 / latitude, WGS84")
    geometry: dict[str, Any] | None = Field(description="GeoJSON Point (EPSG:4326)")


class EnterpriseDetailOut(EnterpriseOut):
    """An enterprise read by USCC, with names, address and the coordinates as recorded."""

    industry_detail: str | None
    address: str | None
    community_code: str | None
    grid_name: str | None
    microgrid_name: str | None
    coord_source: str = Field(description="坐标来源 / wgs84, cgcs2000, gcj02, bd09, epsg, survey")
    raw_x: float | None = Field(description="原始坐标 x / x as recorded, before conversion")
    raw_y: float | None = Field(description="原始坐标 y / y as recorded, before conversion")
    raw_crs: str | None
    compound: dict[str, Any] | None = Field(description="企业厂区 / compound MultiPolygon")


@router.get("/enterprises", response_model=Page[EnterpriseOut])
def list_enterprises(
    request: Request,
    session: SessionDep,
    at: PagingDep,
    bbox: BBoxDep,
    community: Annotated[str | None, Query(description="社区编码 / community code")] = None,
    grid: Annotated[str | None, Query(description="网格编码 / grid code")] = None,
    microgrid: Annotated[str | None, Query(description="微网格编码 / micro-grid code")] = None,
    industry: Annotated[str | None, Query(description="行业门类 / industry A–T")] = None,
    size_class: Annotated[str | None, Query(description="企业规模 / size class")] = None,
    status: Annotated[str | None, Query(description="经营状态 / status")] = None,
    q: Annotated[
        str | None, Query(description="名称包含或信用代码开头 / name contains, or USCC prefix")
    ] = None,
    geometry: GeometryQuery = False,
) -> Page[EnterpriseOut]:
    """企业列表 / enterprises, ordered by name then id."""
    rows, total = catalog.list_enterprises(
        session, community=community, grid=grid, microgrid=microgrid, industry=industry,
        size_class=size_class, status=status, q=q, bbox=bbox, geometry=geometry,
        limit=at.limit, offset=at.offset,
    )  # fmt: skip
    return page_of(EnterpriseOut, rows, total, at, request)


@router.get(
    "/enterprises/{uscc}",
    response_model=EnterpriseDetailOut,
    responses={404: {"description": "企业不存在 / no such enterprise"}},
)
def read_enterprise(
    uscc: str, session: SessionDep, geometry: GeometryQuery = True
) -> EnterpriseDetailOut:
    """单个企业 / one enterprise by its USCC."""
    found = catalog.read_enterprise(session, uscc=uscc, geometry=geometry)
    return EnterpriseDetailOut.model_validate(found, from_attributes=True)
